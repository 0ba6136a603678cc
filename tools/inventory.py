#!/usr/bin/env python3
"""Build cuport's target-name inventory (rewrite-rules/inventory/).

The inventory lists every API name that really exists in the target stacks, so
that a test can prove that each name cuport suggests is real:

  paddle-python.txt      public Python names of the paddlepaddle wheel
  paddle-cpp.txt         C++ names (qualified) + macros from the wheel's headers
  paddle-headers.txt     header paths, spelled as a user would #include them
  mindspore-python.txt   public Python names of the mindspore wheel
  mindspore-cpp.txt      C++ names (qualified) + macros from the wheel's headers
  mindspore-headers.txt  header paths, spelled as a user would #include them
  cann.txt               CANN C names (AscendCL, aclnn, aclblas/aclfft, HCCL)
  cann-headers.txt       CANN header paths cited by the reference
  cann-headers-sources.tsv  header <TAB> reference line that cites it
  VERSIONS               versions, date, python, reference lists used
  allowlist.tsv          hand-maintained: names that exist but cannot be
                         extracted (kept as is when it already exists)

How it works: a virtualenv (default /tmp/cuport-inventory-venv) gets
`pip install paddlepaddle==X mindspore==Y`; this same file is then run inside
that venv in "--helper-python" mode, once per package, to walk the public
modules; the C++ headers shipped in the wheels are scanned with a regex-based
extractor by the calling interpreter; CANN names are copied from the shared
reference name lists.  Standard library only (apart from the installed wheels).
Every list file is sorted and de-duplicated; rerunning produces the same files
(VERSIONS' `generated:` line carries the date; set SOURCE_DATE_EPOCH to pin it).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as _dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PADDLE = "3.3.1"
DEFAULT_MINDSPORE = "2.10.0"
DEFAULT_VENV = "/tmp/cuport-inventory-venv"

REPO = Path(__file__).resolve().parent.parent

# Environment for every process that imports the wheels: no network is needed or
# wanted.  Proxies point at a closed local port so that any HTTP attempt fails fast.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "PIP_NO_INDEX": "1",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "no_proxy": "",
    "GLOG_minloglevel": "3",
    "GLOG_v": "0",
    "FLAGS_call_stack_level": "0",
    "CUDA_VISIBLE_DEVICES": "",
    "PYTHONWARNINGS": "ignore",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def log(msg: str) -> None:
    print(f"[inventory] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------
# Python name walker (runs INSIDE the venv, in --helper-python mode)
# ----------------------------------------------------------------------------

# submodule names never imported by the discovery step (tests, entry points)
_SKIP_SUBMODULES = {"tests", "test", "testing", "unittests", "conftest", "setup", "__main__"}


class _ImportTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so library code cannot swallow it."""


