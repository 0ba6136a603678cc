#!/usr/bin/env bash
# Whole-corpus benchmark: cuport vs a bare tree-sitter-cuda parse of the same files (cuport's
# hidden --parse-only mode) and vs hipify-perl -examine; thread scaling, peak RSS, `check`
# latency, and catalog-size independence. Prints a Markdown table for BENCHMARKS.md.
#
#   scripts/bench.sh CORPUS_DIR [HIPIFY_PERL]
#
# Needs hyperfine and GNU time (apt-get install hyperfine time). The corpus is real CUDA code you
# fetched (never committed); scripts/bench-corpus.sh builds one from bare git snapshots.
set -euo pipefail
corpus="$(cd "${1:?usage: scripts/bench.sh CORPUS_DIR [HIPIFY_PERL]}" && pwd)"
hipify="${2:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cargo build --release --quiet
bin="$here/target/release/cuport"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The files cuport selects (same extensions, same .gitignore handling is not needed: the corpus has none).
find "$corpus" -type f \( -name '*.cu' -o -name '*.cuh' -o -name '*.cpp' -o -name '*.cc' -o -name '*.cxx' \
  -o -name '*.c' -o -name '*.h' -o -name '*.hpp' -o -name '*.hxx' -o -name '*.inl' \) -print0 | sort -z > "$tmp/files"
files=$(tr -cd '\0' < "$tmp/files" | wc -c)
bytes=$(xargs -0 cat < "$tmp/files" | wc -c)
mb=$(python3 -c "print(f'{$bytes/1e6:.2f}')")

run() { # name, command...
  local name="$1"; shift
  hyperfine --warmup 1 --runs "${RUNS:-5}" -i --export-json "$tmp/$name.json" "$*" > /dev/null 2>&1
  python3 -c "import json;r=json.load(open('$tmp/$name.json'))['results'][0];print(f\"{r['mean']:.3f} {r['stddev']:.3f}\")"
}

read -r parse2 parse2sd < <(run parse2 "$bin scan $corpus --parse-only --threads 2")
read -r scan2 scan2sd < <(run scan2 "$bin scan $corpus --format json --threads 2 --exit-zero")
read -r parse1 _ < <(run parse1 "$bin scan $corpus --parse-only --threads 1")
read -r scan1 _ < <(run scan1 "$bin scan $corpus --format json --threads 1 --exit-zero")

/usr/bin/time -v "$bin" scan "$corpus" --format json --threads 2 --exit-zero > /dev/null 2> "$tmp/time"
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$tmp/time")

# check latency on five typical .cu files (process start to exit).
mapfile -t five < <(tr '\0' '\n' < "$tmp/files" | grep '\.cu$' | awk 'NR % 37 == 1' | head -5)
read -r check _ < <(RUNS=20 run check "$bin check ${five[*]} --fail-on never")

# Catalog-size independence: the same scan with every rule duplicated under another name.
python3 - "$tmp/dup" <<'PY'
import sys, os, re, subprocess, json
out = sys.argv[1]; os.makedirs(out)
rules = json.loads(subprocess.check_output(["target/release/cuport", "rules", "--format", "json"]))
with open(os.path.join(out, "dup.toml"), "w") as f:
    for r in rules:
        if r["kind"] in ("launch", "header"):
            continue
        f.write('[[rule]]\nid = "DUP-%s"\ncuda = %s\nkind = "%s"\nlibrary = "%s"\ncategory = "%s"\n' % (
            r["id"], json.dumps(r["cuda"] + "_dup"), r["kind"], r["library"], r["category"]))
        for t in ("mindspore", "paddle"):
            f.write('[rule.%s]\napi = ""\nstatus = "manual"\nnote = "benchmark duplicate"\n' % t)
PY
read -r scandup _ < <(run scandup "$bin scan $corpus --format json --threads 2 --exit-zero --rules $tmp/dup")
rules=$("$bin" rules --format json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")

hip="n/a"; hipbytes=0; hipskipped=0
if [ -n "$hipify" ]; then
  # One file at a time with a time limit: hipify-perl's regexes stall on some generated headers.
  start=$(date +%s.%N)
  while IFS= read -r -d '' f; do
    if timeout "${HIPIFY_FILE_TIMEOUT:-20}" perl "$hipify" -examine "$f" > /dev/null 2>&1; then
      hipbytes=$((hipbytes + $(wc -c < "$f")))
    else
      hipskipped=$((hipskipped + 1))
    fi
  done < "$tmp/files"
  end=$(date +%s.%N)
  hip=$(python3 -c "print(f'{$end-$start:.2f}')")
fi

python3 - <<PY
parse1, scan1, parse2, scan2, dup = $parse1, $scan1, $parse2, $scan2, $scandup
mb, hip = $mb, "$hip"
print(f"| measure | value |")
print(f"|---|---|")
print(f"| corpus | $files files, {mb} MB |")
print(f"| bare parse, 2 threads | {parse2:.2f} s ± $parse2sd ({mb/parse2:.1f} MB/s) |")
print(f"| cuport scan --format json, 2 threads | {scan2:.2f} s ± $scan2sd ({mb/scan2:.1f} MB/s) |")
print(f"| scan / parse (target <= 1.2) | {scan2/parse2:.2f} |")
print(f"| bare parse, 1 thread | {parse1:.2f} s |")
print(f"| cuport scan, 1 thread | {scan1:.2f} s |")
print(f"| 1 -> 2 thread speed-up (target >= 1.7) | scan {scan1/scan2:.2f}x, parse {parse1/parse2:.2f}x |")
print(f"| peak RSS, scan 2 threads (target <= 150 MB) | {int('$rss_kb')/1024:.0f} MB |")
print(f"| cuport check on 5 files (target <= 50 ms) | {$check*1000:.0f} ms |")
print(f"| catalog $rules rules vs doubled | {scan2:.2f} s vs {dup:.2f} s ({(dup/scan2-1)*100:+.1f} %) |")
if hip != "n/a":
    h = float(hip); hb = $hipbytes / 1e6
    print(f"| hipify-perl -examine, 1 thread, file by file | {h:.1f} s for {hb:.2f} MB ({hb/h:.2f} MB/s; $hipskipped file(s) over the time limit) |")
    print(f"| cuport vs hipify-perl, MB/s | 2 threads {(mb/scan2)/(hb/h):.0f}x, 1 thread {(mb/scan1)/(hb/h):.0f}x |")
PY
