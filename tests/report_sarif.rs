//! SARIF: validates against the official 2.1.0 schema, and its fixes reproduce `cuport fix`.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn schema_path() -> std::path::PathBuf {
    // shared/ sits beside the repository (work tree or CI clone).
    let candidates = [
        repo().join("../shared/reference/schemas/sarif-schema-2.1.0.json"),
        std::path::PathBuf::from("/work/shared/reference/schemas/sarif-schema-2.1.0.json"),
    ];
    candidates.into_iter().find(|p| p.is_file()).expect(
        "the official SARIF 2.1.0 schema (shared/reference/schemas/sarif-schema-2.1.0.json)",
    )
}

/// Validate with boon against the official schema, formats asserted.
fn validate(doc: &Value) {
    let schema: Value = serde_json::from_slice(&fs::read(schema_path()).unwrap()).unwrap();
    let url = schema["id"].as_str().unwrap().to_string();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource(&url, schema).unwrap();
    let idx = compiler.compile(&url, &mut schemas).unwrap();
    if let Err(e) = schemas.validate(doc, idx) {
        panic!("SARIF does not validate against the 2.1.0 schema:\n{e:#}");
    }
}

fn sarif(cwd: &Path, args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "sarif"];
    all.extend_from_slice(args);
    let o = cuport(cwd, &all);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("SARIF is JSON")
}

#[test]
fn the_schema_rejects_a_broken_log() {
    // The validator is really checking: a result without a message is invalid.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"ruleId": "R"}]}]});
    let schema: Value = serde_json::from_slice(&fs::read(schema_path()).unwrap()).unwrap();
    let url = schema["id"].as_str().unwrap().to_string();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(&url, schema).unwrap();
    let idx = compiler.compile(&url, &mut schemas).unwrap();
    assert!(schemas.validate(&bad, idx).is_err());
}

#[test]
fn demo_sarif_validates_for_both_targets() {
    for target in ["mindspore", "paddle"] {
        let doc = sarif(&repo(), &["fixtures/demo", "--target", target]);
        validate(&doc);
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(!rules.is_empty());
        for r in rules {
            assert!(
                !r["help"]["text"].as_str().unwrap().is_empty(),
                "rule without help: {r}"
            );
            assert!(r["help"]["markdown"].is_string());
        }
        let all = run["results"].as_array().unwrap();
        // Kernel results follow each file's touchpoints.
        let results: Vec<&Value> = all.iter().filter(|r| r["ruleId"] != "kernel").collect();
        let json = cuport(
            &repo(),
            &[
                "scan",
                "fixtures/demo",
                "--format",
                "json",
                "--target",
                target,
            ],
        );
        let v: Value = serde_json::from_slice(&json.stdout).unwrap();
        let findings = v["findings"].as_array().unwrap();
        assert_eq!(results.len(), findings.len());
        assert_eq!(
            all.len() - results.len(),
            v["kernels"].as_array().unwrap().len()
        );
        let mut direct = 0;
        for (res, f) in results.iter().zip(findings) {
            let idx = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], res["ruleId"]);
            assert_eq!(res["ruleId"], f["rule"]);
            let region = &res["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], f["line"]);
            assert_eq!(region["startColumn"], f["column"]);
            assert_eq!(region["endColumn"], f["end_column"]);
            assert_eq!(
                res["partialFingerprints"]["cuportFingerprint/v1"],
                f["fingerprint"]
            );
            let t = &f["targets"][target];
            if t["status"] == "direct" && t["replacement"].is_string() {
                direct += 1;
                let fix = &res["fixes"][0]["artifactChanges"][0];
                assert_eq!(
                    fix["artifactLocation"]["uri"],
                    res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                );
                assert!(!fix["replacements"].as_array().unwrap().is_empty(), "{res}");
            } else {
                assert!(
                    res.get("fixes").is_none(),
                    "only direct rewrites carry fixes: {res}"
                );
            }
        }
        // Paddle keeps most CUDA in GPU custom ops: few of its rewrites are direct.
        assert!(direct >= 3, "{target}: the demo has direct rewrites");
    }
}

#[test]
fn sarif_with_baseline_and_odd_paths_validates() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("a b")).unwrap();
    fs::write(
        tmp.path().join("a b/x<y>#%.cu"),
        "// ünïcode ✓ before the call\nvoid f(){ /* é */ cudaFree(p); cudaFrobnicateWidgetXyz(1); }\n",
    )
    .unwrap();
    let o = cuport(tmp.path(), &["baseline", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = sarif(tmp.path(), &["--baseline", ".cuport-baseline.json"]);
    validate(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["baselineState"] == "unchanged"));
    let r = &results[0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "a%20b/x%3Cy%3E%23%25.cu"
    );
    // Columns count code points: `cudaFree(p)` starts after `void f(){ /* é */ `.
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        19
    );
    let rep = &r["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(rep["deletedRegion"]["startColumn"], 19);
    assert_eq!(rep["insertedContent"]["text"], "aclrtFree");
    assert_eq!(rep["deletedRegion"]["endColumn"], 27);
}

