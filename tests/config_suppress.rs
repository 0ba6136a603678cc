//! cuport.toml / [tool.cuport] configuration and inline `// cuport: ignore…` suppressions.

mod common;
use common::*;
use serde_json::Value;
use std::fs;

fn json(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)))
}

fn project(config_name: &str, config: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join(config_name), config).unwrap();
    fs::create_dir_all(d.path().join("src")).unwrap();
    fs::create_dir_all(d.path().join("third_party")).unwrap();
    fs::write(
        d.path().join("src/a.cu"),
        "void f(void* p) { cudaFree(p); cudaDeviceSynchronize(); }\n",
    )
    .unwrap();
    fs::write(d.path().join("third_party/b.cu"), "cudaStream_t s;\n").unwrap();
    d
}

#[test]
fn config_file_sets_defaults_and_flags_override_it() {
    let d = project(
        "cuport.toml",
        "target = \"paddle\"\nexclude = [\"third_party/**\"]\nignore = [\"RT-DEVICE-SYNCHRONIZE\"]\n",
    );
    let v = json(&cuport(d.path(), &["scan", "--format", "json"]));
    assert_eq!(v["target"], "paddle");
    let paths = column(&v, "files", "path");
    assert_eq!(paths, ["src/a.cu"]);
    let rules = column(&v, "findings", "rule");
    assert_eq!(rules, ["RT-FREE"]);
    // Found by searching upward from a subdirectory; the flag wins over the file.
    let v = json(&cuport(
        &d.path().join("src"),
        &["scan", "--format", "json", "--target", "mindspore"],
    ));
    assert_eq!(v["target"], "mindspore");
}

#[test]
fn pyproject_tool_cuport_is_read() {
    let d = project(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.cuport]\ntarget = \"paddle\"\ninclude = [\"src/**\"]\n",
    );
    let v = json(&cuport(d.path(), &["scan", "--format", "json"]));
    assert_eq!(v["target"], "paddle");
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
}

#[test]
fn config_errors_underline_the_span_and_exit_2() {
    let cases = [
        (
            "cuport.toml",
            "target = \"paddle\"\ncolour = \"red\"\n",
            "unknown field `colour`",
            "colour",
        ),
        (
            "cuport.toml",
            "target = \"tensorflow\"\n",
            "unknown target `tensorflow`",
            "\"tensorflow\"",
        ),
        (
            "cuport.toml",
            "max-file-size = \"big\"\n",
            "invalid type",
            "\"big\"",
        ),
        (
            "cuport.toml",
            "exclude = [\"[oops\"]\n",
            "invalid glob",
            "\"[oops\"",
        ),
        (
            "cuport.toml",
            "[severity]\nRT-FREE = \"loud\"\n",
            "unknown severity `loud`",
            "\"loud\"",
        ),
        (
            "pyproject.toml",
            "[tool.cuport]\nselct = [\"RT-\"]\n",
            "unknown field `selct`",
            "selct",
        ),
    ];
    for (name, text, message, underlined) in cases {
        let d = project(name, text);
        let o = cuport(d.path(), &["scan"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(message), "{name}: wants `{message}` in {err}");
        assert!(err.contains(name), "names the file: {err}");
        let lines: Vec<&str> = err.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains('│') && l.contains(underlined))
            .unwrap_or_else(|| panic!("{err}"));
        assert!(lines[at + 1].contains('─'), "underlined: {err}");
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn inline_suppressions() {
    let d = tempfile::tempdir().unwrap();
    fs::write(
        d.path().join("a.cu"),
        "void f(void* p, void* q) {\n\
         \x20 // cuport: ignore\n\
         \x20 cudaDeviceSynchronize();\n\
         \x20 cudaFree(p); // cuport: ignore[RT-MALLOC]\n\
         \x20 cudaFree(q); // cuport: ignore[RT-FREE]\n\
         \x20 // cuport: ignore\n\
         \x20 int unused = 0;\n\
         }\n",
    )
    .unwrap();
    fs::write(
        d.path().join("b.cu"),
        "// generated file\n// cuport: ignore-file\ncudaStream_t s;\n",
    )
    .unwrap();
    let o = cuport(d.path(), &["scan", "--format", "json"]);
    let v = json(&o);
    let found: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [("a.cu".to_string(), 4)]);
    let err = stderr(&o);
    assert!(
        err.contains("a.cu: line 4: unused suppression `// cuport: ignore[RT-MALLOC]`"),
        "{err}"
    );
    assert!(
        err.contains("a.cu: line 6: unused suppression `// cuport: ignore`"),
        "{err}"
    );
    assert!(!err.contains("line 2: unused"), "{err}");
}

#[test]
fn report_takes_formats_directory_and_target_from_the_config() {
    let d = project(
        "cuport.toml",
        "target = \"paddle\"\nexclude = [\"third_party/**\"]\n[report]\nformats = [\"json\", \"markdown\"]\noutput-dir = \"out\"\n",
    );
    let o = cuport(d.path(), &["report", "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value =
        serde_json::from_slice(&fs::read(d.path().join("out/cuport.json")).unwrap()).unwrap();
    assert_eq!(v["target"], "paddle");
    assert_eq!(v["files"].as_array().unwrap().len(), 1, "exclude applies");
    assert!(d.path().join("out/cuport.md").is_file());
}

#[test]
fn configured_severity_sets_the_level_in_every_output_that_has_one() {
    // Both findings are `direct` (a note by default); the config makes one an error, one a warning.
    let d = project(
        "cuport.toml",
        "exclude = [\"third_party/**\"]\n[severity]\nRT-FREE = \"error\"\nRT-DEVICE-SYNCHRONIZE = \"warning\"\n",
    );
    let text = stderr(&cuport(d.path(), &["scan", "--exit-zero"]))
        + &stdout(&cuport(d.path(), &["scan", "--exit-zero"]));
    assert!(text.contains("× [RT-FREE]"), "{text}");
    assert!(text.contains("⚠ [RT-DEVICE-SYNCHRONIZE]"), "{text}");

    let report = |format: &str| {
        let o = cuport(
            d.path(),
            &["report", "--format", format, "--fail-on", "never"],
        );
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        stdout(&o)
    };
    let sarif: Value = serde_json::from_str(&report("sarif")).unwrap();
    let levels: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().into(),
                r["level"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        levels.contains(&("RT-FREE".into(), "error".into())),
        "{levels:?}"
    );
    assert!(
        levels.contains(&("RT-DEVICE-SYNCHRONIZE".into(), "warning".into())),
        "{levels:?}"
    );

    let github = report("github");
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::error ") && l.contains("RT-FREE")),
        "{github}"
    );
    assert!(
        github
            .lines()
            .any(|l| l.starts_with("::warning ") && l.contains("RT-DEVICE-SYNCHRONIZE")),
        "{github}"
    );

    let gitlab: Value = serde_json::from_str(&report("gitlab")).unwrap();
    let sev = |rule: &str| {
        gitlab
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["check_name"] == format!("cuport/{rule}"))
            .map(|i| i["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(sev("RT-FREE").as_deref(), Some("major"));
    assert_eq!(sev("RT-DEVICE-SYNCHRONIZE").as_deref(), Some("minor"));
}
