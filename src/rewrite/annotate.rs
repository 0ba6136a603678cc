//! `// cuport[RULE-ID]: …` annotation lines above findings and kernels.

use super::apply::Insertion;
use crate::analyze::FileAnalysis;
use crate::catalog::Catalog;
use crate::model::{Finding, Status, Target};
use crate::source::SourceFile;
use std::collections::BTreeSet;

/// The marker every annotation starts with, so later runs can find (and strip) them.
pub const MARKER: &str = "// cuport[";

/// `\r\n` when the file's first line ending is CRLF, else `\n`.
pub fn line_ending(src: &[u8]) -> &'static str {
    match src.iter().position(|&b| b == b'\n') {
        Some(i) if i > 0 && src[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The annotation text (without indentation or line ending) for a finding on `t`.
pub fn message(f: &Finding, t: Target) -> String {
    let body = match f.target(t) {
        None => format!(
            "{} ({}) has no rule yet; port it by hand",
            f.cuda, f.library
        ),
        Some(tf) => match tf.status {
            Status::Direct if tf.replacement.is_some() => {
                format!("rewritten to {}: {}", tf.api, tf.note)
            }
            Status::Direct => format!("direct → {}: {}", tf.api, tf.note),
            Status::Guided => format!("guided → {}: {}", tf.api, tf.note),
            Status::Manual if tf.api.is_empty() => format!("manual: {}", tf.note),
            Status::Manual => format!("manual → {}: {}", tf.api, tf.note),
        },
    };
    format!("{MARKER}{}]: {}", f.rule, one_line(&body))
}

/// Annotation lines keep to one physical line and never end in a line-continuing backslash.
fn one_line(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    flat.trim_end_matches('\\').trim_end().to_string()
}

/// For each line, the first line of the backslash-continued run it belongs to (one pass, so a
/// 100,000-line macro costs the same as any other file).
fn continuation_starts(file: &SourceFile) -> Vec<usize> {
    let mut starts = Vec::with_capacity(file.line_count());
    for li in 0..file.line_count() {
        let continued = li > 0 && file.line_bytes(li - 1).ends_with(b"\\");
        starts.push(if continued { starts[li - 1] } else { li });
    }
    starts
}

/// The annotation lines already directly above line `li`.
fn existing_above(file: &SourceFile, li: usize) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut l = li;
    while l > 0 {
        l -= 1;
        let text = String::from_utf8_lossy(file.line_bytes(l));
        let t = text.trim();
        if !t.starts_with(MARKER) {
            break;
        }
        out.insert(t.to_string());
    }
    out
}

fn indent_of(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    &line[..n]
}

/// All annotation insertions for a file on target `t`: one per (line, rule), none duplicated
/// when the same text already stands above the line.
pub fn annotations(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    findings: &[Finding],
    t: Target,
) -> Vec<Insertion> {
    let eol = line_ending(&file.bytes);
    let starts = continuation_starts(file);
    let anchor_line = |_: &SourceFile, offset: usize| starts[file.line_index(offset)];
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    // Rule annotations count as present when any line for that rule stands above (its wording may
    // have changed since, e.g. a reason); unmapped and kernel lines must match exactly.
    let mut push = |li: usize, text: String, order: u8, key: Option<String>| {
        if !seen.insert((li, text.clone())) {
            return;
        }
        let above = existing_above(file, li);
        let present = match &key {
            Some(prefix) => above.iter().any(|l| l.starts_with(prefix.as_str())),
            None => above.contains(&text),
        };
        if present {
            return;
        }
        let mut line = indent_of(file.line_bytes(li)).to_vec();
        line.extend_from_slice(text.as_bytes());
        line.extend_from_slice(eol.as_bytes());
        out.push(Insertion {
            at: file.line_start(li),
            order,
            text: line,
        });
    };
    // A kernel's block keeps its own order (head, then evidence) above the finding lines.
    for k in &fa.kernels {
        let li = anchor_line(file, k.range.start);
        // The block is written once: evidence cites line numbers, which move when lines are added.
        let head = format!("{MARKER}kernel]: {} ", k.name);
        if existing_above(file, li)
            .iter()
            .any(|l| l.starts_with(&head))
        {
            continue;
        }
        for (i, text) in kernel_lines(k, catalog, t).into_iter().enumerate() {
            push(li, text, 10 + i.min(100) as u8, None);
        }
    }
    for f in findings {
        let key = (!f.is_unmapped()).then(|| format!("{MARKER}{}]:", f.rule));
        push(anchor_line(file, f.span.start), message(f, t), 200, key);
    }
    out
}

/// The annotation block above a kernel whose pattern is known.
pub fn kernel_lines(k: &crate::analyze::KernelDef, catalog: &Catalog, t: Target) -> Vec<String> {
    let s = &k.summary;
    if s.pattern == "unknown" {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let ops = catalog
        .pattern(&s.pattern)
        .map(|p| p.ops(t).join(", "))
        .unwrap_or_default();
    let head = if s.pattern == "custom" {
        format!(
            "{MARKER}kernel]: {} computes a custom pattern; no {t} op replaces it (try `cuport scaffold {}`)",
            k.name, k.name
        )
    } else {
        let what = if s.confidence >= crate::analyze::kernel::CONFIDENT {
            format!(
                "{} (confidence {:.2}); on {t} use {ops}",
                s.label(),
                s.confidence
            )
        } else {
            format!("{}; on {t} candidates: {ops}", s.label())
        };
        format!("{MARKER}kernel]: {} {what}", k.name)
    };
    lines.push(one_line(&head));
    for e in &s.evidence {
        lines.push(one_line(&format!("{MARKER}kernel]:   evidence: {e}")));
    }
    lines
}

/// The file without its `// cuport[…]` annotation lines; `None` when it has none.
pub fn strip(src: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(src.len());
    let mut removed = false;
    let mut start = 0;
    while start < src.len() {
        let end = src[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(src.len(), |p| start + p + 1);
        let line = &src[start..end];
        let trimmed = line
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .map_or(&line[..0], |i| &line[i..]);
        // Only whole annotation lines, and never one that a backslash continues.
        let continued = line.trim_ascii_end().ends_with(b"\\");
        if trimmed.starts_with(MARKER.as_bytes()) && !continued {
            removed = true;
        } else {
            out.extend_from_slice(line);
        }
        start = end;
    }
    removed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn strips_only_annotation_lines() {
        let src =
            b"a\r\n  // cuport[RT-MALLOC]: x\r\nb // cuport[X]: not alone\n// cuport[kernel]: y\n";
        assert_eq!(
            strip(src).unwrap(),
            b"a\r\nb // cuport[X]: not alone\n".to_vec()
        );
        assert_eq!(strip(b"no annotations\n"), None);
    }
}