/// Byte offset of a SARIF (line, code-point column) position.
fn offset(text: &str, line: u64, col: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = &text[start..];
    start
        + rest
            .char_indices()
            .nth(col as usize - 1)
            .map_or(rest.len(), |(i, _)| i)
}

type Edit = (usize, usize, String);

fn edits_of(text: &str, fix: &Value) -> Vec<Edit> {
    fix["artifactChanges"][0]["replacements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let d = &r["deletedRegion"];
            let s = offset(
                text,
                d["startLine"].as_u64().unwrap(),
                d["startColumn"].as_u64().unwrap(),
            );
            let e = offset(
                text,
                d["endLine"].as_u64().unwrap(),
                d["endColumn"].as_u64().unwrap(),
            );
            (
                s,
                e,
                r["insertedContent"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Apply edits; an edit inside an earlier one is part of it (a nested rewrite).
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|(s, e, _)| (*s, std::cmp::Reverse(*e)));
    let mut out = String::new();
    let mut at = 0;
    let mut last: Option<(usize, usize)> = None;
    for (s, e, t) in sorted {
        if let Some((ls, le)) = last {
            if (*s, *e) == (ls, le) || (*s < le && *e <= le) {
                continue;
            }
            assert!(*s >= le, "fixes overlap: {s}..{e} and {ls}..{le}");
        }
        out.push_str(&text[at..*s]);
        out.push_str(t);
        at = *e;
        last = Some((*s, *e));
    }
    out.push_str(&text[at..]);
    out
}

#[test]
fn fixes_reproduce_what_cuport_fix_writes() {
    for target in ["mindspore", "paddle"] {
        let orig = tempfile::tempdir().unwrap();
        copy_tree(&repo().join("fixtures/demo"), orig.path());
        let fixed = tempfile::tempdir().unwrap();
        copy_tree(&repo().join("fixtures/demo"), fixed.path());
        let o = cuport(fixed.path(), &["fix", ".", "--target", target, "--write"]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));

        let doc = sarif(orig.path(), &["--target", target]);
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let uris: BTreeSet<String> = results
            .iter()
            .filter(|r| r.get("fixes").is_some())
            .map(|r| {
                r["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert!(!uris.is_empty(), "{target}: the demo has direct rewrites");
        for uri in uris {
            let before = fs::read_to_string(orig.path().join(&uri)).unwrap();
            // cuport fix also writes `// cuport[…]` annotation lines (some inside rewritten calls);
            // SARIF fixes carry only the code change.
            let after: String = fs::read_to_string(fixed.path().join(&uri))
                .unwrap()
                .split_inclusive('\n')
                .filter(|l| !l.trim_start().starts_with("// cuport["))
                .collect();
            let mut all: Vec<Edit> = Vec::new();
            for r in results.iter().filter(|r| {
                r.get("fixes").is_some()
                    && r["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"]
                        == uri.as_str()
            }) {
                // Each fix alone changes the file.
                let edits = edits_of(&before, &r["fixes"][0]);
                assert_ne!(
                    apply(&before, &edits),
                    before,
                    "{uri}: a fix that changes nothing: {r}"
                );
                for e in edits {
                    if !all.contains(&e) {
                        all.push(e);
                    }
                }
            }
            // Its text is what cuport fix writes, unless it sits inside a larger rewrite
            // (an argument of a rewritten call) that renders it differently.
            for (s, e, text) in &all {
                let nested = all
                    .iter()
                    .any(|(os, oe, _)| os <= s && e <= oe && (os, oe) != (s, e));
                assert!(
                    nested || after.contains(text.as_str()),
                    "{target} {uri}: {text:?} is not in the rewrite"
                );
            }
            // Together they are the whole rewrite, except the #include lines cuport adds (and the
            // `// cuport[RULE]` annotations `fix --write` adds for people).
            let together = apply(&before, &all);
            let diff = similar::TextDiff::from_lines(&together, &after);
            for op in diff.ops() {
                for change in diff.iter_changes(op) {
                    match change.tag() {
                        similar::ChangeTag::Equal => {}
                        similar::ChangeTag::Insert => assert!(
                            change.value().starts_with("#include")
                                || change.value().contains("cuport["),
                            "{target} {uri}: cuport fix writes a line no fix has: {}",
                            change.value()
                        ),
                        similar::ChangeTag::Delete => panic!(
                            "{target} {uri}: fixes write a line cuport fix does not: {}",
                            change.value()
                        ),
                    }
                }
            }
        }
    }
}
