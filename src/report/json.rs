//! The JSON output contract, `schema_version: 1` (see docs/architecture in shared/design).

use crate::model::Target;
use crate::scan::{FileRecord, ScanReport};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Another pattern a detector also found, less confidently (absent when none did).
    #[serde(skip_serializing_if = "Option::is_none")]
    runner_up: Option<RunnerUpJson<'a>>,
    suggestions: BTreeMap<&'static str, &'a [String]>,
    launches: Vec<LaunchJson<'a>>,
}

#[derive(Serialize)]
struct RunnerUpJson<'a> {
    pattern: &'a str,
    confidence: f64,
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

fn finding_json<'a>(f: &'a FileRecord, r: &'a crate::scan::FindingRecord) -> FindingJson<'a> {
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
    FindingJson {
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
    }
}

fn kernel_json<'a>(f: &'a FileRecord, k: &'a crate::scan::KernelRecord) -> KernelJson<'a> {
    KernelJson {
        path: &f.rel,
        name: &k.name,
        line: k.line,
        pattern: &k.pattern,
        confidence: (k.confidence * 100.0).round() / 100.0,
        evidence: &k.evidence,
        runner_up: k.runner_up.as_ref().map(|(p, c)| RunnerUpJson {
            pattern: p,
            confidence: (c * 100.0).round() / 100.0,
        }),
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
    }
}

/// One file's share of the `findings` and `kernels` arrays, already pretty-printed at their depth
/// in the document. Rendered by the scan workers, so the single-threaded tail only concatenates.
#[derive(Clone, Debug, Default)]
pub struct Fragments {
    pub findings: Vec<u8>,
    pub kernels: Vec<u8>,
}

/// Render a file's fragments (see [`Fragments`]).
pub fn fragments(f: &FileRecord) -> Fragments {
    let mut out = Fragments::default();
    for r in &f.findings {
        push_element(&mut out.findings, &finding_json(f, r));
    }
    for k in &f.kernels {
        push_element(&mut out.kernels, &kernel_json(f, k));
    }
    out
}

/// Indentation of an element of a top-level array (serde_json's pretty printer: two spaces a level).
const ELEMENT_INDENT: &[u8] = b"    ";

/// Append `item` as an element of a top-level array, after a separator if `buf` holds one already.
fn push_element<T: Serialize>(buf: &mut Vec<u8>, item: &T) {
    if !buf.is_empty() {
        buf.extend_from_slice(b",\n");
        buf.extend_from_slice(ELEMENT_INDENT);
    }
    indented(buf, item, ELEMENT_INDENT);
}

/// `item` pretty-printed with `indent` after every newline. JSON strings never hold a raw newline
/// (serde_json escapes it), so every newline is structural.
fn indented<T: Serialize>(buf: &mut Vec<u8>, item: &T, indent: &[u8]) {
    let text = serde_json::to_vec_pretty(item).expect("serializing to memory cannot fail");
    for line in text.split_inclusive(|&b| b == b'\n') {
        buf.extend_from_slice(line);
        if line.ends_with(b"\n") {
            buf.extend_from_slice(indent);
        }
    }
}

/// `"key": [ ... ]` from pre-rendered runs of elements (empty runs are skipped).
fn write_array<'a>(
    out: &mut dyn std::io::Write,
    key: &str,
    runs: impl Iterator<Item = &'a [u8]>,
) -> std::io::Result<()> {
    write!(out, "  \"{key}\": ")?;
    let mut empty = true;
    for run in runs.filter(|r| !r.is_empty()) {
        out.write_all(if empty { b"[\n" } else { b",\n" })?;
        out.write_all(ELEMENT_INDENT)?;
        out.write_all(run)?;
        empty = false;
    }
    out.write_all(if empty { b"[]" } else { b"\n  ]" })
}

/// Write the whole report as one JSON document: byte for byte what serde_json's pretty printer
/// makes of the schema, but assembled from per-file fragments (rendered here when the scan did not).
pub fn write(report: &ScanReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let rendered: Vec<std::borrow::Cow<'_, Fragments>> = report
        .files
        .iter()
        .map(|f| match &f.json {
            Some(j) => std::borrow::Cow::Borrowed(j),
            None => std::borrow::Cow::Owned(fragments(f)),
        })
        .collect();
    let mut files = Vec::new();
    for f in &report.files {
        push_element(&mut files, &file_json(f));
    }
    let mut head = Vec::new();
    indented(
        &mut head,
        &Tool {
            name: "cuport",
            version: env!("CARGO_PKG_VERSION"),
        },
        b"  ",
    );
    write!(
        out,
        "{{\n  \"schema_version\": 1,\n  \"tool\": {},\n  \"target\": \"{}\",\n",
        String::from_utf8_lossy(&head),
        report.target.as_str()
    )?;
    write_array(out, "files", std::iter::once(files.as_slice()))?;
    out.write_all(b",\n")?;
    write_array(
        out,
        "findings",
        rendered.iter().map(|r| r.findings.as_slice()),
    )?;
    out.write_all(b",\n")?;
    write_array(
        out,
        "kernels",
        rendered.iter().map(|r| r.kernels.as_slice()),
    )?;
    let mut tail = Vec::new();
    indented(&mut tail, &summary(report), b"  ");
    out.write_all(b",\n  \"summary\": ")?;
    out.write_all(&tail)?;
    out.write_all(b"\n}\n")
}

