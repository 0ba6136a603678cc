//! SARIF 2.1.0 for code scanning (GitHub, GitLab, IDE viewers).
//!
//! One run for the chosen target. Every rule that fired is described with help text; every
//! touchpoint is a result with its region (columns count Unicode code points, as cuport's do),
//! its fingerprint and — for `direct` rewrites — a fix whose `artifactChanges` reproduce exactly
//! what `cuport fix` writes on those lines. Kernels are results of the rule `kernel`.

use super::metrics::{finding_hours, kernel_hours, status_of};
use crate::catalog::Catalog;
use crate::config::Severity;
use crate::model::Target;
use crate::scan::{fnv1a, FileRecord, FindingRecord, ScanReport};
use crate::source::SourceFile;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// SARIF level for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note | Severity::Off => "note",
    }
}

/// A relative path as a URI reference (RFC 3986: unreserved characters and `/` kept).
pub fn uri(rel: &str) -> String {
    let mut o = String::new();
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn location(rel: &str, region: Value) -> Value {
    json!({"physicalLocation": {
        "artifactLocation": {"uri": uri(rel), "uriBaseId": "%SRCROOT%"},
        "region": region,
    }})
}

fn region(r: &FindingRecord) -> Value {
    json!({"startLine": r.line, "startColumn": r.column, "endLine": r.end_line, "endColumn": r.end_column})
}

fn rule_descriptor(
    catalog: &Catalog,
    id: &str,
    target: Target,
    severity: &BTreeMap<String, Severity>,
) -> Value {
    if id == "unmapped" {
        let text = "A CUDA-looking name (by its library prefix) that cuport has no rule for yet. \
                    Find the equivalent by hand, or add a rule with `--rules DIR`.";
        return json!({
            "id": "unmapped",
            "name": "UnmappedCudaName",
            "shortDescription": {"text": "CUDA name with no cuport rule yet"},
            "fullDescription": {"text": text},
            "help": {"text": text, "markdown": text},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["cuda-port", "unmapped"]},
        });
    }
    if id == "kernel" {
        let text = "A hand-written __global__ kernel. When its body matches a known pattern the \
                    framework op is named; otherwise write an Ascend C kernel or a Paddle custom op \
                    (`cuport scaffold KERNEL` writes a starting point).";
        return json!({
            "id": "kernel",
            "name": "CudaKernel",
            "shortDescription": {"text": "Hand-written CUDA kernel"},
            "fullDescription": {"text": text},
            "help": {"text": text, "markdown": text},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["cuda-port", "kernel"]},
        });
    }
    let Some(rule) = catalog.rules.iter().find(|r| r.id == id) else {
        return json!({"id": id, "shortDescription": {"text": id}});
    };
    let tr = rule.target(target);
    let api = if tr.api.is_empty() {
        format!("no {target} equivalent")
    } else {
        tr.api.clone()
    };
    let short = format!(
        "{} → {} ({}, {})",
        rule.cuda,
        api,
        target,
        tr.status.as_str()
    );
    let mut text = format!("{short}. {}", tr.note);
    let mut md = format!(
        "`{}` → `{}` on {} ({}).\n\n{}",
        rule.cuda,
        api,
        target,
        tr.status.as_str(),
        tr.note
    );
    if let Some(inc) = &tr.include {
        text.push_str(&format!(" Include {inc}."));
        md.push_str(&format!("\n\nInclude `{inc}`."));
    }
    for ex in &rule.examples {
        if let Some(after) = ex.expected(target) {
            md.push_str(&format!(
                "\n\n```cpp\n// CUDA\n{}\n// {target}\n{after}\n```",
                ex.cuda
            ));
        }
    }
    text.push_str(&format!(" Run `cuport explain {id}` for examples."));
    md.push_str(&format!("\n\nRun `cuport explain {id}` for examples."));
    let mut props = json!({
        "tags": ["cuda-port", rule.library, rule.category],
        "library": rule.library,
        "status": tr.status.as_str(),
    });
    if let Some(e) = rule.effort {
        props["effortHours"] = json!(e);
    }
    json!({
        "id": id,
        "name": rule.cuda,
        "shortDescription": {"text": short},
        "fullDescription": {"text": tr.note},
        "help": {"text": text, "markdown": md},
        "defaultConfiguration": {"level": level(Severity::of(severity, id, tr.status.as_str()))},
        "properties": props,
    })
}

/// A change between a file and its rewritten text: bytes `old` of the original become `new`.
#[derive(Clone, Debug, PartialEq)]
pub struct Hunk {
    pub old: Range<usize>,
    pub new: Vec<u8>,
}

