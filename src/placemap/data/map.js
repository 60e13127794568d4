/* placemap: draws a report map or the collection map from the page's data
   (built by placemap.mapdata). Strings from the data are untrusted: they are set with
   textContent or as text nodes, never as markup, and links must be plain file names,
   http(s) URLs or relative paths. */
(function () {
  "use strict";

  // --- small DOM helpers --------------------------------------------------------------

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // A report's own map: a plain file name beside the page.
  function safeHref(href) {
    return typeof href === "string" && /^[A-Za-z0-9][A-Za-z0-9._-]*\.html$/.test(href)
      ? href : null;
  }

  // A report's source: an http(s) URL, or a relative path (no scheme, so no javascript:).
  function safeSource(href) {
    if (typeof href !== "string" || !href) return null;
    if (/^https?:\/\/[^\s"'<>`\\]+$/i.test(href)) return href;
    if (/^[A-Za-z0-9._~%\/-]+$/.test(href) && href.charAt(0) !== "/") return href;
    return null;
  }

  function link(text, href) {
    var h = safeHref(href);
    if (!h) return el("span", null, text);
    var a = el("a", null, text);
    a.href = h;
    return a;
  }

  function sourceLink(href, text) {
    var h = safeSource(href);
    if (!h) return null;
    var a = el("a", "pm-source", text || (/^https?:/i.test(h) ? "source ↗" : "report file"));
    a.href = h;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function button(text, title, onClick) {
    var b = el("button", null, text);
    b.type = "button";
    if (title) b.title = title;
    b.addEventListener("click", function (e) { e.preventDefault(); onClick(e); });
    return b;
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

  // Folded for search: no accents, no ayn/hamza marks, hyphens as spaces, lower case.
  function fold(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[‘’`'ʿʾ]/g, "").replace(/[-_]+/g, " ").toLowerCase();
  }

  function narrowScreen() {
    return window.innerWidth < 700;
  }

  // --- places -------------------------------------------------------------------------

  // A place row: [lat, lon, name, kind, country, admin1, geonames id, label, type,
  // other spellings]; label is the name as the reports write it.
  var LABEL = 7, TYPE = 8, AKA = 9;

  function label(p) { return String(p[LABEL] || p[2]); }

  // The label without the type that tells apart two places of one name: "Hasaka (city)".
  function plainLabel(p) {
    var l = label(p), tail = " (" + p[TYPE];
    var at = l.lastIndexOf(tail);
    return at > 0 && l.charAt(l.length - 1) === ")" ? l.slice(0, at) : l;
  }

  var CATEGORIES = [
    ["country", "Countries"], ["division", "Provinces, districts"],
    ["town", "Cities, towns"], ["feature", "Rivers, seas, regions…"]
  ];
  var TYPE_COLOURS = {
    country: "#8e44ad", division: "#e67e22", town: "#1f77b4", feature: "#16a085"
  };

  function category(kind) {
    kind = String(kind);
    if (/^A\.(PCL|TERR)|^L\.CONT/.test(kind)) return "country";
    if (/^A\./.test(kind)) return "division";
    if (/^P\./.test(kind)) return "town";
    return "feature";
  }

  function gid(p) {
    return typeof p[6] === "number" && Number.isInteger(p[6]) ? String(p[6]) : "–";
  }

  // Colours of dates, old to new (viridis).
  var RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

  function ramp(t) {
    t = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
    var i = Math.min(Math.floor(t), RAMP.length - 2), f = t - i, a = RAMP[i], b = RAMP[i + 1];
    return "rgb(" + [0, 1, 2].map(function (k) {
      return Math.round(a[k] + f * (b[k] - a[k]));
    }).join(",") + ")";
  }

  function dayNumber(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / 864e5 : null;
  }

  function isoDay(n) {
    return new Date(n * 864e5).toISOString().slice(0, 10);
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

  // --- labels: the places' names (and faint towns), overlapping ones left out -----------

  var LABEL_FONT = "12px system-ui, sans-serif", TOWN_FONT = "italic 11px system-ui, sans-serif";
  var PLACE_LABELS_MAX = 150, TOWN_LABELS_MAX = 40;

  // Towns shown from a zoom on: tier 4 (a million people) from zoom 4, ..., tier 0 from 8.
  function townTier(zoom) {
    return zoom >= 8 ? 0 : zoom >= 7 ? 1 : zoom >= 6 ? 2 : zoom >= 5 ? 3 : zoom >= 4 ? 4 : 9;
  }

  var LabelLayer = L.Layer.extend({
    initialize: function (candidates) {
      this._candidates = candidates;  // function (map) -> [[lat, lon, text, kind, dx], ...]
    },
    onAdd: function (map) {
      this._pane = map.getPane("pmLabels");
      map.on("zoomend moveend resize", this.redraw, this);
      this.redraw();
    },
    onRemove: function (map) {
      map.off("zoomend moveend resize", this.redraw, this);
      this._pane.textContent = "";
    },
    _width: function (text, font) {
      var ctx = this._ctx || (this._ctx = document.createElement("canvas").getContext("2d"));
      ctx.font = font;
      return ctx.measureText(text).width;
    },
    // Draws labels in the order given (most important first), leaving out each one that
    // would overlap one already drawn.
    redraw: function () {
      var map = this._map;
      if (!map) return this;
      var pane = this._pane, boxes = [], self = this, counts = { place: 0, town: 0 };
      pane.textContent = "";
      this._candidates(map).forEach(function (c) {
        var kind = c[3], town = kind === "town";
        var pt = map.latLngToLayerPoint([c[0], c[1]]);
        if (!town) {  // a place's circle: no label of a later candidate covers it
          var r = c[4] - 2;
          boxes.push([pt.x - r, pt.y - r, pt.x + r, pt.y + r]);
        }
        if (counts[town ? "town" : "place"] >= (town ? TOWN_LABELS_MAX : PLACE_LABELS_MAX)) return;
        var w = self._width(c[2], town ? TOWN_FONT : LABEL_FONT) + 8, h = town ? 14 : 16;
        var y = pt.y - h / 2, x = null, n = boxes.length - (town ? 0 : 1);
        // to the right of the point, else to its left
        [pt.x + c[4], pt.x - c[4] - w].some(function (tx) {
          for (var i = 0; i < n; i++) {
            var b = boxes[i];
            if (tx < b[2] && tx + w > b[0] && y < b[3] && y + h > b[1]) return false;
          }
          x = tx;
          return true;
        });
        if (x === null) return;
        boxes.push([x, y, x + w, y + h]);
        counts[town ? "town" : "place"] += 1;
        var div = el("div", town ? "pm-lbl pm-town" : "pm-lbl pm-lbl-place", c[2]);
        L.DomUtil.setPosition(div, L.point(Math.round(x), Math.round(y)));
        pane.appendChild(div);
      });
      return this;
    }
  });

  // First-level division boundaries, from hundredths of a degree: [lon0, lat0, dlon, dlat...].
  function admin1Layer(lines) {
    var latlngs = lines.map(function (ln) {
      var lon = ln[0], lat = ln[1], pts = [[lat / 100, lon / 100]];
      for (var i = 2; i + 1 < ln.length; i += 2) {
        lon += ln[i];
        lat += ln[i + 1];
        pts.push([lat / 100, lon / 100]);
      }
      return pts;
    });
    return L.polyline(latlngs, {
      color: "#8d8477", weight: 0.8, opacity: 0.7, dashArray: "4 3", interactive: false,
      smoothFactor: 1.5
    });
  }

  var ADMIN1_MIN_ZOOM = 5;

  // A cluster in neutral grey, so its colour does not read as a date or a type.
  function clusterIcon(cluster) {
    var n = cluster.getChildCount(), size = n < 10 ? 28 : n < 100 ? 34 : 40;
    return L.divIcon({
      html: el("span", null, n), className: "pm-cluster", iconSize: L.point(size, size)
    });
  }

  // --- the state of a page: reports shown, filters, one marker per place ----------------

  function State(map, data) {
    var self = this;
    this.map = map;
    this.data = data;
    this.palette = data.palette;
    this.checked = data.R.map(function () { return true; });
    this.shown = data.R.map(function () { return false; });
    this.dateFrom = "";
    this.dateTo = "";
    this.types = { country: true, division: true, town: true, feature: true };
    this.country = "";
    this.minConfidence = Number(data.minConfidence) || 0;
    this.cat = data.P.map(function (p) { return category(p[3]); });
    var days = data.R.map(function (r) { return dayNumber(r[1]); })
      .filter(function (d) { return d !== null; });
    this.dayMin = days.length ? Math.min.apply(null, days) : null;
    this.dayMax = days.length ? Math.max.apply(null, days) : null;
    this.colourBy = data.mode === "collection" && days.length ? "date" : "type";
    map.createPane("pmHeat").style.zIndex = 450;
    map.createPane("pmMarkers").style.zIndex = 500;
    var labelsPane = map.createPane("pmLabels");
    labelsPane.style.zIndex = 550;
    labelsPane.style.pointerEvents = "none";
    labelsPane.classList.add("leaflet-zoom-hide");
    this.renderer = L.canvas({ pane: "pmMarkers", padding: 0.3 });
    this.cluster = !!data.cluster && typeof L.markerClusterGroup === "function";
    this.places = this.cluster
      ? L.markerClusterGroup({
        maxClusterRadius: 40, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
        spiderfyDistanceMultiplier: 1.6, iconCreateFunction: clusterIcon
      })
      : L.featureGroup();
    this.markers = new Array(data.P.length);
    this.onMap = new Uint8Array(data.P.length);
    this.count = new Int32Array(data.P.length);    // reports naming the place, shown
    this.times = new Int32Array(data.P.length);    // times named in them
    this.latest = new Array(data.P.length);        // the latest of their dates
    this.ranked = [];                              // places on the map, most named first
    // which hit of each report names each place: [report, hit] lists, built once
    var by = this.byPlace = data.P.map(function () { return []; });
    data.H.forEach(function (hits, r) {
      hits.forEach(function (hit, h) { by[hit[0]].push([r, h]); });
    });
    this.places.bindPopup(function (layer) { return self.popup(layer); }, this.popupOptions());
    this.hoverNames();
    this.places.addTo(map);
    this.places.on("spiderfied unspiderfied animationend", function () {
      if (self.labels) self.labels.redraw();
    });
    this.heat = new HeatLayer(function () { return self.heatPoints(); });
    this.towns = data.towns || window.placemapTowns || [];
    this.labels = new LabelLayer(function (m) { return self.labelCandidates(m); }).addTo(map);
    var lines = data.admin1 || window.placemapAdmin1 || [];
    this.admin1 = admin1Layer(lines);
    this.admin1On = true;
    map.on("zoomend", function () { self.showAdmin1(); });
    this.showAdmin1();
    this.listeners = [];
    this.applyAll();
  }

  State.prototype.popupOptions = function () {
    // keep popups clear of the side panel (on a phone the panel folds away instead)
    // (and of the buttons on the left, which a phone's narrow popup would reach)
    var wide = !narrowScreen();
    return {
      maxWidth: wide ? 440 : Math.max(180, window.innerWidth - 120),
      autoPanPaddingTopLeft: wide ? L.point(20, 20) : L.point(60, 56),
      autoPanPaddingBottomRight: L.point(wide ? 360 : 12, wide ? 20 : 50)
    };
  };

  State.prototype.showAdmin1 = function () {
    var want = this.admin1On && this.map.getZoom() >= ADMIN1_MIN_ZOOM;
    if (want && !this.map.hasLayer(this.admin1)) this.admin1.addTo(this.map);
    if (!want && this.map.hasLayer(this.admin1)) this.map.removeLayer(this.admin1);
  };

  State.prototype.onChange = function (fn) { this.listeners.push(fn); };

  State.prototype.colour = function (i) {
    if (this.colourBy === "date") {
      var d = dayNumber(this.latest[i]);
      if (d === null) return "#9a9a9a";
      var span = this.dayMax - this.dayMin;
      return ramp(span ? (d - this.dayMin) / span : 1);
    }
    return TYPE_COLOURS[this.cat[i]];
  };

  State.prototype.radius = function (i) {
    var n = this.data.mode === "report" ? this.times[i] : this.count[i];
    return Math.min((this.data.mode === "report" ? 5 : 4) + 3 * Math.sqrt(n), 22);
  };

  State.prototype.dateOk = function (r) {
    var d = this.data.R[r][1];
    if (!d) return true;  // undated reports are never filtered out
    if (this.dateFrom && d < this.dateFrom.slice(0, d.length)) return false;
    if (this.dateTo && d > this.dateTo.slice(0, d.length)) return false;
    return true;
  };

  State.prototype.placeOk = function (i) {
    return this.types[this.cat[i]] && (!this.country || this.data.P[i][4] === this.country);
  };

  // Counts each place over the reports shown and the mentions the filters keep, then
  // puts on the map the markers of the places that remain, sized and coloured anew.
  State.prototype.applyAll = function () {
    var data = this.data, self = this, n = data.P.length;
    data.R.forEach(function (_rep, r) { self.shown[r] = self.checked[r] && self.dateOk(r); });
    this.count.fill(0);
    this.times.fill(0);
    for (var k = 0; k < n; k++) this.latest[k] = "";
    data.H.forEach(function (hits, r) {
      if (!self.shown[r]) return;
      var d = data.R[r][1] || "";
      hits.forEach(function (hit) {
        if (hit[2] < self.minConfidence) return;
        var i = hit[0];
        self.count[i] += 1;
        self.times[i] += hit[1];
        if (d > self.latest[i]) self.latest[i] = d;
      });
    });
    var adds = [], removes = [];
    for (var i = 0; i < n; i++) {
      var want = this.count[i] > 0 && this.placeOk(i), m = this.markers[i];
      if (want) {
        if (!m) m = this.markers[i] = this.makeMarker(i);
        m.setRadius(this.radius(i));
        m.setStyle({ fillColor: this.colour(i) });
        if (!this.onMap[i]) adds.push(m);
      } else if (this.onMap[i]) {
        removes.push(m);
      }
      this.onMap[i] = want ? 1 : 0;
    }
    if (this.cluster) {
      if (removes.length) this.places.removeLayers(removes);
      if (adds.length) this.places.addLayers(adds);
    } else {
      removes.forEach(function (m) { self.places.removeLayer(m); });
      adds.forEach(function (m) { self.places.addLayer(m); });
    }
    // labels of the most named places first
    this.ranked = [];
    for (var j = 0; j < n; j++) if (this.onMap[j]) this.ranked.push(j);
    var weight = data.mode === "report" ? this.times : this.count;
    this.ranked.sort(function (a, b) { return weight[b] - weight[a] || a - b; });
    if (this.map.hasLayer(this.heat)) this.heat.redraw();
    this.labels.redraw();
    this.listeners.forEach(function (fn) { fn(); });
  };

  State.prototype.makeMarker = function (i) {
    var p = this.data.P[i];
    var m = L.circleMarker([p[0], p[1]], {
      renderer: this.renderer, radius: 6, stroke: true, color: "#333", weight: 1,
      fillColor: "#888", fillOpacity: 0.8
    });
    m.feature = { type: "Feature", properties: { p: i } };
    return m;
  };

  State.prototype.setChecked = function (rs, on) {
    var self = this;
    rs.forEach(function (r) { self.checked[r] = on; });
    this.applyAll();
  };

  State.prototype.setDates = function (from, to) {
    this.dateFrom = from || "";
    this.dateTo = to || "";
    this.applyAll();
  };

  State.prototype.labelCandidates = function (map) {
    var out = [], data = this.data, view = map.getBounds().pad(0.05);
    for (var k = 0; k < this.ranked.length && out.length < 400; k++) {
      var i = this.ranked[k], p = data.P[i];
      if (!view.contains([p[0], p[1]])) continue;
      if (!this.markers[i]._map) continue;  // inside a cluster, or the layer is off
      out.push([p[0], p[1], label(p), "place", this.radius(i) + 2]);
    }
    if (this.townsOn !== false) {
      var tier = townTier(map.getZoom());
      for (var t = 0; t < this.towns.length; t++) {
        var town = this.towns[t];
        if (town[3] < tier) continue;
        if (view.contains([town[0], town[1]])) out.push([town[0], town[1], town[2], "town", 3]);
      }
    }
    return out;
  };

  State.prototype.hoverNames = function () {
    var map = this.map, data = this.data, tip = L.tooltip({ direction: "top", offset: [0, -6] });
    this.places.on("mouseover", function (e) {
      var f = e.layer && e.layer.feature;
      if (!f) return;
      map.openTooltip(tip.setLatLng(e.layer.getLatLng()).setContent(el("span", null,
        label(data.P[f.properties.p]))));
    });
    this.places.on("mouseout", function () { map.closeTooltip(tip); });
  };

  State.prototype.heatPoints = function () {
    var data = this.data, out = [];
    for (var i = 0; i < data.P.length; i++) {
      if (this.onMap[i]) out.push([data.P[i][0], data.P[i][1], this.times[i]]);
    }
    return out;
  };

  // Every [report, hit] naming the place; reports shown first.
  State.prototype.reportsNaming = function (pIdx) {
    var shown = this.shown;
    return this.byPlace[pIdx].slice().sort(function (a, b) {
      return (shown[b[0]] - shown[a[0]]) || (a[0] - b[0]);
    });
  };

  State.prototype.markerFor = function (pIdx) {
    return this.onMap[pIdx] ? this.markers[pIdx] : null;
  };

  // Opens the popup of a place (from the side panel or the search box).
  State.prototype.openPlace = function (pIdx) {
    var marker = this.markerFor(pIdx), map = this.map, self = this;
    if (!marker) return false;
    map.closePopup();
    var zoom = Math.max(map.getZoom(), 7);
    // zoomed in far enough that the place is out of its cluster
    if (this.cluster && marker.__parent) zoom = Math.max(zoom, marker.__parent._zoom + 1);
    map.setView(marker.getLatLng(), Math.min(zoom, map.getMaxZoom()), { animate: false });
    if (this.cluster && !marker._map) {  // still in a cluster at the largest zoom
      var parent = this.places.getVisibleParent(marker);
      if (parent && parent.spiderfy) parent.spiderfy();
    }
    L.popup(self.popupOptions()).setLatLng(marker.getLatLng()).setContent(self.popup(marker))
      .openOn(map);
    return true;
  };

  State.prototype.markerCount = function () {
    var n = 0;
    for (var i = 0; i < this.onMap.length; i++) n += this.onMap[i];
    return n;
  };

  State.prototype.popup = function (layer) {
    var i = layer.feature.properties.p;
    return this.data.mode === "collection" ? collectionPopup(this, i) : reportPopup(this, i);
  };

  // --- popups ------------------------------------------------------------------------

  function placeHead(box, p) {
    var head = el("div", "pm-head");
    head.appendChild(el("b", null, label(p)));
    var where = [p[5], p[4]].filter(Boolean).join(", ");
    head.appendChild(el("span", "pm-where", " " + [p[TYPE], where].filter(Boolean).join(" · ")));
    box.appendChild(head);
    if (plainLabel(p) !== String(p[2])) {
      box.appendChild(el("div", "pm-gaz", "GeoNames: " + p[2]));
    }
  }

  function reportPopup(state, i) {
    var data = state.data, ref = state.byPlace[i][0], hit = data.H[0][ref[1]], p = data.P[i];
    var box = el("div", "pm-pop");
    placeHead(box, p);
    box.appendChild(el("div", "pm-meta", p[3] + " · GeoNames " + gid(p) + " · confidence " +
      Number(hit[2]).toFixed(2) + " · named " + hit[1] + "×"));
    var ul = el("ul", "pm-sents");
    hit[3].forEach(function (s) { ul.appendChild(marked(el("li"), s)); });
    box.appendChild(ul);
    var src = sourceLink(data.R[0][7]);
    if (src) {
      var line = el("div", "pm-small", "Read the report: ");
      line.appendChild(src);
      box.appendChild(line);
    }
    return box;
  }

  var SHOWN_IN_POPUP = 25;

  function collectionPopup(state, pIdx) {
    var data = state.data, p = data.P[pIdx], refs = state.reportsNaming(pIdx);
    var inView = refs.filter(function (ref) { return state.shown[ref[0]]; }).length;
    var box = el("div", "pm-pop");
    placeHead(box, p);
    box.appendChild(el("div", "pm-meta", p[3] + " · GeoNames " + gid(p) + " · named in " +
      refs.length + (refs.length === 1 ? " report" : " reports") +
      (inView < refs.length ? " (" + inView + " in the dates and reports shown)" : "")));
    var ul = el("ul", "pm-reports");
    refs.slice(0, SHOWN_IN_POPUP).forEach(function (ref) {
      var rep = data.R[ref[0]], hit = data.H[ref[0]][ref[1]];
      var li = el("li", state.shown[ref[0]] ? null : "pm-off");
      li.appendChild(link(rep[0], rep[3]));
      li.appendChild(el("span", "pm-small", " " + rep[1] + " · " + hit[1] + "× · confidence " +
        Number(hit[2]).toFixed(2) + " "));
      var src = sourceLink(rep[7]);
      if (src) li.appendChild(src);
      if (hit[3].length) li.appendChild(marked(el("div", "pm-snip"), hit[3][0]));
      ul.appendChild(li);
    });
    if (refs.length > SHOWN_IN_POPUP) {
      ul.appendChild(el("li", "pm-small", "… and " + (refs.length - SHOWN_IN_POPUP) + " more"));
    }
    box.appendChild(ul);
    return box;
  }

  // --- the side panel ------------------------------------------------------------------

  function panelControl(state, title, build) {
    var Panel = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var div = el("div", "pm-panel"), head = el("div", "pm-panel-head");
        var body = el("div", "pm-body");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        head.appendChild(el("h2", null, title));
        var toggle = button("", "Show or hide the list", function () {
          setOpen(div.classList.contains("pm-collapsed"));
        });
        toggle.className = "pm-toggle";
        toggle.setAttribute("aria-label", "Show or hide the list");
        head.appendChild(toggle);
        div.appendChild(head);
        div.appendChild(body);
        function setOpen(open) {
          div.classList.toggle("pm-collapsed", !open);
          toggle.textContent = open ? "✕" : "☰ List";
          toggle.setAttribute("aria-expanded", open ? "true" : "false");
        }
        state.panel = {
          open: function () { setOpen(true); },
          close: function () { setOpen(false); },
          isOpen: function () { return !div.classList.contains("pm-collapsed"); }
        };
        setOpen(!narrowScreen());  // a phone starts with the map, the list folded
        build(body);
        return div;
      }
    });
    var control = new Panel().addTo(state.map);
    // on a phone a popup and the panel cannot share the screen
    state.map.on("popupopen", function () { if (narrowScreen()) state.panel.close(); });
    return control;
  }

  function section(div, title) {
    var h = el("h3", null, title);
    div.appendChild(h);
    return h;
  }

  // Type, country and confidence filters; type boxes carry the colour key on report maps.
  function filtersSection(state, div) {
    var data = state.data, box = el("details", "pm-filters");
    box.open = !narrowScreen();
    box.appendChild(el("summary", null, "Filters"));
    var perCat = {};
    data.P.forEach(function (_p, i) { perCat[state.cat[i]] = (perCat[state.cat[i]] || 0) + 1; });
    var types = el("div", "pm-types");
    CATEGORIES.forEach(function (c) {
      if (!perCat[c[0]]) return;
      var row = el("label", "pm-type"), input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = c[0];
      input.addEventListener("change", function () {
        state.types[c[0]] = input.checked;
        state.applyAll();
      });
      row.appendChild(input);
      if (state.colourBy === "type") row.appendChild(swatch(TYPE_COLOURS[c[0]]));
      row.appendChild(document.createTextNode(c[1] + " (" + perCat[c[0]] + ")"));
      types.appendChild(row);
    });
    box.appendChild(types);
    var perCountry = new Map();
    data.P.forEach(function (p) { if (p[4]) perCountry.set(p[4], (perCountry.get(p[4]) || 0) + 1); });
    if (perCountry.size > 1) {
      var sel = el("select", "pm-country");
      sel.setAttribute("aria-label", "Country");
      var all = el("option", null, "All countries");
      all.value = "";
      sel.appendChild(all);
      var names = data.countries || {};
      Array.from(perCountry.keys()).sort(function (a, b) {
        return perCountry.get(b) - perCountry.get(a) || (a < b ? -1 : 1);
      }).forEach(function (cc) {
        var name = Object.prototype.hasOwnProperty.call(names, cc) ? names[cc] : cc;
        var opt = el("option", null, name + " (" + perCountry.get(cc) + ")");
        opt.value = cc;
        sel.appendChild(opt);
      });
      sel.addEventListener("change", function () { state.country = sel.value; state.applyAll(); });
      var line = el("div", "pm-line");
      line.appendChild(el("span", null, "Country "));
      line.appendChild(sel);
      box.appendChild(line);
    }
    var conf = el("div", "pm-line pm-conf");
    conf.appendChild(el("span", null, "Confidence ≥ "));
    var range = el("input", "pm-conf-range");
    range.type = "range";
    range.min = String(state.minConfidence);
    range.max = "1";
    range.step = "0.05";
    range.value = String(state.minConfidence);
    var out = el("span", "pm-conf-value", state.minConfidence.toFixed(2));
    range.addEventListener("input", function () {
      state.minConfidence = Number(range.value);
      out.textContent = state.minConfidence.toFixed(2);
      state.applyAll();
    });
    conf.appendChild(range);
    conf.appendChild(out);
    box.appendChild(conf);
    if (state.colourBy === "date") {
      var key = el("div", "pm-small pm-key", "Colour: date of the latest report naming the " +
        "place, ");
      key.appendChild(el("span", "pm-ramp"));
      key.appendChild(document.createTextNode(" " + isoDay(state.dayMin) + " → " +
        isoDay(state.dayMax) + "; grey: undated"));
      box.appendChild(key);
    }
    div.appendChild(box);
  }

  function placeItem(state, i, times) {
    var p = state.data.P[i], li = el("li"), a = el("a", null, label(p));
    a.href = "#";
    a.addEventListener("click", function (e) { e.preventDefault(); state.openPlace(i); });
    li.appendChild(a);
    li.appendChild(el("span", "pm-small", " " + (p[TYPE] || "") + (times ? " · " + times : "")));
    return li;
  }

  function reportPanel(state) {
    var data = state.data, rep = data.R[0], info = data.panel;
    panelControl(state, rep[0], function (div) {
      var meta = el("div", "pm-small");
      [rep[1], rep[2]].filter(Boolean).forEach(function (text, i) {
        if (i) meta.appendChild(document.createTextNode(" · "));
        meta.appendChild(el("span", null, text));  // isolated: see map.css
      });
      var src = sourceLink(rep[7]);
      if (src) {
        meta.appendChild(document.createTextNode(" · "));
        meta.appendChild(src);
      }
      div.appendChild(meta);
      filtersSection(state, div);
      var head = section(div, "");
      var ul = el("ul", "pm-list pm-places"), far = el("div", "pm-small pm-far");
      div.appendChild(ul);
      div.appendChild(far);
      function draw() {
        ul.textContent = "";
        far.textContent = "";
        var focus = data.focus ? L.latLngBounds(data.focus).pad(0.05) : null, outside = [];
        var mentions = 0;
        state.ranked.forEach(function (i) {
          mentions += state.times[i];
          ul.appendChild(placeItem(state, i, state.times[i] + "×"));
          var p = data.P[i];
          if (focus && !focus.contains([p[0], p[1]])) outside.push(label(p));
        });
        head.textContent = "Places (" + state.ranked.length + ", named " + mentions + "×" +
          (state.minConfidence > 0 ? ", confidence ≥ " + state.minConfidence.toFixed(2) : "") +
          ")";
        if (!state.ranked.length) ul.appendChild(el("li", "pm-small", "none"));
        if (outside.length) {
          far.appendChild(document.createTextNode("Outside the first view: " +
            outside.join(", ") + ". "));
          far.appendChild(button("Show all", "Show every place", function () { fitAll(state); }));
        }
      }
      state.onChange(draw);
      draw();
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
    var data = state.data, ui = { query: "", groupBy: null, open: new Map() };
    var dates = data.R.map(function (r) { return r[1]; }).filter(Boolean).sort();
    ui.groupBy = dates.length ? 5 : 6;  // columns of a report row: date group, source group
    panelControl(state, data.title, function (div) {
      var counts = el("div", "pm-small pm-counts");
      div.appendChild(counts);
      var search = el("input", "pm-search");
      search.type = "search";
      search.placeholder = "Search places and reports";
      search.setAttribute("aria-label", "Search places and reports");
      search.addEventListener("input", function () { ui.query = search.value.trim(); draw(); });
      div.appendChild(search);
      filtersSection(state, div);
      if (dates.length) div.appendChild(dateFilter(state, dates));
      div.appendChild(toolbar(state, ui, draw));
      var list = el("div", "pm-reports-list");
      div.appendChild(list);
      function draw() { drawList(state, ui, list, draw); }
      function drawCounts() {
        var reports = state.shown.filter(Boolean).length;
        counts.textContent = reports + " of " + data.R.length + " reports · " +
          state.markerCount() + " of " + data.P.length + " places shown" +
          (state.minConfidence > 0 ? " (confidence ≥ " + state.minConfidence.toFixed(2) + ")"
            : "");
      }
      state.onChange(function () { drawCounts(); draw(); });
      state.redrawList = draw;
      drawCounts();
      draw();
    });
  }

  function dateFilter(state, dates) {
    var box = el("div", "pm-dates");
    var lo = dates[0], hi = dates[dates.length - 1], inputs = [];
    ["From", "to"].forEach(function (label, i) {
      box.appendChild(el("span", null, (i ? " " : "") + label + " "));
      var input = el("input");
      input.type = "date";
      if (lo.length === 10) input.min = lo;
      if (hi.length === 10) input.max = hi;
      input.className = i ? "pm-date-to" : "pm-date-from";
      input.addEventListener("change", function () {
        state.setDates(inputs[0].value, inputs[1].value);
      });
      inputs.push(input);
      box.appendChild(input);
    });
    state.onChange(function () {
      inputs[0].value = state.dateFrom;
      inputs[1].value = state.dateTo;
    });
    return box;
  }

  function toolbar(state, ui, draw) {
    var bar = el("div", "pm-toolbar");
    var all = state.data.R.map(function (_x, r) { return r; });
    [["Show all", true], ["Hide all", false]].forEach(function (b) {
      bar.appendChild(button(b[0] + " reports", null, function () { state.setChecked(all, b[1]); }));
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

  function reportRow(state, r) {
    var rep = state.data.R[r], row = el("label", "pm-row" + (state.shown[r] ? "" : " pm-off"));
    var box = el("input");
    box.type = "checkbox";
    box.checked = state.checked[r];
    box.addEventListener("change", function () { state.setChecked([r], box.checked); });
    row.appendChild(box);
    row.appendChild(el("span", "pm-title", rep[0]));
    if (rep[1]) row.appendChild(el("span", "pm-small", " " + rep[1]));
    if (safeHref(rep[3])) {
      row.appendChild(document.createTextNode(" "));
      row.appendChild(link("map", rep[3]));
    }
    var src = sourceLink(rep[7], "source");
    if (src) {
      row.appendChild(document.createTextNode(" "));
      row.appendChild(src);
    }
    return row;
  }

  function drawList(state, ui, list, draw) {
    list.textContent = "";
    var data = state.data, all = data.R.map(function (_x, r) { return r; });
    if (ui.query) return drawSearch(state, fold(ui.query), list);
    if (all.length <= FLAT_LIST_MAX) {
      all.forEach(function (r) { list.appendChild(reportRow(state, r)); });
      return;
    }
    // Keys are report data ("__proto__", "constructor"): a Map, never a plain object.
    var groups = new Map();
    all.forEach(function (r) {
      var key = String(data.R[r][ui.groupBy] || "(none)");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(r);
    });
    Array.from(groups.keys()).sort().forEach(function (key) {
      list.appendChild(groupRow(state, ui, key, groups.get(key), draw));
    });
  }

  function groupRow(state, ui, key, rs, draw) {
    var box = el("div", "pm-group"), head = el("div", "pm-group-head" +
      (rs.some(function (r) { return state.shown[r]; }) ? "" : " pm-off"));
    var on = rs.filter(function (r) { return state.checked[r]; }).length;
    var check = el("input");
    check.type = "checkbox";
    check.checked = on === rs.length;
    check.indeterminate = on > 0 && on < rs.length;
    check.addEventListener("change", function () { state.setChecked(rs, check.checked); });
    var id = ui.groupBy + ":" + key, toggle = el("a", "pm-group-name",
      (ui.open.get(id) ? "▾ " : "▸ ") + key + " (" + rs.length + ")");
    toggle.href = "#";
    toggle.addEventListener("click", function (e) {
      e.preventDefault();
      ui.open.set(id, !ui.open.get(id));
      draw();
    });
    head.appendChild(check);
    head.appendChild(toggle);
    box.appendChild(head);
    if (ui.open.get(id)) {
      rs.slice(0, ROWS_MAX).forEach(function (r) { box.appendChild(reportRow(state, r)); });
      if (rs.length > ROWS_MAX) {
        box.appendChild(el("div", "pm-small", "… " + (rs.length - ROWS_MAX) +
          " more: narrow them down with the search box"));
      }
    }
    return box;
  }

  // What a search matches a place by: its labels, its gazetteer name, the other spellings.
  function placeKeys(state) {
    if (!state._placeKeys) {
      state._placeKeys = state.data.P.map(function (p) {
        return fold([label(p), p[2]].concat(Array.isArray(p[AKA]) ? p[AKA] : []).join(" | "));
      });
    }
    return state._placeKeys;
  }

  function drawSearch(state, q, list) {
    var data = state.data, keys = placeKeys(state), places = [];
    for (var i = 0; i < keys.length && places.length < 20; i++) {
      if (keys[i].indexOf(q) !== -1) places.push(i);
    }
    places.forEach(function (i) {
      var p = data.P[i];
      var a = el("a", "pm-place-hit" + (state.onMap[i] ? "" : " pm-off"), "◉ " + plainLabel(p) +
        " (" + [p[TYPE], p[4]].filter(Boolean).join(", ") + ")" +
        (fold(plainLabel(p)) !== fold(p[2]) ? " · " + p[2] : ""));
      a.href = "#";
      a.addEventListener("click", function (e) { e.preventDefault(); state.openPlace(i); });
      list.appendChild(a);
    });
    var found = 0;
    data.R.forEach(function (rep, r) {
      var hay = fold(rep[0] + " " + rep[1] + " " + rep[2]);
      if (hay.indexOf(q) === -1) return;
      found += 1;
      if (found <= ROWS_MAX) list.appendChild(reportRow(state, r));
    });
    if (found > ROWS_MAX) list.appendChild(el("div", "pm-small", "… " + (found - ROWS_MAX) +
      " more reports"));
    if (!found && !places.length) list.appendChild(el("div", "pm-small", "nothing found"));
  }

  // --- time: a histogram of reports over time, brushed to choose the dates --------------

  function timeControl(state) {
    var data = state.data;
    if (state.dayMin === null || state.dayMax === state.dayMin) return;
    var span = state.dayMax - state.dayMin + 1;
    var unit = span <= 92 ? 1 : span <= 3 * 366 ? 7 : 30;
    var nBins = Math.ceil(span / unit), counts = new Array(nBins).fill(0), undated = 0;
    data.R.forEach(function (rep) {
      var d = dayNumber(rep[1]);
      if (d === null) undated += 1; else counts[Math.floor((d - state.dayMin) / unit)] += 1;
    });
    var max = Math.max.apply(null, counts);
    var Time = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var div = el("div", "pm-time");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var head = el("div", "pm-time-head");
        var says = el("span", "pm-time-range");
        head.appendChild(el("b", null, "Reports over time "));
        head.appendChild(says);
        head.appendChild(button("All dates", "Show every date", function () {
          state.setDates("", "");
        }));
        div.appendChild(head);
        var NS = "http://www.w3.org/2000/svg", W = 1000, H = 60;
        var svg = document.createElementNS(NS, "svg");
        svg.setAttribute("viewBox", "0 0 " + W + " " + H);
        svg.setAttribute("preserveAspectRatio", "none");
        svg.setAttribute("class", "pm-hist");
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", "Reports over time: drag across the bars to choose " +
          "dates (or type them in the panel)");
        var bars = counts.map(function (c, b) {
          var r = document.createElementNS(NS, "rect"), bw = W / nBins;
          var h = c ? Math.max(2, (H - 2) * c / max) : 0;
          r.setAttribute("x", String(b * bw));
          r.setAttribute("width", String(Math.max(bw - (bw > 3 ? 1 : 0), 0.5)));
          r.setAttribute("y", String(H - h));
          r.setAttribute("height", String(h));
          r.setAttribute("fill", ramp((b + 0.5) / nBins));
          var t = document.createElementNS(NS, "title");
          t.textContent = binLabel(b) + ": " + c + (c === 1 ? " report" : " reports");
          r.appendChild(t);
          svg.appendChild(r);
          return r;
        });
        var brush = document.createElementNS(NS, "rect");
        brush.setAttribute("class", "pm-brush");
        brush.setAttribute("y", "0");
        brush.setAttribute("height", String(H));
        brush.setAttribute("width", "0");
        svg.appendChild(brush);
        div.appendChild(svg);
        var axis = el("div", "pm-time-axis");
        axis.appendChild(el("span", null, isoDay(state.dayMin)));
        axis.appendChild(el("span", null, undated ? undated + " undated: always shown" : ""));
        axis.appendChild(el("span", null, isoDay(state.dayMax)));
        div.appendChild(axis);
        function binAt(ev) {
          var box = svg.getBoundingClientRect();
          var f = (ev.clientX - box.left) / Math.max(box.width, 1);
          return Math.max(0, Math.min(nBins - 1, Math.floor(f * nBins)));
        }
        function binLabel(b) {
          var a = isoDay(state.dayMin + b * unit);
          return unit === 1 ? a : a + " – " + isoDay(Math.min(state.dayMax,
            state.dayMin + (b + 1) * unit - 1));
        }
        function showRange(b0, b1) {
          brush.setAttribute("x", String(b0 * W / nBins));
          brush.setAttribute("width", String((b1 - b0 + 1) * W / nBins));
        }
        var start = null;
        svg.addEventListener("pointerdown", function (ev) {
          start = binAt(ev);
          svg.setPointerCapture(ev.pointerId);
          showRange(start, start);
        });
        svg.addEventListener("pointermove", function (ev) {
          if (start === null) return;
          var b = binAt(ev), b0 = Math.min(start, b), b1 = Math.max(start, b);
          showRange(b0, b1);
          says.textContent = binLabel(b0).slice(0, 10) + " – " +
            binLabel(b1).slice(-10) + " · release to show";
        });
        svg.addEventListener("pointerup", function (ev) {
          if (start === null) return;
          var b = binAt(ev), b0 = Math.min(start, b), b1 = Math.max(start, b);
          start = null;
          state.setDates(isoDay(state.dayMin + b0 * unit),
            isoDay(Math.min(state.dayMax, state.dayMin + (b1 + 1) * unit - 1)));
        });
        function update() {
          var from = dayNumber(state.dateFrom), to = dayNumber(state.dateTo);
          var lo = from === null ? state.dayMin : from, hi = to === null ? state.dayMax : to;
          bars.forEach(function (r, b) {
            var a = state.dayMin + b * unit, z = a + unit - 1;
            r.setAttribute("opacity", z < lo || a > hi ? "0.25" : "1");
          });
          if (from === null && to === null) {
            brush.setAttribute("width", "0");
            says.textContent = "all dates · drag across the bars to choose";
          } else {
            says.textContent = isoDay(lo) + " – " + isoDay(hi) + " · " +
              state.shown.filter(Boolean).length + " reports";
            showRange(Math.max(0, Math.floor((lo - state.dayMin) / unit)),
              Math.min(nBins - 1, Math.floor((hi - state.dayMin) / unit)));
          }
        }
        state.onChange(update);
        update();
        return div;
      }
    });
    new Time().addTo(state.map);
  }

  // --- the view: the report's focus first, every place on demand -----------------------

  function fit(state, b) {
    var map = state.map;
    if (!b) return;
    // labels are drawn to the right of their markers: room for them inside a regional
    // view (a view of the world has room enough, and would only shift)
    var labels = Math.abs(b[1][1] - b[0][1]) > 60 ? 20 : 110;
    var right = (state.panel && state.panel.isOpen() && !narrowScreen() ? 340 : 0) + labels;
    var bottom = state.data.mode === "collection" && state.dayMin !== null ? 110 : 20;
    if (b[0][0] === b[1][0] && b[0][1] === b[1][1]) map.setView(b[0], 8, { animate: false });
    else {
      map.fitBounds(b, {
        paddingTopLeft: [40, 40], paddingBottomRight: [right, bottom], maxZoom: 9,
        animate: false
      });
    }
  }

  function fitAll(state) { fit(state, state.data.bounds); }

  function viewControl(state) {
    var View = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var bar = el("div", "leaflet-bar pm-view");
        [["Focus", "Back to the first view: where the places are", function () {
          fit(state, state.data.focus || state.data.bounds);
        }], ["All", "Show all places", function () { fitAll(state); }]].forEach(function (b) {
          var a = el("a", null, b[0]);
          a.href = "#";
          a.title = b[1];
          a.setAttribute("role", "button");
          a.setAttribute("aria-label", b[1]);
          L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); b[2](); });
          L.DomEvent.disableClickPropagation(a);
          bar.appendChild(a);
        });
        return bar;
      }
    });
    new View().addTo(state.map);
  }

  function layersControl(state) {
    var data = state.data, overlays = { "Places": state.places, "Heat map": state.heat };
    overlays["Names"] = state.labels;
    // switches for what is drawn with other layers: towns among the names, boundaries
    var towns = L.layerGroup(), bounds = L.layerGroup();
    overlays["Towns"] = towns;
    overlays["Province boundaries"] = bounds;
    if (data.tiles) {
      var tiles = L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 18 });
      overlays["Online tiles"] = tiles;
    }
    towns.addTo(state.map);
    bounds.addTo(state.map);
    state.map.on("overlayadd overlayremove", function (e) {
      var on = e.type === "overlayadd";
      if (e.layer === bounds) {
        state.admin1On = on;
        state.showAdmin1();
      } else if (e.layer === towns) {
        state.townsOn = on;
        state.labels.redraw();
      }
    });
    if (data.heat) state.heat.addTo(state.map);
    L.control.layers(null, overlays, { collapsed: narrowScreen(), position: "topleft" })
      .addTo(state.map);
  }

  // Printing: the map as it is, then the list of places (or reports); no controls.
  function printList(state) {
    var box = null;
    window.addEventListener("beforeprint", function () {
      if (box) box.remove();
      box = el("div", "pm-print");
      var data = state.data;
      box.appendChild(el("h2", null, data.mode === "report" ? data.R[0][0] : data.title));
      var ol = el("ol");
      state.ranked.forEach(function (i) {
        var p = data.P[i];
        ol.appendChild(el("li", null, label(p) + " — " + [p[TYPE], p[5], p[4]].filter(Boolean)
          .join(", ") + " · " + (data.mode === "report" ? state.times[i] + "×"
            : state.count[i] + " reports")));
      });
      box.appendChild(ol);
      document.body.appendChild(box);
    });
    window.addEventListener("afterprint", function () { if (box) box.remove(); box = null; });
  }

  // Draws the data of a <script type="application/json"> element on the map.
  window.placemapDraw = function (map, dataElement) {
    var t0 = performance.now(), data = JSON.parse(dataElement.textContent);
    var tParsed = performance.now();
    map.attributionControl.addAttribution(
      "Places, towns: GeoNames (CC BY 4.0) · Outlines, boundaries: Natural Earth · placemap");
    if (!map.options.maxZoom) map.setMaxZoom(18);  // no tile layer sets it; clusters need it
    var state = new State(map, data);
    var t1 = performance.now();
    layersControl(state);
    viewControl(state);
    if (data.mode === "collection") {
      collectionPanel(state);
      timeControl(state);
    } else {
      reportPanel(state);
    }
    fit(state, data.focus || data.bounds);
    printList(state);
    window.placemap = state;  // for scripts and tests: the map, its layers, openPlace()
    window.placemapTimings = {
      start: t0, parse: tParsed - t0, layers: t1 - tParsed, total: performance.now() - t0
    };
    return state;
  };
})();