def helper_python(top: str, out_path: str, deadline_s: float, import_timeout: int,
                  max_names: int, discover: bool) -> None:
    import importlib
    import inspect
    import pkgutil
    import signal
    import types
    import warnings

    warnings.filterwarnings("ignore")
    t0 = time.time()
    names: set[str] = set()
    errors: list[str] = []
    stats = {"modules": 0, "import_failed": 0, "deadline_hit": False, "size_guard_hit": False}

    def on_alarm(signum, frame):  # noqa: ARG001
        raise _ImportTimeout()

    signal.signal(signal.SIGALRM, on_alarm)

    def guarded(fn, *args):
        signal.alarm(import_timeout)
        try:
            return fn(*args)
        finally:
            signal.alarm(0)

    def in_pkg(modname) -> bool:
        return isinstance(modname, str) and (modname == top or modname.startswith(top + "."))

    def origin_of(v):
        if isinstance(v, types.ModuleType):
            return getattr(v, "__name__", None)
        try:
            if inspect.isclass(v) or inspect.isroutine(v):
                return getattr(v, "__module__", None)
            return type(v).__module__
        except Exception:  # noqa: BLE001
            return None

    simple = (int, float, complex, str, bytes, bool, type(None))

    def keep(v, attr, all_, modname, is_pkg) -> bool:
        """Is attribute `attr` of module `modname` part of that module's public surface?"""
        if attr in all_:
            return True
        org = origin_of(v)
        if org is None:
            return True          # cannot tell (e.g. pybind builtins): keep
        if isinstance(v, simple) and org == "builtins":
            return True          # module-level constants
        if not in_pkg(org):
            return False         # typing, numpy, functools ... imported for internal use
        # names a plain module merely imports from elsewhere in the package are not
        # its API; a package __init__ re-exporting them is (paddle.nn.Linear)
        return is_pkg or org == modname or not inspect.isclass(v) and not inspect.isroutine(v)

    import heapq

    root = importlib.import_module(top)
    queue: list = [(top, 0, root)]      # heap ordered by module name: deterministic walk
    seq = [0]

    def push(name, m):
        seq[0] += 1
        heapq.heappush(queue, (name, seq[0], m))
    visited: set[str] = {top}       # canonical module names already walked
    walked_paths: set[str] = set()
    names.add(top)

    class_paths: dict = {}   # id(class) -> (class, {path: exported?})
    alias_paths: set = set()  # module paths walked under an alias name

    def is_public_class(k) -> bool:
        """k is listed somewhere and its defining module is not private."""
        mod_ = getattr(k, "__module__", "") or ""
        return id(k) in class_paths and not any(p.startswith("_") for p in mod_.split("."))

    def add_class_members(path, cls):
        """Members of cls under `path`: its own ones, and inherited ones unless a
        public ancestor carries them (paddle.nn.Layer.parameters is listed under
        paddle.nn.Layer, not under every layer class)."""
        try:
            members = dir(cls)
            mro = inspect.getmro(cls)
        except Exception:  # noqa: BLE001
            return
        for m in members:
            if m.startswith("_"):
                continue
            covered = False
            for k in mro:
                try:
                    own = m in vars(k)
                except TypeError:
                    own = False
                if k is not cls and (k is object or is_public_class(k)):
                    covered = True
                    break
                if own:
                    break
            if not covered:
                names.add(f"{path}.{m}")

    def walk_module(path, mod, recurse):
        stats["modules"] += 1
        walked_paths.add(path)
        try:
            attrs = sorted(set(dir(mod)))
        except Exception as e:  # noqa: BLE001
            errors.append(f"dir({path}): {e!r}")
            return
        modname = getattr(mod, "__name__", path)
        is_pkg = hasattr(mod, "__path__")
        all_ = getattr(mod, "__all__", None)
        try:
            all_ = set(all_) if all_ is not None else set()
        except Exception:  # noqa: BLE001
            all_ = set()
        mtype = type(mod)
        if mtype is not types.ModuleType and in_pkg(getattr(mtype, "__module__", "")):
            # a custom module class (paddle.ops is a PaddleOpsModule): its public
            # methods are reachable as module attributes but not listed by dir(module)
            for k in inspect.getmro(mtype):
                if k is types.ModuleType or k is object:
                    break
                for a in vars(k):
                    if not a.startswith("_"):
                        names.add(f"{path}.{a}")
        for a in attrs:
            if a.startswith("_"):
                continue
            try:
                v = guarded(getattr, mod, a)
            except BaseException:  # noqa: BLE001
                continue
            full = f"{path}.{a}"
            if isinstance(v, types.ModuleType):
                vname = getattr(v, "__name__", "")
                if not in_pkg(vname):
                    continue
                if any(p.startswith("_") for p in vname.split(".")):
                    continue
                if vname == full:
                    names.add(full)
                    if recurse and vname not in visited:
                        visited.add(vname)
                        push(vname, v)
                    continue
                # a module bound under another name (`import paddle` inside a module,
                # `from . import core`): not API, unless the module exports it
                # (__all__) or it is a package exposing one of its own submodules
                if not (a in all_ or (is_pkg and vname.startswith(modname + "."))):
                    continue
                names.add(full)
                if recurse:
                    if vname not in visited:
                        visited.add(vname)
                        push(vname, v)
                    if full not in walked_paths:
                        walk_module(full, v, recurse=False)
                        alias_paths.add(full)
                continue
            if not keep(v, a, all_, modname, is_pkg):
                continue
            names.add(full)
            if inspect.isclass(v):
                entry = class_paths.setdefault(id(v), (v, {}))
                entry[1][full] = entry[1].get(full, False) or is_pkg or a in all_

    def discover_children(path, mod):
        mpath = getattr(mod, "__path__", None)
        if not mpath:
            return
        try:
            infos = sorted(pkgutil.iter_modules(mpath), key=lambda i: i.name)
        except Exception:  # noqa: BLE001
            return
        for info in infos:
            sub = info.name
            if sub.startswith("_") or sub in _SKIP_SUBMODULES:
                continue
            cname = f"{path}.{sub}"
            if cname in visited:
                continue
            if time.time() - t0 > deadline_s:
                stats["deadline_hit"] = True
                return
            try:
                m = guarded(importlib.import_module, cname)
            except BaseException as e:  # noqa: BLE001
                stats["import_failed"] += 1
                errors.append(f"import {cname}: {type(e).__name__}: {str(e)[:200]}")
                continue
            visited.add(cname)
            names.add(cname)
            push(cname, m)

    while queue:
        if time.time() - t0 > deadline_s:
            stats["deadline_hit"] = True
            errors.append(f"deadline of {deadline_s}s hit; {len(queue)} modules not walked")
            break
        if len(names) > max_names:
            stats["size_guard_hit"] = True
            errors.append(f"size guard of {max_names} names hit; {len(queue)} modules not walked")
            break
        path, _, mod = heapq.heappop(queue)
        walk_module(path, mod, recurse=True)
        if discover:
            discover_children(path, mod)

    # class members (methods, properties, attributes) are listed under the
    # shortest path(s) of each class and under every path where a package
    # re-exports it or a module lists it in __all__ (paddle.Tensor.copy_,
    # paddle.device.Stream.synchronize), not under every module that merely
    # imports the class for its own use.
    for cls, paths in class_paths.values():
        depth = min(p.count(".") for p in paths)
        for p in sorted(paths):
            d = p.count(".")
            if d == depth or (paths[p] and d <= depth + 1
                              and not any(p.startswith(a + ".") for a in alias_paths)):
                add_class_members(p, cls)

    extra = {}
    if top == "mindspore":
        try:
            from mindspore.ops import CustomOpBuilder  # type: ignore
            b = CustomOpBuilder("inventory_probe", ["probe.cpp"], backend="CPU")
            extra["include_paths"] = [str(p) for p in b.get_include_paths()]
        except BaseException as e:  # noqa: BLE001
            errors.append(f"CustomOpBuilder.get_include_paths: {e!r}")
    elif top == "paddle":
        try:
            from paddle.utils.cpp_extension import extension_utils as eu  # type: ignore
            extra["include_paths"] = [str(p) for p in eu.find_paddle_includes(False)]
        except BaseException as e:  # noqa: BLE001
            errors.append(f"find_paddle_includes: {e!r}")
    extra["package_dir"] = os.path.dirname(os.path.abspath(root.__file__))

    out = {
        "top": top,
        "version": getattr(root, "__version__", "?"),
        "python": sys.version.split()[0],
        "names": sorted(n for n in names if not any(p.startswith("_") for p in n.split("."))),
        "errors": errors,
        "stats": stats,
        "seconds": round(time.time() - t0, 1),
        **extra,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip interpreter teardown (background threads of the wheels)


# ----------------------------------------------------------------------------
# C++ header extractor (regex based, runs in the calling interpreter)
# ----------------------------------------------------------------------------

_CPP_KEYWORDS = {
    "if", "for", "while", "switch", "return", "sizeof", "static_assert", "alignof", "typeid",
    "catch", "throw", "new", "delete", "decltype", "noexcept", "using", "typedef", "do", "else",
    "case", "default", "goto", "operator", "template", "typename", "class", "struct", "union",
    "enum", "namespace", "const", "volatile", "static", "inline", "virtual", "explicit", "extern",
    "constexpr", "consteval", "constinit", "friend", "mutable", "register", "thread_local", "auto",
    "void", "int", "char", "bool", "float", "double", "long", "short", "signed", "unsigned",
    "public", "private", "protected", "this", "true", "false", "nullptr", "override", "final",
    "asm", "__asm__", "requires", "co_await", "co_return", "co_yield", "alignas",
}

_SKIP_NAMESPACES = {"detail", "details", "internal"}

_RE_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)
_RE_IDENT = re.compile(r"[A-Za-z_]\w*")
_RE_ACCESS = re.compile(r"^\s*(public|protected|private)\s*:(?!:)")
_RE_MACRO_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def strip_comments_and_strings(text: str) -> str:
    """Remove // and /* */ comments; replace string/char literal bodies with nothing."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n:
            d = text[i + 1]
            if d == "/":
                j = text.find("\n", i)
                # a // comment continued by backslash-newline continues; rare, ignore
                i = n if j < 0 else j
                continue
            if d == "*":
                j = text.find("*/", i + 2)
                seg = text[i:(n if j < 0 else j + 2)]
                out.append("\n" * seg.count("\n") or " ")
                i = n if j < 0 else j + 2
                continue
        if c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^()\\ ]{0,16})\(', text[i:])
            if m:
                end = text.find(")" + m.group(1) + '"', i)
                if end >= 0:
                    out.append('""')
                    i = end + len(m.group(1)) + 2
                    continue
        if c == '"' or (c == "'" and not (i > 0 and (text[i - 1].isalnum()))):
            # a ' between digits (1'000) is a digit separator, not a char literal
            q = c
            j = i + 1
            while j < n and text[j] != q:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    break
                j += 1
            out.append(q + q)
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _skip_balanced(s: str, i: int, open_c: str, close_c: str) -> int:
    """s[i] == open_c; return index just past the matching close_c (or len)."""
    depth = 0
    n = len(s)
    while i < n:
        ch = s[i]
        if ch == open_c:
            depth += 1
        elif ch == close_c:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _remove_call_like(s: str, pattern: re.Pattern) -> str:
    """Remove `KEYWORD(...)` groups (balanced parens) matched by pattern (ending before '(')."""
    while True:
        m = pattern.search(s)
        if not m:
            return s
        j = m.end()
        while j < len(s) and s[j].isspace():
            j += 1
        if j < len(s) and s[j] == "(":
            k = _skip_balanced(s, j, "(", ")")
            s = s[:m.start()] + " " + s[k:]
        else:
            s = s[:m.start()] + " " + s[m.end():]


_RE_ATTRS = re.compile(r"\b(?:__attribute__|__declspec|alignas|decltype|__pragma|_Pragma)\b")


def _strip_template_prefix(s: str) -> str:
    s = s.lstrip()
    while True:
        m = re.match(r"template\s*<", s)
        if not m:
            return s
        k = _skip_balanced(s, m.end() - 1, "<", ">")
        s = s[k:].lstrip()


def _strip_leading_macro_calls(s: str) -> str:
    """Drop leading `UPPER_MACRO(...)` invocations that precede a real declaration."""
    while True:
        s = s.lstrip()
        m = re.match(r"([A-Z][A-Z0-9_]*)\s*\(", s)
        if not m:
            return s
        k = _skip_balanced(s, m.end() - 1, "(", ")")
        rest = s[k:].strip()
        if not rest:
            return s      # the whole statement is a macro call
        s = rest


def _clean_head(head: str) -> str:
    head = re.sub(r"\[\[.*?\]\]", " ", head, flags=re.S)
    head = _remove_call_like(head, _RE_ATTRS)
    head = _strip_template_prefix(head)
    head = re.sub(r"\s+", " ", head).strip()
    return head


def _name_before(s: str, idx: int) -> str | None:
    """Qualified identifier that ends right before s[idx] (skipping spaces and <...>)."""
    j = idx - 1
    while j >= 0 and s[j].isspace():
        j -= 1
    if j >= 0 and s[j] == ">":
        depth = 0
        while j >= 0:
            if s[j] == ">":
                depth += 1
            elif s[j] == "<":
                depth -= 1
                if depth == 0:
                    j -= 1
                    break
            j -= 1
        while j >= 0 and s[j].isspace():
            j -= 1
    end = j + 1
    while j >= 0 and (s[j].isalnum() or s[j] in "_:~"):
        j -= 1
    name = s[j + 1:end].strip(":")
    return name or None


def _first_top_level(s: str, chars: str) -> int:
    depth_p = depth_a = depth_b = 0
    for i, ch in enumerate(s):
        if ch == "(":
            if depth_p == 0 and depth_a == 0 and depth_b == 0 and "(" in chars:
                return i
            depth_p += 1
        elif ch == ")":
            depth_p -= 1
        elif ch == "[":
            if depth_p == 0 and depth_a == 0 and depth_b == 0 and "[" in chars:
                return i
            depth_b += 1
        elif ch == "]":
            depth_b -= 1
        elif ch == "<":
            depth_a += 1
        elif ch == ">":
            depth_a = max(0, depth_a - 1)
        elif depth_p == 0 and depth_a == 0 and depth_b == 0 and ch in chars:
            return i
    return -1


def declared_name(head: str) -> str | None:
    """Name declared by a statement head (function, variable, field); None if unknown."""
    if not head or "operator" in re.findall(r"\b\w+\b", head):
        return None
    first = head.split(" ", 1)[0]
    if first in ("friend", "return", "static_assert", "using", "typedef", "namespace", "goto"):
        return None
    if head.startswith("~"):
        return None
    p = _first_top_level(head, "(=")
    if p < 0:
        # plain variable / field: last identifier before '[' or ':' (bit-field) or end
        b = _first_top_level(head, "[")
        body = head if b < 0 else head[:b]
        body = re.sub(r"\s*:\s*\d+\s*$", "", body)
        ids = re.findall(r"[A-Za-z_][\w:]*", body)
        if len(ids) < 2:        # need at least a type and a name
            return None
        name = ids[-1]
    elif head[p] == "=":
        name = _name_before(head, p)
        if name is None:
            return None
        if len(re.findall(r"[A-Za-z_][\w:]*", head[:p])) < 2 and "::" not in name:
            # `x = ...` without a type is an expression, not a declaration
            return None
    else:
        rest = head[p + 1:].lstrip()
        if rest.startswith(("*", "&", "^")):
            m = re.match(r"[*&^]+\s*(?:const\s+)?([A-Za-z_][\w:]*)\s*\)", rest)
            if not m:
                return None
            name = m.group(1)
        else:
            name = _name_before(head, p)
            if name is None:
                return None
            pre = head[:p].strip()
            if pre == name and _RE_MACRO_NAME.match(name.split("::")[-1]):
                return None     # a bare MACRO(...) invocation
    last = name.split("::")[-1]
    if not last or last in _CPP_KEYWORDS or last.startswith("~"):
        return None
    if not _RE_IDENT.fullmatch(last):
        return None
    return name


class CppExtractor:
    """Brace-depth scope tracker over preprocessed header text."""

    def __init__(self, keep_prefixes: tuple[str, ...] = ()) -> None:
        self.all_names: set[str] = set()         # everything seen (for alias lookup)
        self.names: set[str] = set()             # what is reported
        self.macros: set[str] = set()
        self.kinds: dict[str, str] = {}          # qualified name -> 'class'|'enum'|'ns'
        # (alias, target, ctx, is_namespace_alias)
        self.aliases: list[tuple[str, str, tuple[str, ...], bool]] = []
        self.keep_prefixes = keep_prefixes       # kept from out-of-scope files too
        self.in_scope = True                     # current file's names are reported

    # -- helpers -----------------------------------------------------------
    @staticmethod
    def _private(q: str) -> bool:
        return any(p.startswith("_") or p in _SKIP_NAMESPACES for p in q.split("::") if p)

    def _add(self, q: str) -> None:
        q = q.strip(":")
        if q and not self._private(q):
            self.all_names.add(q)
            if self.in_scope or q.startswith(self.keep_prefixes):
                self.names.add(q)

    def parse_file(self, path: Path, in_scope: bool = True) -> None:
        self.in_scope = in_scope
        try:
            raw = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        text = strip_comments_and_strings(raw)
        text = text.replace("\\\r\n", " ").replace("\\\n", " ")
        for m in _RE_DEFINE.finditer(text):
            if not m.group(1).startswith("_"):
                self.macros.add(m.group(1))
        # drop preprocessor lines
        text = re.sub(r"^[ \t]*#.*$", " ", text, flags=re.M)
        self._scan(text)

    # -- scanner ----------------------------------------------------------
    def _scan(self, text: str) -> None:
        # stack entries: dict(kind, name(s), access, scoped, typedef)
        stack: list[dict] = []
        buf: list[str] = []
        paren = 0
        pending_decl = False

        def prefix() -> list[str] | None:
            parts: list[str] = []
            for e in stack:
                if e["kind"] == "opaque":
                    return None
                if e["kind"] == "anon":
                    return None
                parts.extend(e["names"])
            return parts

        def cur_access_ok() -> bool:
            for e in stack:
                if e["kind"] == "class" and e["access"] != "public":
                    return False
            return True

        def qual(parts: list[str], name: str) -> str:
            return "::".join(parts + [name]) if parts else name

        def take_access(h: str) -> str:
            while True:
                m = _RE_ACCESS.match(h)
                if not m:
                    return h
                if stack and stack[-1]["kind"] == "class":
                    stack[-1]["access"] = m.group(1)
                h = h[m.end():]

        for ch in text:
            if ch == "(":
                paren += 1
                buf.append(ch)
                continue
            if ch == ")":
                paren = max(0, paren - 1)
                buf.append(ch)
                continue
            if paren > 0 or ch not in "{};":
                buf.append(ch)
                continue
            head = take_access("".join(buf))
            buf = []
            top = stack[-1] if stack else None
            if top is not None and top["kind"] == "enum" and ch != "}":
                # braces/semicolons inside an enum body: treat as text
                buf = [head, ch]
                continue
            if ch == "{":
                stack.append(self._open_scope(head, prefix(), cur_access_ok()))
                pending_decl = False
                continue
            if ch == "}":
                if top is None:
                    continue
                if top["kind"] == "enum":
                    self._enumerators(head, top, stack[:-1], prefix())
                stack.pop()
                pending_decl = top["kind"] in ("class", "enum")
                continue
            # ch == ';'
            parts = prefix()
            if parts is None:
                pending_decl = False
                continue
            if pending_decl:
                pending_decl = False
                for d in head.split(","):
                    m = re.fullmatch(r"\s*[*&\s]*(?:const\s+)?([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*", d)
                    if m and m.group(1) not in _CPP_KEYWORDS and cur_access_ok():
                        self._add(qual(parts, m.group(1)))
                continue
            if cur_access_ok():
                self._statement(head, parts)

    def _open_scope(self, head: str, parts: list[str] | None, access_ok: bool) -> dict:
        h = _clean_head(head)
        if parts is None:
            return {"kind": "opaque"}
        # extern "C" {
        if re.fullmatch(r'extern\s*""', h):
            return {"kind": "ns", "names": []}
        m = re.fullmatch(r"(?:inline\s+)?namespace\s*([\w:\s]*?)\s*", h)
        if m:
            raw = m.group(1).strip()
            if not raw:
                return {"kind": "anon"}
            segs = [p.strip() for p in raw.split("::") if p.strip()]
            segs = [re.sub(r"^inline\s+", "", p) for p in segs]
            ns_names = [p for p in segs if _RE_IDENT.fullmatch(p)]
            for i in range(len(ns_names)):
                q = "::".join(parts + ns_names[: i + 1])
                self.kinds.setdefault(q, "ns")
                self._add(q)
            return {"kind": "ns", "names": ns_names}
        is_typedef = False
        if h.startswith("typedef "):
            is_typedef = True
            h = h[len("typedef "):].strip()
        m = re.fullmatch(
            r"(?:[A-Za-z_]\w*\s+)*?enum(?:\s+(class|struct))?"
            r"((?:\s+[A-Za-z_]\w*)*)\s*(?::\s*[\w:\s]+)?", h)
        if m:
            toks = (m.group(2) or "").split()
            name = toks[-1] if toks else ""
            scoped = bool(m.group(1))
            if name:
                q = "::".join(parts + [name])
                self.kinds[q] = "enum"
                if access_ok:
                    self._add(q)
            return {"kind": "enum", "names": [name] if name else [], "scoped": scoped,
                    "anon": not name, "access_ok": access_ok}
        hc = h
        while True:       # drop template argument lists: struct Foo<int, false> -> struct Foo
            hc2 = re.sub(r"<[^<>{}]*>", " ", hc)
            if hc2 == hc:
                break
            hc = hc2
        m = re.fullmatch(
            r"(?:[A-Za-z_]\w*\s+)*?(class|struct|union)"
            r"((?:\s+[A-Za-z_][\w:]*)*)\s*(?:final\s*)?(?::(?!:)[^{]*)?", hc)
        if m and not re.search(r"[()=]", re.split(r"(?<!:):(?!:)", hc)[0]):
            toks = [t for t in (m.group(2) or "").split() if t not in ("final", "alignas")]
            name = toks[-1] if toks else ""
            kind = m.group(1)
            if name:
                segs = [s for s in name.split("::") if s]
                q = "::".join(parts + segs)
                self.kinds[q] = "class"
                if access_ok:
                    self._add(q)
                return {"kind": "class", "names": segs,
                        "access": "private" if kind == "class" else "public"}
            # anonymous struct/union: members belong to the enclosing scope
            return {"kind": "ns", "names": [], "anon_record": True}
        # function body / initializer / lambda
        if access_ok and not is_typedef:
            name = declared_name(_strip_leading_macro_calls(h))
            if name:
                self._add("::".join(parts + [name]))
        return {"kind": "opaque"}

    def _enumerators(self, body: str, entry: dict, outer_stack: list[dict], parts) -> None:
        if parts is None or not entry.get("access_ok", True):
            return
        outer = parts[: len(parts) - len(entry["names"])]
        body = re.sub(r"\[\[.*?\]\]", " ", body)
        depth = 0
        items, cur = [], []
        for ch in body:
            if ch in "([{<":
                depth += 1
            elif ch in ")]}>":
                depth = max(0, depth - 1)
            if ch == "," and depth == 0:
                items.append("".join(cur))
                cur = []
            else:
                cur.append(ch)
        items.append("".join(cur))
        for it in items:
            m = re.match(r"\s*([A-Za-z_]\w*)", it)
            if not m:
                continue
            e = m.group(1)
            if entry["names"]:
                self._add("::".join(parts + [e]))
            if not entry.get("scoped"):
                self._add("::".join(outer + [e]))

    def _statement(self, head: str, parts: list[str]) -> None:
        h = _clean_head(head)
        if not h:
            return
        h = _strip_leading_macro_calls(h)
        if h.startswith("friend ") or h.startswith("static_assert"):
            return
        # using X = ...;   using ns::name;   using namespace ...;
        m = re.fullmatch(r"using\s+([A-Za-z_]\w*)\s*(?:\[\[.*?\]\]\s*)?=\s*(?:typename\s+)?(.+)", h, re.S)
        if m:
            q = "::".join(parts + [m.group(1)])
            self._add(q)
            self.aliases.append((q, m.group(2).strip(), tuple(parts), False))
            return
        m = re.fullmatch(r"using\s+(?:typename\s+)?((?:::)?[A-Za-z_][\w:]*)", h)
        if m:
            target = m.group(1)
            last = target.split("::")[-1]
            if last and _RE_IDENT.fullmatch(last) and last not in _CPP_KEYWORDS:
                q = "::".join(parts + [last])
                self._add(q)
                self.aliases.append((q, target, tuple(parts), False))
            return
        if h.startswith("using "):
            return
        m = re.fullmatch(r"namespace\s+([A-Za-z_]\w*)\s*=\s*(.+)", h)
        if m:
            q = "::".join(parts + [m.group(1)])
            self._add(q)
            # namespace alias: the alias name is real; its members are not copied
            # (that would duplicate a whole namespace)
            self.aliases.append((q, m.group(2).strip(), tuple(parts), True))
            return
        if h.startswith("typedef "):
            body = h[len("typedef "):]
            m = re.search(r"\(\s*[*&^]\s*(?:const\s+)?([A-Za-z_]\w*)\s*\)", body)
            if m:
                self._add("::".join(parts + [m.group(1)]))
                return
            b = _first_top_level(body, "[(")
            core = body if b < 0 else body[:b]
            core = re.sub(r"<.*>", " ", core)
            toks = [t for t in re.findall(r"(?:::)?[A-Za-z_][\w:]*", core)
                    if t not in ("const", "volatile", "struct", "class", "enum", "union", "typename")]
            if toks and _RE_IDENT.fullmatch(toks[-1]):
                q = "::".join(parts + [toks[-1]])
                self._add(q)
                if len(toks) >= 2:
                    self.aliases.append((q, toks[-2], tuple(parts), False))
            return
        # forward declarations: class X;  struct X;  enum class X : int;
        m = re.fullmatch(r"(?:[A-Za-z_]\w*\s+)*?(?:class|struct|union|enum(?:\s+class|\s+struct)?)"
                         r"(?:\s+[A-Za-z_]\w*)*?\s+([A-Za-z_]\w*)\s*(?::\s*[\w:\s]+)?", h)
        if m:
            self._add("::".join(parts + [m.group(1)]))
            return
        name = declared_name(h)
        if name:
            self._add("::".join(parts + [name]))

    # -- post-processing --------------------------------------------------
    def resolve_aliases(self) -> None:
        """Copy the direct members of classes/enums to the names that alias them
        (paddle::DataType = phi::DataType gives paddle::DataType::FLOAT32)."""
        for _ in range(4):
            ordered = sorted(self.all_names)
            added = 0
            for alias, target, ctx, ns_alias in self.aliases:
                if ns_alias:
                    continue
                t = re.sub(r"<.*$", "", target).strip()
                t = re.sub(r"\b(typename|struct|class|enum|const)\b", "", t).strip()
                t = t.rstrip(";").strip()
                if not re.fullmatch(r"(?:::)?[A-Za-z_][\w:]*", t):
                    continue
                absolute = t.startswith("::")
                t = t.strip(":")
                cands = [t] if absolute else ["::".join(list(ctx[:i]) + [t]) for i in range(len(ctx), -1, -1)]
                found = None
                for c in cands:
                    lo = bisect.bisect_left(ordered, c + "::")
                    if lo < len(ordered) and ordered[lo].startswith(c + "::") and \
                            self.kinds.get(c) in ("class", "enum"):
                        found = c
                        break
                if not found or found == alias or alias.startswith(found + "::") \
                        or found.startswith(alias + "::"):
                    continue
                self.kinds.setdefault(alias, self.kinds[found])
                keep = alias in self.names
                lo = bisect.bisect_left(ordered, found + "::")
                while lo < len(ordered) and ordered[lo].startswith(found + "::"):
                    suffix = ordered[lo][len(found):]
                    if suffix.count("::") != 1:      # direct members only
                        lo += 1
                        continue
                    new = alias + suffix
                    if new not in self.all_names:
                        self.all_names.add(new)
                        added += 1
                    if keep:
                        self.names.add(new)
                    lo += 1
            if not added:
                break


def iter_headers(root: Path, exclude_dirs: list[Path]):
    ex = [str(p.resolve()) + os.sep for p in exclude_dirs]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        dp = str(Path(dirpath).resolve()) + os.sep
        if any(dp.startswith(e) for e in ex):
            dirnames[:] = []
            continue
        for fn in sorted(filenames):
            if fn.endswith((".h", ".hpp", ".hh", ".hxx", ".inl", ".cuh")):
                yield Path(dirpath) / fn


_VENDORED_DIR_NAMES = {"third_party", "thirdparty", "third-party", "eigen3", "unsupported", "glog",
                       "gflags", "pybind11", "boost", "nlohmann", "securec", "protobuf", "absl",
                       "robin_hood_hashing", "dlpack", "flatbuffers", "google", "Eigen"}


def vendored_dirs(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, _ in os.walk(root):
        for d in list(dirnames):
            if d in _VENDORED_DIR_NAMES:
                out.append(Path(dirpath) / d)
                dirnames.remove(d)
    return sorted(out)


_RE_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"]', re.M)


def include_closure(entries: list[Path], roots: list[Path], excl: list[str]) -> set[Path]:
    """Headers reachable by #include from the entry headers (any #if branch)."""
    seen: set[Path] = set()
    stack = [e.resolve() for e in entries if e.is_file()]
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for m in _RE_INCLUDE.finditer(text):
            spell = m.group(1)
            for base in [p.parent] + roots:
                c = base / spell
                if c.is_file():
                    c = c.resolve()
                    if not any(str(c).startswith(e) for e in excl) and c not in seen:
                        stack.append(c)
                    break
    return seen


