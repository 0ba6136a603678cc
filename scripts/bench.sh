#!/usr/bin/env bash
# Whole-corpus benchmark: cuport vs a bare tree-sitter-cuda parse of the same files (cuport's
# hidden --parse-only mode) and vs hipify-perl -examine; thread scaling, peak RSS, `check`
# latency, and catalog-size independence. Prints a Markdown table for BENCHMARKS.md.
#
#   scripts/bench.sh CORPUS_DIR [HIPIFY_PERL [HIPIFY_SUBDIR]]
#
# RUNS (default 10) rounds are run; in each round every measured command runs once, one after the
# other, so drift in a shared machine's speed hits all of them alike; ratios are taken within a
# round. Times are medians, with CPU time (user + sys).
# hipify-perl is slow (~2 KB/s here): it runs once, in one process, over HIPIFY_SUBDIR (a
# directory inside CORPUS_DIR, e.g. llm.c), and cuport is timed on the same files.
#
# Needs hyperfine, GNU time and python3 (apt-get install hyperfine time). The corpus is real CUDA
# code you fetched (never committed); scripts/bench-corpus.sh builds one from bare git snapshots.
set -euo pipefail
corpus="$(cd "${1:?usage: scripts/bench.sh CORPUS_DIR [HIPIFY_PERL [HIPIFY_SUBDIR]]}" && pwd)"
hipify="${2:-}"
hipdir="${3:-$corpus}"
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cargo build --release --quiet
bin="$here/target/release/cuport"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

sources() { # the files cuport selects (the corpus has no .gitignore)
  find "$1" -type f \( -name '*.cu' -o -name '*.cuh' -o -name '*.cpp' -o -name '*.cc' -o -name '*.cxx' \
    -o -name '*.c' -o -name '*.h' -o -name '*.hpp' -o -name '*.hxx' -o -name '*.inl' \) -print0 | sort -z
}
sources "$corpus" > "$tmp/files"
files=$(tr -cd '\0' < "$tmp/files" | wc -c)
bytes=$(xargs -0 cat < "$tmp/files" | wc -c)

# Catalog-size independence: every rule again under another name, loaded with --rules.
python3 - "$tmp/dup" "$bin" <<'PY'
import sys, os, subprocess, json
out, b = sys.argv[1], sys.argv[2]; os.makedirs(out)
rules = json.loads(subprocess.check_output([b, "rules", "--format", "json"]))
with open(os.path.join(out, "dup.toml"), "w") as f:
    for r in rules:
        if r["kind"] in ("launch", "header"):
            continue
        f.write('[[rule]]\nid = "DUP-%s"\ncuda = %s\nkind = "%s"\nlibrary = "%s"\ncategory = "%s"\n' % (
            r["id"], json.dumps(r["cuda"] + "_dup"), r["kind"], r["library"], r["category"]))
        for t in ("mindspore", "paddle"):
            f.write('[rule.%s]\napi = ""\nstatus = "manual"\nnote = "benchmark duplicate"\n' % t)
