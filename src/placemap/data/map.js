/* placemap: draws a report map or the collection map from the page's data
   (built by placemap.mapdata). Strings from the data are untrusted: they are set with
   textContent or as text nodes, never as markup, and links must be plain file names. */
(function () {
  "use strict";

  // --- small DOM helpers --------------------------------------------------------------

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function safeHref(href) {
    return typeof href === "string" && /^[A-Za-z0-9][A-Za-z0-9._-]*\.html$/.test(href)
      ? href : null;
  }

  function link(text, href) {
    var h = safeHref(href);
    if (!h) return el("span", null, text);
    var a = el("a", null, text);
    a.href = h;
    return a;
  }

  // A snippet is [text, start1, end1, start2, end2, ...]: the names to highlight.
  function marked(parent, snip) {
    var text = String(snip[0]), pos = 0;
    for (var i = 1; i + 1 < snip.length; i += 2) {
      var s = snip[i], e = snip[i + 1];
      if (!(s >= pos && e > s && e <= text.length)) continue;
      parent.appendChild(document.createTextNode(text.slice(pos, s)));
      parent.appendChild(el("mark", null, text.slice(s, e)));
      pos = e;
    }
    parent.appendChild(document.createTextNode(text.slice(pos)));
    return parent;
  }

  function swatch(colour) {
    var s = el("span", "pm-swatch");
    s.style.background = colour;
    return s;
  }

  function radius(times) {
    return Math.min(5 + 3 * Math.sqrt(times), 20);
  }

  // --- popups ------------------------------------------------------------------------

  // A place row is [lat, lon, name, kind, country, admin1, geonames id].
  function placeHead(box, p) {
    var head = el("div", "pm-head");
    head.appendChild(el("b", null, p[2]));
    var where = [p[5], p[4]].filter(Boolean).join(", ");
    if (where) head.appendChild(el("span", "pm-where", " (" + where + ")"));
    box.appendChild(head);
  }

  function gid(p) {
    return typeof p[6] === "number" && Number.isInteger(p[6]) ? String(p[6]) : "–";
  }

  function reportPopup(data, r, h) {
    var hit = data.H[r][h], p = data.P[hit[0]];
    var box = el("div", "pm-pop");
    placeHead(box, p);
    box.appendChild(el("div", "pm-meta", p[3] + " · GeoNames " + gid(p) + " · confidence " +
      Number(hit[2]).toFixed(2) + " · named " + hit[1] + "×"));
    var ul = el("ul", "pm-sents");
    hit[3].forEach(function (s) { ul.appendChild(marked(el("li"), s)); });
    box.appendChild(ul);
    return box;
  }

  var SHOWN_IN_POPUP = 25;

  function collectionPopup(state, pIdx) {
    var data = state.data, p = data.P[pIdx], refs = state.reportsNaming(pIdx);
    var box = el("div", "pm-pop");
    placeHead(box, p);
    box.appendChild(el("div", "pm-meta", p[3] + " · GeoNames " + gid(p) + " · named in " +
      refs.length + (refs.length === 1 ? " report" : " reports")));
    var ul = el("ul", "pm-reports");
    refs.slice(0, SHOWN_IN_POPUP).forEach(function (ref) {
      var rep = data.R[ref[0]], hit = data.H[ref[0]][ref[1]];
      var li = el("li", state.shown[ref[0]] ? null : "pm-off");
      li.appendChild(swatch(state.colour(ref[0])));
      li.appendChild(link(rep[0], rep[3]));
      li.appendChild(el("span", "pm-small", " " + rep[1] + " · " + hit[1] + "× · confidence " +
        Number(hit[2]).toFixed(2)));
      if (hit[3].length) li.appendChild(marked(el("div", "pm-snip"), hit[3][0]));
      ul.appendChild(li);
    });
    if (refs.length > SHOWN_IN_POPUP) {
      ul.appendChild(el("li", "pm-small", "… and " + (refs.length - SHOWN_IN_POPUP) + " more"));
    }
    box.appendChild(ul);
    return box;
  }

  // --- heat layer: our own canvas drawing, weighted by how often places are named -------

  var HEAT_RADIUS = 22;

  function heatBlob() {
    var c = document.createElement("canvas"), d = 2 * HEAT_RADIUS;
    c.width = c.height = d;
    var ctx = c.getContext("2d");
    var g = ctx.createRadialGradient(HEAT_RADIUS, HEAT_RADIUS, 0, HEAT_RADIUS, HEAT_RADIUS,
      HEAT_RADIUS);
    g.addColorStop(0, "rgba(0,0,0,1)");
    g.addColorStop(1, "rgba(0,0,0,0)");
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, d, d);
    return c;
  }

  function heatPalette() {
    var c = document.createElement("canvas");
    c.width = 256;
    c.height = 1;
    var ctx = c.getContext("2d"), g = ctx.createLinearGradient(0, 0, 256, 0);
    g.addColorStop(0.2, "#2c7bb6");
    g.addColorStop(0.45, "#abd9e9");
    g.addColorStop(0.65, "#ffffbf");
    g.addColorStop(0.85, "#fdae61");
    g.addColorStop(1, "#d7191c");
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, 256, 1);
    return ctx.getImageData(0, 0, 256, 1).data;
  }

  var HeatLayer = L.Layer.extend({
    initialize: function (points) {
      this._points = points;  // a function returning [[lat, lon, weight], ...]
    },
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "pm-heat leaflet-zoom-hide");
      map.getPane("pmHeat").appendChild(this._canvas);
      map.on("moveend zoomend resize", this.redraw, this);
      this.redraw();
    },
    onRemove: function (map) {
      map.off("moveend zoomend resize", this.redraw, this);
      L.DomUtil.remove(this._canvas);
    },
    redraw: function () {
      if (!this._map) return this;
      var map = this._map, size = map.getSize(), canvas = this._canvas;
      canvas.width = size.x;
      canvas.height = size.y;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      var pts = this._points(), max = 0, view = map.getBounds().pad(0.3);
      pts.forEach(function (q) { max = Math.max(max, q[2]); });
      if (!max || !size.x || !size.y) return this;
      var blob = this._blob || (this._blob = heatBlob());
      pts.forEach(function (q) {
        if (!view.contains([q[0], q[1]])) return;
        var c = map.latLngToContainerPoint([q[0], q[1]]);
        ctx.globalAlpha = Math.max(0.35, Math.sqrt(q[2] / max));
        ctx.drawImage(blob, c.x - HEAT_RADIUS, c.y - HEAT_RADIUS);
      });
      var img = ctx.getImageData(0, 0, size.x, size.y), px = img.data;
      var pal = this._palette || (this._palette = heatPalette());
      for (var i = 3; i < px.length; i += 4) {
        var a = px[i];
        if (!a) continue;
        px[i - 3] = pal[a * 4];
        px[i - 2] = pal[a * 4 + 1];
        px[i - 1] = pal[a * 4 + 2];
        px[i] = Math.min(255, 60 + a);
      }
      ctx.putImageData(img, 0, 0);
      return this;
    }
  });

  // --- the places on the map -----------------------------------------------------------

  var LABELS_MAX = 40;  // a report map with more places than this labels them on hover

  function State(map, data) {
    var self = this;
    this.map = map;
    this.data = data;
    this.palette = data.palette;
    this.checked = data.R.map(function () { return true; });
    this.shown = data.R.map(function () { return false; });
    this.dateFrom = "";
    this.dateTo = "";
    map.createPane("pmHeat").style.zIndex = 450;
    map.createPane("pmMarkers").style.zIndex = 500;
    this.renderer = L.canvas({ pane: "pmMarkers", padding: 0.3 });
    this.cluster = !!data.cluster && typeof L.markerClusterGroup === "function";
    this.places = this.cluster
      ? L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false })
      : L.featureGroup();
    this.labels = data.mode === "report" && data.H[0].length <= LABELS_MAX;
    this.outline = data.H.reduce(function (n, hits) { return n + hits.length; }, 0) <= OUTLINE_MAX;
    this.layers = data.R.map(function (_rep, r) { return self.reportLayer(r); });
    this.places.bindPopup(function (layer) { return self.popup(layer); }, { maxWidth: 440 });
    // A report map names its places on the map; the collection names them on hover.
    if (!this.labels) this.hoverNames();
    this.places.addTo(map);
    this.heat = new HeatLayer(function () { return self.heatPoints(); });
    this.applyAll();
  }

  State.prototype.colour = function (r) {
    var c = this.data.R[r][4];
    return this.palette[(typeof c === "number" ? c : r) % this.palette.length];
  };

  var OUTLINE_MAX = 5000;  // with more markers than this, no outlines: half the drawing time

  // One GeoJSON layer per report; its markers are made directly (no feature objects to
  // parse and drop), each carrying the feature properties the popups read.
  State.prototype.reportLayer = function (r) {
    var data = this.data, colour = this.colour(r), renderer = this.renderer;
    var labels = this.labels, outline = this.outline, layer = L.geoJSON();
    data.H[r].forEach(function (hit, h) {
      var p = data.P[hit[0]];
      var marker = L.circleMarker([p[0], p[1]], {
        renderer: renderer, radius: radius(hit[1]), stroke: outline, color: "#333",
        weight: 1, fillColor: colour, fillOpacity: 0.75
      });
      marker.feature = { type: "Feature", properties: { r: r, h: h } };
      if (labels) {
        marker.bindTooltip(el("span", null, p[2]), {
          permanent: true, direction: "right", offset: [radius(hit[1]), 0],
          className: "pm-label"
        });
      }
      layer.addLayer(marker);
    });
    return layer;
  };

  // One shared tooltip follows the pointer from marker to marker (Leaflet's bindTooltip
  // on a group of groups fails, and one tooltip per report would be 10,000 of them).
  State.prototype.hoverNames = function () {
    var map = this.map, data = this.data, tip = L.tooltip({ direction: "top", offset: [0, -6] });
    this.places.on("mouseover", function (e) {
      var f = e.layer && e.layer.feature;
      if (!f) return;
      var hit = data.H[f.properties.r][f.properties.h];
      map.openTooltip(tip.setLatLng(e.layer.getLatLng()).setContent(el("span", null,
        data.P[hit[0]][2])));
    });
    this.places.on("mouseout", function () { map.closeTooltip(tip); });
  };

  State.prototype.popup = function (layer) {
    var pr = layer.feature.properties;
    return this.data.mode === "collection"
      ? collectionPopup(this, this.data.H[pr.r][pr.h][0])
      : reportPopup(this.data, pr.r, pr.h);
  };

  State.prototype.dateOk = function (r) {
    var d = this.data.R[r][1];
    if (!d) return true;  // undated reports are never filtered out
    if (this.dateFrom && d < this.dateFrom.slice(0, d.length)) return false;
    if (this.dateTo && d > this.dateTo.slice(0, d.length)) return false;
    return true;
  };

  // Puts each report on the map or takes it off, to match its checkbox and the dates.
  State.prototype.applyAll = function (only) {
    var adds = [], removes = [], self = this;
    (only || this.data.R.map(function (_x, r) { return r; })).forEach(function (r) {
      var want = self.checked[r] && self.dateOk(r);
      if (want === self.shown[r]) return;
      self.shown[r] = want;
      (want ? adds : removes).push(r);
    });
    if (this.cluster) {
      var markers = function (rs) {
        return [].concat.apply([], rs.map(function (r) { return self.layers[r].getLayers(); }));
      };
      if (removes.length) this.places.removeLayers(markers(removes));
      if (adds.length) this.places.addLayers(markers(adds));
    } else {
      removes.forEach(function (r) { self.places.removeLayer(self.layers[r]); });
      adds.forEach(function (r) { self.places.addLayer(self.layers[r]); });
    }
    if (adds.length || removes.length) this.heat.redraw();
  };

  State.prototype.setChecked = function (rs, on) {
    var self = this;
    rs.forEach(function (r) { self.checked[r] = on; });
    this.applyAll(rs);
  };

  State.prototype.heatPoints = function () {
    var weight = {}, data = this.data, self = this;
    data.H.forEach(function (hits, r) {
      if (!self.shown[r]) return;
      hits.forEach(function (hit) { weight[hit[0]] = (weight[hit[0]] || 0) + hit[1]; });
    });
    return Object.keys(weight).map(function (k) {
      var p = data.P[k];
      return [p[0], p[1], weight[k]];
    });
  };

  // Every [report, hit] naming the place; reports on the map first.
  State.prototype.reportsNaming = function (pIdx) {
    if (!this._byPlace) {
      var by = this._byPlace = {};
      this.data.H.forEach(function (hits, r) {
        hits.forEach(function (hit, h) { (by[hit[0]] = by[hit[0]] || []).push([r, h]); });
      });
    }
    var shown = this.shown;
    return (this._byPlace[pIdx] || []).slice().sort(function (a, b) {
      return (shown[b[0]] - shown[a[0]]) || (a[0] - b[0]);
    });
  };

  State.prototype.markerFor = function (pIdx) {
    var refs = this.reportsNaming(pIdx).filter(function (ref) { return this.shown[ref[0]]; }, this);
    if (!refs.length) return null;
    var layer = null;
    this.layers[refs[0][0]].eachLayer(function (m) {
      if (m.feature.properties.h === refs[0][1]) layer = m;
    });
    return layer;
  };

  // Opens the popup of a place (from the side panel or the search box).
  State.prototype.openPlace = function (pIdx) {
    var marker = this.markerFor(pIdx), map = this.map, self = this;
    if (!marker) return false;
    map.closePopup();
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 6));
    L.popup({ maxWidth: 440 }).setLatLng(marker.getLatLng()).setContent(self.popup(marker))
      .openOn(map);
    return true;
  };

  State.prototype.markerCount = function () {
    var n = 0, self = this;
    this.layers.forEach(function (l, r) { if (self.shown[r]) n += l.getLayers().length; });
    return n;
  };

  // --- panels --------------------------------------------------------------------------

  function panelControl(map, build) {
    var Panel = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var div = el("div", "pm-panel");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        build(div);
        return div;
      }
    });
    return new Panel().addTo(map);
  }

  function section(div, title) {
    div.appendChild(el("h3", null, title));
  }

  function reportPanel(state) {
    var data = state.data, rep = data.R[0], info = data.panel;
    panelControl(state.map, function (div) {
      div.appendChild(el("h2", null, rep[0]));
      var meta = [rep[1], rep[2]].filter(Boolean).join(" · ");
      if (meta) div.appendChild(el("div", "pm-small", meta));
      section(div, "Places (" + data.H[0].length + ")");
      var ul = el("ul", "pm-list pm-places");
      data.H[0].forEach(function (hit) {
        var li = el("li"), a = el("a", null, data.P[hit[0]][2]);
        a.href = "#";
        a.addEventListener("click", function (e) { e.preventDefault(); state.openPlace(hit[0]); });
        li.appendChild(a);
        li.appendChild(el("span", "pm-small", " " + hit[1] + "×"));
        ul.appendChild(li);
      });
      if (!data.H[0].length) ul.appendChild(el("li", "pm-small", "none"));
      div.appendChild(ul);
      unresolvedSection(div, info);
      lowSection(div, info);
    });
  }

  function unresolvedSection(div, info) {
    section(div, "Unresolved names (" + info.unresolved.length + ")");
    var ul = el("ul", "pm-list pm-unresolved");
    info.unresolved.forEach(function (u) {
      var li = el("li", null, u[0]);
      if (u[1] > 1) li.appendChild(el("span", "pm-small", " " + u[1] + "×"));
      ul.appendChild(li);
    });
    if (!info.unresolved.length) ul.appendChild(el("li", "pm-small", "none"));
    div.appendChild(ul);
    if (info.suggest.length) {
      var tip = el("div", "pm-tip", "Villages are often only in GeoNames' full country files. " +
        "For " + info.suggest.join(", ") + " try: ");
      tip.appendChild(el("code", null, info.suggest_command));
      div.appendChild(tip);
    }
  }

  function lowSection(div, info) {
    if (!info.low.length) return;
    section(div, "Low-confidence choices (" + info.low.length + ")");
    var ul = el("ul", "pm-list pm-low");
    info.low.forEach(function (x) {
      // [name in the text, chosen place, confidence, runner-up, left out by the filter]
      var li = el("li", null, "“" + x[0] + "” → " + x[1] + " ");
      li.appendChild(el("span", "pm-small", "confidence " + Number(x[2]).toFixed(2) +
        (x[3] ? "; next best " + x[3] : "") + (x[4] ? "; not on the map" : "")));
      ul.appendChild(li);
    });
    div.appendChild(ul);
  }

  var FLAT_LIST_MAX = 20;     // more reports than this are grouped
  var ROWS_MAX = 200;         // rows drawn at once in a group or a search

  function collectionPanel(state) {
    var data = state.data, ui = { query: "", groupBy: null, open: {} };
    var dates = data.R.map(function (r) { return r[1]; }).filter(Boolean).sort();
    ui.groupBy = dates.length ? 5 : 6;  // columns of a report row: date group, source group
    panelControl(state.map, function (div) {
      div.appendChild(el("h2", null, data.title));
      div.appendChild(el("div", "pm-small", data.R.length + " reports · " + data.P.length +
        " places"));
      var search = el("input", "pm-search");
      search.type = "search";
      search.placeholder = "Search reports and places";
      search.addEventListener("input", function () { ui.query = search.value.trim(); draw(); });
      div.appendChild(search);
      if (dates.length) div.appendChild(dateFilter(state, dates, draw));
      div.appendChild(toolbar(state, ui, draw));
      var list = el("div", "pm-reports-list");
      div.appendChild(list);
      function draw() { drawList(state, ui, list, draw); }
      state.redrawList = draw;
      draw();
    });
  }

  function dateFilter(state, dates, draw) {
    var box = el("div", "pm-dates");
    var lo = dates[0], hi = dates[dates.length - 1];
    ["From", "to"].forEach(function (label, i) {
      box.appendChild(el("span", null, (i ? " " : "") + label + " "));
      var input = el("input");
      input.type = "date";
      if (lo.length === 10) input.min = lo;
      if (hi.length === 10) input.max = hi;
      input.className = i ? "pm-date-to" : "pm-date-from";
      input.addEventListener("change", function () {
        if (i) state.dateTo = input.value; else state.dateFrom = input.value;
        state.applyAll();
        draw();
      });
      box.appendChild(input);
    });
    return box;
  }

  function toolbar(state, ui, draw) {
    var bar = el("div", "pm-toolbar");
    var all = state.data.R.map(function (_x, r) { return r; });
    [["Show all", true], ["Hide all", false]].forEach(function (b) {
      var btn = el("button", null, b[0]);
      btn.type = "button";
      btn.addEventListener("click", function () { state.setChecked(all, b[1]); draw(); });
      bar.appendChild(btn);
    });
    if (state.data.R.length > FLAT_LIST_MAX) {
      var sel = el("select", "pm-groupby");
      [["Group by date", 5], ["Group by source", 6]].forEach(function (o) {
        var opt = el("option", null, o[0]);
        opt.value = String(o[1]);
        opt.selected = o[1] === ui.groupBy;
        sel.appendChild(opt);
      });
      sel.addEventListener("change", function () { ui.groupBy = Number(sel.value); draw(); });
      bar.appendChild(sel);
    }
    return bar;
  }

  function reportRow(state, r, draw) {
    var rep = state.data.R[r], row = el("label", "pm-row" + (state.shown[r] ? "" : " pm-off"));
    var box = el("input");
    box.type = "checkbox";
    box.checked = state.checked[r];
    box.addEventListener("change", function () { state.setChecked([r], box.checked); draw(); });
    row.appendChild(box);
    row.appendChild(swatch(state.colour(r)));
    row.appendChild(el("span", "pm-title", rep[0]));
    if (rep[1]) row.appendChild(el("span", "pm-small", " " + rep[1]));
    if (safeHref(rep[3])) {
      row.appendChild(document.createTextNode(" "));
      row.appendChild(link("map", rep[3]));
    }
    return row;
  }

  function drawList(state, ui, list, draw) {
    list.textContent = "";
    var data = state.data, all = data.R.map(function (_x, r) { return r; });
    if (ui.query) return drawSearch(state, ui.query.toLowerCase(), list, draw);
    if (all.length <= FLAT_LIST_MAX) {
      all.forEach(function (r) { list.appendChild(reportRow(state, r, draw)); });
      return;
    }
    var groups = {};
    all.forEach(function (r) {
      var key = data.R[r][ui.groupBy] || "(none)";
      (groups[key] = groups[key] || []).push(r);
    });
    Object.keys(groups).sort().forEach(function (key) {
      list.appendChild(groupRow(state, ui, key, groups[key], draw));
    });
  }

  function groupRow(state, ui, key, rs, draw) {
    var box = el("div", "pm-group"), head = el("div", "pm-group-head");
    var on = rs.filter(function (r) { return state.checked[r]; }).length;
    var check = el("input");
    check.type = "checkbox";
    check.checked = on === rs.length;
    check.indeterminate = on > 0 && on < rs.length;
    check.addEventListener("change", function () { state.setChecked(rs, check.checked); draw(); });
    var id = ui.groupBy + ":" + key, toggle = el("a", "pm-group-name",
      (ui.open[id] ? "▾ " : "▸ ") + key + " (" + rs.length + ")");
    toggle.href = "#";
    toggle.addEventListener("click", function (e) {
      e.preventDefault();
      ui.open[id] = !ui.open[id];
      draw();
    });
    head.appendChild(check);
    head.appendChild(toggle);
    box.appendChild(head);
    if (ui.open[id]) {
      rs.slice(0, ROWS_MAX).forEach(function (r) { box.appendChild(reportRow(state, r, draw)); });
      if (rs.length > ROWS_MAX) {
        box.appendChild(el("div", "pm-small", "… " + (rs.length - ROWS_MAX) +
          " more: narrow them down with the search box"));
      }
    }
    return box;
  }

  function drawSearch(state, q, list, draw) {
    var data = state.data;
    var places = [];
    data.P.forEach(function (p, i) {
      if (places.length < 20 && String(p[2]).toLowerCase().indexOf(q) !== -1) places.push(i);
    });
    places.forEach(function (i) {
      var a = el("a", "pm-place-hit", "◉ " + data.P[i][2] + (data.P[i][4] ? " (" + data.P[i][4] +
        ")" : ""));
      a.href = "#";
      a.addEventListener("click", function (e) { e.preventDefault(); state.openPlace(i); });
      list.appendChild(a);
    });
    var found = 0;
    data.R.forEach(function (rep, r) {
      var hay = (rep[0] + " " + rep[1] + " " + rep[2]).toLowerCase();
      if (hay.indexOf(q) === -1) return;
      found += 1;
      if (found <= ROWS_MAX) list.appendChild(reportRow(state, r, draw));
    });
    if (found > ROWS_MAX) list.appendChild(el("div", "pm-small", "… " + (found - ROWS_MAX) +
      " more reports"));
    if (!found && !places.length) list.appendChild(el("div", "pm-small", "nothing found"));
  }

  // --- the page ------------------------------------------------------------------------

  function layersControl(state) {
    var data = state.data, overlays = { "Places": state.places, "Heat map": state.heat };
    if (data.tiles) {
      var tiles = L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 18 });
      overlays["Online tiles"] = tiles;
    }
    if (data.heat) state.heat.addTo(state.map);
    L.control.layers(null, overlays, { collapsed: false, position: "topright" })
      .addTo(state.map);
  }

  function fit(map, data) {
    var b = data.bounds;
    if (!b) return;
    if (b[0][0] === b[1][0] && b[0][1] === b[1][1]) map.setView(b[0], 7);
    // leave room for the panel on the right
    else map.fitBounds(b, { paddingTopLeft: [40, 40], paddingBottomRight: [340, 40], maxZoom: 8 });
  }

  // Draws the data of a <script type="application/json"> element on the map.
  window.placemapDraw = function (map, dataElement) {
    var t0 = performance.now(), data = JSON.parse(dataElement.textContent);
    var tParsed = performance.now();
    map.attributionControl.addAttribution(
      "Places: GeoNames (CC BY 4.0) · Outlines: Natural Earth · placemap");
    if (!map.options.maxZoom) map.setMaxZoom(18);  // no tile layer sets it; clusters need it
    fit(map, data);  // before the layers: a later change of view would project them again
    var state = new State(map, data);
    var t1 = performance.now();
    layersControl(state);
    if (data.mode === "collection") collectionPanel(state); else reportPanel(state);
    window.placemap = state;  // for scripts and tests: the map, its layers, openPlace()
    window.placemapTimings = {
      start: t0, parse: tParsed - t0, layers: t1 - tParsed, total: performance.now() - t0
    };
    return state;
  };
})();