/// The changed line groups between `old` and `new`.
pub fn hunks(old: &[u8], new: &[u8]) -> Vec<Hunk> {
    let diff = similar::TextDiff::from_lines(old, new);
    let offsets = |slices: &[&[u8]]| {
        let mut v = vec![0];
        for s in slices {
            v.push(v.last().copied().unwrap_or(0) + s.len());
        }
        v
    };
    let oo = offsets(diff.old_slices());
    let no = offsets(diff.new_slices());
    let mut out: Vec<Hunk> = Vec::new();
    let mut open: Option<(Range<usize>, Range<usize>)> = None;
    for op in diff.ops() {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            if let Some((o, n)) = open.take() {
                out.push(Hunk {
                    old: oo[o.start]..oo[o.end],
                    new: new[no[n.start]..no[n.end]].to_vec(),
                });
            }
            continue;
        }
        open = Some(match open {
            Some((a, b)) => (a.start..o.end, b.start..n.end),
            None => (o, n),
        });
    }
    if let Some((o, n)) = open {
        out.push(Hunk {
            old: oo[o.start]..oo[o.end],
            new: new[no[n.start]..no[n.end]].to_vec(),
        });
    }
    out
}

/// The smallest equivalent of a hunk: common leading and trailing bytes left out, cut only
/// between characters.
fn trim(old: &[u8], h: &Hunk) -> Hunk {
    let o = &old[h.old.clone()];
    let n = &h.new[..];
    let boundary = |b: u8| (b & 0xC0) != 0x80;
    let mut p = 0;
    while p < o.len() && p < n.len() && o[p] == n[p] {
        p += 1;
    }
    while p > 0 && ((p < o.len() && !boundary(o[p])) || (p < n.len() && !boundary(n[p]))) {
        p -= 1;
    }
    let mut q = 0;
    while q < o.len() - p && q < n.len() - p && o[o.len() - 1 - q] == n[n.len() - 1 - q] {
        q += 1;
    }
    while q > 0 && (!boundary(o[o.len() - q]) || !boundary(n[n.len() - q])) {
        q -= 1;
    }
    Hunk {
        old: h.old.start + p..h.old.end - q,
        new: n[p..n.len() - q].to_vec(),
    }
}

/// Split a hunk that replaces N lines with N lines into one hunk per changed line.
fn split(src: &[u8], h: &Hunk) -> Vec<Hunk> {
    let ol: Vec<&[u8]> = src[h.old.clone()]
        .split_inclusive(|&b| b == b'\n')
        .collect();
    let nl: Vec<&[u8]> = h.new.split_inclusive(|&b| b == b'\n').collect();
    if ol.len() != nl.len() || ol.len() < 2 {
        return vec![h.clone()];
    }
    let mut at = h.old.start;
    let mut out = Vec::new();
    for (o, n) in ol.iter().zip(&nl) {
        if o != n {
            out.push(Hunk {
                old: at..at + o.len(),
                new: n.to_vec(),
            });
        }
        at += o.len();
    }
    out
}

fn touches(span: &Range<usize>, h: &Hunk) -> bool {
    h.old.start < span.end.max(span.start + 1) && span.start < h.old.end.max(h.old.start + 1)
}

/// Apply edits (nested ones, inside another edit, are part of it) to the hunk's old text.
fn apply_within(src: &[u8], h: &Hunk, edits: &[(Range<usize>, &[u8])]) -> Option<Vec<u8>> {
    let mut sorted: Vec<&(Range<usize>, &[u8])> = edits.iter().collect();
    sorted.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = Vec::new();
    let mut at = h.old.start;
    let mut last: Option<Range<usize>> = None;
    for (r, text) in sorted {
        if let Some(l) = &last {
            if *r == *l || (r.start < l.end && r.end <= l.end) {
                continue; // inside the previous edit, which renders it
            }
            if r.start < l.end {
                return None; // overlaps the previous edit without being inside it
            }
        }
        out.extend_from_slice(&src[at..r.start]);
        out.extend_from_slice(text);
        at = r.end;
        last = Some(r.clone());
    }
    out.extend_from_slice(&src[at..h.old.end]);
    Some(out)
}

