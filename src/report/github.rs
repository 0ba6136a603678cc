//! GitHub Actions workflow commands: one annotation per touchpoint (`::warning file=…,line=…::…`).
//! `cat cuport.github.txt` in a workflow step turns them into annotations on the diff.

use super::metrics::status_of;
use crate::config::Severity;
use crate::scan::ScanReport;
use std::fmt::Write as _;

/// Escape a command's message (`%`, CR and LF).
pub fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a command property value (additionally `:` and `,`).
pub fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for a severity.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note | Severity::Off => "notice",
    }
}

pub fn render(report: &ScanReport) -> String {
    let target = report.target;
    let mut s = String::new();
    for (f, r) in report.findings() {
        let st = status_of(r, target);
        let msg = match r.finding.target(target) {
            None => format!(
                "{} has no cuport rule yet ({}).",
                r.finding.cuda, r.finding.library
            ),
            Some(t) if t.api.is_empty() => format!("No {target} equivalent ({st}). {}", t.note),
            Some(t) => match &t.replacement {
                Some(rep) if st == "direct" => format!("Rewrite to {rep} ({st}). {}", t.note),
                _ => format!("Use {} ({st}). {}", t.api, t.note),
            },
        };
        let title = format!("cuport {}: {} ({st})", r.finding.rule, r.finding.cuda);
        let _ = write!(
            s,
            "::{} file={},line={},col={}",
            command(Severity::of(&report.severity, &r.finding.rule, st)),
            prop(&f.rel),
            r.line,
            r.column
        );
        if r.end_line == r.line {
            let _ = write!(s, ",endColumn={}", r.end_column);
        } else {
            let _ = write!(s, ",endLine={}", r.end_line);
        }
        let _ = writeln!(s, ",title={}::{}", prop(&title), data(&msg));
    }
    for f in &report.files {
        for k in &f.kernels {
            let level = if k.pattern == "unknown" || k.pattern == "custom" {
                "warning"
            } else {
                "notice"
            };
            let _ = writeln!(
                s,
                "::{level} file={},line={},title={}::{}",
                prop(&f.rel),
                k.line,
                prop(&format!("cuport kernel: {}", k.name)),
                data(&format!(
                    "Kernel {} (pattern {}): port it to {target}; see the cuport report.",
                    k.name, k.pattern
                ))
            );
        }
    }
    s
}
