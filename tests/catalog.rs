//! The catalog: every target name exists in the real packages, every example rewrites as it says,
//! the coverage targets hold, and rule-file errors point at the exact span.

mod common;
use common::*;
use cuport::catalog::{Catalog, Segment};
use cuport::model::{RuleKind, Status, Target};
use cuport::rewrite::PlanOptions;
use std::collections::{BTreeMap, HashSet};

fn catalog() -> Catalog {
    Catalog::builtin().expect("the built-in catalog loads")
}

/// Names that exist on a target: the inventory extracted from the wheels and CANN lists, plus the
/// allowlist (names that exist but cannot be extracted, each with a source).
fn inventory(t: Target) -> HashSet<String> {
    let dir = repo().join("rewrite-rules/inventory");
    let files: &[&str] = match t {
        Target::MindSpore => &[
            "mindspore-python.txt",
            "mindspore-cpp.txt",
            "mindspore-headers.txt",
            "cann.txt",
            "cann-headers.txt",
        ],
        Target::Paddle => &["paddle-python.txt", "paddle-cpp.txt", "paddle-headers.txt"],
    };
    let mut names = HashSet::new();
    for f in files {
        let text = std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        names.extend(
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(String::from),
        );
    }
    let allow = std::fs::read_to_string(dir.join("allowlist.tsv")).unwrap();
    for line in allow.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            3,
            "allowlist rows are name, target, source: {line}"
        );
        assert!(
            !cols[2].trim().is_empty(),
            "allowlist entry without a source: {line}"
        );
        if cols[1] == t.as_str() {
            names.insert(cols[0].to_string());
        }
    }
    names
}

/// Identifiers in a template that name target API (not argument glue like casts or `nullptr`).
fn target_names_in_template(segments: &[Segment]) -> Vec<String> {
    let mut out = Vec::new();
    for s in segments {
        let Segment::Literal(text) = s else { continue };
        let mut cur = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
                cur.push(c);
            } else {
                let name = cur.trim_matches(':').to_string();
                let looks_target = [
                    "acl",
                    "ACL",
                    "Hccl",
                    "HCCL",
                    "PD_",
                    "PADDLE_",
                    "paddle::",
                    "ms::",
                    "mindspore::",
                ]
                .iter()
                .any(|p| name.starts_with(p));
                if looks_target {
                    out.push(name);
                }
                cur.clear();
            }
        }
    }
    out
}

