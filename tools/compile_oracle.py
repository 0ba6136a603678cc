#!/usr/bin/env python3
"""The compile oracle: does `cuport fix --write` keep a tree compiling?

    tools/compile_oracle.py --target mindspore ROOT [PATH ...] [--include DIR ...]

Copies ROOT to a scratch folder, type-checks every translation unit under PATH (default: all of
ROOT) with clang-19 against real headers, runs `cuport fix --write --target T PATH...` in the copy,
type-checks again, and reports the files that stopped compiling with their first new errors and
the `// cuport[RULE]` annotations standing above the failing lines (which rule broke it).

Headers come from `scripts/toolchain.sh` (run it first; `eval "$(scripts/toolchain.sh --env)"`
sets the CUPORT_* variables this script reads, and it falls back to the default install folder).

Modes of a translation unit (chosen per file, before and after alike):
- CUDA host side: `-x cuda --cuda-host-only -nocudalib` with --cuda-path to the wheel-assembled CUDA;
  AscendCL and HCCL include folders are always on the path (the MindSpore target's rewrites need
  them; they do not clash with CUDA's).
- PyTorch extension (`--torch`): before, torch's headers and Python's; after, for the Paddle
  target, Paddle's headers with its PyTorch-compat include roots.

Exit code 0 when the share of files that still compile is at least --min-kept (default 0), 1 when
below, 2 on a usage or setup error. `--json FILE` writes the whole result for tests and benches.
"""

import argparse
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile

TU_EXTS = (".cu", ".cpp", ".cc", ".cxx", ".c")
SOURCE_EXTS = TU_EXTS + (".cuh", ".h", ".hpp", ".hxx", ".inl")
ERROR_RE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?:fatal )?error: (?P<msg>.*)$")
ANNOTATION_RE = re.compile(r"//\s*cuport\[(?P<rule>[A-Za-z0-9_-]+)\]")


def toolchain():
    home = os.environ.get("CUPORT_TOOLCHAIN", os.path.expanduser("~/.cache/cuport/toolchain"))
    env = {
        "clang": os.environ.get("CUPORT_CLANG") or shutil.which("clang-19") or "clang-19",
        "cuda": os.environ.get("CUPORT_CUDA_PATH", os.path.join(home, "cuda")),
        "npu": os.environ.get("CUPORT_NPU_INCLUDE", os.path.join(home, "npu", "include")),
        "acl": os.environ.get(
            "CUPORT_ACL_INCLUDE", os.path.join(home, "npu", "include", "third_party", "acl", "inc")
        ),
        "hccl": os.environ.get(
            "CUPORT_HCCL_INCLUDE",
            os.path.join(home, "npu", "include", "third_party", "hccl", "inc"),
        ),
        "paddle": os.environ.get("CUPORT_PADDLE_INCLUDE", os.path.join(home, "paddle", "include")),
        "mindspore": os.environ.get(
            "CUPORT_MINDSPORE_INCLUDE", os.path.join(home, "mindspore", "include")
        ),
        "torch": os.environ.get("CUPORT_TORCH_INCLUDE", os.path.join(home, "torch", "include")),
        "extra": os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle-include"),
    }
    if shutil.which(env["clang"]) is None:
        sys.exit(f"compile_oracle: {env['clang']} not found: run scripts/toolchain.sh")
    for key in ("cuda", "npu", "acl", "hccl"):
        if not os.path.isdir(env[key]):
            sys.exit(f"compile_oracle: {env[key]} missing: run scripts/toolchain.sh")
    return env


def paddle_compat_roots(paddle_inc):
    """Paddle's PyTorch-compat layer: the folders that provide `torch/extension.h`, `torch/all.h`,
    `ATen/…`, `c10/…` (as PyTorch's own include roots do)."""
    roots = []
    for dirpath, dirnames, filenames in os.walk(paddle_inc):
        if os.path.basename(dirpath) == "torch" and (
            "extension.h" in filenames or "all.h" in filenames
        ):
            roots.append(os.path.dirname(dirpath))
        if "ATen" in dirnames or "c10" in dirnames:
            roots.append(dirpath)
    return sorted(set(roots))


def mindspore_roots(ms_inc):
    """The include folders a MindSpore custom-op build (CustomOpBuilder / ms_extension) uses."""
    # The list mindspore 2.10.0's CustomOpBuilder passes (mindspore/ops/operations/custom_ops.py).
    rel = ["", "third_party", "third_party/robin_hood_hashing", "third_party/securec/include",
           "mindspore/include", "mindspore/core/include", "mindspore/core/mindrt/include",
           "mindspore/core/mindrt", "mindspore/ops", "mindspore/ops/include",
           "mindspore/ops/kernel/include", "mindspore/ccsrc", "mindspore/ccsrc/include",
           "mindspore/ccsrc/minddata/mindrecord/include"]
    return [os.path.join(ms_inc, r) for r in rel if os.path.isdir(os.path.join(ms_inc, r))]


