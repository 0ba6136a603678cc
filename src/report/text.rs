//! Human output: one miette diagnostic per finding and kernel, then a summary line.

use crate::catalog::Catalog;
use crate::model::{Status, Target};
use crate::scan::{FileRecord, ScanReport};
use crate::source::SourceFile;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// The file as miette reads it: only the lines around a span are handed out, found through the
/// line index, so a file with 100,000 findings costs no more per diagnostic than a small one.
struct FileSource<'a> {
    name: &'a str,
    text: String,
    file: &'a SourceFile,
}

impl SourceCode for FileSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let len = self.text.len();
        let start = span.offset().min(len);
        let end = (start + span.len()).min(len);
        if before == 0 && after == 0 {
            // The exact span (miette takes the header's line:column from this).
            let (line, column) = self.file.position(start);
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.to_string(),
                &self.text.as_bytes()[start..end],
                *span,
                line - 1,
                column - 1,
                self.file.line_index(end) - self.file.line_index(start) + 1,
            )));
        }
        let lines = self.file.line_count();
        let first = self.file.line_index(start).saturating_sub(before);
        let last = (self.file.line_index(end.saturating_sub(1).max(start)) + after).min(lines - 1);
        let from = self.file.line_start(first);
        let to = if last + 1 < lines {
            self.file.line_start(last + 1)
        } else {
            len
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            &self.text.as_bytes()[from..to],
            SourceSpan::new(from.into(), to - from),
            first,
            0,
            last - first + 1,
        )))
    }
}

/// Lines longer than this are not drawn (the location is still given).
const MAX_DRAWN_LINE: usize = 400;

/// One diagnostic, borrowing the file text.
struct Diag<'a> {
    title: String,
    code: String,
    severity: Severity,
    label: String,
    help: Option<String>,
    span: (usize, usize),
    /// `None` when the source line is too long to draw.
    src: Option<&'a FileSource<'a>>,
}

impl fmt::Debug for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl fmt::Display for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.title)
    }
}

impl std::error::Error for Diag<'_> {}

impl Diagnostic for Diag<'_> {
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.src?;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.label.clone()),
            self.span.0,
            self.span.1,
        ))))
    }
}

/// Invalid bytes become `?` (one byte each), so byte offsets stay valid in the rendered text.
fn display_text(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        s.push_str(chunk.valid());
        s.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    s
}

fn handler() -> GraphicalReportHandler {
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(110)
        .with_links(false)
}

