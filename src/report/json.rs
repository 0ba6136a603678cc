//! The JSON output contract, `schema_version: 1` (see docs/architecture in shared/design).

use crate::model::Target;
use crate::scan::{FileRecord, ScanReport};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    tool: Tool,
    target: &'static str,
    files: Vec<FileJson<'a>>,
    findings: Vec<FindingJson<'a>>,
    kernels: Vec<KernelJson<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a str,
    language: &'static str,
    bytes: usize,
    parse_error_bytes: usize,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    fingerprint: &'a str,
    rule: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    cuda: &'a str,
    kind: &'a str,
    library: &'a str,
    category: &'a str,
    targets: BTreeMap<&'static str, TargetJson<'a>>,
}

#[derive(Serialize)]
struct TargetJson<'a> {
    api: &'a str,
    status: &'static str,
    note: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    replacement: Option<&'a str>,
}

#[derive(Serialize)]
struct KernelJson<'a> {
    path: &'a str,
    name: &'a str,
    line: usize,
    pattern: &'a str,
    confidence: f64,
    evidence: &'a [String],
    suggestions: BTreeMap<&'static str, &'a [String]>,
    launches: Vec<LaunchJson<'a>>,
}

#[derive(Serialize)]
struct LaunchJson<'a> {
    path: &'a str,
    line: usize,
    config: &'a [String],
}

/// Counts for the chosen target.
#[derive(Serialize, Default)]
pub struct Summary {
    pub files: usize,
    pub findings: usize,
    pub by_status: BTreeMap<&'static str, usize>,
    pub by_library: BTreeMap<String, usize>,
    pub unmapped: usize,
    pub kernels: usize,
    pub parse_error_bytes: usize,
}

/// Counts over a report for `target`.
pub fn summary(report: &ScanReport) -> Summary {
    let mut s = Summary {
        files: report.files.len(),
        ..Summary::default()
    };
    for (_, r) in report.findings() {
        s.findings += 1;
        *s.by_library.entry(r.finding.library.clone()).or_default() += 1;
        match r.finding.target(report.target) {
            Some(t) => *s.by_status.entry(t.status.as_str()).or_default() += 1,
            None => s.unmapped += 1,
        }
    }
    s.kernels = report.files.iter().map(|f| f.kernels.len()).sum();
    s.parse_error_bytes = report.files.iter().map(|f| f.parse_error_bytes).sum();
    s
}

fn file_json(f: &FileRecord) -> FileJson<'_> {
    FileJson {
        path: &f.rel,
        language: f.language,
        bytes: f.bytes,
        parse_error_bytes: f.parse_error_bytes,
    }
}

/// Write the whole report as one JSON document.
pub fn write(report: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut findings = Vec::new();
    let mut kernels = Vec::new();
    for f in &report.files {
        for r in &f.findings {
            let targets = r
                .finding
                .targets
                .iter()
                .map(|(t, tf)| {
                    (
                        t.as_str(),
                        TargetJson {
                            api: &tf.api,
                            status: tf.status.as_str(),
                            note: &tf.note,
                            replacement: tf.replacement.as_deref(),
                        },
                    )
                })
                .collect();
            findings.push(FindingJson {
                fingerprint: &r.fingerprint,
                rule: &r.finding.rule,
                path: &f.rel,
                line: r.line,
                column: r.column,
                end_line: r.end_line,
                end_column: r.end_column,
                cuda: &r.finding.cuda,
                kind: &r.finding.kind,
                library: &r.finding.library,
                category: &r.finding.category,
                targets,
            });
        }
        for k in &f.kernels {
            kernels.push(KernelJson {
                path: &f.rel,
                name: &k.name,
                line: k.line,
                pattern: &k.pattern,
                confidence: (k.confidence * 100.0).round() / 100.0,
                evidence: &k.evidence,
                suggestions: k
                    .suggestions
                    .iter()
                    .map(|(t, v)| (t.as_str(), v.as_slice()))
                    .collect(),
                launches: k
                    .launches
                    .iter()
                    .map(|l| LaunchJson {
                        path: &l.path,
                        line: l.line,
                        config: &l.config,
                    })
                    .collect(),
            });
        }
    }
    let doc = Doc {
        schema_version: 1,
        tool: Tool {
            name: "cuport",
            version: env!("CARGO_PKG_VERSION"),
        },
        target: report.target.as_str(),
        files: report.files.iter().map(file_json).collect(),
        findings,
        kernels,
        summary: summary(report),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// Targets in a stable order, for formats that list both.
pub fn targets() -> [Target; 2] {
    Target::ALL
}