TORCH_INCLUDE_RE = re.compile(r"#\s*include\s*[<\"](torch/extension\.h|torch/torch\.h|ATen/)")
QUOTED_INCLUDE_RE = re.compile(r'#\s*include\s*"([^"]+)"')


def is_torch_binding(path, includes=(), _seen=None):
    """A C++ file that includes PyTorch's headers, itself or through a quoted project header
    (mmcv's `pytorch_cpp_helper.hpp`), resolved next to the includer or in an -I folder."""
    seen = set() if _seen is None else _seen
    if path in seen:
        return False
    seen.add(path)
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return False
    if TORCH_INCLUDE_RE.search(text):
        return True
    for spelled in QUOTED_INCLUDE_RE.findall(text):
        for base in (os.path.dirname(path), *includes):
            cand = os.path.normpath(os.path.join(base, spelled))
            if os.path.isfile(cand):
                if is_torch_binding(cand, includes, seen):
                    return True
                break
    return False


def flags_for(env, tu, includes, side, target, torch_mode):
    """Compiler arguments for one translation unit on one side (before/after)."""
    args = [
        env["clang"],
        "-fsyntax-only",
        "-w",
        "-ferror-limit=20",
        "-fno-color-diagnostics",
        "-std=c++17",
    ]
    if tu.endswith(".c"):
        args = [env["clang"], "-fsyntax-only", "-w", "-ferror-limit=20", "-fno-color-diagnostics"]
        args += ["-x", "c", "-I", os.path.join(env["cuda"], "include")]
    else:
        args += [
            "-x",
            "cuda",
            "--cuda-host-only",
            "-nocudalib",
            f"--cuda-path={env['cuda']}",
            "-Wno-unknown-cuda-version",
        ]
        compat = os.path.join(env["extra"], "cuda_oracle_compat.h")
        if os.path.isfile(compat):
            args += ["-include", compat]   # nvcc's cache-hint intrinsics; see the header
    args += ["-I", os.path.dirname(tu)]
    for inc in includes:
        args += ["-I", inc]
    args += ["-I", env["acl"], "-I", env["hccl"], "-I", env["npu"]]
    if os.path.isdir(env["extra"]):
        args += ["-I", env["extra"]]
    if torch_mode:
        py = sysconfig.get_paths()["include"]
        if side == "after" and target == "paddle":
            for r in paddle_compat_roots(env["paddle"]):
                args += ["-I", r]
            args += ["-I", env["paddle"], "-I", os.path.join(env["paddle"], "third_party")]
            args += ["-I", py, "-DPADDLE_WITH_CUDA"]
        else:
            args += [
                "-I",
                env["torch"],
                "-I",
                os.path.join(env["torch"], "torch", "csrc", "api", "include"),
                "-I",
                py,
            ]
        if side == "after" and target == "mindspore":
            for r in mindspore_roots(env["mindspore"]):
                args += ["-I", r]
    elif target == "paddle" and side == "after":
        args += ["-I", env["paddle"]]
    elif target == "mindspore" and side == "after":
        for r in mindspore_roots(env["mindspore"]):
            args += ["-I", r]
    return args + [tu]


def compile_one(env, tu, includes, side, target, torch_mode, timeout):
    args = flags_for(env, tu, includes, side, target, torch_mode)
    try:
        p = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "errors": [{"file": tu, "line": 0, "msg": "timed out"}]}
    errors = []
    for line in p.stderr.splitlines():
        m = ERROR_RE.match(line)
        if m:
            errors.append(
                {"file": m["file"], "line": int(m["line"]), "col": int(m["col"]), "msg": m["msg"]}
            )
    return {"ok": p.returncode == 0, "errors": errors}


def copy_tree(src, dst):
    def ignore(d, names):
        return [n for n in names if n == ".git"]

    shutil.copytree(src, dst, ignore=ignore, symlinks=True)


