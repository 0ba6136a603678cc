//! Helpers shared by the integration tests: run the real binary, copy fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `cuport ARGS` in `cwd`.
pub fn cuport(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cuport"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("cuport runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copy a directory tree (files only) into `dst`.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// Bytes of a tree-sitter parse that are inside ERROR/MISSING nodes.
pub fn error_bytes(src: &[u8]) -> usize {
    let tree = cuport::parse::parse(src).expect("parses");
    cuport::flat::Flat::new(tree.root_node()).error_bytes()
}

/// One string field of every element of a JSON array (`column(&v, "files", "path")`).
pub fn column(v: &serde_json::Value, array: &str, field: &str) -> Vec<String> {
    v[array]
        .as_array()
        .unwrap_or_else(|| panic!("`{array}` is not an array in {v}"))
        .iter()
        .map(|x| {
            x[field]
                .as_str()
                .unwrap_or_else(|| panic!("no string `{field}` in {x}"))
                .to_string()
        })
        .collect()
}

/// Whether a prerequisite that `.ci/run` installs is here. Without it a test is skipped on a
/// developer's machine (say so, return false) and fails under `CI=true`.
pub fn present_or_skip(present: bool, what: &str, install: &str) -> bool {
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {what} is missing: run {install}"
        );
        eprintln!("SKIPPED: no {what} (run {install})");
    }
    present
}

/// Run `python3 tools/SCRIPT --cuport <this build's binary> --json REPORT ARGS…`, require
/// success, and return the report and the script's stdout.
pub fn run_report_tool(script: &str, args: &[&std::ffi::OsStr]) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let o = Command::new("python3")
        .arg(repo().join("tools").join(script))
        .arg("--cuport")
        .arg(env!("CARGO_BIN_EXE_cuport"))
        .arg("--json")
        .arg(&report)
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{out}\n{}", stderr(&o));
    let r = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (r, out)
}
