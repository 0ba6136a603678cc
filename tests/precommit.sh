#!/usr/bin/env bash
# Proves the pre-commit hook end to end: installs pre-commit from PyPI, makes a throwaway git
# repository that uses this checkout as its hook repository, and checks that a commit adding CUDA
# code is blocked while a commit without CUDA code goes through. Run by .ci/run.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pre-commit
export PATH="$work/venv/bin:$PATH"
export PRE_COMMIT_HOME="$work/pre-commit-home"

# pre-commit clones the hook repository at a commit: use this checkout's HEAD.
rev="$(git -C "$here" rev-parse HEAD)"

repo="$work/project"
mkdir -p "$repo"
cd "$repo"
git init -q
git config user.email ci@example.com
git config user.name ci
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $here
    rev: $rev
    hooks: [{id: cuport}]
YAML
git add .pre-commit-config.yaml
git commit -qm "config" --no-verify
pre-commit install >/dev/null

printf 'int add(int a, int b) { return a + b; }\n' > plain.cpp
git add plain.cpp
if ! git commit -qm "plain C++"; then
  echo "FAIL: a commit without CUDA code was blocked" >&2
  exit 1
fi
echo "ok: commit without CUDA code passed"

printf 'void f(float** p) { cudaMalloc(p, 16); }\n' > gpu.cu
git add gpu.cu
if git commit -qm "new CUDA code" > "$work/out.txt" 2>&1; then
  cat "$work/out.txt" >&2
  echo "FAIL: a commit adding cudaMalloc was not blocked" >&2
  exit 1
fi
grep -q "RT-MALLOC cudaMalloc" "$work/out.txt" || { cat "$work/out.txt" >&2; echo "FAIL: hook output lacks the finding" >&2; exit 1; }
echo "ok: commit adding CUDA code was blocked"
echo "precommit: 2 passed, 0 failed"
