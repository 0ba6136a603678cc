//! A cheap token pass that decides whether a file can have any finding or kernel at all; files that
//! cannot are not parsed (most of a large codebase's plain C++ is skipped at memory speed).

use super::lexical::{self, Token};
use super::unmapped::infer_library;
use crate::catalog::{normalize_name, Catalog};

/// Could this file produce a finding or a kernel, or define a `__device__` helper? (Never a
/// false "no".)
pub fn might_match(src: &[u8], catalog: &Catalog) -> bool {
    if has_cuda_include(src, catalog) {
        return true;
    }
    for tok in lexical::scan(src, 0..src.len()) {
        let r = match tok {
            Token::Launch(_) => return true,
            Token::Name(r) => r,
        };
        let Ok(name) = std::str::from_utf8(&src[r]) else {
            continue;
        };
        // A kernel, or a helper another file's kernels may borrow (`kernel::helpers`).
        if name == "__global__" || name == "__device__" {
            return true;
        }
        let hit = if name.contains(char::is_whitespace) {
            let n = normalize_name(name);
            catalog.lookup_name(&n).is_some() || infer_library(&n).is_some()
        } else {
            catalog.lookup_name(name).is_some() || infer_library(name).is_some()
        };
        if hit {
            return true;
        }
    }
    false
}

/// Does an `#include` line name a header with a rule?
fn has_cuda_include(src: &[u8], catalog: &Catalog) -> bool {
    let mut rest = src;
    while let Some(i) = find(rest, b"include") {
        let after = &rest[i + 7..];
        let line_end = after
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(after.len());
        let line = &after[..line_end];
        let open = line.iter().position(|&b| b == b'<' || b == b'"');
        if let Some(o) = open {
            let close = if line[o] == b'<' { b'>' } else { b'"' };
            if let Some(c) = line[o + 1..].iter().position(|&b| b == close) {
                if let Ok(path) = std::str::from_utf8(&line[o + 1..o + 1 + c]) {
                    if catalog.lookup_header(path).is_some() {
                        return true;
                    }
                }
            }
        }
        rest = &after[line_end.min(after.len())..];
    }
    false
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::might_match;
    use crate::catalog::Catalog;

    #[test]
    fn plain_cpp_is_skipped_cuda_is_not() {
        let c = Catalog::builtin().unwrap();
        assert!(!might_match(
            b"#include <vector>\nint f(std::vector<int>& v) { return v.size(); }\n",
            &c
        ));
        assert!(!might_match(
            b"// cudaMalloc in a comment\nconst char* s = \"cudaFree\";\n",
            &c
        ));
        assert!(might_match(b"#include <cuda_runtime.h>\n", &c));
        assert!(might_match(b"void f() { cudaDeviceSynchronize(); }", &c));
        assert!(might_match(b"__global__ void k() {}", &c));
        assert!(might_match(
            b"__device__ float h(float x) { return x; }",
            &c
        ));
        assert!(might_match(b"k<<<1, 1>>>();", &c));
        assert!(
            might_match(b"void f() { cudaSomethingNew(); }", &c),
            "unmapped names count"
        );
        assert!(might_match(
            b"#define X at :: cuda :: getCurrentCUDAStream()",
            &c
        ));
    }
}
