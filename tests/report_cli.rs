//! `cuport report` end to end: formats, files, stdout, determinism, baseline progress, history,
//! readiness/effort arithmetic and escaping of user text.

mod common;
use common::*;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const ALL: &str = "json,markdown,html,sarif,junit,github,gitlab";
const NAMES: [&str; 7] = [
    "cuport.json",
    "cuport.md",
    "cuport.html",
    "cuport.sarif",
    "cuport.junit.xml",
    "cuport.github.txt",
    "cuport.gitlab.json",
];

/// `cuport ARGS` in `cwd` with a fixed clock for history lines.
fn run_at(cwd: &Path, args: &[&str], epoch: u64) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cuport"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .output()
        .expect("cuport runs")
}

/// A small project: known rules, an unmapped name, a file name full of markup characters.
fn small_project(dir: &Path) {
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::write(
        dir.join("src/copy.cu"),
        "#include <cuda_runtime.h>\n\nvoid copy(float* h, int n) {\n  float* d = nullptr;\n  cudaMalloc(&d, n * sizeof(float));\n  cudaMemcpy(d, h, n * sizeof(float), cudaMemcpyHostToDevice);\n  cudaDeviceSynchronize();\n  cudaFree(d);\n}\n",
    )
    .unwrap();
    fs::write(
        dir.join("src/we<i>rd&\"name\".cu"),
        "void f() {\n  cudaFrobnicateWidgetXyz(0);\n  cudaFree(0);\n}\n",
    )
    .unwrap();
    fs::write(dir.join("clean.cpp"), "int main() { return 0; }\n").unwrap();
}

#[test]
fn one_format_without_a_directory_goes_to_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    small_project(tmp.path());
    let o = cuport(tmp.path(), &["report", "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("# cuport report: CUDA → mindspore"));
    for n in NAMES {
        assert!(
            !tmp.path().join(n).exists(),
            "{n} written although stdout was asked"
        );
    }
    let o = cuport(tmp.path(), &["report", "--format", "json"]);
    let scan = cuport(tmp.path(), &["scan", "--format", "json"]);
    assert_eq!(
        o.stdout, scan.stdout,
        "json is the scan's schema_version 1 contract"
    );
}

#[test]
fn every_format_is_written_to_its_own_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("reports/nested");
    let o = cuport(
        &repo(),
        &[
            "report",
            "fixtures/demo",
            "--format",
            ALL,
            "--output-dir",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing on stdout when writing files");
    for n in NAMES {
        let p = out.join(n);
        assert!(p.is_file(), "{n} missing");
        assert!(stderr(&o).contains(&format!("wrote {}", p.display())));
    }
    assert!(stderr(&o).contains("readiness"), "{}", stderr(&o));

    let scan = cuport(&repo(), &["scan", "fixtures/demo", "--format", "json"]);
    assert_eq!(fs::read(out.join("cuport.json")).unwrap(), scan.stdout);
    let v: Value = serde_json::from_slice(&scan.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap().len();
    let kernels = v["kernels"].as_array().unwrap().len();

    // GitHub: one workflow command per finding and per kernel.
    let gh = fs::read_to_string(out.join("cuport.github.txt")).unwrap();
    assert_eq!(gh.lines().count(), findings + kernels);
    for l in gh.lines() {
        assert!(
            ["::notice file=", "::warning file=", "::error file="]
                .iter()
                .any(|p| l.starts_with(p)),
            "{l}"
        );
        assert!(l.contains(",line=") && l.contains(",title="), "{l}");
    }

    // GitLab Code Quality: an array of issues with unique fingerprints.
    let gl: Value =
        serde_json::from_slice(&fs::read(out.join("cuport.gitlab.json")).unwrap()).unwrap();
    let issues = gl.as_array().unwrap();
    assert_eq!(issues.len(), findings + kernels);
    let mut fps = std::collections::BTreeSet::new();
    for i in issues {
        for key in [
            "description",
            "check_name",
            "fingerprint",
            "severity",
            "location",
        ] {
            assert!(i.get(key).is_some(), "issue lacks {key}: {i}");
        }
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&i["severity"].as_str().unwrap()));
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(fps.insert(i["fingerprint"].as_str().unwrap().to_string()));
    }

    // JUnit: one test case per file, failed exactly when the file has findings.
    let xml = fs::read_to_string(out.join("cuport.junit.xml")).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(xml.matches("<testcase ").count(), files.len());
    let with_findings = files
        .iter()
        .filter(|f| {
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["path"] == f["path"])
        })
        .count();
    assert_eq!(xml.matches("<failure ").count(), with_findings);
    assert!(xml.contains(&format!(
        "tests=\"{}\" failures=\"{with_findings}\"",
        files.len()
    )));

    let md = fs::read_to_string(out.join("cuport.md")).unwrap();
    for h in [
        "## Touchpoints by library and status",
        "### Files",
        "### Directories",
        "## Kernels by pattern",
        "## Unmapped names",
        "**Readiness",
        "**Effort ≈",
    ] {
        assert!(md.contains(h), "markdown lacks {h}");
    }
}

