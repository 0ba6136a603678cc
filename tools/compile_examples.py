#!/usr/bin/env python3
"""Compile every direct rule's examples, before and after cuport rewrites them.

    tools/compile_examples.py [--cuport BIN] [--json OUT] [--target mindspore|paddle] [--rule ID]

For each rule whose status on a target is `direct`, each example's CUDA line becomes the body of
a probe function in one generated CUDA file. The variables an example passes to the rule's call
are declared with the types the real CUDA header gives that parameter (`&x` where it takes `T *`
declares `T x`), found in clang's AST of the CUDA headers; comparisons declare their left side
from the constant (`auto v = X;`); anything else still undeclared becomes `Any`, a value that
converts to every type. The file must type-check against the CUDA headers (probes that do not are
reported "unchecked" with the reason). Then `cuport fix --write --target T` rewrites the file as
it would a user's file — declarations included — and it must type-check again against the
target's headers: AscendCL/HCCL (torch-npu wheel), the ops-blas/ops-fft declarations in
tools/oracle-include, MindSpore's ms_extension and Paddle's headers. A probe that no longer
compiles is a broken direct rule: clang checks the rewritten call's arity, pointer levels and
enum types against the real declaration.

Exit code 0 when no checked example breaks, 1 otherwise, 2 on a setup error. The headers come
from scripts/toolchain.sh.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compile_oracle import mindspore_roots, paddle_compat_roots, toolchain  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

CUDA_HEADERS = [
    "cuda_runtime.h", "cuda.h", "cuda_fp16.h", "cuda_bf16.h", "cublas_v2.h", "cublasLt.h",
    "cudnn.h", "curand.h", "cufft.h", "cusparse.h", "cusolverDn.h", "nccl.h",
]
TORCH_HEADERS = ["torch/extension.h", "ATen/cuda/CUDAContext.h"]
TARGET_HEADERS = {
    "mindspore": ["acl/acl.h", "hccl/hccl.h", "cann_ops_blas.h", "cann_ops_blasLt.h", "cann_ops_fft.h"],
    "paddle": [],
}
# Keeps `Any x;` usable wherever an example passes or compares a value cuport does not know.
PRELUDE = """
struct CuportAnyPtr { template <class T> operator T *() const { return nullptr; } };
struct Any {
  template <class T> operator T() const { return T(); }
  CuportAnyPtr operator&() const { return {}; }
};
"""
ERROR_RE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?:fatal )?error: (?P<msg>.*)$")
UNDECLARED_RE = re.compile(
    r"use of undeclared identifier '(\w+)'|'(\w+)' does not name a template but is followed by"
)
FILE_SCOPE = ("PYBIND11_MODULE", "TORCH_LIBRARY", "__global__", "template", "struct ", "#", "using ")


def load_examples(target_filter, rule_filter):
    out = []
    for path in sorted(glob.glob(os.path.join(REPO, "rewrite-rules", "*.toml"))):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        for rule in data.get("rule", []):
            if rule_filter and rule["id"] != rule_filter:
                continue
            for target in ("mindspore", "paddle"):
                if target_filter and target != target_filter:
                    continue
                if rule[target]["status"] != "direct":
                    continue
                for n, ex in enumerate(rule.get("example", [])):
                    out.append({
                        "id": rule["id"], "n": n, "target": target, "cuda_name": rule["cuda"],
                        "kind": rule["kind"], "library": rule["library"], "cuda": ex["cuda"],
                        "torch": rule["library"] == "torch-ext",
                    })
    return out


def param_types(env):
    """CUDA function name → parameter types as the headers spell them (typedef names kept)."""
    src = "".join(f"#include <{h}>\n" for h in CUDA_HEADERS)
    tmp = tempfile.mkdtemp(prefix="cuport-decls-")
    tu = os.path.join(tmp, "decls.cu")
    with open(tu, "w") as f:
        f.write(src)
    types = {}
    for flt in ("cu", "nccl"):
        p = subprocess.run(
            cuda_args(env) + ["-Xclang", "-ast-dump", "-Xclang", f"-ast-dump-filter={flt}", tu],
            capture_output=True, text=True, errors="replace",
        )
        current, params, in_fn = None, None, False
        for line in p.stdout.splitlines():
            if line.startswith("Dumping "):
                if current and params is not None and current not in types:
                    types[current] = params
                current, params, in_fn = line[len("Dumping "):].rstrip(":"), None, False
                continue
            if params is None and line.startswith("FunctionDecl"):
                params, in_fn = [], True
                continue
            if in_fn and re.match(r"^[|`]-ParmVarDecl", line):
                m = re.search(r"'([^']*)'(?::'[^']*')?\s*(?:cinit)?$", line)
                if m:
                    params.append(m.group(1))
            elif in_fn and re.match(r"^[|`]-", line):
                in_fn = False
        if current and params is not None and current not in types:
            types[current] = params
    shutil.rmtree(tmp, ignore_errors=True)
    return types


def cuda_args(env):
    return [
        env["clang"], "-x", "cuda", "--cuda-host-only", "-nocudalib", f"--cuda-path={env['cuda']}",
        "-Wno-unknown-cuda-version", "-fsyntax-only", "-w", "-ferror-limit=0", "-std=c++17",
        "-fno-color-diagnostics",
    ]


def split_args(text, start):
    """The top-level comma-separated arguments of the call whose `(` is at `start`."""
    depth, cur, args = 0, "", []
    for ch in text[start + 1:]:
        if ch in "([{<" and not (ch == "<" and depth == 0 and False):
            depth += ch in "([{"
        if ch in ")]}":
            if depth == 0:
                args.append(cur.strip())
                return [a for a in args if a]
            depth -= 1
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return None


def declarations(ex, types):
    """Declarations for the variables the example passes to the rule's own call."""
    decls = {}
    code = ex["cuda"]
    keywords = {"nullptr", "NULL", "true", "false", "this", "sizeof"}
    m = re.search(r"\b" + re.escape(ex["cuda_name"]) + r"\s*\(", code)
    # Many cuBLAS names are macros for their `_v2` function.
    sig = types.get(ex["cuda_name"]) or types.get(ex["cuda_name"] + "_v2")
    if m and sig:
        args = split_args(code, m.end() - 1) or []
        for a, ty in zip(args, sig):
            ty = ty.strip()
            if a in keywords or re.fullmatch(r"&?\s*[A-Z_][A-Z0-9_]*", a):
                continue  # a keyword or a constant, not a variable to declare
            if re.fullmatch(r"[A-Za-z_]\w*", a):
                decls[a] = f"{ty} {a}{{}};" if "(*)" not in ty else None
            elif re.fullmatch(r"&\s*[A-Za-z_]\w*", a) and ty.endswith("*"):
                name = a[1:].strip()
                pointee = ty[:-1].rstrip()
                if pointee.replace("const", "").strip() == "void":
                    decls[name] = f"Any {name};"
                else:
                    decls[name] = f"{pointee} {name}{{}};"
    for left, right in re.findall(r"\b([A-Za-z_]\w*)\s*[!=]=\s*([A-Za-z_][\w:]*)", code):
        decls.setdefault(left, f"auto {left} = {right};")
    return {k: v for k, v in decls.items() if v}


