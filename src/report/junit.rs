//! JUnit XML: one test case per scanned file, failed when the file has touchpoints, so CI test
//! views list the files still to port.

use super::metrics::{hours, status_of, Metrics};
use crate::scan::ScanReport;
use std::fmt::Write as _;

/// Escape text for XML content and attribute values (control characters XML 1.0 forbids are dropped).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\n' | '\t' | '\r' => {
                let _ = write!(o, "&#{};", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => o.push(c),
        }
    }
    o
}

pub fn render(report: &ScanReport, m: &Metrics) -> String {
    let target = report.target;
    let failures = report
        .files
        .iter()
        .filter(|f| !f.findings.is_empty())
        .count();
    let tests = report.files.len();
    let name = format!("cuport {target}");
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"cuport\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">"
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">",
        esc(&name)
    );
    let _ = writeln!(
        s,
        "    <properties><property name=\"target\" value=\"{target}\"/><property name=\"readiness\" value=\"{:.4}\"/><property name=\"effort_hours\" value=\"{}\"/></properties>",
        m.readiness,
        hours(m.hours)
    );
    for f in &report.files {
        let _ = write!(
            s,
            "    <testcase classname=\"cuport.{target}\" name=\"{}\" file=\"{}\" time=\"0\"",
            esc(&f.rel),
            esc(&f.rel)
        );
        if f.findings.is_empty() {
            s.push_str("/>\n");
            continue;
        }
        s.push_str(">\n");
        let mut body = String::new();
        for r in &f.findings {
            let st = status_of(r, target);
            let what = match r.finding.target(target) {
                Some(t) if !t.api.is_empty() => format!("{st} → {}", t.api),
                Some(_) => format!("{st}: no {target} equivalent"),
                None => "no rule yet".to_string(),
            };
            let _ = writeln!(
                body,
                "{}:{}:{}: [{}] {}: {what}",
                f.rel, r.line, r.column, r.finding.rule, r.finding.cuda
            );
        }
        for k in &f.kernels {
            let _ = writeln!(
                body,
                "{}:{}: kernel {} (pattern {})",
                f.rel, k.line, k.name, k.pattern
            );
        }
        let _ = writeln!(
            s,
            "      <failure message=\"{} CUDA touchpoint(s) to port to {target}\" type=\"cuport.touchpoints\">{}</failure>",
            f.findings.len(),
            esc(&body).replace("&#10;", "\n")
        );
        s.push_str("    </testcase>\n");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