def extract_cpp(include_root: Path, spell_roots: list[Path], scope_globs: list[str] | None = None,
                keep_prefixes: tuple[str, ...] = (), broad_roots: list[Path] | None = None
                ) -> tuple[set[str], set[str], dict]:
    """Scan the headers below include_root (vendored dirs excluded).

    Returns (qualified C++ names + macro names, header spellings, stats).
    scope_globs: if given, qualified names are reported only for headers matching these
    globs (relative to include_root) and the headers they #include (transitively), plus
    names starting with keep_prefixes from any header; macros are reported from all
    headers.  Header spellings below broad_roots are listed for in-scope headers only.
    """
    excl = vendored_dirs(include_root)
    excl_res = [str(e.resolve()) + os.sep for e in excl]
    roots = sorted({p.resolve() for p in spell_roots if p.exists()}, key=str)
    roots = [r for r in roots if not any((str(r) + os.sep).startswith(e) for e in excl_res)]
    closure = None
    if scope_globs is not None:
        entries = sorted({p for g in scope_globs for p in include_root.glob(g) if p.is_file()})
        closure = include_closure(entries, roots, excl_res)
    broad = {b.resolve() for b in (broad_roots or [])}
    ex = CppExtractor(keep_prefixes)
    headers: set[str] = set()
    n = 0
    for h in iter_headers(include_root, excl):
        n += 1
        hr = h.resolve()
        in_scope = closure is None or hr in closure
        ex.parse_file(h, in_scope)
        for r in roots:
            if r in broad and not in_scope:
                continue
            try:
                rel = hr.relative_to(r)
            except ValueError:
                continue
            headers.add(rel.as_posix())
    ex.resolve_aliases()
    valid = re.compile(r"[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*")
    bad = {q for q in ex.names if not valid.fullmatch(q)}
    names = (set(ex.names) - bad) | ex.macros
    stats = {"headers_parsed": n, "names": len(ex.names) - len(bad), "macros": len(ex.macros),
             "dropped_malformed": sorted(bad)[:20], "dropped_malformed_count": len(bad),
             "spelling_roots": [str(r) for r in roots],
             "excluded_dirs": [str(e.relative_to(include_root)) for e in excl],
             "scope_headers": len(closure) if closure is not None else n}
    return names, headers, stats