#[test]
fn several_formats_without_a_directory_go_to_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    small_project(tmp.path());
    let o = cuport(
        tmp.path(),
        &[
            "report",
            "--format",
            "markdown,github",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(tmp.path().join("cuport.md").is_file());
    assert!(tmp.path().join("cuport.github.txt").is_file());
}

#[test]
fn reports_are_identical_across_runs_and_thread_counts() {
    let read_all = |threads: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let o = cuport(
            &repo(),
            &[
                "report",
                "fixtures/demo",
                "--format",
                ALL,
                "--threads",
                threads,
                "--output-dir",
                tmp.path().to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        NAMES
            .iter()
            .map(|n| fs::read(tmp.path().join(n)).unwrap())
            .collect::<Vec<_>>()
    };
    let a = read_all("1");
    let b = read_all("2");
    for (i, n) in NAMES.iter().enumerate() {
        assert!(a[i] == b[i], "{n} differs between runs");
    }
}

#[test]
fn readiness_and_effort_follow_the_documented_weights() {
    let o = cuport(
        &repo(),
        &[
            "report",
            "fixtures/demo",
            "--format",
            "json",
            "--target",
            "paddle",
        ],
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let catalog = cuport::catalog::Catalog::builtin().unwrap();
    let (mut ready, mut total, mut hours) = (0usize, 0usize, 0.0f64);
    for f in v["findings"].as_array().unwrap() {
        total += 1;
        let status = f["targets"]["paddle"]["status"]
            .as_str()
            .unwrap_or("unmapped");
        if status == "direct" || status == "guided" {
            ready += 1;
        }
        let rule_effort = catalog
            .rules
            .iter()
            .find(|r| r.id == f["rule"].as_str().unwrap())
            .and_then(|r| r.effort);
        hours += rule_effort.unwrap_or(match status {
            "direct" => 0.1,
            "guided" => 0.5,
            "manual" => 2.0,
            _ => 1.0,
        });
    }
    for k in v["kernels"].as_array().unwrap() {
        let p = k["pattern"].as_str().unwrap();
        hours += match catalog.pattern(p) {
            Some(x) => x.effort,
            None if p == "custom" => 8.0,
            None => 4.0,
        };
    }
    let md = cuport(
        &repo(),
        &[
            "report",
            "fixtures/demo",
            "--format",
            "markdown",
            "--target",
            "paddle",
        ],
    );
    let md = stdout(&md);
    let expected_readiness = format!("**Readiness {:.1} %**", ready as f64 * 100.0 / total as f64);
    assert!(
        md.contains(&expected_readiness),
        "{expected_readiness} not in\n{md}"
    );
    let expected_effort = format!("**Effort ≈ {hours:.1} h**");
    assert!(
        md.contains(&expected_effort),
        "{expected_effort} not in\n{md}"
    );
    assert!(md.contains("CUDA → paddle"));
}

#[test]
fn baseline_shows_migrated_remaining_and_new() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("fixtures/demo"), tmp.path());
    let o = cuport(tmp.path(), &["baseline", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let base: Value =
        serde_json::from_slice(&fs::read(tmp.path().join(".cuport-baseline.json")).unwrap())
            .unwrap();
    let recorded = base["findings"].as_array().unwrap().len();

    // Port one call away and add a new one.
    let p = tmp.path().join("src/vector_ops.cu");
    let src = fs::read_to_string(&p).unwrap();
    assert!(src.contains("  cudaFree(d_out);\n"));
    let src = src
        .replace("  cudaFree(d_out);\n", "  release(d_out);\n")
        .replace(
            "  return ms;\n",
            "  cudaMemset(d_in, 7, bytes);\n  return ms;\n",
        );
    fs::write(&p, src).unwrap();

    let o = cuport(
        tmp.path(),
        &[
            "report",
            "--baseline",
            ".cuport-baseline.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a new touchpoint fails the default gate"
    );
    let md = stdout(&o);
    assert!(md.contains("## Progress since the baseline"), "{md}");
    let row = format!("| 1 | {} | 1 |", recorded - 1);
    assert!(md.contains(&row), "{row} not in\n{md}");

    let dir = tmp.path().join("out");
    let o = cuport(
        tmp.path(),
        &[
            "report",
            "--baseline",
            ".cuport-baseline.json",
            "--format",
            "sarif,html",
            "--fail-on",
            "never",
            "--output-dir",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!(
        "1 migrated away, {} remaining, 1 new",
        recorded - 1
    )));
    let sarif: Value =
        serde_json::from_slice(&fs::read(dir.join("cuport.sarif")).unwrap()).unwrap();
    let states: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["baselineState"].as_str())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "new").count(), 1);
    assert_eq!(
        states.iter().filter(|s| **s == "unchanged").count(),
        recorded - 1
    );
    let html = fs::read_to_string(dir.join("cuport.html")).unwrap();
    assert!(html.contains("id=\"table-progress\""));
}

#[test]
fn history_appends_a_point_per_run_and_the_html_draws_the_trend() {
    let tmp = tempfile::tempdir().unwrap();
    small_project(tmp.path());
    let args = [
        "report",
        "--format",
        "html",
        "--history",
        "hist.jsonl",
        "--output-dir",
        "out",
    ];
    let o = run_at(tmp.path(), &args, 1_767_225_600);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let html = fs::read_to_string(tmp.path().join("out/cuport.html")).unwrap();
    assert!(
        html.contains("id=\"chart-trend\""),
        "one point is drawn too"
    );

    // Inside a git repository the point records HEAD.
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(tmp.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .expect("git runs");
        assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
        stdout(&o).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["add", "src"]);
    git(&["commit", "-q", "-m", "fixture"]);
    let head = git(&["rev-parse", "HEAD"]);
    fs::write(tmp.path().join("src/copy.cu"), "void copy() {}\n").unwrap();
    let o = run_at(tmp.path(), &args, 1_767_312_000);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    let text = fs::read_to_string(tmp.path().join("hist.jsonl")).unwrap();
    let points: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0]["time"], "2026-01-01T00:00:00Z");
    assert_eq!(points[0]["commit"], Value::Null, "outside git: no commit");
    assert_eq!(points[1]["time"], "2026-01-02T00:00:00Z");
    assert_eq!(points[1]["commit"], head.as_str());
    assert_eq!(points[0]["target"], "mindspore");
    for p in &points {
        let by: u64 = ["direct", "guided", "manual", "unmapped"]
            .iter()
            .map(|s| p["by_status"][s].as_u64().unwrap())
            .sum();
        assert_eq!(by, p["touchpoints"].as_u64().unwrap());
    }
    assert!(points[1]["touchpoints"].as_u64() < points[0]["touchpoints"].as_u64());

    let html = fs::read_to_string(tmp.path().join("out/cuport.html")).unwrap();
    let trend = &html[html.find("id=\"chart-trend\"").unwrap()..];
    assert_eq!(
        trend[..trend.find("</svg>").unwrap()]
            .matches("<circle")
            .count(),
        2
    );
    assert!(html.contains("2026-01-01") && html.contains("2026-01-02"));

    // A damaged line is reported and skipped, never fatal.
    let mut t = fs::read_to_string(tmp.path().join("hist.jsonl")).unwrap();
    t.push_str("not json\n");
    fs::write(tmp.path().join("hist.jsonl"), t).unwrap();
    let o = run_at(tmp.path(), &args, 1_767_398_400);
    assert!(
        stderr(&o).contains("hist.jsonl:3: not a history data point"),
        "{}",
        stderr(&o)
    );
    let text = fs::read_to_string(tmp.path().join("hist.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 4);
}

#[test]
fn user_text_is_escaped_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    small_project(tmp.path());
    let o = cuport(
        tmp.path(),
        &["report", "--format", ALL, "--output-dir", "out"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let read = |n: &str| fs::read_to_string(tmp.path().join("out").join(n)).unwrap();
    let raw = "we<i>rd&\"name\".cu";

    let html = read("cuport.html");
    assert!(
        !html.contains(raw) && !html.contains("<i>"),
        "raw markup in HTML"
    );
    assert!(html.contains("we&lt;i&gt;rd&amp;&quot;name&quot;.cu"));
    assert!(
        html.contains("cudaFrobnicateWidgetXyz"),
        "unmapped names listed"
    );
    for banned in [
        "<script", "<link", "http://", "https://", "src=", "url(", "@import",
    ] {
        assert!(
            !html.contains(banned),
            "HTML is not self-contained: {banned}"
        );
    }

    let md = read("cuport.md");
    // Markup in user text only ever appears inside code spans, where it is shown, not rendered.
    let outside_code: String = md.split('`').step_by(2).collect();
    assert!(!outside_code.contains("<i>"), "raw markup in Markdown");
    assert!(md.contains("`src/we<i>rd&\"name\".cu`"));
    assert!(md.contains("`cudaFrobnicateWidgetXyz`"));

    let xml = read("cuport.junit.xml");
    assert!(xml.contains("name=\"src/we&lt;i&gt;rd&amp;&quot;name&quot;.cu\""));
    assert!(!xml.contains("<i>"));

    let gh = read("cuport.github.txt");
    assert!(gh.contains("file=src/we<i>rd&\"name\".cu,line=2"), "{gh}");

    let sarif: Value = serde_json::from_str(&read("cuport.sarif")).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"src/we%3Ci%3Erd%26%22name%22.cu"),
        "{uris:?}"
    );
}

#[test]
fn markdown_of_a_small_project() {
    let tmp = tempfile::tempdir().unwrap();
    small_project(tmp.path());
    let o = cuport(tmp.path(), &["report", "--format", "markdown"]);
    insta::assert_snapshot!("markdown_small", stdout(&o));
}