#[test]
fn every_suggested_name_exists_in_the_pinned_packages() {
    let cat = catalog();
    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in Target::ALL {
        let inv = inventory(t);
        let mut check = |what: String, name: &str| {
            if !inv.contains(name) {
                missing
                    .entry(format!("{t}: {name}"))
                    .or_default()
                    .push(what);
            }
        };
        for r in &cat.rules {
            let tr = r.target(t);
            if !tr.api.is_empty() {
                check(r.id.clone(), &tr.api);
            }
            if let Some(inc) = &tr.include {
                check(format!("{} include", r.id), inc);
            }
            if let Some(tpl) = &tr.template {
                for n in target_names_in_template(&tpl.segments) {
                    check(format!("{} rewrite", r.id), &n);
                }
            }
        }
        for p in &cat.patterns {
            for op in p.ops(t) {
                check(format!("kernel pattern {}", p.id), op);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} names not in the inventory:\n{missing:#?}",
        missing.len()
    );
}

#[test]
fn the_inventory_records_where_it_came_from() {
    let v = std::fs::read_to_string(repo().join("rewrite-rules/inventory/VERSIONS")).unwrap();
    assert!(v.contains("paddlepaddle") && v.contains("3.3.1"), "{v}");
    assert!(v.contains("mindspore") && v.contains("2.10.0"), "{v}");
}

#[test]
fn every_example_rewrites_as_documented() {
    let cat = catalog();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut refused_in_isolation = 0;
    for r in &cat.rules {
        for ex in &r.examples {
            for t in Target::ALL {
                // Member-call rules apply in files that use PyTorch: give their examples that context.
                let context = if r.kind == RuleKind::Method {
                    "#include <torch/extension.h>\n"
                } else {
                    ""
                };
                let source = format!("{context}{}", ex.cuda);
                let plan = cuport::scan::plan_source(
                    &cat,
                    "example.cu",
                    source.into_bytes(),
                    t,
                    &PlanOptions::default(),
                );
                if !plan.findings.iter().any(|f| f.rule == r.id) {
                    failures.push(format!(
                        "{}: example `{}` does not trigger the rule",
                        r.id, ex.cuda
                    ));
                    break;
                }
                let Some(expected) = ex.expected(t) else {
                    continue;
                };
                let got = plan
                    .output
                    .map(|o| String::from_utf8(o).unwrap())
                    .unwrap_or_else(|| format!("{context}{}", ex.cuda));
                // Headers the rewrite needs are added above; the example shows the code line only.
                let got: String = got
                    .lines()
                    .filter(|l| {
                        !(l.starts_with("#include")
                            && !ex.cuda.contains(l)
                            && !expected.contains(l))
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                checked += 1;
                // A rewrite that depends on its context (the receiver's or an argument's type) is
                // refused in an example that does not declare it, with the reason stated.
                let refused = plan.findings.iter().any(|f| {
                    f.rule == r.id
                        && f.target(t)
                            .is_some_and(|tf| tf.note.contains("(not rewritten here:"))
                });
                if refused && got.trim_end() == ex.cuda.trim_end() {
                    refused_in_isolation += 1;
                    continue;
                }
                if got.trim_end() != expected.trim_end() {
                    failures.push(format!(
                        "{} [{t}]:\n  cuda:     {}\n  expected: {expected}\n  got:      {got}",
                        r.id, ex.cuda
                    ));
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} example rewrites checked");
    // Today: the PyTorch-extension member calls and dispatch macros, whose rewrite needs a
    // receiver declared with the target's tensor type (tools/compile_examples.py shows why).
    assert!(
        refused_in_isolation <= 40,
        "{refused_in_isolation} examples refused in isolation"
    );
    assert!(
        failures.is_empty(),
        "{} example failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn direct_rules_have_an_example_and_a_rewrite_or_rename() {
    let cat = catalog();
    for r in &cat.rules {
        for t in Target::ALL {
            if r.target(t).status == Status::Direct && r.kind != RuleKind::Header {
                assert!(
                    r.examples.iter().any(|e| e.expected(t).is_some()),
                    "{} is direct for {t} but has no example showing the rewrite",
                    r.id
                );
            }
        }
    }
}

#[test]
fn coverage_meets_the_catalog_targets() {
    let cat = catalog();
    let count = |f: &dyn Fn(&cuport::catalog::Rule) -> bool| {
        cat.rules
            .iter()
            .filter(|r| f(r))
            .map(|r| r.cuda.clone())
            .collect::<HashSet<_>>()
            .len()
    };
    let lib = |names: &'static [&'static str]| {
        move |r: &cuport::catalog::Rule| names.contains(&r.library.as_str())
    };
    let families: Vec<(&str, usize, usize)> = vec![
        (
            "runtime functions",
            200,
            count(&|r| r.library == "cuda-runtime" && r.kind == RuleKind::Function),
        ),
        (
            "runtime types/enums/macros",
            150,
            count(&|r| {
                r.library == "cuda-runtime"
                    && matches!(r.kind, RuleKind::Type | RuleKind::Enum | RuleKind::Macro)
            }),
        ),
        (
            "driver",
            80,
            count(&|r| r.library == "cuda-driver" && r.kind != RuleKind::Header),
        ),
        (
            "cuBLAS + cuBLASLt",
            150,
            count(&|r| lib(&["cublas", "cublaslt"])(r) && r.kind != RuleKind::Header),
        ),
        (
            "cuDNN",
            100,
            count(&|r| r.library == "cudnn" && r.kind != RuleKind::Header),
        ),
        (
            "cuRAND",
            40,
            count(&|r| r.library == "curand" && r.kind != RuleKind::Header),
        ),
        (
            "cuFFT",
            30,
            count(&|r| r.library == "cufft" && r.kind != RuleKind::Header),
        ),
        (
            "NCCL",
            30,
            count(&|r| r.library == "nccl" && r.kind != RuleKind::Header),
        ),
        (
            "cuSPARSE",
            40,
            count(&|r| r.library == "cusparse" && r.kind != RuleKind::Header),
        ),
        (
            "cuSOLVER",
            40,
            count(&|r| r.library == "cusolver" && r.kind != RuleKind::Header),
        ),
        (
            "Thrust + CUB",
            60,
            count(&|r| lib(&["thrust", "cub"])(r) && r.kind != RuleKind::Header),
        ),
        (
            "device intrinsics",
            150,
            count(&|r| lib(&["device", "cooperative-groups"])(r) && r.kind != RuleKind::Header),
        ),
        (
            "PyTorch extension",
            120,
            count(&|r| r.library == "torch-ext" && r.kind != RuleKind::Header),
        ),
        ("headers", 50, count(&|r| r.kind == RuleKind::Header)),
    ];
    for (name, want, got) in families {
        assert!(got >= want, "{name}: {got} rules, want at least {want}");
    }
}

fn rule_dir(toml: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("mine.toml"), toml).unwrap();
    d
}

const GOOD: &str = r#"[[rule]]
id = "MY-FOO"
cuda = "myCudaFoo"
kind = "function"
library = "cuda-runtime"
category = "memory"
params = ["a"]
[rule.mindspore]
api = "aclrtFree"
status = "direct"
note = "n"
rewrite = "aclrtFree({a})"
[rule.paddle]
api = ""
status = "manual"
note = "n"
"#;

#[test]
fn user_rule_directories_add_rules() {
    let d = rule_dir(GOOD);
    let src = tempfile::tempdir().unwrap();
    std::fs::write(
        src.path().join("a.cu"),
        "void f(void* p) { myCudaFoo(p); }\n",
    )
    .unwrap();
    let o = cuport(
        src.path(),
        &[
            "scan",
            "a.cu",
            "--format",
            "diff",
            "--rules",
            d.path().to_str().unwrap(),
        ],
    );
    assert!(
        stdout(&o).contains("+void f(void* p) { aclrtFree(p); }"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
}

#[test]
fn rule_file_errors_underline_the_span_and_exit_2() {
    let cases: Vec<(String, &str, &str)> = vec![
        (
            GOOD.replace(
                "category = \"memory\"",
                "category = \"memory\"\ncolour = \"red\"",
            ),
            "unknown field `colour`",
            "colour",
        ),
        (
            GOOD.replace("status = \"direct\"", "status = \"directly\""),
            "unknown status `directly`",
            "\"directly\"",
        ),
        (
            GOOD.replace(
                "rewrite = \"aclrtFree({a})\"",
                "rewrite = \"aclrtFree({b})\"",
            ),
            "unknown placeholder `{b}`",
            "{b}",
        ),
        (
            GOOD.replace("[rule.paddle]", "[rule.tensorflow]"),
            "unknown field `tensorflow`",
            "tensorflow",
        ),
        (
            GOOD.replace("params = [\"a\"]", "params = \"a\""),
            "invalid type",
            "\"a\"",
        ),
        (
            GOOD.replace("note = \"n\"\nrewrite", "note = \"\"\nrewrite"),
            "`note` must not be empty",
            "\"\"",
        ),
        (
            format!("{GOOD}\n{}", GOOD.replace("myCudaFoo", "myCudaBar")),
            "duplicate rule id `MY-FOO`",
            "\"MY-FOO\"",
        ),
        (
            GOOD.replace("cuda = \"myCudaFoo\"", "cuda = \"cudaMalloc\""),
            "`cudaMalloc` already has a rule",
            "\"cudaMalloc\"",
        ),
        ("[[rule]\nid = 1".to_string(), "", ""),
    ];
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("a.cu"), "cudaStream_t s;\n").unwrap();
    for (toml, message, underlined) in cases {
        let d = rule_dir(&toml);
        let o = cuport(
            src.path(),
            &["scan", "a.cu", "--rules", d.path().to_str().unwrap()],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(stdout(&o).is_empty(), "nothing is scanned: {}", stdout(&o));
        assert!(err.contains("mine.toml"), "names the file: {err}");
        assert!(err.contains(message), "says `{message}`: {err}");
        // The offending text is on a source line shown with an underline below it.
        if !underlined.is_empty() {
            let lines: Vec<&str> = err.lines().collect();
            let shown = lines
                .iter()
                .position(|l| l.contains('│') && l.contains(underlined));
            let idx = shown.unwrap_or_else(|| panic!("`{underlined}` shown in: {err}"));
            assert!(lines[idx + 1].contains('─'), "underlined: {err}");
        }
    }
}
