//! A token scanner for regions tree-sitter does not structure: `#define` bodies and unparsed text.
//! Comments, string and character literals are skipped; identifiers (joined across `::`) and
//! `<<<` are reported with their byte ranges.

use std::ops::Range;

/// A token the matcher cares about.
#[derive(Debug, PartialEq, Eq)]
pub enum Token {
    /// An identifier, or a `a::b::c` chain, with its range.
    Name(Range<usize>),
    /// A `<<<` launch opener.
    Launch(Range<usize>),
}

/// Scan `src[range]` and return the tokens in order.
pub fn scan(src: &[u8], range: Range<usize>) -> Vec<Token> {
    let mut out = Vec::new();
    let end = range.end.min(src.len());
    let mut i = range.start;
    while i < end {
        let b = src[i];
        match b {
            b'/' if i + 1 < end && src[i + 1] == b'/' => {
                i = skip_line_comment(src, i, end);
            }
            b'/' if i + 1 < end && src[i + 1] == b'*' => {
                i = find(src, i + 2, end, b"*/").map_or(end, |p| p + 2);
            }
            b'"' | b'\'' => i = skip_quoted(src, i, end, b),
            b'<' if src[i..end].starts_with(b"<<<") => {
                out.push(Token::Launch(i..i + 3));
                i += 3;
            }
            _ if is_ident_start(b) => {
                let start = i;
                i = ident_end(src, i, end);
                // Raw strings and prefixed literals: R"(...)", u8"...", L'x'.
                if i < end
                    && (src[i] == b'"' || src[i] == b'\'')
                    && is_literal_prefix(&src[start..i])
                {
                    i = if &src[start..i] == b"R" || src[start..i].ends_with(b"R") {
                        skip_raw_string(src, i, end)
                    } else {
                        skip_quoted(src, i, end, src[i])
                    };
                    continue;
                }
                // Join `a :: b :: c`.
                let mut name_end = i;
                loop {
                    let mut j = skip_spaces(src, name_end, end);
                    if j + 1 < end && src[j] == b':' && src[j + 1] == b':' {
                        j = skip_spaces(src, j + 2, end);
                        if j < end && is_ident_start(src[j]) {
                            name_end = ident_end(src, j, end);
                            continue;
                        }
                    }
                    break;
                }
                out.push(Token::Name(start..name_end));
                i = name_end;
            }
            _ if b.is_ascii_digit() => {
                // Numbers (with suffixes like 1.0f or 0x1Fu) are not names.
                while i < end && (is_ident_byte(src[i]) || src[i] == b'.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn ident_end(src: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && is_ident_byte(src[i]) {
        i += 1;
    }
    i
}

fn skip_spaces(src: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && (src[i] == b' ' || src[i] == b'\t') {
        i += 1;
    }
    i
}

fn is_literal_prefix(p: &[u8]) -> bool {
    matches!(
        p,
        b"L" | b"u" | b"U" | b"u8" | b"R" | b"LR" | b"uR" | b"UR" | b"u8R"
    )
}

fn skip_line_comment(src: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && src[i] != b'\n' {
        // A backslash-newline continues a // comment (as in #define bodies).
        if src[i] == b'\\' && i + 1 < end && src[i + 1] == b'\n' {
            i += 2;
            continue;
        }
        i += 1;
    }
    i
}

fn skip_quoted(src: &[u8], mut i: usize, end: usize, q: u8) -> usize {
    i += 1;
    while i < end {
        match src[i] {
            b'\\' => i += 2,
            b'\n' => return i + 1,
            c if c == q => return i + 1,
            _ => i += 1,
        }
    }
    end
}

fn skip_raw_string(src: &[u8], i: usize, end: usize) -> usize {
    // R"delim( ... )delim"
    let open = match find(src, i + 1, end, b"(") {
        Some(p) if p - i <= 17 => p,
        _ => return skip_quoted(src, i, end, b'"'),
    };
    let delim = &src[i + 1..open];
    let mut closing = Vec::with_capacity(delim.len() + 2);
    closing.push(b')');
    closing.extend_from_slice(delim);
    closing.push(b'"');
    find(src, open + 1, end, &closing).map_or(end, |p| p + closing.len())
}

fn find(src: &[u8], from: usize, end: usize, needle: &[u8]) -> Option<usize> {
    if from >= end {
        return None;
    }
    src[from..end]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<&str> {
        scan(src.as_bytes(), 0..src.len())
            .into_iter()
            .filter_map(|t| match t {
                Token::Name(r) => Some(&src[r]),
                Token::Launch(_) => None,
            })
            .collect()
    }

    #[test]
    fn skips_comments_and_strings() {
        let src = r#"a /* cudaFree */ b // cudaMalloc
            "cudaMemcpy" 'c' R"x(cudaStream_t)x" u8"cudaEvent_t" c"#;
        assert_eq!(names(src), vec!["a", "b", "c"]);
    }

    #[test]
    fn joins_qualified_names_and_sees_launches() {
        let src = "at::cuda::getCurrentCUDAStream() k<<<1, 2>>>(x) 1.0f 0x1Fu";
        let toks = scan(src.as_bytes(), 0..src.len());
        assert_eq!(names(src), vec!["at::cuda::getCurrentCUDAStream", "k", "x"]);
        assert!(toks.iter().any(|t| matches!(t, Token::Launch(_))));
    }

    #[test]
    fn unterminated_literals_do_not_loop() {
        for src in ["\"abc", "/* abc", "'", "R\"(abc", "a::", "a :: "] {
            let _ = scan(src.as_bytes(), 0..src.len());
        }
    }
}