/// Per direct finding (index into `direct`), the edits that make up its fix: its own replacement
/// at its own range when, together with its neighbours', that explains the changed lines exactly;
/// else the changed lines it touches, trimmed.
fn resolve(src: &[u8], hs: &[Hunk], direct: &[(&FindingRecord, &str)]) -> Vec<Vec<Hunk>> {
    let mut subs: Vec<Hunk> = hs.iter().flat_map(|h| split(src, h)).collect();
    // Join changed lines that one touchpoint spans (a call over several lines).
    let mut i = 0;
    while i + 1 < subs.len() {
        let (a, b) = (&subs[i], &subs[i + 1]);
        if direct
            .iter()
            .any(|(r, _)| touches(&r.finding.span, a) && touches(&r.finding.span, b))
        {
            let mut new = a.new.clone();
            new.extend_from_slice(&src[a.old.end..b.old.start]);
            new.extend_from_slice(&b.new);
            subs[i] = Hunk {
                old: a.old.start..b.old.end,
                new,
            };
            subs.remove(i + 1);
        } else {
            i += 1;
        }
    }
    let mut out: Vec<Vec<Hunk>> = vec![Vec::new(); direct.len()];
    for h in &subs {
        let members: Vec<usize> = (0..direct.len())
            .filter(|&j| touches(&direct[j].0.finding.span, h))
            .collect();
        let cands: Vec<Vec<Range<usize>>> = members
            .iter()
            .map(|&j| {
                let f = &direct[j].0.finding;
                let mut c = vec![f.span.clone()];
                if f.name_range != f.span {
                    c.push(f.name_range.clone());
                }
                c.retain(|r| r.start >= h.old.start && r.end <= h.old.end && r.start <= r.end);
                c
            })
            .collect();
        let combos: usize = cands.iter().map(|c| c.len()).product();
        let mut chosen: Option<Vec<Range<usize>>> = None;
        if combos > 0 && combos <= 4096 {
            for k in 0..combos {
                let mut rest = k;
                let pick: Vec<Range<usize>> = cands
                    .iter()
                    .map(|c| {
                        let r = c[rest % c.len()].clone();
                        rest /= c.len();
                        r
                    })
                    .collect();
                let edits: Vec<(Range<usize>, &[u8])> = pick
                    .iter()
                    .zip(&members)
                    .map(|(r, &j)| (r.clone(), direct[j].1.as_bytes()))
                    .collect();
                if apply_within(src, h, &edits).as_deref() == Some(&h.new[..]) {
                    chosen = Some(pick);
                    break;
                }
            }
        }
        for (n, &j) in members.iter().enumerate() {
            out[j].push(match &chosen {
                Some(pick) => Hunk {
                    old: pick[n].clone(),
                    new: direct[j].1.as_bytes().to_vec(),
                },
                None => trim(src, h),
            });
        }
    }
    out
}

fn fix(file: &SourceFile, edits: &[Hunk], description: &str) -> Value {
    let replacements: Vec<Value> = edits
        .iter()
        .map(|h| {
            let (sl, sc) = file.position(h.old.start);
            let (el, ec) = file.position(h.old.end);
            json!({
                "deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                "insertedContent": {"text": String::from_utf8_lossy(&h.new)},
            })
        })
        .collect();
    json!({
        "description": {"text": description},
        "artifactChanges": [{
            "artifactLocation": {"uri": uri(&file.rel), "uriBaseId": "%SRCROOT%"},
            "replacements": replacements,
        }],
    })
}

/// The file as scanned and its changed lines, when a rewrite exists and the file is unchanged.
/// Per finding of the file (same order), the edits of its fix (empty when not a direct rewrite).
fn rewrite_of(f: &FileRecord, target: Target) -> Option<(SourceFile, Vec<Vec<Hunk>>)> {
    let new = f.new_content.as_ref()?;
    let bytes = std::fs::read(&f.abs).ok()?;
    if fnv1a(&bytes) != f.original_hash {
        return None;
    }
    let hs = hunks(&bytes, new);
    let direct: Vec<(usize, (&FindingRecord, &str))> = f
        .findings
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let t = r.finding.target(target)?;
            let text = t.replacement.as_deref()?;
            (t.status == crate::model::Status::Direct).then_some((i, (r, text)))
        })
        .collect();
    let pairs: Vec<(&FindingRecord, &str)> = direct.iter().map(|(_, p)| *p).collect();
    let resolved = resolve(&bytes, &hs, &pairs);
    let mut per = vec![Vec::new(); f.findings.len()];
    for ((i, _), edits) in direct.iter().zip(resolved) {
        per[*i] = edits;
    }
    Some((SourceFile::new(f.rel.clone(), f.abs.clone(), bytes), per))
}

fn message(r: &FindingRecord, target: Target) -> String {
    let f = &r.finding;
    match f.target(target) {
        None => format!("{} has no cuport rule yet ({}).", f.cuda, f.library),
        Some(t) if t.api.is_empty() => format!(
            "{}: no {target} equivalent ({}). {}",
            f.cuda,
            t.status.as_str(),
            t.note
        ),
        Some(t) => format!(
            "{} → {} ({}, {}). {}",
            f.cuda,
            t.api,
            target,
            t.status.as_str(),
            t.note
        ),
    }
}

