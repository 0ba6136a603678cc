//! Splicing edits and inserted lines into a file's bytes; everything outside them is copied as is.

use std::ops::Range;

/// Text inserted at an offset (a whole line: an annotation or an `#include`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insertion {
    pub at: usize,
    /// Among insertions at the same offset, lower goes first.
    pub order: u8,
    pub text: Vec<u8>,
}

/// Apply non-overlapping `edits` (sorted or not) and `insertions`. An insertion at the start of an
/// edit goes before the edit's replacement.
pub fn apply(
    src: &[u8],
    edits: &[(Range<usize>, Vec<u8>)],
    insertions: &mut [Insertion],
) -> Vec<u8> {
    let mut edits: Vec<&(Range<usize>, Vec<u8>)> = edits.iter().collect();
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    insertions.sort_by(|a, b| (a.at, a.order, &a.text).cmp(&(b.at, b.order, &b.text)));
    let mut out = Vec::with_capacity(src.len() + 256);
    let mut pos = 0;
    let mut ins = insertions.iter().peekable();
    for (range, text) in edits {
        if range.start < pos {
            // Overlaps were removed by planning; never corrupt the file if one slips through.
            continue;
        }
        while let Some(i) = ins.next_if(|i| i.at <= range.start) {
            let at = i.at.max(pos);
            out.extend_from_slice(&src[pos..at]);
            pos = at;
            out.extend_from_slice(&i.text);
        }
        out.extend_from_slice(&src[pos..range.start]);
        out.extend_from_slice(text);
        pos = range.end;
    }
    for i in ins {
        let at = i.at.clamp(pos, src.len());
        out.extend_from_slice(&src[pos..at]);
        pos = at;
        out.extend_from_slice(&i.text);
    }
    out.extend_from_slice(&src[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_and_insertions_compose() {
        let src = b"a\nbcd\ne";
        let edits = vec![(2..3, b"X".to_vec()), (4..5, b"".to_vec())];
        let mut ins = vec![
            Insertion {
                at: 2,
                order: 1,
                text: b"// n\n".to_vec(),
            },
            Insertion {
                at: 2,
                order: 0,
                text: b"#i\n".to_vec(),
            },
            Insertion {
                at: 7,
                order: 0,
                text: b"\nz".to_vec(),
            },
        ];
        assert_eq!(
            apply(src, &edits, &mut ins),
            b"a\n#i\n// n\nXc\ne\nz".to_vec()
        );
    }

    #[test]
    fn nothing_to_do_is_identity() {
        let src = b"\xff\xfe bytes \r\n";
        assert_eq!(apply(src, &[], &mut []), src.to_vec());
    }
}