# ----------------------------------------------------------------------------
# CANN names (copied from the shared reference lists)
# ----------------------------------------------------------------------------

CANN_LISTS = [
    ("ascendcl-names.txt", "plain"),
    ("aclnn-names.txt", "plain"),
    ("aclblas-aclfft-names.txt", "plain"),
    ("acl-cblas-legacy-names.txt", "plain"),
    ("hccl-names.txt", "plain"),
    ("ascendcl-runtime-decls.txt", "decl"),          # name: signature
    ("mindspore-op-to-aclnn.txt", "op2aclnn"),       # ms_op => aclnnA,aclnnB,
]

_C_IDENT = re.compile(r"^[A-Za-z_]\w*$")


def read_cann_names(names_dir: Path) -> tuple[set[str], list[str], list[str]]:
    out: set[str] = set()
    used, problems = [], []
    for fn, fmt in CANN_LISTS:
        p = names_dir / fn
        if not p.exists():
            problems.append(f"missing reference list {p}")
            continue
        used.append(fn)
        for ln, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if fmt == "plain":
                cands = [line]
            elif fmt == "decl":
                cands = [line.split(":", 1)[0].strip()]
            else:
                rhs = line.split("=>", 1)[1] if "=>" in line else ""
                cands = [c.strip() for c in rhs.split(",") if c.strip()]
            for c in cands:
                if _C_IDENT.match(c):
                    out.add(c)
                else:
                    problems.append(f"{fn}:{ln}: not an identifier: {c!r}")
    return out, used, problems