def rules_above(path, line):
    """The cuport rule ids annotated directly above 1-based `line` of `path`."""
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []
    out = []
    i = line - 2
    # Walk up over annotation lines, and over the lines of a statement the error is inside.
    while i >= 0 and i >= line - 12:
        m = ANNOTATION_RE.search(lines[i])
        if m:
            out.append(m["rule"])
        elif out:
            break
        i -= 1
    return sorted(set(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("root", help="the project folder (copied; never written)")
    ap.add_argument("paths", nargs="*", help="files or folders under ROOT to check and fix")
    ap.add_argument("--target", choices=["mindspore", "paddle"], required=True)
    ap.add_argument("--include", action="append", default=[], help="-I folder, relative to ROOT")
    ap.add_argument("--cuport", default=None, help="the cuport binary (default: target/release)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per compile")
    ap.add_argument("--torch", action="store_true", help="only PyTorch-extension binding files")
    ap.add_argument("--json", help="write the full result here")
    ap.add_argument("--keep", action="store_true", help="keep the scratch copy and say where")
    ap.add_argument("--min-kept", type=float, default=0.0, help="fail below this share (0..1)")
    ap.add_argument("--show", type=int, default=30, help="broken files to list")
    a = ap.parse_args()

    env = toolchain()
    here = os.path.dirname(os.path.abspath(__file__))
    cuport = a.cuport or os.path.join(here, "..", "target", "release", "cuport")
    if not os.path.exists(cuport):
        sys.exit(f"compile_oracle: {cuport} missing: cargo build --release, or pass --cuport")

    scratch = tempfile.mkdtemp(prefix="cuport-oracle-")
    work = os.path.join(scratch, "tree")
    copy_tree(os.path.abspath(a.root), work)
    paths = a.paths or ["."]
    includes = [os.path.join(work, i) for i in a.include]

    tus = []
    for p in paths:
        full = os.path.join(work, p)
        if os.path.isfile(full):
            tus.append(full)
            continue
        for dirpath, dirnames, filenames in os.walk(full):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for n in sorted(filenames):
                if n.endswith(TU_EXTS):
                    tus.append(os.path.join(dirpath, n))
    if a.torch:
        # The C++ binding files (CUDA sources keep their own mode).
        tus = [t for t in tus if t.endswith((".cpp", ".cc", ".cxx")) and is_torch_binding(t, includes)]
    tus = sorted(set(tus))

    def run_all(side):
        with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            futs = {
                t: ex.submit(compile_one, env, t, includes, side, a.target, a.torch, a.timeout)
                for t in tus
            }
            return {t: f.result() for t, f in futs.items()}

    before = run_all("before")
    fix = subprocess.run(
        [cuport, "fix", "--write", "--target", a.target, *paths],
        cwd=work,
        capture_output=True,
        text=True,
        errors="replace",
    )
    summary = fix.stdout + fix.stderr
    m = re.search(r"(\d+) edit\(s\) applied", summary)
    edits = int(m.group(1)) if m else 0
    if fix.returncode not in (0, 1):
        sys.exit(f"compile_oracle: cuport fix failed ({fix.returncode}):\n{fix.stderr[-2000:]}")
    after = run_all("after")

    rel = lambda p: os.path.relpath(p, work)  # noqa: E731
    ok_before = [t for t in tus if before[t]["ok"]]
    kept = [t for t in ok_before if after[t]["ok"]]
    broken = []
    by_rule = {}
    for t in ok_before:
        if after[t]["ok"]:
            continue
        errs = []
        for e in after[t]["errors"][:5]:
            rules = rules_above(e["file"], e["line"])
            for r in rules:
                by_rule[r] = by_rule.get(r, 0) + 1
            errs.append(
                {"at": f"{rel(e['file'])}:{e['line']}", "msg": e["msg"], "rules": rules}
            )
        broken.append({"file": rel(t), "errors": errs})

    share = len(kept) / len(ok_before) if ok_before else 1.0
    result = {
        "target": a.target,
        "translation_units": len(tus),
        "compiled_before": len(ok_before),
        "still_compile": len(kept),
        "kept_share": round(share, 4),
        "edits": edits,
        "broken": broken,
        "errors_by_rule": dict(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)

    print(
        f"{a.target}: {len(tus)} translation unit(s), {len(ok_before)} compile before fix, "
        f"{len(kept)} still compile after ({share * 100:.1f} %), {edits} edit(s) applied"
    )
    for b in broken[: a.show]:
        print(f"  broken: {b['file']}")
        for e in b["errors"][:3]:
            rules = f" [{', '.join(e['rules'])}]" if e["rules"] else ""
            print(f"    {e['at']}: {e['msg']}{rules}")
    if by_rule:
        print("  errors under annotations of: " + ", ".join(f"{r} {n}" for r, n in list(by_rule.items())[:15]))
    if a.keep:
        print(f"  scratch copy: {work}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if share >= a.min_kept else 1


if __name__ == "__main__":
    sys.exit(main())
