"""Write a synthetic GeoNames dump of allCountries' shape and size, for measuring imports.

    python benchmarks/make_allcountries.py DIR                 # full size: 12 M places
    python benchmarks/make_allcountries.py DIR --scale 0.1     # 1.2 M places, 1.5 M names

Writes DIR/allCountries.txt (19 columns) and DIR/alternateNamesV2.txt (10 columns) in the
official formats. No real allCountries file is needed (nor at hand here): the rows are
made up, with the shape that matters to an import:

- 12 million places (``--scale 1``) and 15 million alternate names, about a fifth of
  them links, postcodes and Wikidata ids (which the importer skips);
- feature classes in roughly allCountries' shares (ASSUMED, see ``CLASS_SHARES``; a
  country file such as UA.txt has far more P), which is what ``--feature-classes``
  keeps or drops;
- names drawn from a vocabulary a quarter the size of the table, with a Zipf-like
  skew, so that many places share a name ("Andreevka": 92 places in UA.txt alone; the
  commonest synthetic name has ~4,000 places at full size);
- the alternate-names column: 70% of rows have none, a few have dozens (mean ~1.6),
  in Latin, Cyrillic and Arabic script;
- ids rising with gaps up to ~13 million, as GeoNames' do.

The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

FULL_PLACES = 12_000_000
FULL_ALTERNATES = 15_000_000
# Feature class shares (ASSUMED: about those of allCountries in the 2020s; the per-class
# counts are not published with the dump). Codes within a class with their shares.
CLASS_SHARES = {"P": 0.38, "S": 0.21, "H": 0.19, "T": 0.12, "A": 0.04, "L": 0.04,
                "V": 0.01, "R": 0.005, "U": 0.005}
_CODES = {
    "P": (["PPL", "PPLA4", "PPLA3", "PPLA2", "PPLX", "PPLQ", "PPLH", "PPLA"],
          [0.82, 0.04, 0.04, 0.02, 0.04, 0.02, 0.015, 0.005]),
    "S": (["HTL", "SCH", "CH", "FRM", "RSTN", "BLDG", "AIRP"],
          [0.25, 0.2, 0.15, 0.15, 0.1, 0.1, 0.05]),
    "H": (["STM", "LK", "RSV", "SPNG", "WLL", "BAY"], [0.55, 0.2, 0.08, 0.07, 0.07, 0.03]),
    "T": (["MT", "HLL", "ISL", "PASS", "VAL", "CAPE"], [0.35, 0.3, 0.15, 0.05, 0.1, 0.05]),
    "A": (["ADM4", "ADM3", "ADM2", "ADM1", "ADM2H"], [0.45, 0.35, 0.12, 0.01, 0.07]),
    "L": (["LCTY", "AREA", "RGN", "PRK"], [0.6, 0.25, 0.05, 0.1]),
    "V": (["FRST", "SCRB"], [0.7, 0.3]),
    "R": (["RD", "RR"], [0.6, 0.4]),
    "U": (["SMU", "RDGU"], [0.5, 0.5]),
}
# Codes with the cumulative shares a uniform draw is looked up in.
CODES = {c: (codes, np.cumsum(w)) for c, (codes, w) in _CODES.items()}
SYLLABLES = (
    "ka ro vi sha lo ne dor ash el an ba de fa ga ha ja ku li mo nu pa ri sa ta "
    "va za bo di fi go hi ko lu mi no pe ru se to vu zo kra pol mar sto bel gor "
    "dub ost lip rud vol zel khar lug don mir nov sta bur kan tar qal dar ain kafr"
).split()
ENDINGS = "ivka ovka ne ino ovo sk ets iv yn abad pur ville burg ton dorf iyah".split()
CYR = dict(zip("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопкрстуввхиз", strict=True))
ARA = dict(zip("abcdefghijklmnopqrstuvwxyz", "ابكدافغهيجكلمنوبقرستووكسيز", strict=True))
PSEUDO = ["link", "post", "wkdt"]
LANGS = ["en", "ru", "uk", "ar", "fr", "de", "es", "", "fa", "tr", "pl", "zh"]


def _vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    out = []
    n = len(SYLLABLES)
    for i in range(size):
        k = 2 + (i % 3)
        parts = [SYLLABLES[j] for j in rng.integers(0, n, k)]
        word = "".join(parts)
        if i % 4 == 0:
            word += ENDINGS[i % len(ENDINGS)]
        name = word.capitalize()
        if i % 11 == 0:
            name = f"{name} {SYLLABLES[i % n].capitalize()}"
        out.append(name)
    return out


def _script(name: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in name.lower())


def _variants(name: str, k: int, i: int) -> list[str]:
    forms = [_script(name, CYR), _script(name, ARA), name + "e", "Al " + name,
             name.replace("o", "a"), name + " Village", name.upper(), name.replace("k", "q")]
    return [forms[(i + j) % len(forms)] + ("" if j < len(forms) else str(j)) for j in range(k)]


def write_main(path: Path, n: int, rng: np.random.Generator, vocab: list[str]) -> np.ndarray:
    """Write the main table; returns the ids written."""
    ids = np.cumsum(rng.integers(1, 3, n, dtype=np.int64))  # rising, with gaps
    classes = list(CLASS_SHARES)
    shares = np.array([CLASS_SHARES[c] for c in classes])
    countries = [f"{chr(65 + a)}{chr(65 + b)}" for a in range(26) for b in range(26)][:250]
    country_w = 1.0 / np.arange(1, 251) ** 0.8
    country_w /= country_w.sum()
    centres = rng.uniform([-50, -170], [65, 170], size=(250, 2))
    # Zipf-like choice of names: rank r drawn with weight 1 / (r + 300); at full size the
    # commonest name has ~4,000 places, as GeoNames' commonest ("Mill Creek", "San José")
    # have a few thousand.
    name_w = 1.0 / (np.arange(len(vocab)) + 300.0)
    name_w /= name_w.sum()
    chunk = 200_000
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            cls = rng.choice(len(classes), m, p=shares / shares.sum())
            cc = rng.choice(250, m, p=country_w)
            lat = np.clip(centres[cc, 0] + rng.normal(0, 3, m), -89.9, 89.9)
            lon = np.clip(centres[cc, 1] + rng.normal(0, 4, m), -179.9, 179.9)
            names = rng.choice(len(vocab), m, p=name_w)
            n_alt = np.where(rng.random(m) < 0.7, 0, rng.geometric(0.25, m))
            pop = np.where(rng.random(m) < 0.1, rng.lognormal(7, 2, m).astype(np.int64), 0)
            a1 = rng.integers(1, 25, m)
            a2 = rng.integers(1, 40, m)
            code_u = rng.random(m)
            lines = []
            for j in range(m):
                c = classes[cls[j]]
                codes, cw = CODES[c]
                code = codes[min(int(np.searchsorted(cw, code_u[j])), len(codes) - 1)]
                name = vocab[names[j]]
                gid = int(ids[start + j])
                alts = ",".join(_variants(name, int(n_alt[j]), gid)) if n_alt[j] else ""
                p = int(pop[j]) if c == "P" else 0
                lines.append(
                    f"{gid}\t{name}\t{name}\t{alts}\t{lat[j]:.5f}\t{lon[j]:.5f}\t{c}\t{code}\t"
                    f"{countries[cc[j]]}\t\t{a1[j]:02d}\t{a2[j]}\t\t\t{p}\t\t{int(a1[j]) * 7}\t"
                    f"Etc/UTC\t2024-01-01\n"
                )
            fh.write("".join(lines))
    return ids


def write_alternates(
    path: Path, n: int, rng: np.random.Generator, ids: np.ndarray, vocab: list[str]
) -> None:
    chunk = 500_000
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            gids = ids[rng.integers(0, len(ids), m)]
            kind = rng.random(m)
            lang = rng.integers(0, len(LANGS), m)
            words = rng.integers(0, len(vocab), m)
            lines = []
            for j in range(m):
                aid = start + j + 1
                if kind[j] < 0.2:
                    lg = PSEUDO[aid % 3]
                    name = (
                        f"https://en.wikipedia.org/wiki/P{gids[j]}" if lg == "link"
                        else f"Q{gids[j]}" if lg == "wkdt" else f"{aid % 99999:05d}"
                    )
                else:
                    lg = LANGS[lang[j]]
                    base = vocab[words[j]]
                    name = _script(base, CYR) if lg in ("ru", "uk") else (
                        _script(base, ARA) if lg in ("ar", "fa") else base)
                flags = "1" if kind[j] > 0.97 else ""
                lines.append(f"{aid}\t{gids[j]}\t{lg}\t{name}\t{flags}\t\t\t\t\t\n")
            fh.write("".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--scale", type=float, default=1.0, help="1 = 12 M places, 15 M names")
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    args.dest.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    n = int(FULL_PLACES * args.scale)
    vocab = _vocabulary(rng, max(1000, n // 4))
    t = time.perf_counter()
    ids = write_main(args.dest / "allCountries.txt", n, rng, vocab)
    write_alternates(
        args.dest / "alternateNamesV2.txt", int(FULL_ALTERNATES * args.scale), rng, ids, vocab
    )
    size = sum(p.stat().st_size for p in args.dest.iterdir())
    print(f"wrote {n:,} places and {int(FULL_ALTERNATES * args.scale):,} alternate names "
          f"({size / 1e6:,.0f} MB) to {args.dest} in {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