# Enumerator names of the ops-blas / ops-fft headers (ACLBLASLT_MATMUL_DESC_TRANSA …), which the
# shared name list does not carry: read from the declarations tools/derive_cann_headers.py
# re-emitted from clang's AST of hicann/ops-blas and hicann/ops-fft (tools/oracle-include/).
DERIVED_CANN_HEADERS = ["cann_ops_blas.h", "cann_ops_blasLt.h", "cann_ops_fft.h"]
_ENUM_BODY = re.compile(r"\benum\s+\w*\s*\{([^}]*)\}")


def derived_cann_enumerators(oracle_dir: Path) -> tuple[set[str], list[str], list[str]]:
    out: set[str] = set()
    used, problems = [], []
    for fn in DERIVED_CANN_HEADERS:
        p = oracle_dir / fn
        if not p.exists():
            problems.append(f"missing derived header {p}")
            continue
        used.append(fn)
        for body in _ENUM_BODY.findall(p.read_text(encoding="utf-8")):
            for item in body.split(","):
                name = item.split("=", 1)[0].strip()
                if _C_IDENT.match(name):
                    out.add(name)
    return out, used, problems


# CANN header spellings: (include spelling, regex that must match the citing line
# of ascend-mindspore.md).  The reference cites repository paths; the spelling is
# the path below the directory CANN puts on the include path.
CANN_HEADER_EVIDENCE = [
    ("acl/acl.h", r'"acl/acl\.h"'),
    ("acl/acl_rt.h", r"(?:include/external|inc)/acl/acl_rt\.h"),
    ("acl/acl_base.h", r"third_party/acl/inc/acl/acl_rt\.h`, `acl_base\.h"),
    ("acl/acl_base_rt.h", r"include/external/acl/acl_base_rt\.h"),
    ("acl/error_codes/rt_error_codes.h", r"include/external/acl/error_codes/rt_error_codes\.h"),
    ("acl/ops/acl_cblas.h", r"acl/ops/acl_cblas\.h"),
    ("hccl/hccl.h", r"inc/hccl/hccl\.h"),
    ("hccl/hccl_types.h", r"inc/hccl/hccl\.h`, `hccl_types\.h"),
    ("cann_ops_blas.h", r"include/cann_ops_blas\.h"),
    ("cann_ops_blasLt.h", r"include/cann_ops_blasLt\.h"),
    ("cann_ops_fft.h", r"include/cann_ops_fft\.h"),
    ("kernel_operator.h", r'#include "kernel_operator\.h"'),
    ("simt_api/asc_simt.h", r"simt_api/asc_simt\.h"),
    ("simt_api/asc_fp16.h", r"simt_api/asc_fp16\.h"),
    ("simt_api/asc_bf16.h", r"simt_api/asc_fp16\.h`\); bf16 in `asc_bf16\.h"),
    ("simt_api/asc_fp8.h", r"fp8/hif8 in `asc_fp8\.h"),
    ("simt_api/cooperative_groups.h", r"simt_api/cooperative_groups\.h"),
]


