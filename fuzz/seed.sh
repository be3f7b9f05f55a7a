#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's real reports, rule files and rule checks, then
# runs one target for a number of seconds:
#   fuzz/seed.sh report 600     # whole lint of one report (text and HTML bytes)
#   fuzz/seed.sh html 300       # HTML extraction
#   fuzz/seed.sh rule_file 300  # rule file loading, and the loaded rules run on the example
#   fuzz/seed.sh expr 300       # one DSL expression, evaluated on the example
#   fuzz/seed.sh shapes 600     # structure-aware: deep HTML, huge spans, long/deep expressions,
#                               # doubling lets, megabyte lines
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:-report}
secs=${2:-60}
mkdir -p corpus/report corpus/html corpus/rule_file corpus/expr corpus/shapes
cp ../tests/fixtures/real/*.txt ../tests/fixtures/real/*.html ../tests/fixtures/*.txt ../examples/yuqian-2018.txt corpus/report/
cp ../tests/fixtures/real/*.html corpus/html/
cp ../rules/*.toml ../examples/*.toml ../tests/fixtures/*.toml corpus/rule_file/
# Every `check` of the built-in rules, one expression per seed file.
grep -h '^check = "' ../rules/*.toml | sed -e 's/^check = "//' -e 's/"$//' | sort -u |
  awk '{ f = sprintf("corpus/expr/check-%04d", NR); printf "%s", $0 > f; close(f) }'
# Hostile inputs are slow by nature (a 1 MB line is meant to be); -timeout flags a real hang.
cargo +nightly fuzz run "$target" corpus/"$target" -- -max_total_time="$secs" -max_len=400000 -timeout=60 -rss_limit_mb=3072
