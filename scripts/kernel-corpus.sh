#!/usr/bin/env bash
# Fetch the real-kernel evaluation corpus listed in tests/kernel-corpus/sources.toml.
#
# For each [[source]]: download the PyPI sdist with curl into
#   $CUPORT_KERNEL_CORPUS/tarballs/            (default: ~/.cache/cuport/kernel-corpus)
# verify its sha256 (a mismatch is a hard error), and extract only C/C++/CUDA
# sources (.cu .cuh .h .hpp .cpp .cc .inl .c) into
#   $CUPORT_KERNEL_CORPUS/src/<package>-<version>/
# with the tarball's top folder stripped, so the paths in labels.toml resolve
# relative to that folder. A stamp file makes re-runs skip finished sources.
# Nothing fetched here is ever committed to the repository.
#
# Needs only bash, curl, python3 (>= 3.11, for tomllib) and tar.
#
# Usage:
#   scripts/kernel-corpus.sh          fetch/verify/extract everything (idempotent)
#   scripts/kernel-corpus.sh --dir    print the src folder and exit (fetches nothing)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sources="$here/../tests/kernel-corpus/sources.toml"
root="${CUPORT_KERNEL_CORPUS:-$HOME/.cache/cuport/kernel-corpus}"
tarballs="$root/tarballs"
srcroot="$root/src"

case "${1:-}" in
  --dir) printf '%s\n' "$srcroot"; exit 0 ;;
  -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "kernel-corpus: unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

die() { echo "kernel-corpus: ERROR: $*" >&2; exit 1; }
log() { echo "kernel-corpus: $*" >&2; }

for tool in curl python3 tar; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required but not found"
done
[ -f "$sources" ] || die "missing $sources"

sha256_of() {
  python3 -c 'import hashlib,sys
h=hashlib.sha256()
with open(sys.argv[1],"rb") as f:
    for b in iter(lambda: f.read(1<<20), b""): h.update(b)
print(h.hexdigest())' "$1"
}

# One tab-separated line per source: package version url sha256 top
entries="$(python3 - "$sources" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    data = tomllib.load(f)
seen = set()
for s in data.get("source", []):
    for k in ("package", "version", "url", "sha256", "top"):
        if not isinstance(s.get(k), str) or not s[k] or any(c in s[k] for c in "\t\n"):
            sys.exit(f"sources.toml: source {s.get('package')!r}: bad or missing '{k}'")
    if s["package"] in seen:
        sys.exit(f"sources.toml: duplicate package {s['package']!r}")
    seen.add(s["package"])
    print("\t".join(s[k] for k in ("package", "version", "url", "sha256", "top")))
PY
)" || die "could not parse $sources"
[ -n "$entries" ] || die "no [[source]] entries in $sources"

mkdir -p "$tarballs" "$srcroot"

fetch_one() {
  local pkg="$1" ver="$2" url="$3" want="$4" top="$5"
  local dest="$srcroot/$pkg-$ver" stamp="$srcroot/$pkg-$ver/.kernel-corpus-stamp"
  local tb="$tarballs/${url##*/}"

  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "$pkg $ver: up to date"
    return 0
  fi

  if [ -f "$tb" ] && [ "$(sha256_of "$tb")" = "$want" ]; then
    log "$pkg $ver: tarball already downloaded"
  else
    log "$pkg $ver: downloading $url"
    rm -f "$tb.part"
    curl -fsSL --retry 3 --retry-delay 2 -o "$tb.part" "$url" \
      || { rm -f "$tb.part"; die "$pkg $ver: download failed: $url"; }
    local got
    got="$(sha256_of "$tb.part")"
    if [ "$got" != "$want" ]; then
      rm -f "$tb.part"
      die "$pkg $ver: SHA256 MISMATCH for $url
  expected $want
  got      $got"
    fi
    mv -f "$tb.part" "$tb"
  fi

  # Pick the members to extract: regular files with a C/C++/CUDA suffix, all under
  # the expected top folder, with no absolute or '..' components.
  local list tmp
  list="$(mktemp "$root/.members.XXXXXX")"
  python3 - "$tb" "$top" "$list" <<'PY' || { rm -f "$list"; die "$pkg $ver: cannot read $tb"; }
import sys, tarfile
tb, top, out = sys.argv[1:4]
exts = (".cu", ".cuh", ".h", ".hpp", ".cpp", ".cc", ".inl", ".c")
names = []
with tarfile.open(tb, "r:*") as t:
    for m in t:
        first = m.name.split("/", 1)[0]
        if first != top:
            sys.exit(f"member {m.name!r} is not under top folder {top!r}")
        if not m.isfile() or not m.name.endswith(exts):
            continue
        parts = m.name.split("/")
        if m.name.startswith("/") or ".." in parts or len(parts) < 2 or "\n" in m.name:
            sys.exit(f"unsafe member name {m.name!r}")
        names.append(m.name)
if not names:
    sys.exit("no C/C++/CUDA sources found")
with open(out, "w") as f:
    f.write("\n".join(names) + "\n")
PY

  tmp="$(mktemp -d "$root/.extract.XXXXXX")"
  tar -xzf "$tb" -C "$tmp" --strip-components=1 --no-same-owner --no-same-permissions \
      --verbatim-files-from -T "$list" \
    || { rm -rf "$tmp" "$list"; die "$pkg $ver: tar extraction failed"; }
  rm -f "$list"
  printf '%s\n' "$want" > "$tmp/.kernel-corpus-stamp"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  log "$pkg $ver: extracted to $dest"
}

while IFS=$'\t' read -r pkg ver url sha top; do
  fetch_one "$pkg" "$ver" "$url" "$sha" "$top"
done <<< "$entries"

log "done: $srcroot"