/// Write the SARIF log. `known` holds baseline fingerprints (sets `baselineState`) when given.
/// The scan must have been rendered with `new_content` for fixes to appear.
pub fn write(
    report: &ScanReport,
    catalog: &Catalog,
    known: Option<&BTreeSet<String>>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let target = report.target;
    let mut ids: BTreeSet<String> = report
        .findings()
        .map(|(_, r)| r.finding.rule.clone())
        .collect();
    if report.files.iter().any(|f| !f.kernels.is_empty()) {
        ids.insert("kernel".into());
    }
    let index: BTreeMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let rules: Vec<Value> = ids
        .iter()
        .map(|id| rule_descriptor(catalog, id, target, &report.severity))
        .collect();
    let mut results: Vec<Value> = Vec::new();
    for f in &report.files {
        let rewrite = if f.findings.is_empty() {
            None
        } else {
            rewrite_of(f, target)
        };
        for (i, r) in f.findings.iter().enumerate() {
            let status = status_of(r, target);
            let mut res = json!({
                "ruleId": r.finding.rule,
                "ruleIndex": index[r.finding.rule.as_str()],
                "level": level(Severity::of(&report.severity, &r.finding.rule, status)),
                "message": {"text": message(r, target)},
                "locations": [location(&f.rel, region(r))],
                "partialFingerprints": {"cuportFingerprint/v1": r.fingerprint},
                "properties": {
                    "status": status,
                    "library": r.finding.library,
                    "category": r.finding.category,
                    "effortHours": finding_hours(catalog, r, target),
                },
            });
            if let Some(k) = known {
                res["baselineState"] = json!(if k.contains(&r.fingerprint) {
                    "unchanged"
                } else {
                    "new"
                });
            }
            let replacement = r
                .finding
                .target(target)
                .filter(|_| status == "direct")
                .and_then(|t| t.replacement.as_deref());
            if let (Some(text), Some((file, per))) = (replacement, &rewrite) {
                if !per[i].is_empty() {
                    res["fixes"] = json!([fix(
                        file,
                        &per[i],
                        &format!("Rewrite {} as {}", r.finding.cuda, text)
                    )]);
                }
            }
            results.push(res);
        }
        for k in &f.kernels {
            let ops = k
                .suggestions
                .iter()
                .find(|(t, _)| *t == target)
                .map(|(_, v)| v.join(", "))
                .unwrap_or_default();
            let text = match k.pattern.as_str() {
                "unknown" => format!(
                    "kernel {}: pattern not recognised; port it by hand (`cuport scaffold {}`).",
                    k.name, k.name
                ),
                "custom" => format!(
                    "kernel {}: no framework op computes this; write an Ascend C kernel or custom op (`cuport scaffold {}`).",
                    k.name, k.name
                ),
                p if ops.is_empty() => format!(
                    "kernel {} {}.",
                    k.name,
                    crate::analyze::kernel::label(p, k.confidence)
                ),
                p => format!(
                    "kernel {} {}: use {ops} on {target}.",
                    k.name,
                    crate::analyze::kernel::label(p, k.confidence)
                ),
            };
            let recognised = !ops.is_empty();
            results.push(json!({
                "ruleId": "kernel",
                "ruleIndex": index["kernel"],
                "level": if recognised { "note" } else { "warning" },
                "message": {"text": text},
                "locations": [location(&f.rel, json!({"startLine": k.line}))],
                "partialFingerprints": {"cuportKernel/v1": format!("{:016x}", fnv1a(format!("{}\0{}", f.rel, k.name).as_bytes()))},
                "properties": {
                    "pattern": k.pattern,
                    "confidence": (k.confidence * 100.0).round() / 100.0,
                    "effortHours": kernel_hours(catalog, k),
                },
            }));
        }
    }
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cuport",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "automationDetails": {"id": format!("cuport/{target}/")},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"target": target.as_str()},
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_and_trim() {
        let old = b"a\ncudaFree(p);\nb\n";
        let new = b"a\naclrtFree(p);\nb\nc\n";
        let hs = hunks(old, new);
        assert_eq!(hs.len(), 2);
        assert_eq!(&old[hs[0].old.clone()], b"cudaFree(p);\n");
        let t = trim(old, &hs[0]);
        assert_eq!(&old[t.old.clone()], b"cuda");
        assert_eq!(t.new, b"aclrt");
        assert_eq!(hs[1].old, old.len()..old.len());
        assert_eq!(hs[1].new, b"c\n");
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("src/a b<c>.cu"), "src/a%20b%3Cc%3E.cu");
    }
}
