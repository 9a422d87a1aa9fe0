#!/bin/sh
# How the two fonts in this folder were made (run by hand, not by the build):
# DejaVu Sans and DejaVu Sans Bold (Debian fonts-dejavu-core) cut down with fonttools
# (pip install fonttools) to Latin, Latin-1, Latin Extended A/B/Additional, Greek,
# Cyrillic and the punctuation the documents use, hinting left out, and renamed as the
# licence (LICENSE.txt) asks of modified fonts. About 70 KB each instead of 700 KB, so every
# PDF can embed them whole.
set -eu
src=${1:-/usr/share/fonts/truetype/dejavu}
U="U+0020-007E,U+00A0-024F,U+0259,U+02BC,U+02C6-02C7,U+02D8-02DD,U+0300-036F,U+0370-03FF,U+0400-045F,U+1E00-1EFF,U+2010-2027,U+2030-203A,U+2044,U+20AC,U+2116,U+2122,U+2190-2193,U+2212,U+2264-2265,U+2713,U+2717,U+25A0-25A1,U+FFFD"
for pair in "DejaVuSans:ProeveSans-Regular:Regular" "DejaVuSans-Bold:ProeveSans-Bold:Bold"; do
  in=${pair%%:*}; rest=${pair#*:}; out=${rest%%:*}; style=${rest#*:}
  pyftsubset "$src/$in.ttf" --unicodes="$U" --layout-features='' --no-hinting \
    --name-IDs='*' --output-file="$out.ttf"
  python3 - "$out.ttf" "$style" <<'PY'
import sys
from fontTools.ttLib import TTFont
path, style = sys.argv[1], sys.argv[2]
f = TTFont(path)
names = {1: "Proeve Sans", 2: style, 3: "Proeve Sans " + style + " (DejaVu Sans subset)",
         4: "Proeve Sans" + ("" if style == "Regular" else " " + style),
         6: "ProeveSans-" + style, 16: "Proeve Sans", 17: style}
for rec in list(f["name"].names):
    if rec.nameID in names:
        rec.string = names[rec.nameID]
f.save(path)
PY
done