/// Targets in a stable order, for formats that list both.
pub fn targets() -> [Target; 2] {
    Target::ALL
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, LaunchSite, Status, TargetFinding};
    use crate::scan::{FindingRecord, KernelRecord};

    /// The schema as one serde value: the oracle the fragment assembly must match byte for byte.
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

    fn reference(report: &ScanReport) -> Vec<u8> {
        let doc = Doc {
            schema_version: 1,
            tool: Tool {
                name: "cuport",
                version: env!("CARGO_PKG_VERSION"),
            },
            target: report.target.as_str(),
            files: report.files.iter().map(file_json).collect(),
            findings: report.findings().map(|(f, r)| finding_json(f, r)).collect(),
            kernels: report
                .files
                .iter()
                .flat_map(|f| f.kernels.iter().map(move |k| kernel_json(f, k)))
                .collect(),
            summary: summary(report),
        };
        let mut out = serde_json::to_vec_pretty(&doc).unwrap();
        out.push(b'\n');
        out
    }

    fn finding(rule: &str, note: &str) -> FindingRecord {
        FindingRecord {
            finding: Finding {
                rule: rule.into(),
                rule_index: None,
                cuda: "cudaMalloc".into(),
                kind: "function".into(),
                library: "cuda-runtime".into(),
                category: "memory".into(),
                span: 0..10,
                name_range: 0..10,
                targets: vec![(
                    Target::MindSpore,
                    TargetFinding {
                        api: "aclrtMalloc".into(),
                        status: Status::Guided,
                        note: note.into(),
                        replacement: None,
                    },
                )],
            },
            line: 3,
            column: 5,
            end_line: 3,
            end_column: 15,
            fingerprint: "00ff".into(),
        }
    }

    fn file(rel: &str, findings: Vec<FindingRecord>, kernels: Vec<KernelRecord>) -> FileRecord {
        FileRecord {
            rel: rel.into(),
            language: "cuda",
            bytes: 42,
            findings,
            kernels,
            ..FileRecord::default()
        }
    }

    fn kernel(name: &str) -> KernelRecord {
        KernelRecord {
            name: name.into(),
            line: 7,
            pattern: "elementwise".into(),
            confidence: 0.876,
            evidence: vec!["one store per thread".into()],
            runner_up: (name == "k2").then(|| ("elementwise:add".to_string(), 0.8)),
            suggestions: vec![(Target::Paddle, vec!["paddle.add".into()])],
            launches: vec![LaunchSite {
                kernel: name.into(),
                path: "b.cu".into(),
                line: 9,
                config: vec!["grid".into(), "block".into()],
            }],
            params: Vec::new(),
        }
    }

    fn report(files: Vec<FileRecord>) -> ScanReport {
        ScanReport {
            root: ".".into(),
            target: Target::MindSpore,
            severity: Default::default(),
            files,
            notes: Vec::new(),
        }
    }

    #[test]
    fn assembled_fragments_are_byte_identical_to_one_pretty_document() {
        let cases = vec![
            report(Vec::new()),
            report(vec![file("a.cu", Vec::new(), Vec::new())]),
            report(vec![
                file(
                    "a.cu",
                    vec![finding("R1", "line\nbreak \"quoted\"")],
                    Vec::new(),
                ),
                file("b.cu", Vec::new(), vec![kernel("k1"), kernel("k2")]),
                file(
                    "c.cu",
                    vec![finding("R2", ""), finding("R3", "ü")],
                    vec![kernel("k3")],
                ),
            ]),
        ];
        for r in &cases {
            let mut got = Vec::new();
            write(r, &mut got).unwrap();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(reference(r)).unwrap()
            );
        }
    }

    #[test]
    fn fragments_rendered_by_the_workers_are_used_as_is() {
        let mut r = report(vec![file("a.cu", vec![finding("R1", "n")], Vec::new())]);
        let mut expected = Vec::new();
        write(&r, &mut expected).unwrap();
        r.files[0].json = Some(fragments(&r.files[0]));
        let mut got = Vec::new();
        write(&r, &mut got).unwrap();
        assert_eq!(got, expected);
    }
}