def probe_source(probes, torch, extra_decls):
    if probes and probes[0]["kind"] == "header":
        # A header example alone: the swap is then complete, as in a file with nothing else.
        body = "\n".join(p["cuda"] for p in probes)
        return body + "\n", [(1, len(body.splitlines()))]
    lines = [f"#include <{h}>" for h in (TORCH_HEADERS if torch else []) + CUDA_HEADERS]
    lines.extend(PRELUDE.strip("\n").splitlines())
    if torch:
        # The op the binding examples register (`m.def("forward", &forward)`).
        lines.append("at::Tensor forward(const at::Tensor &x);")
    for name in sorted(extra_decls.get("__functions__", [])):
        lines.append(f"template <class... T, class... A> Any {name}(A &&...);")
    spans = []
    for i, p in enumerate(probes):
        start = len(lines) + 1
        body = p["cuda"]
        if body.lstrip().startswith(FILE_SCOPE):
            lines.append(f"// probe {i}: {p['id']}")
            lines.extend(body.splitlines())
        else:
            qual = "__device__ " if p["library"] in ("device", "cooperative-groups") else ""
            decls = dict(p["decls"])
            # In a PyTorch extension an unknown receiver is a tensor (`x.sizes()`).
            fallback = "at::Tensor {}{{}};" if torch else "Any {};"
            for name in extra_decls.get(i, []):
                decls.setdefault(name, fallback.format(name))
            lines.append(f"{qual}auto cuport_probe_{i}() {{  // {p['id']}")
            lines.extend("  " + d for d in decls.values())
            lines.extend("  " + l for l in body.splitlines())
            lines.append("}")
        spans.append((start, len(lines)))
    return "\n".join(lines) + "\n", spans


