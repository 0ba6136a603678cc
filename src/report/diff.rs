//! Unified diffs that `git apply` accepts, byte-exact (non-UTF-8 and CRLF lines survive).

use similar::{Algorithm, TextDiff};
use std::time::Duration;

/// A `--- a/PATH` / `+++ b/PATH` unified diff with 3 lines of context; empty when equal.
pub fn unified(path: &str, old: &[u8], new: &[u8]) -> Vec<u8> {
    if old == new {
        return Vec::new();
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .deadline(std::time::Instant::now() + Duration::from_secs(5))
        .diff_lines(old, new);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n").into_bytes();
    let mut udiff = diff.unified_diff();
    udiff.context_radius(3).missing_newline_hint(true);
    // Hunks are written as bytes: the whole-diff writer would decode lines lossily.
    for hunk in udiff.iter_hunks() {
        hunk.to_writer(&mut out)
            .expect("writing to a Vec cannot fail");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn keeps_crlf_and_odd_bytes() {
        let old = b"a\r\n\xff b\r\nc\r\n";
        let new = b"a\r\n// x\r\n\xff b\r\nc\r\n";
        let d = unified("f.cu", old, new);
        let s = String::from_utf8_lossy(&d);
        assert!(
            s.starts_with("--- a/f.cu\n+++ b/f.cu\n@@ -1,3 +1,4 @@\n"),
            "{s}"
        );
        assert!(d.windows(6).any(|w| w == b"+// x\r"));
        assert!(d.windows(3).any(|w| w == b" \xff "));
    }

    #[test]
    fn equal_is_empty() {
        assert!(unified("f", b"x\n", b"x\n").is_empty());
    }
}
