#!/usr/bin/env bash
# Peak memory per byte of input, on inputs built from the bundled reports and the bundled page (no timing is
# asserted anywhere; this prints what this machine measures). Needs GNU time (/usr/bin/time).
#   bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/time ]; then
  echo "skipped: /usr/bin/time (GNU time) is not installed (apt-get install time)"
  exit 0
fi
cargo build --release --quiet
bin=target/release/report-lint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import sys, pathlib
tmp = pathlib.Path(sys.argv[1])
hongze = pathlib.Path("tests/fixtures/real/2024-hongze.txt").read_text()
yuqian = pathlib.Path("examples/yuqian-2018.txt").read_text()
# Many reports in one file (ordinary lines), one 20 MB line, millions of tiny sentences.
(tmp / "many-lines.txt").write_text(hongze * (20_000_000 // len(hongze.encode())))
(tmp / "one-line.txt").write_text(hongze.replace("\n", "") * (20_000_000 // len(hongze.encode())))
lines = yuqian.split("\n")
lines[4] = "正文。" * 1_000_000 + lines[4] + "正文。" * 1_000_000
(tmp / "tiny-sentences.txt").write_text("\n".join(lines))
# One 20 MB HTML page: the published page's body repeated (tables, spans, inline styles).
page = pathlib.Path("tests/fixtures/real/2023-shuyang-fagaiju.html").read_text()
start = page.lower().index("<body")
start = page.index(">", start) + 1
end = page.lower().rindex("</body>")
body = page[start:end]
(tmp / "page.html").write_text(page[:start] + body * (20_000_000 // len(body.encode())) + page[end:])
PY
# bytes/byte: peak RSS over the input's size. aux/byte: what the run holds besides the input
# itself and what any run holds (the peak of the small report, first), over the input's size.
printf '%-22s %12s %12s %10s %9s %8s\n' input bytes peak_kib bytes/byte aux/byte seconds
base=
for f in examples/yuqian-2018.txt "$tmp"/many-lines.txt "$tmp"/one-line.txt "$tmp"/tiny-sentences.txt "$tmp"/page.html; do
  size=$(stat -c %s "$f")
  /usr/bin/time -o "$tmp/time" -f '%M %e' "$bin" "$f" >/dev/null 2>&1 || true
  out=$(tail -1 "$tmp/time")
  kib=${out% *}
  secs=${out#* }
  if [ -z "$base" ]; then
    base=$kib
    aux=-
  else
    aux=$(printf '%.1f' "$(echo "($kib - $base) * 1024 / $size - 1" | bc -l)")
  fi
  printf '%-22s %12s %12s %10.1f %9s %8s\n' "$(basename "$f")" "$size" "$kib" "$(echo "$kib * 1024 / $size" | bc -l)" "$aux" "$secs"
done
