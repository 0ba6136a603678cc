//! Headers the scanned files include but that were not asked for (`cuport fix a.cu` next to an
//! `#include "common.cuh"`). They are read for the facts they give the rewrite — a macro whose
//! body keeps a CUDA call, a struct whose members keep CUDA types — and are never rewritten or
//! reported: their CUDA stays, so the files that use them must agree with it.

use crate::walk::Candidate;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// At most this many context headers per scan (a vendored tree can include a great deal).
pub const MAX_HEADERS: usize = 512;

/// `base/name` with `.` and `..` resolved by spelling, so it compares with the walk's paths.
fn joined(base: &Path, name: &str) -> PathBuf {
    normalized(&base.join(name))
}

/// An absolute path (from the working directory) with `.` and `..` resolved by spelling.
pub fn normalized(p: &Path) -> PathBuf {
    let absolute;
    let p = if p.is_relative() {
        absolute = std::env::current_dir().unwrap_or_default().join(p);
        &absolute
    } else {
        p
    };
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How many folders above the including file a quoted include is looked for in (`#include
/// "ggml-cuda/common.cuh"` from `src/ggml-cuda/x.cu` is `src/ggml-cuda/common.cuh`, found through
/// an `-I src` the build gives): the usual include roots, without knowing the build.
const PARENT_LEVELS: usize = 3;

/// The quoted includes of `files` (each: its path and its `#include "…"` names) that exist next
/// to the including file (or a few folders up) and are not in `known` (which they join), while
/// `budget` lasts. `root` names them for reports. A header taken by mistake only makes the
/// rewrite more careful: its facts only ever keep CUDA names.
pub fn unscanned<'a>(
    files: impl Iterator<Item = (&'a Path, &'a [String])>,
    known: &mut BTreeSet<PathBuf>,
    budget: &mut usize,
    root: &Path,
) -> Vec<Candidate> {
    let mut found = Vec::new();
    for (abs, names) in files {
        let file = normalized(abs);
        let Some(dir) = file.parent() else { continue };
        for name in names {
            let Some(p) = dir
                .ancestors()
                .take(PARENT_LEVELS + 1)
                .map(|d| joined(d, name))
                .find(|p| known.contains(p) || p.is_file())
            else {
                continue;
            };
            if *budget == 0 || known.contains(&p) {
                continue;
            }
            known.insert(p.clone());
            *budget -= 1;
            let rel = p
                .strip_prefix(root)
                .map_or_else(|_| p.display().to_string(), |r| r.display().to_string());
            found.push(Candidate { rel, abs: p });
        }
    }
    found
}

/// The `#include "…"` names of a file, found by reading its lines (for a header holding no CUDA
/// name, which is not parsed, but may include one that does).
pub fn quoted_includes(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let rest = line
                .trim_ascii_start()
                .strip_prefix(b"#")?
                .trim_ascii_start();
            let rest = rest.strip_prefix(b"include")?.trim_ascii_start();
            let rest = rest.strip_prefix(b"\"")?;
            let end = rest.iter().position(|&b| b == b'"')?;
            std::str::from_utf8(&rest[..end]).ok().map(str::to_string)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{joined, quoted_includes};

    #[test]
    fn quoted_includes_are_read_by_line() {
        let src =
            b"#pragma once\n  #  include \"a/b.cuh\"\n#include <cuda.h>\n// #include \"c.h\"\n";
        assert_eq!(quoted_includes(src), ["a/b.cuh"]);
    }

    use std::path::Path;

    #[test]
    fn includes_resolve_by_spelling() {
        assert_eq!(
            joined(Path::new("/p/src/cuda"), "../common.h"),
            Path::new("/p/src/common.h")
        );
        assert_eq!(
            joined(Path::new("/p/src"), "./a/b.cuh"),
            Path::new("/p/src/a/b.cuh")
        );
    }
}
