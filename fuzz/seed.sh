#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's real reports, rule files and rule checks, then
# runs one target for a number of seconds:
#   fuzz/seed.sh report 600     # whole lint of one report (text and HTML bytes)
#   fuzz/seed.sh html 300       # HTML extraction
#   fuzz/seed.sh rule_file 300  # rule file loading, and the loaded rules run on the example
#   fuzz/seed.sh expr 300       # one DSL expression, evaluated on the example
#   fuzz/seed.sh matcher 300    # a pattern and a text: both regex engines agree (differential)
#   fuzz/seed.sh shapes 600     # structure-aware: deep HTML, huge spans, long/deep expressions,
#                               # doubling lets, megabyte lines
#   fuzz/seed.sh index 300      # a file of a batch being indexed (decode for indexing, entry, pairing)
#   fuzz/seed.sh pair 300       # two reports, this year's and last year's (NUL between them)
# Any other target runs on its own corpus folder (created if missing).
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:-report}
secs=${2:-60}
mkdir -p corpus/report corpus/html corpus/rule_file corpus/expr corpus/shapes corpus/matcher \
  corpus/index corpus/pair corpus/"$target"
cp ../tests/fixtures/real/*.txt ../tests/fixtures/real/*.html ../tests/fixtures/*.txt ../examples/yuqian-2018.txt corpus/report/
cp corpus/report/* corpus/index/
# The two hongze years as one input: this year's, a NUL, last year's.
{ cat ../tests/fixtures/real/2024-hongze.txt; printf '\0'; cat ../tests/fixtures/real/2023-hongze.txt; } > corpus/pair/hongze
cp ../tests/fixtures/real/*.html corpus/html/
cp ../rules/*.toml ../examples/*.toml ../tests/fixtures/*.toml corpus/rule_file/
# Every `check` of the built-in rules, one expression per seed file.
grep -h '^check = "' ../rules/*.toml | sed -e 's/^check = "//' -e 's/"$//' | sort -u |
  awk '{ f = sprintf("corpus/expr/check-%04d", NR); printf "%s", $0 > f; close(f) }'
# Patterns of the kinds the rule files use, each with a sentence (pattern NUL text).
i=0
for p in '(?P<v>[0-9]+)件' '\d+件' '\s' '(?i)abc\s*x' '\p{Han}{2,4}(?:区|县)' '^[（(]?[一二三四五六七八九十]{1,3}[）)]' \
         '(收到|受理)[^,;。]{0,14}?申请' '截[止至]到?(?P<v>(?:19|20)[0-9]{2}年[0-9]{1,2}月[0-9]{1,2}日)' '.+$' '[^。]*?办结'; do
  i=$((i + 1))
  printf '%s\0%s' "$p" '截至2019年12月31日，共收到申请１２件，办结 10件。洪泽区 abc X' > "corpus/matcher/seed-$i"
done
# Hostile inputs are slow by nature (a 1 MB line is meant to be); -timeout flags a real hang.
cargo +nightly fuzz run "$target" corpus/"$target" -- -max_total_time="$secs" -max_len=400000 -timeout=60 -rss_limit_mb=3072