PY
rules=$("$bin" rules --format json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")

# Linearity: the same corpus twice over should take twice as long.
mkdir -p "$tmp/double"
cp -r "$corpus" "$tmp/double/a"
cp -r "$corpus" "$tmp/double/b"

peak_rss_kb() {
  /usr/bin/time -v "$bin" scan "$1" --format json --threads 2 --exit-zero > /dev/null 2> "$tmp/time"
  awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$tmp/time"
}
rss_kb=$(peak_rss_kb "$corpus")
rss2_kb=$(peak_rss_kb "$tmp/double")

# check latency on five typical .cu files (process start to exit).
mapfile -t five < <(tr '\0' '\n' < "$tmp/files" | grep '\.cu$' | awk 'NR % 37 == 1' | head -5)
hyperfine -N --warmup 3 --runs 30 --export-json "$tmp/check.json" \
  "$bin check ${five[*]} --fail-on never" > /dev/null 2>&1
check=$(python3 -c "import json;r=json.load(open('$tmp/check.json'))['results'][0];print(r['median'])")

hip="" hipbytes=0 hipcuport=""
if [ -n "$hipify" ]; then
  sources "$hipdir" > "$tmp/hipfiles"
  hipbytes=$(xargs -0 cat < "$tmp/hipfiles" | wc -c)
  start=$(date +%s.%N)
  xargs -0 perl "$hipify" -examine < "$tmp/hipfiles" > /dev/null 2>&1 || true
  hip=$(python3 -c "import time; print(time.time() - $start)")
  hipcuport="$bin scan $hipdir --format json --threads 1 --exit-zero"
fi

python3 - "$tmp" "${RUNS:-10}" "$bin" "$corpus" "$files" "$bytes" "$rss_kb" "$rss2_kb" "$check" "$rules" \
  "$hip" "$hipbytes" "$hipcuport" <<'PY'
import os, resource, statistics as st, subprocess, sys, time
tmp, runs, b, corpus, files, nbytes, rss_kb, rss2_kb, check, rules, hip, hipbytes, hipcuport = sys.argv[1:]
runs, files, nbytes, mb = int(runs), int(files), int(nbytes), int(nbytes) / 1e6
scan = [b, "scan", corpus, "--exit-zero"]
cmds = {
    "parse2": [b, "scan", corpus, "--parse-only", "--threads", "2"],
    "scan2": scan + ["--format", "json", "--threads", "2"],
    "parse1": [b, "scan", corpus, "--parse-only", "--threads", "1"],
    "scan1": scan + ["--format", "json", "--threads", "1"],
    "dup2": scan + ["--format", "json", "--threads", "2", "--rules", os.path.join(tmp, "dup")],
    "double2": [b, "scan", os.path.join(tmp, "double"), "--exit-zero", "--format", "json", "--threads", "2"],
}
if hipcuport:
    cmds["hipcuport"] = hipcuport.split()
wall = {k: [] for k in cmds}; cpu = {k: [] for k in cmds}

def once(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    w = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return w, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

for argv in cmds.values():  # warm the page cache
    once(argv)
for _ in range(runs):
    for k, argv in cmds.items():
        w, c = once(argv)
        wall[k].append(w); cpu[k].append(c)
# Each ratio is taken within a round (its two commands ran back to back, under the same load) and
# the median over rounds is reported, with the lowest and highest round in brackets: a shared
# machine's speed drifts by tens of percent from minute to minute, and this cancels most of it.
med = {k: st.median(v) for k, v in wall.items()}
c = {k: st.median(v) for k, v in cpu.items()}
def ratio(a, b, times=wall):
    r = [x / y for x, y in zip(times[a], times[b])]
    return st.median(r), min(r), max(r)
def show(a, b, fmt="{:.2f}"):
    mid, lo, hi = ratio(a, b)
    return f"**{fmt.format(mid)}** [{fmt.format(lo)}–{fmt.format(hi)}]"
pct = lambda a, b: "**{:+.1f} %** [{:+.1f} – {:+.1f} %]".format(*[(x - 1) * 100 for x in ratio(a, b)])
print(f"| measure ({runs} interleaved rounds; times are medians, ratios the median of per-round ratios [range]) | value | target |")
print("|---|---|---|")
print(f"| corpus | {files} files, {mb:.2f} MB | ≥ 15 MB |")
print(f"| bare parse, 2 threads | {med['parse2']:.2f} s ({mb/med['parse2']:.1f} MB/s), CPU {c['parse2']:.2f} s | |")
print(f"| `cuport scan --format json`, 2 threads | {med['scan2']:.2f} s ({mb/med['scan2']:.1f} MB/s), CPU {c['scan2']:.2f} s | |")
print(f"| scan / bare parse, 2 threads | {show('scan2', 'parse2')} (CPU {ratio('scan2', 'parse2', cpu)[0]:.2f}) | ≤ 1.2 |")
print(f"| scan / bare parse, 1 thread | {med['scan1']:.2f} s / {med['parse1']:.2f} s: {show('scan1', 'parse1')} | |")
print(f"| 1 → 2 threads | scan {show('scan1', 'scan2')}×, parse {ratio('parse1', 'parse2')[0]:.2f}× | ≥ 1.7× |")
print(f"| peak RSS, scan, 2 threads | **{int(rss_kb)/1024:.0f} MB** (the corpus twice over: {int(rss2_kb)/1024:.0f} MB) | ≤ 150 MB |")
print(f"| `cuport check` on 5 `.cu` files, process start to exit (median of 30) | **{float(check)*1000:.0f} ms** | ≤ 50 ms |")
print(f"| catalog {rules} rules vs doubled (`--rules`), 2 threads | {med['scan2']:.2f} s vs {med['dup2']:.2f} s: {pct('dup2', 'scan2')} (CPU {(ratio('dup2', 'scan2', cpu)[0]-1)*100:+.1f} %) | ± 5 % |")
print(f"| the corpus twice over ({2*mb:.2f} MB), 2 threads | {med['double2']:.2f} s: {show('double2', 'scan2')}× the single corpus | linear (2.0×) |")
if hip:
    h, hb = float(hip), int(hipbytes) / 1e6
    print(f"| hipify-perl -examine, one process, {hb:.2f} MB | {h:.1f} s ({hb/h*1000:.1f} KB/s) | |")
    print(f"| cuport scan, 1 thread, same files | {med['hipcuport']:.2f} s: **{h/med['hipcuport']:.0f}× faster** | ≥ 20× |")
PY
