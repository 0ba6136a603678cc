//! The compile oracle: every direct rule's example, rewritten by cuport, type-checks against the
//! real target headers (tools/compile_examples.py; headers from scripts/toolchain.sh). Without
//! the toolchain the test is skipped on a developer's machine and fails under `CI=true`.

mod common;
use common::{present_or_skip, repo, run_report_tool};
use std::ffi::OsStr;
use std::process::Command;

fn toolchain_ready() -> bool {
    let home = std::env::var("CUPORT_TOOLCHAIN").unwrap_or_else(|_| {
        format!(
            "{}/.cache/cuport/toolchain",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    let present = std::path::Path::new(&home).join(".complete").exists()
        && Command::new("clang-19").arg("--version").output().is_ok();
    present_or_skip(present, "compile toolchain", "scripts/toolchain.sh")
}

#[test]
fn every_direct_example_compiles_after_its_rewrite() {
    if !toolchain_ready() {
        return;
    }
    let (r, out) = run_report_tool("compile_examples.py", &[]);
    let groups = r["targets"].as_object().unwrap();
    let compiled = |k: &str| groups[k]["compile_after"].as_u64().unwrap();
    for (k, g) in groups {
        assert!(g.get("error").is_none(), "{k}: {g}");
        assert_eq!(g["broken"].as_array().unwrap().len(), 0, "{k}: {g}");
    }
    // The bulk of the catalog is checked, not refused or skipped.
    assert!(compiled("mindspore") >= 370, "{out}");
    assert!(compiled("paddle/torch-ext") >= 6, "{out}");
}

#[test]
fn fixing_the_guard_fixtures_keeps_them_compiling() {
    // fixtures/fix/guards.cu (refusals in one file) and fixtures/fix/project/ (a header whose
    // declarations other files use): the oracle type-checks them before and after
    // `cuport fix --write` with the real CUDA and AscendCL headers.
    if !toolchain_ready() {
        return;
    }
    let fixtures = repo().join("fixtures/fix");
    let args: Vec<&OsStr> = ["--target", "mindspore", "--min-kept", "1.0"]
        .iter()
        .map(OsStr::new)
        .chain([
            fixtures.as_os_str(),
            OsStr::new("guards.cu"),
            OsStr::new("project"),
        ])
        .collect();
    let (r, out) = run_report_tool("compile_oracle.py", &args);
    assert_eq!(r["compiled_before"], 3, "{out}");
    assert_eq!(r["still_compile"], 3, "{out}");
    assert!(r["edits"].as_u64().unwrap() >= 10, "{out}");
}

#[test]
fn fixing_files_next_to_an_unnamed_header_keeps_them_compiling() {
    // fixtures/fix/context: the .cu files are fixed, the header they include is not named (so it
    // keeps its CUDA; nested/user.cu finds it one folder up, as `-I .` does); and again with the
    // whole folder named (the header is rewritten too).
    if !toolchain_ready() {
        return;
    }
    let root = repo().join("fixtures/fix/context");
    for paths in [&["scale.cu", "plain.cu", "nested/user.cu"][..], &["."][..]] {
        let args: Vec<&OsStr> = [
            "--target",
            "mindspore",
            "--min-kept",
            "1.0",
            "--include",
            ".",
        ]
        .iter()
        .map(OsStr::new)
        .chain([root.as_os_str()])
        .chain(paths.iter().map(OsStr::new))
        .collect();
        let (r, out) = run_report_tool("compile_oracle.py", &args);
        assert_eq!(r["compiled_before"], 3, "{out}");
        assert_eq!(r["still_compile"], 3, "{out}");
        assert!(r["edits"].as_u64().unwrap() >= 3, "{out}");
    }
}
