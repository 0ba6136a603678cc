#!/usr/bin/env bash
# Builds a benchmark corpus from bare git snapshots (e.g. fetched NVIDIA/cuda-samples, karpathy/llm.c,
# open-mmlab/mmcv, NVIDIA/apex, microsoft/DeepSpeed): extracts their C/C++/CUDA sources into DIR.
# Never commit the result.   scripts/bench-corpus.sh DIR GIT_DIR...
set -euo pipefail
out="${1:?usage: scripts/bench-corpus.sh DIR GIT_DIR...}"; shift
mkdir -p "$out"
for gd in "$@"; do
  name="$(basename "$(dirname "$gd")")"
  git --git-dir="$gd" ls-tree -r HEAD --name-only | grep -E '\.(cu|cuh|cpp|cc|cxx|c|h|hpp|hxx|inl)$' | while read -r f; do
    mkdir -p "$out/$name/$(dirname "$f")"
    git --git-dir="$gd" show "HEAD:$f" > "$out/$name/$f" 2>/dev/null || rm -f "$out/$name/$f"
  done
done
find "$out" -type f | wc -l
