#!/usr/bin/env bash
# Throughput of the pipeline (ratios within one run; see benches/pipeline.rs), and, when
# hyperfine is installed (apt-get install hyperfine), the wall time of the binary on a batch.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench pipeline
if command -v hyperfine >/dev/null 2>&1; then
  cargo build --release
  hyperfine --warmup 2 'target/release/report-lint --format json examples/yuqian-2018.txt tests/fixtures/real/ > /dev/null || true'
fi