def probe_of(line, spans):
    for i, (a, b) in enumerate(spans):
        if a <= line <= b:
            return i
    return None


def compile_file(args, path):
    p = subprocess.run(args + [path], capture_output=True, text=True, errors="replace")
    errs = []
    for line in p.stderr.splitlines():
        note = re.search(r": note: (candidate function not viable: .*)$", line)
        if note and errs and "note" not in errs[-1][2]:
            errs[-1] = (errs[-1][0], errs[-1][1], f"{errs[-1][2]} (note: {note.group(1)})")
            continue
        m = ERROR_RE.match(line)
        if m and os.path.abspath(m["file"]) == os.path.abspath(path):
            errs.append((int(m["line"]), int(m["col"]), m["msg"]))
        elif m:
            errs.append((-1, 0, f"{m['file']}:{m['line']}: {m['msg']}"))
    return errs


def target_args(env, target, torch):
    args = cuda_args(env) + ["-I", env["acl"], "-I", env["hccl"], "-I", env["npu"], "-I", env["extra"]]
    if target == "mindspore":
        for r in mindspore_roots(env["mindspore"]):
            args += ["-I", r]
    else:
        args += ["-I", env["paddle"], "-I", os.path.join(env["paddle"], "third_party")]
        args += ["-DPADDLE_WITH_CUDA"]  # a GPU custom op's build, as paddle.utils.cpp_extension does
        if torch:
            import sysconfig

            for r in paddle_compat_roots(env["paddle"]):
                args += ["-I", r]
            args += ["-I", sysconfig.get_paths()["include"]]
    return args


def torch_args(env):
    import sysconfig

    return [
        "-I", env["torch"], "-I", os.path.join(env["torch"], "torch", "csrc", "api", "include"),
        "-I", sysconfig.get_paths()["include"],
    ]


