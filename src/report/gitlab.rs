//! GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of issues.

use super::metrics::status_of;
use crate::config::Severity;
use crate::scan::{fnv1a, ScanReport};
use serde_json::{json, Value};

/// The Code Quality `severity` a finding of this level gets.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Note | Severity::Off => "info",
    }
}

pub fn write(report: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let target = report.target;
    let mut issues: Vec<Value> = Vec::new();
    for (f, r) in report.findings() {
        let st = status_of(r, target);
        let description = match r.finding.target(target) {
            None => format!(
                "{} has no cuport rule yet ({})",
                r.finding.cuda, r.finding.library
            ),
            Some(t) if t.api.is_empty() => {
                format!(
                    "{}: no {target} equivalent ({st}). {}",
                    r.finding.cuda, t.note
                )
            }
            Some(t) => format!("{} → {} ({st}). {}", r.finding.cuda, t.api, t.note),
        };
        issues.push(json!({
            "type": "issue",
            "check_name": format!("cuport/{}", r.finding.rule),
            "description": description,
            "categories": ["Compatibility"],
            "severity": severity(Severity::of(&report.severity, &r.finding.rule, st)),
            "fingerprint": format!("{}-{target}", r.fingerprint),
            "location": {"path": f.rel, "lines": {"begin": r.line, "end": r.end_line}},
            "engine_name": "cuport",
        }));
    }
    for f in &report.files {
        for k in &f.kernels {
            let fp = fnv1a(format!("{}\0{}\0{target}", f.rel, k.name).as_bytes());
            issues.push(json!({
                "type": "issue",
                "check_name": "cuport/kernel",
                "description": format!("kernel {} (pattern {}): port it to {target}", k.name, k.pattern),
                "categories": ["Compatibility"],
                "severity": if k.pattern == "unknown" || k.pattern == "custom" { "minor" } else { "info" },
                "fingerprint": format!("{fp:016x}"),
                "location": {"path": f.rel, "lines": {"begin": k.line}},
                "engine_name": "cuport",
            }));
        }
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    out.write_all(b"\n")
}
