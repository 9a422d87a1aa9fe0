#!/usr/bin/env bash
# Documents benchmark: Proeve renders the assessment form and proces-verbaal of the example
# case (release build, in process, warm) next to WeasyPrint rendering the same content as
# HTML (in process, warm), in one run; prints both and the ratio.
#
#   benches/documents.sh [REPEAT]      (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-50}"
venv=target/bench-venv
weasyprint_version=70.0

cargo build --quiet --release --bin proeve
if ! [ -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet "weasyprint==$weasyprint_version"
if ! "$venv/bin/python" -c 'import weasyprint' 2>/dev/null; then
  echo "WeasyPrint needs Pango: apt-get install -y libpango-1.0-0 libpangoft2-1.0-0" >&2
  exit 1
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
ours="$(target/release/proeve render --input examples/case.json --out "$out" --html --repeat "$repeat")"
theirs="$("$venv/bin/python" benches/weasyprint_documents.py "$out" "$repeat")"
echo "$ours" | grep 'render both'
echo "$theirs"
if command -v pdfinfo >/dev/null; then
  for f in "$out"/*.pdf; do
    printf '  %s: %s pages, %s bytes\n' "$(basename "$f")" \
      "$(pdfinfo "$f" | awk '/^Pages:/ {print $2}')" "$(stat -c %s "$f")"
  done
fi
python3 - "$ours" "$theirs" <<'PY'
import re, sys
ms = [float(re.search(r"([0-9.]+) ms each", s).group(1)) for s in sys.argv[1:]]
print(f"documents: proeve {ms[0]:.2f} ms, weasyprint {ms[1]:.2f} ms, ratio {ms[1] / ms[0]:.1f}x")
PY
