#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's real reports and rule files, then runs a target:
#   fuzz/seed.sh report 300     # fuzz the report pipeline for 300 seconds
#   fuzz/seed.sh rule_file 120
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain (or RUSTC_BOOTSTRAP=1).
set -euo pipefail
cd "$(dirname "$0")"
target=${1:-report}
secs=${2:-60}
mkdir -p corpus/report corpus/rule_file
cp ../tests/fixtures/real/*.txt ../tests/fixtures/real/*.html ../tests/fixtures/*.txt ../examples/yuqian-2018.txt corpus/report/
cp ../rules/*.toml ../examples/*.toml ../tests/fixtures/*.toml corpus/rule_file/
cargo +nightly fuzz run "$target" -- -max_total_time="$secs" -max_len=200000
