#!/usr/bin/env python3
"""Derive declaration-only test headers for ops-blas and ops-fft (no wheel ships them).

    tools/derive_cann_headers.py OPS_BLAS_CHECKOUT OPS_FFT_CHECKOUT [--out tools/oracle-include]

The compile oracle needs the `aclblas*` / `aclblasLt*` / `aclfft*` declarations that cuport's
cuBLAS and cuFFT rules rewrite to. They live in the public hicann/ops-blas and hicann/ops-fft
repositories (`include/cann_ops_blas*.h`, `include/cann_ops_fft.h`). This script does not copy
those files: it asks clang-19 for their AST (JSON) and writes the facts it holds — function
names with their parameter types, enum names with their values, struct layouts, type aliases —
and the numeric `#define` constants as fresh declarations, one per line. Comments, macros, inline code and layout are not carried.

Each CHECKOUT is a folder with the repository's `include/` (a work tree, or files written out
of a bare snapshot with `git show`). AscendCL's `acl/acl.h` must be reachable: CUPORT_ACL_INCLUDE
(from scripts/toolchain.sh) or ~/.cache/cuport/toolchain/acl/include.
"""

import argparse
import json
import os
import re
import subprocess
import sys

HEADERS = [
    ("blas", "cann_ops_blas_common.h", []),
    ("blas", "cann_ops_blas.h", ["cann_ops_blas_common.h"]),
    ("blas", "cann_ops_blasLt.h", ["cann_ops_blas_common.h"]),
    ("fft", "cann_ops_fft.h", []),
]


