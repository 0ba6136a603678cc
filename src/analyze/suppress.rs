//! Inline suppressions: `// cuport: ignore`, `// cuport: ignore[RULE-ID,…]`, `// cuport: ignore-file`.

use crate::source::SourceFile;
use std::ops::Range;

/// Which rules a suppression silences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every rule on the line.
    All,
    /// Only these rule ids (`unmapped` is an id too).
    Rules(Vec<String>),
}

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// 0-based line it silences; `None` for a whole-file suppression.
    pub line: Option<usize>,
    pub scope: Scope,
    /// The comment itself (for "unused suppression" reports).
    pub comment: Range<usize>,
    pub used: bool,
}

impl Suppression {
    pub fn covers(&self, line: usize, rule: &str) -> bool {
        self.line.is_none_or(|l| l == line)
            && match &self.scope {
                Scope::All => true,
                Scope::Rules(ids) => ids.iter().any(|i| i == rule),
            }
    }
}

/// Lines near the top where `ignore-file` is honoured.
const FILE_DIRECTIVE_LINES: usize = 30;

/// Parse a comment; `None` when it is not a cuport directive.
pub fn parse_comment(file: &SourceFile, range: Range<usize>) -> Option<Suppression> {
    let text = file.text(range.clone());
    let body = text.trim_start_matches('/').trim_start_matches('*').trim();
    let rest = body.strip_prefix("cuport:")?.trim_start();
    let comment_line = file.line_index(range.start);
    if rest.starts_with("ignore-file") {
        if comment_line >= FILE_DIRECTIVE_LINES {
            return None;
        }
        return Some(Suppression {
            line: None,
            scope: Scope::All,
            comment: range,
            used: false,
        });
    }
    let rest = rest.strip_prefix("ignore")?;
    let scope = if let Some(list) = rest.trim_start().strip_prefix('[') {
        let inner = list.split(']').next().unwrap_or("");
        Scope::Rules(
            inner
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        )
    } else if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        Scope::All
    } else {
        return None;
    };
    // A comment alone on its line silences the next line; a trailing one, its own line.
    let line_start = file.line_start(comment_line);
    let alone = file.bytes[line_start..range.start]
        .iter()
        .all(|b| b.is_ascii_whitespace());
    Some(Suppression {
        line: Some(if alone {
            comment_line + 1
        } else {
            comment_line
        }),
        scope,
        comment: range,
        used: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sup(src: &str) -> Option<Suppression> {
        let f = SourceFile::new("a".into(), "a.cu".into(), src.as_bytes().to_vec());
        let start = src.find("//").unwrap();
        let end = src[start..].find('\n').map_or(src.len(), |e| start + e);
        parse_comment(&f, start..end)
    }

    #[test]
    fn forms() {
        let s = sup("// cuport: ignore\nx();\n").unwrap();
        assert_eq!((s.line, s.scope), (Some(1), Scope::All));
        let s = sup("x(); // cuport: ignore[RT-MALLOC, unmapped]\n").unwrap();
        assert_eq!(s.line, Some(0));
        assert_eq!(
            s.scope,
            Scope::Rules(vec!["RT-MALLOC".into(), "unmapped".into()])
        );
        assert!(sup("// cuport: ignore-file\n").unwrap().line.is_none());
        assert!(sup("// cuport: ignored by people\n").is_none());
        assert!(sup("// not cuport: ignore\n").is_none());
    }
}