def cann_headers(ref_md: Path) -> tuple[dict[str, str], list[str]]:
    lines = ref_md.read_text(encoding="utf-8").splitlines()
    src: dict[str, str] = {}
    problems: list[str] = []
    for header, pat in CANN_HEADER_EVIDENCE:
        rx = re.compile(pat)
        for i, line in enumerate(lines, 1):
            if rx.search(line):
                src[header] = f"{ref_md.name}:{i}"
                break
        else:
            problems.append(f"no reference line cites {header} (pattern {pat!r}); not listed")
    # every aclnn_<op>.h the reference cites -> aclnnop/aclnn_<op>.h (the spelling of
    # ascend-mindspore.md §2.1: include "aclnnop/aclnn_<op>.h")
    if not any('"aclnnop/aclnn_<op>.h"' in ln for ln in lines):
        problems.append('reference no longer spells "aclnnop/aclnn_<op>.h"; aclnn headers skipped')
    else:
        for i, line in enumerate(lines, 1):
            for m in re.finditer(r"(?<![\w/])((?:[\w./…-]*/)?)(aclnn_[a-z0-9_]+\.h)", line):
                if re.search(r"pyboost|mindspore|include/kernel", m.group(1)):
                    continue        # a MindSpore header (aclnn_op_runner.h), not a CANN one
                src.setdefault(f"aclnnop/{m.group(2)}", f"{ref_md.name}:{i}")
    return src, problems


# ----------------------------------------------------------------------------
# header spellings
# ----------------------------------------------------------------------------

PADDLE_SPELL_ROOTS_FALLBACK = [
    "",                                                  # paddle/include
    "paddle/phi/api/include/compat",
    "paddle/phi/api/include/compat/torch/csrc/api/include",
]
MINDSPORE_SPELL_ROOTS_FALLBACK = [   # relative to site-packages/mindspore (CustomOpBuilder 2.10.0)
    "", "include",
    "include/mindspore/include", "include/mindspore/core/include",
    "include/mindspore/core/mindrt/include", "include/mindspore/core/mindrt",
    "include/mindspore/ops", "include/mindspore/ops/include",
    "include/mindspore/ops/kernel/include", "include/mindspore/ccsrc",
    "include/mindspore/ccsrc/include", "include/mindspore/ccsrc/minddata/mindrecord/include",
]


# MindSpore ships ~10k internal headers.  Its C++ names are reported for the custom-op
# extension API only: these headers (relative to site-packages/mindspore/include; the
# ones shared/reference/ascend-mindspore.md §4 cites) and everything they #include;
# plus every ms:: name and every macro of any header.  --mindspore-cpp-scope all
# reports everything.
MINDSPORE_API_GLOBS = [
    "mindspore/ccsrc/ms_extension/*.h",
    "mindspore/ccsrc/include/ms_extension.h",
    "mindspore/ccsrc/include/pynative/utils/pyboost/custom/*.h",
    "mindspore/ccsrc/include/pynative/utils/pyboost/custom_v2/*.h",
    "mindspore/ccsrc/include/pynative/backward/function.h",
    "mindspore/ops/include/kernel/ascend/custom/**/*.h",
    "mindspore/ops/kernel/ascend/aclnn/pyboost_impl/customize/custom_launch_aclnn.h",
    "mindspore/ops/ops_utils/type_dispatch.h",
    "mindspore/core/include/utils/log_adapter.h",
    "mindspore/include/*.h",
    "mindapi/**/*.h",
]
MINDSPORE_KEEP_PREFIXES = ("ms::",)


def required_spellings(ref_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """Include spellings the references use, per package: {pkg: [(spelling, source)]}."""
    out: dict[str, list[tuple[str, str]]] = {"paddle": [], "mindspore": []}
    for fname, pkg in (("paddle.md", "paddle"), ("ascend-mindspore.md", "mindspore")):
        p = ref_dir / fname
        if not p.exists():
            continue
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            for m in re.finditer(r'#include\s*[<"]([\w./-]+\.h)[>"]', line):
                out[pkg].append((m.group(1), f"{fname}:{i}"))
            if pkg == "paddle":
                # paddle.md cites headers as H:<path below paddle/include> and
                # C:<path below the compat dir>; both are include spellings
                for m in re.finditer(r"\b[HC]:([\w./-]+\.h)\b", line):
                    out[pkg].append((m.group(1), f"{fname}:{i}"))
    return out


# ----------------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------------

def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def installed_versions(py: Path) -> dict[str, str]:
    code = ("import importlib.metadata as m, json\n"
            "out = {}\n"
            "for d in ('paddlepaddle', 'mindspore'):\n"
            "    try: out[d] = m.version(d)\n"
            "    except Exception: pass\n"
            "print(json.dumps(out))\n")
    r = subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=False)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {}