def check_group(env, cuport, target, torch, probes, work):
    """Compile one group of probes before and after `cuport fix`; return per-probe outcomes."""
    before_args = cuda_args(env) + (torch_args(env) if torch else [])
    extra = {"__functions__": set()}
    unchecked = {}
    live = list(range(len(probes)))
    tag = probes[0]["id"] if probes[0]["kind"] == "header" else ("torch" if torch else "c")
    path = os.path.join(work, f"probes_{target}_{tag}.cu")
    for _round in range(6):
        src, spans = probe_source([probes[i] for i in live], torch, {
            "__functions__": extra["__functions__"],
            **{k: extra.get(live[k], []) for k in range(len(live))},
        })
        with open(path, "w") as f:
            f.write(src)
        errs = compile_file(before_args, path)
        if not errs:
            break
        failing = {}
        for line, col, msg in errs:
            k = probe_of(line, spans)
            if k is None:
                return {"error": f"the probe file does not compile (line {line}): {msg}"}
            m = UNDECLARED_RE.search(msg)
            if m and live[k] not in failing:
                name = m.group(1) or m.group(2)
                text = src.splitlines()[line - 1][col - 1:]
                if re.match(re.escape(name) + r"\s*[(<]", text):
                    extra["__functions__"].add(name)
                else:
                    lst = extra.setdefault(live[k], [])
                    if name not in lst:
                        lst.append(name)
                continue
            failing.setdefault(live[k], msg)
        # A probe that fails for another reason than a missing name cannot be checked.
        unchecked.update(failing)
        live = [i for i in live if i not in unchecked]
    src, spans = probe_source([probes[i] for i in live], torch, {
        "__functions__": extra["__functions__"],
        **{k: extra.get(live[k], []) for k in range(len(live))},
    })
    with open(path, "w") as f:
        f.write(src)
    left = compile_file(before_args, path)
    if left:
        return {"error": f"the CUDA probe file still does not compile: {left[:3]}"}
    fix = subprocess.run(
        [cuport, "fix", "--write", "--target", target, os.path.basename(path)],
        cwd=work, capture_output=True, text=True, errors="replace",
    )
    if fix.returncode not in (0, 1):
        return {"error": f"cuport fix failed: {fix.stderr[-500:]}"}
    with open(path) as f:
        after = f.read()
    # Probe spans move with the annotations cuport adds: find them again by their markers.
    spans_after = []
    lines = after.splitlines()
    starts = [n + 1 for n, l in enumerate(lines) if "cuport_probe_" in l or l.startswith("// probe ")]
    for n, s in enumerate(starts):
        spans_after.append((s, (starts[n + 1] - 1) if n + 1 < len(starts) else len(lines)))
    errs = compile_file(target_args(env, target, torch) + (torch_args(env) if torch and target == "mindspore" else []), path)
    # A probe cuport left as it was (the rule was refused in this context, with its reason in
    # the annotation) tests no rewrite: it is reported as refused, not as broken or checked.
    def code(text_lines):
        return [l.strip() for l in text_lines if l.strip() and "// cuport[" not in l]

    src_lines = src.splitlines()
    refused = {}
    for k, (a, b) in enumerate(spans_after):
        if k >= len(live):
            break
        before_body = code(src_lines[spans[k][0] - 1:spans[k][1]])
        after_body = code(lines[a - 1:b])
        if before_body == after_body:
            why = [l.strip() for l in lines[a - 1:b] if "not rewritten here" in l]
            refused[live[k]] = why[0] if why else "left unchanged"
    broken = {}
    for line, _col, msg in errs:
        k = probe_of(line, spans_after)
        if k is None:
            broken.setdefault(None, msg)
        elif live[k] not in refused:
            broken.setdefault(live[k], f"{msg}  [{lines[line - 1].strip()}]")
    live = [i for i in live if i not in refused]
    return {"live": live, "unchecked": unchecked, "broken": broken, "refused": refused}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cuport", default=os.path.join(REPO, "target", "release", "cuport"))
    ap.add_argument("--json")
    ap.add_argument("--target", choices=["mindspore", "paddle"])
    ap.add_argument("--rule")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    env = toolchain()
    if not os.path.exists(a.cuport):
        sys.exit(f"compile_examples: {a.cuport} missing: cargo build --release, or pass --cuport")
    examples = load_examples(a.target, a.rule)
    types = param_types(env)
    for ex in examples:
        ex["decls"] = declarations(ex, types)
    work = tempfile.mkdtemp(prefix="cuport-examples-")
    report = {"examples": len(examples), "targets": {}}
    failed = False
    groups = []
    for target in ("mindspore", "paddle"):
        for torch in (False, True):
            key = f"{target}{'/torch-ext' if torch else ''}"
            group = [
                e for e in examples
                if e["target"] == target and e["torch"] == torch and e["kind"] != "header"
            ]
            groups.append((key, target, torch, group))
            for e in examples:
                if e["target"] == target and e["torch"] == torch and e["kind"] == "header":
                    groups.append((f"{key}/{e['id']}", target, torch, [e]))
    for key, target, torch, group in groups:
            if not group:
                continue
            res = check_group(env, a.cuport, target, torch, group, work)
            if "error" in res:
                report["targets"][key] = {"error": res["error"]}
                failed = True
                print(f"{key}: {res['error']}")
                continue
            broken = [
                {"rule": group[i]["id"], "example": group[i]["cuda"], "error": msg}
                for i, msg in sorted(res["broken"].items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
                if i is not None
            ]
            if None in res["broken"]:
                broken.append({"rule": "(file)", "example": "", "error": res["broken"][None]})
            unchecked = [
                {"rule": group[i]["id"], "example": group[i]["cuda"], "error": msg}
                for i, msg in sorted(res["unchecked"].items())
            ]
            checked = len(res["live"])
            refused = [
                {"rule": group[i]["id"], "example": group[i]["cuda"], "why": why}
                for i, why in sorted(res["refused"].items())
            ]
            report["targets"][key] = {
                "examples": len(group), "checked": checked,
                "compile_after": checked - len([b for b in broken if b["rule"] != "(file)"]),
                "broken": broken, "unchecked": unchecked, "refused": refused,
            }
            failed |= bool(broken)
            print(f"{key}: {len(group)} direct example(s), {checked} rewritten and compiled, "
                  f"{len(broken)} broken by the rewrite, {len(refused)} refused in context, "
                  f"{len(unchecked)} not checkable")
            for b in broken[:40]:
                print(f"  broken {b['rule']}: {b['example']}\n    {b['error']}")
            for u in unchecked[:10]:
                print(f"  unchecked {u['rule']}: {u['example']}\n    {u['error']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)
    if a.keep:
        print(f"probe files: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