/// Render every finding and kernel of one file.
pub fn render_file(
    file: &SourceFile,
    rec: &FileRecord,
    catalog: &Catalog,
    t: Target,
    severity: &std::collections::BTreeMap<String, crate::config::Severity>,
) -> Vec<u8> {
    if rec.findings.is_empty() && rec.kernels.is_empty() {
        return Vec::new();
    }
    let src = FileSource {
        name: &file.rel,
        text: display_text(&file.bytes),
        file,
    };
    // Long lines are not drawn: the location goes into the title instead.
    let drawable = |offset: usize, end: usize| {
        let (a, b) = (file.line_index(offset), file.line_index(end.max(offset)));
        (a..=b).all(|l| file.line_bytes(l).len() <= MAX_DRAWN_LINE)
    };
    let located = |title: String, offset: usize, drawn: bool| {
        if drawn {
            title
        } else {
            let (l, c) = file.position(offset);
            format!("{title} at {}:{l}:{c}", file.rel)
        }
    };
    let h = handler();
    let mut out = String::new();
    for r in &rec.findings {
        let f = &r.finding;
        let len = f.span.end.saturating_sub(f.span.start).max(1);
        let drawn = drawable(f.span.start, f.span.end);
        let snippet = drawn.then_some(&src);
        let d = match f.target(t) {
            None => Diag {
                title: located(
                    format!("{} has no rule yet ({})", f.cuda, f.library),
                    f.span.start,
                    drawn,
                ),
                code: "unmapped".into(),
                severity: Severity::Warning,
                label: "CUDA name without a mapping".into(),
                help: Some(format!("port `{}` by hand, or add a rule for it", f.cuda)),
                span: (f.span.start, len),
                src: snippet,
            },
            Some(tf) => {
                let label = match (&tf.replacement, tf.status) {
                    (Some(rep), _) => format!("rewrite: {rep}"),
                    (None, Status::Manual) if tf.api.is_empty() => "no equivalent".to_string(),
                    (None, _) => format!("{}: {}", tf.status.as_str(), tf.api),
                };
                Diag {
                    title: located(
                        format!(
                            "{} → {} ({t}, {})",
                            f.cuda,
                            or_none(&tf.api),
                            tf.status.as_str()
                        ),
                        f.span.start,
                        drawn,
                    ),
                    code: f.rule.clone(),
                    severity: match crate::config::Severity::of(
                        severity,
                        &f.rule,
                        tf.status.as_str(),
                    ) {
                        crate::config::Severity::Error => Severity::Error,
                        crate::config::Severity::Warning => Severity::Warning,
                        crate::config::Severity::Note | crate::config::Severity::Off => {
                            Severity::Advice
                        }
                    },
                    label,
                    help: Some(tf.note.clone()),
                    span: (f.span.start, len),
                    src: snippet,
                }
            }
        };
        let _ = h.render_report(&mut out, &d);
    }
    for k in &rec.kernels {
        let def_offset = file.line_start(k.line - 1);
        let pattern = catalog.pattern(&k.pattern);
        let title = match (k.pattern.as_str(), pattern) {
            ("unknown", _) => format!("kernel {} (pattern not recognised)", k.name),
            ("custom", _) => format!("kernel {} computes a custom pattern", k.name),
            (p, Some(pat)) => format!(
                "kernel {} {}: {}",
                k.name,
                crate::analyze::kernel::label(p, k.confidence),
                pat.ops(t).join(", ")
            ),
            (p, None) => format!(
                "kernel {} {}",
                k.name,
                crate::analyze::kernel::label(p, k.confidence)
            ),
        };
        let mut help = Vec::new();
        if !k.evidence.is_empty() {
            help.push(format!("evidence: {}", k.evidence.join("; ")));
        }
        if let Some(p) = pattern {
            help.push(p.note.clone());
        } else if k.pattern == "custom" {
            help.push(format!(
                "no framework op fits; start from `cuport scaffold {} --target {t}`",
                k.name
            ));
        }
        help.push(format!("{} launch site(s)", k.launches.len()));
        let width = file.line_bytes(k.line - 1).len().max(1);
        let drawn = drawable(def_offset, def_offset + width);
        let d = Diag {
            title: located(title, def_offset, drawn),
            code: "kernel".into(),
            severity: Severity::Advice,
            label: format!("pattern {} (confidence {:.2})", k.pattern, k.confidence),
            help: Some(help.join("\n")),
            span: (def_offset, width),
            src: drawn.then_some(&src),
        };
        let _ = h.render_report(&mut out, &d);
    }
    out.into_bytes()
}

fn or_none(api: &str) -> &str {
    if api.is_empty() {
        "(none)"
    } else {
        api
    }
}

/// The closing summary line.
pub fn summary_line(report: &ScanReport) -> String {
    let s = crate::report::json::summary(report);
    let mut parts: Vec<String> = Status::ALL
        .iter()
        .map(|st| {
            format!(
                "{} {}",
                s.by_status.get(st.as_str()).copied().unwrap_or(0),
                st.as_str()
            )
        })
        .collect();
    parts.push(format!("{} unmapped", s.unmapped));
    format!(
        "cuport: {} file(s) scanned, {} finding(s) for {} ({}), {} kernel(s), {} parse-error byte(s)\n",
        s.files,
        s.findings,
        report.target,
        parts.join(", "),
        s.kernels,
        s.parse_error_bytes
    )
}