def ensure_venv(venv: Path, paddle_v: str, ms_v: str, skip_install: bool) -> Path:
    py = venv_python(venv)
    if not py.exists():
        if skip_install:
            sys.exit(f"--skip-install given but {py} does not exist")
        log(f"creating virtualenv {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    have = installed_versions(py)
    want = {"paddlepaddle": paddle_v, "mindspore": ms_v}
    if have == want or skip_install:
        log(f"venv has {have}; no install needed")
        return py
    log(f"pip install paddlepaddle=={paddle_v} mindspore=={ms_v} (have {have}) ...")
    t = time.time()
    subprocess.run([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                    f"paddlepaddle=={paddle_v}", f"mindspore=={ms_v}"], check=True)
    log(f"pip install done in {time.time() - t:.0f}s")
    have = installed_versions(py)
    if have != want:
        sys.exit(f"venv has {have}, wanted {want}")
    return py


def run_python_helpers(py: Path, tmp: Path, args) -> dict[str, dict]:
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    procs = {}
    for top in ("paddle", "mindspore"):
        out = tmp / f"{top}.json"
        wd = tmp / f"cwd-{top}"
        wd.mkdir(exist_ok=True)
        cmd = [str(py), str(Path(__file__).resolve()), "--helper-python", top, "--helper-out", str(out),
               "--python-deadline", str(args.python_deadline), "--import-timeout", str(args.import_timeout),
               "--max-names", str(args.max_names)]
        if args.no_discover:
            cmd.append("--no-discover")
        errf = open(tmp / f"{top}.stderr", "w", encoding="utf-8")   # noqa: SIM115
        log(f"walking {top} public modules (helper in venv) ...")
        procs[top] = (subprocess.Popen(cmd, cwd=wd, env=env, stdout=errf, stderr=errf,
                                       stdin=subprocess.DEVNULL), out, errf)
        if args.jobs == 1:
            procs[top][0].wait()
    results = {}
    for top, (p, out, errf) in procs.items():
        try:
            p.wait(timeout=args.python_deadline + 900)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        errf.close()
        if not out.exists():
            tail = (tmp / f"{top}.stderr").read_text(errors="replace")[-3000:]
            sys.exit(f"python walk of {top} failed (rc={p.returncode}):\n{tail}")
        results[top] = json.loads(out.read_text(encoding="utf-8"))
        r = results[top]
        log(f"{top} {r['version']}: {len(r['names'])} names, {r['stats']['modules']} modules, "
            f"{r['stats']['import_failed']} submodule imports failed, {r['seconds']}s")
    return results


def write_list(path: Path, header: str, items) -> tuple[int, int]:
    items = sorted(set(items))
    body = "# source: " + header + "\n" + "".join(f"{x}\n" for x in items)
    path.write_text(body, encoding="utf-8")
    return len(items), len(body.encode())


def default_reference_dir() -> Path:
    for c in (REPO.parent / "shared" / "reference", Path("/work/shared/reference")):
        if c.exists():
            return c
    return REPO.parent / "shared" / "reference"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="tools/inventory.py",
        description=(
            "Regenerate rewrite-rules/inventory/: the lists of real target API names (Paddle and "
            "MindSpore Python + C++ names and headers, CANN names and headers) that cuport's "
            "inventory test checks every suggested name against."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  python3 tools/inventory.py                      # install (once) + regenerate everything\n"
            "  python3 tools/inventory.py --venv /tmp/v        # use another virtualenv\n"
            "  python3 tools/inventory.py --paddle-version 3.3.1 --mindspore-version 2.10.0\n"
            "  python3 tools/inventory.py --skip-install       # reuse the venv as it is\n"
            "\n"
            "Outputs (one name per line, sorted, first line '# source: ... version ...'):\n"
            "  paddle-python.txt paddle-cpp.txt paddle-headers.txt mindspore-python.txt\n"
            "  mindspore-cpp.txt mindspore-headers.txt cann.txt cann-headers.txt\n"
            "  cann-headers-sources.tsv VERSIONS allowlist.tsv (kept if present)\n"
            "Network: only pip (PyPI) during the install; the extraction runs offline.\n"
            "Typical run: pip install once (~1 min from a warm pip cache, longer cold: the two\n"
            "wheels are ~3.5 GB installed), then ~20 s of extraction on 2 cores."),
    )
    ap.add_argument("--venv", default=DEFAULT_VENV, help=f"virtualenv to use/create (default {DEFAULT_VENV})")
    ap.add_argument("--paddle-version", default=DEFAULT_PADDLE, help=f"paddlepaddle version (default {DEFAULT_PADDLE})")
    ap.add_argument("--mindspore-version", default=DEFAULT_MINDSPORE,
                    help=f"mindspore version (default {DEFAULT_MINDSPORE})")
    ap.add_argument("--out", default=str(REPO / "rewrite-rules" / "inventory"),
                    help="output directory (default <repo>/rewrite-rules/inventory)")
    ap.add_argument("--reference-dir", default=None,
                    help="shared reference dir with names/ and the .md references "
                         "(default <repo>/../shared/reference, else /work/shared/reference)")
    ap.add_argument("--skip-install", action="store_true", help="do not pip install; use the venv as it is")
    ap.add_argument("--python-deadline", type=float, default=1500,
                    help="time guard (s) for walking one package's Python modules (default 1500)")
    ap.add_argument("--import-timeout", type=int, default=60,
                    help="time guard (s) for importing one submodule (default 60)")
    ap.add_argument("--max-names", type=int, default=400000,
                    help="size guard: stop walking a package after this many names (default 400000)")
    ap.add_argument("--no-discover", action="store_true",
                    help="only walk submodules already reachable by attribute after import; do not "
                         "import further public submodules found on the package path")
    ap.add_argument("--mindspore-cpp-scope", choices=("api", "all"), default="api",
                    help="api (default): MindSpore C++ names from the custom-op extension headers and "
                         "what they include, + all ms:: names and macros; all: every header (~10 MB)")
    ap.add_argument("--jobs", type=int, default=2, choices=(1, 2),
                    help="walk paddle and mindspore in parallel (2, default) or one after the other (1)")
    # internal: helper mode, run inside the venv
    ap.add_argument("--helper-python", help=argparse.SUPPRESS)
    ap.add_argument("--helper-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.helper_python:
        helper_python(args.helper_python, args.helper_out, args.python_deadline, args.import_timeout,
                      args.max_names, not args.no_discover)
        return 0

    t_start = time.time()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    ref_dir = Path(args.reference_dir) if args.reference_dir else default_reference_dir()
    names_dir = ref_dir / "names"
    venv = Path(args.venv)
    py = ensure_venv(venv, args.paddle_version, args.mindspore_version, args.skip_install)
    versions = installed_versions(py)
    pv, mv = versions.get("paddlepaddle", "?"), versions.get("mindspore", "?")
    gaps: list[str] = []

    with tempfile.TemporaryDirectory(prefix="cuport-inventory-") as td:
        tmp = Path(td)
        pyres = run_python_helpers(py, tmp, args)
    for top, r in pyres.items():
        imp = [e for e in r["errors"] if e.startswith("import ")]
        for e in r["errors"]:
            if not e.startswith("import "):
                gaps.append(f"{top} python: {e}")
        if imp:
            mods = sorted({e.split(":", 1)[0][len("import "):] for e in imp})
            gaps.append(f"{top} python: {len(imp)} public submodules do not import (optional deps such as "
                        f"yaml/pandas/etcd3, or build-time generators) and are not listed: "
                        + ", ".join(mods[:8]) + (" …" if len(mods) > 8 else ""))

    report: list[tuple[str, int, int]] = []

    def emit(fname: str, header: str, items) -> None:
        n, size = write_list(out_dir / fname, header, items)
        report.append((fname, n, size))

    pyver = pyres["paddle"]["python"]
    emit("paddle-python.txt",
         f"paddlepaddle wheel (PyPI), public Python names (module walk + class members); "
         f"version {pv}; python {pyver}; tools/inventory.py", pyres["paddle"]["names"])
    emit("mindspore-python.txt",
         f"mindspore wheel (PyPI), public Python names (module walk + class members); "
         f"version {mv}; python {pyver}; tools/inventory.py", pyres["mindspore"]["names"])

    ref_md = ref_dir / "ascend-mindspore.md"
    hsrc, hprobs = cann_headers(ref_md)

    # ---- C++ -------------------------------------------------------------
    required = required_spellings(ref_dir)
    cpp_stats = {}
    for top, dist, ver in (("paddle", "paddlepaddle", pv), ("mindspore", "mindspore", mv)):
        pkg_dir = Path(pyres[top]["package_dir"])
        inc = pkg_dir / "include"
        if top == "paddle":
            roots = [Path(p) for p in pyres[top].get("include_paths", [])] or \
                    [inc / r for r in PADDLE_SPELL_ROOTS_FALLBACK]
        else:
            roots = [Path(p) for p in pyres[top].get("include_paths", [])] or \
                    [pkg_dir / r for r in MINDSPORE_SPELL_ROOTS_FALLBACK]
            roots = [r for r in roots if str(r.resolve()).startswith(str(pkg_dir.resolve()))]
        log(f"scanning {top} headers under {inc} ...")
        t = time.time()
        if top == "mindspore" and args.mindspore_cpp_scope == "api":
            # the package dir and its include/ are on the include path too, but only
            # in-scope headers are listed under those two spellings
            broad = [pkg_dir, inc]
            names, headers, st = extract_cpp(inc, roots, MINDSPORE_API_GLOBS, MINDSPORE_KEEP_PREFIXES, broad)
        else:
            names, headers, st = extract_cpp(inc, roots)
        st["seconds"] = round(time.time() - t, 1)
        st["spelling_roots"] = sorted({str(Path(r).relative_to(pkg_dir.resolve())) or "."
                                       for r in st["spelling_roots"]})
        if st["dropped_malformed_count"]:
            gaps.append(f"{top} cpp: {st['dropped_malformed_count']} malformed extractions dropped, "
                        f"e.g. {st['dropped_malformed'][:5]}")
        cpp_stats[top] = st
        log(f"{top}: {st['headers_parsed']} headers, {st['names']} names, {st['macros']} macros "
            f"in {st['seconds']}s")
        for spelling, src in required[top]:
            if top == "mindspore" and (spelling.startswith(("torch/", "ATen/", "c10/"))
                                       or spelling in hsrc):
                continue        # the PyTorch side of a table row, or a CANN header
            if spelling not in headers:
                gaps.append(f"{top} headers: {spelling} (cited at {src}) is not a header of the wheel "
                            f"under any include root")
        emit(f"{top}-cpp.txt",
             f"{dist} wheel headers ({top}/include, vendored third-party dirs excluded): qualified "
             f"C++ names + #define macro names; version {ver}; tools/inventory.py", names)
        emit(f"{top}-headers.txt",
             f"{dist} wheel headers, path relative to each include dir its build helper adds "
             f"({', '.join(st['spelling_roots'])}); version {ver}; tools/inventory.py", headers)

    # ---- CANN ------------------------------------------------------------
    cann, used_lists, probs = read_cann_names(names_dir)
    gaps += [f"cann: {p}" for p in probs]
    enumerators, used_derived, probs = derived_cann_enumerators(
        Path(__file__).resolve().parent / "oracle-include")
    cann |= enumerators
    gaps += [f"cann: {p}" for p in probs]
    # aclnn two-phase convention: every aclnnXxx op API comes with aclnnXxxGetWorkspaceSize
    # (ascend-mindspore.md §2.1 "aclnn calling convention (all ops)"); the name list has
    # only the op names, so the companions are derived for the official list.
    conv_line = None
    if ref_md.exists():
        for i, line in enumerate(ref_md.read_text(encoding="utf-8").splitlines(), 1):
            if "aclnnXxxGetWorkspaceSize" in line and "all ops" in line:
                conv_line = f"{ref_md.name}:{i}"
                break
    aclnn_list = names_dir / "aclnn-names.txt"
    if conv_line and aclnn_list.exists():
        for line in aclnn_list.read_text(encoding="utf-8").splitlines():
            n_ = line.strip()
            if n_.startswith("aclnn") and _C_IDENT.match(n_) and not n_.endswith("GetWorkspaceSize"):
                cann.add(n_ + "GetWorkspaceSize")
    else:
        gaps.append("cann: aclnn calling-convention line not found in the reference; "
                    "no aclnnXxxGetWorkspaceSize names derived")
    emit("cann.txt",
         "CANN C names copied from shared/reference/names (" + ", ".join(used_lists) +
         ") + aclnnXxxGetWorkspaceSize for each aclnn-names.txt op (" + (conv_line or "n/a") +
         "); enumerators of tools/oracle-include/ (" + ", ".join(used_derived) +
         ", derived from hicann/ops-blas and ops-fft); version as in those lists (CANN open-source "
         "headers, see names/README.md); tools/inventory.py",
         cann)
    gaps += [f"cann headers: {p}" for p in hprobs]
    emit("cann-headers.txt",
         "CANN include spellings cited by shared/reference/ascend-mindspore.md (per-header line in "
         "cann-headers-sources.tsv); version as cited there; tools/inventory.py", hsrc)
    (out_dir / "cann-headers-sources.tsv").write_text(
        "header\tsource\n" + "".join(f"{h}\t{s}\n" for h, s in sorted(hsrc.items())), encoding="utf-8")

    # ---- allowlist (hand-maintained) --------------------------------------
    allow = out_dir / "allowlist.tsv"
    if not allow.exists():
        allow.write_text("name\ttarget\tsource\n", encoding="utf-8")

    # ---- VERSIONS -----------------------------------------------------------
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    when = (_dt.datetime.fromtimestamp(int(sde), _dt.timezone.utc) if sde
            else _dt.datetime.now(_dt.timezone.utc)).strftime("%Y-%m-%d")
    ref_files = sorted(f"names/{f}" for f in used_lists) + ["ascend-mindspore.md", "paddle.md"]
    vlines = [
        f"paddlepaddle {pv}",
        f"mindspore {mv}",
        f"python {pyver} (walk inside {venv}; PyPI wheels, CPU builds)",
        f"generated: {when} by tools/inventory.py",
        "reference: shared/reference/" + ", shared/reference/".join(ref_files),
        f"paddle include roots: {', '.join(cpp_stats['paddle']['spelling_roots'])} (of site-packages/paddle)",
        f"mindspore include roots: {', '.join(cpp_stats['mindspore']['spelling_roots'])} (of site-packages/mindspore)",
        f"paddle python: {pyres['paddle']['stats']['modules']} modules walked; "
        f"mindspore python: {pyres['mindspore']['stats']['modules']} modules walked",
        f"paddle headers parsed: {cpp_stats['paddle']['headers_parsed']}; "
        f"mindspore headers parsed: {cpp_stats['mindspore']['headers_parsed']}",
        "excluded (vendored) header dirs: paddle: " + ", ".join(cpp_stats["paddle"]["excluded_dirs"]) +
        "; mindspore: " + ", ".join(cpp_stats["mindspore"]["excluded_dirs"]),
    ]
    (out_dir / "VERSIONS").write_text("\n".join(vlines) + "\n", encoding="utf-8")

    total = sum(s for _, _, s in report)
    print(f"{'file':28} {'lines':>8} {'bytes':>10}")
    for f, n, s in report:
        print(f"{f:28} {n:>8} {s:>10}")
    print(f"{'total':28} {'':>8} {total:>10}")
    if gaps:
        print("\nextraction notes / gaps:")
        for g in gaps:
            print("  - " + g)
    print(f"\ndone in {time.time() - t_start:.0f}s -> {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