def ast_of(clang, header, includes):
    args = [clang, "-x", "c++", "-std=c++17", "-fsyntax-only", "-w", "-Xclang", "-ast-dump=json"]
    for i in includes:
        args += ["-I", i]
    p = subprocess.run(args + [header], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"derive_cann_headers: clang failed on {header}:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout)


class FileTracker:
    """clang's JSON omits a location's file when it equals the previous one printed; replay it."""

    def __init__(self):
        self.cur = None

    def visit(self, node):
        if isinstance(node, dict):
            if "offset" in node and "file" in node:
                self.cur = node["file"]
            for v in node.values():
                self.visit(v)
        elif isinstance(node, list):
            for v in node:
                self.visit(v)

    def file_of(self, decl):
        loc = decl.get("loc", {})
        for key in ("spellingLoc", "expansionLoc"):
            if key in loc:
                loc = loc[key]
                break
        if "file" in loc:
            self.cur = loc["file"]
        f = self.cur
        self.visit(decl)
        return f


def declarator(qual_type, name):
    """`T name` for a qualType, with arrays and function pointers put the C way."""
    m = re.fullmatch(r"(.*?)\s*(\[\d*\](?:\[\d*\])*)", qual_type)
    if m:
        return f"{m.group(1)} {name}{m.group(2)}"
    if "(*)" in qual_type:
        return qual_type.replace("(*)", f"(*{name})", 1)
    return f"{qual_type} {name}"


def enum_value(const):
    for inner in const.get("inner", []):
        if "value" in inner:
            return inner["value"]
        v = enum_value(inner)
        if v is not None:
            return v
    return None


def emit_enum(decl, out):
    fixed = decl.get("fixedUnderlyingType", {}).get("qualType")
    head = f"enum {decl.get('name', '')}".rstrip()
    if fixed:
        head += f" : {fixed}"
    items = []
    for c in decl.get("inner", []):
        if c.get("kind") != "EnumConstantDecl":
            continue
        v = enum_value(c)
        items.append(f"{c['name']} = {v}" if v is not None else c["name"])
    return f"{head} {{ {', '.join(items)} }}"


def emit_record(decl):
    tag = decl.get("tagUsed", "struct")
    fields = [
        declarator(f["type"]["qualType"], f["name"]) + ";"
        for f in decl.get("inner", [])
        if f.get("kind") == "FieldDecl"
    ]
    return f"{tag} {decl.get('name', '')}".rstrip() + " { " + " ".join(fields) + " }"


def emit(decls, out):
    """Append declarations for the top-level decls that belong to the header."""
    pending_anon = None
    for d in decls:
        kind = d.get("kind")
        if kind == "LinkageSpecDecl":
            out.append('extern "C" {')
            emit(d.get("inner", []), out)
            out.append("}")
            continue
        if d.get("isImplicit"):
            continue
        if kind in ("RecordDecl", "CXXRecordDecl"):
            if not d.get("completeDefinition"):
                out.append(f"{d.get('tagUsed', 'struct')} {d['name']};")
            elif d.get("name"):
                out.append(emit_record(d) + ";")
            else:
                pending_anon = emit_record(d)
        elif kind == "EnumDecl":
            if d.get("name"):
                out.append(emit_enum(d, out) + ";")
            else:
                pending_anon = emit_enum(d, out)
        elif kind == "TypedefDecl":
            qt = d["type"]["qualType"]
            # `typedef struct { … } X;`: the record just before has no name of its own.
            if pending_anon is not None:
                out.append(f"typedef {pending_anon} {d['name']};")
            else:
                out.append(f"typedef {declarator(qt, d['name'])};")
            pending_anon = None
        elif kind == "TypeAliasDecl":
            out.append(f"using {d['name']} = {d['type']['qualType']};")
        elif kind == "FunctionDecl":
            qt = d["type"]["qualType"]
            ret, _, params = qt.partition("(")
            out.append(f"{ret.strip()} {d['name']}({params};")
        elif kind == "VarDecl":
            out.append(f"extern {declarator(d['type']['qualType'], d['name'])};")


NUMBER = re.compile(r"\(?\s*-?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?")


def numeric_macros(clang, header, includes):
    """`#define NAME <number>` lines the header itself makes (clang -E -dD marks each file)."""
    args = [clang, "-x", "c++", "-std=c++17", "-E", "-dD", "-w"]
    for i in includes:
        args += ["-I", i]
    p = subprocess.run(args + [header], capture_output=True, text=True)
    out, current = [], None
    for line in p.stdout.splitlines():
        m = re.match(r'^# \d+ "([^"]+)"', line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^#define ([A-Za-z_]\w*) (.+)$", line)
        if m and current and os.path.basename(current) == os.path.basename(header):
            if NUMBER.fullmatch(m.group(2).strip()):
                out.append(f"#define {m.group(1)} {m.group(2).strip()}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("blas")
    ap.add_argument("fft")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "oracle-include"))
    a = ap.parse_args()
    clang = os.environ.get("CUPORT_CLANG", "clang-19")
    acl = os.environ.get(
        "CUPORT_ACL_INCLUDE",
        os.path.expanduser("~/.cache/cuport/toolchain/npu/include/third_party/acl/inc"),
    )
    os.makedirs(a.out, exist_ok=True)
    for repo, name, deps in HEADERS:
        inc = os.path.join(a.blas if repo == "blas" else a.fft, "include")
        path = os.path.join(inc, name)
        ast = ast_of(clang, path, [inc, acl])
        tracker = FileTracker()
        mine = []
        for d in ast.get("inner", []):
            f = tracker.file_of(d)
            if f and os.path.basename(f) == name:
                mine.append(d)
        body = numeric_macros(clang, path, [inc, acl])
        emit(mine, body)
        lines = [
            f"// Declarations derived by tools/derive_cann_headers.py from the AST of hicann/ops-{repo}",
            f"// include/{name}: names, parameter types, enum values and struct layouts only.",
            "// For type-checking cuport's rewrites (tools/compile_oracle.py); not the original header.",
            "#pragma once",
            "#include <stddef.h>",
            "#include <stdint.h>",
            "#include <stdio.h>",
            "#include <acl/acl.h>",
        ]
        lines += [f'#include "{dep}"' for dep in deps]
        lines += body
        with open(os.path.join(a.out, name), "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{name}: {len(body)} declaration line(s)")


if __name__ == "__main__":
    main()
