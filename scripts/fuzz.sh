#!/usr/bin/env bash
# Fuzzes scan + fix with cargo fuzz for a fixed time (default 300 s), seeded from fixtures/.
# Crashes land in fuzz/artifacts/scan_fix/; turn each into a regression test in tests/fuzz_regressions.rs.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
secs="${1:-300}"
cd "$(dirname "$0")/../fuzz"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
find ../fixtures -name '*.cu' -o -name '*.cuh' | while read -r f; do cp "$f" "$corpus/"; done
# cargo fuzz needs nightly-only flags; the stable toolchain accepts them with RUSTC_BOOTSTRAP.
RUSTC_BOOTSTRAP=1 cargo fuzz run scan_fix "$corpus" -- -max_total_time="$secs" -max_len=65536 -print_final_stats=1
