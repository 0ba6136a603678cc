//! Unified diffs that `git apply` accepts, byte-exact (non-UTF-8 and CRLF lines survive).
//! Lines are split on `\n` only, as git does: a lone `\r` is ordinary content.

use similar::{capture_diff_slices_deadline, group_diff_ops, Algorithm, ChangeTag};
use std::time::{Duration, Instant};

fn lines(s: &[u8]) -> Vec<&[u8]> {
    s.split_inclusive(|&b| b == b'\n').collect()
}

fn range(start: usize, len: usize) -> String {
    // git's convention: an empty range names the line before it.
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// A `--- a/PATH` / `+++ b/PATH` unified diff with 3 lines of context; empty when equal.
pub fn unified(path: &str, old: &[u8], new: &[u8]) -> Vec<u8> {
    if old == new {
        return Vec::new();
    }
    let (a, b) = (lines(old), lines(new));
    let ops = capture_diff_slices_deadline(
        Algorithm::Myers,
        &a,
        &b,
        Some(Instant::now() + Duration::from_secs(5)),
    );
    // An absolute path (a file outside the working directory) is written as git writes one:
    // `a/tmp/x.cu`, which `git apply` accepts from `/`; `a//tmp/x.cu` it rejects.
    let path = path.trim_start_matches('/');
    let mut out = format!("--- a/{path}\n+++ b/{path}\n").into_bytes();
    for group in group_diff_ops(ops, 3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o0, n0) = (first.old_range().start, first.new_range().start);
        let (o1, n1) = (last.old_range().end, last.new_range().end);
        out.extend_from_slice(
            format!("@@ -{} +{} @@\n", range(o0, o1 - o0), range(n0, n1 - n0)).as_bytes(),
        );
        for op in &group {
            for change in op.iter_changes(&a, &b) {
                out.push(match change.tag() {
                    ChangeTag::Equal => b' ',
                    ChangeTag::Delete => b'-',
                    ChangeTag::Insert => b'+',
                });
                let line = change.value();
                out.extend_from_slice(line);
                if !line.ends_with(b"\n") {
                    out.extend_from_slice(b"\n\\ No newline at end of file\n");
                }
            }
        }
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
    fn lone_carriage_returns_are_content_and_missing_newlines_are_marked() {
        let d = unified("f", b"x\n\r y\nz", b"x\n\r y\nw");
        assert_eq!(
            String::from_utf8_lossy(&d),
            "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n x\n \r y\n-z\n\\ No newline at end of file\n+w\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn equal_is_empty() {
        assert!(unified("f", b"x\n", b"x\n").is_empty());
    }
}
