//! The annotated diff applies with `git apply`, and the rewritten code parses as well as before.

mod common;
use common::*;
use std::process::Command;

fn git_apply(dir: &std::path::Path, patch: &[u8], check: bool) -> std::process::Output {
    let p = dir.join("cuport.patch");
    std::fs::write(&p, patch).unwrap();
    let mut cmd = Command::new("git");
    cmd.arg("apply");
    if check {
        cmd.arg("--check");
    }
    cmd.arg(&p)
        .current_dir(dir)
        .output()
        .expect("git is installed")
}

#[test]
fn demo_diff_applies_and_reparses_for_both_targets() {
    for target in ["mindspore", "paddle"] {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("demo");
        copy_tree(&repo().join("fixtures/demo"), &work);
        let o = cuport(
            &work,
            &["scan", ".", "--format", "diff", "--target", target],
        );
        assert!(!o.stdout.is_empty(), "{target}: a diff is printed");
        let check = git_apply(&work, &o.stdout, true);
        assert!(
            check.status.success(),
            "{target}: git apply --check: {}",
            stderr(&check)
        );
        let before: Vec<(std::path::PathBuf, usize)> = walk_sources(&work)
            .into_iter()
            .map(|p| {
                let e = error_bytes(&std::fs::read(&p).unwrap());
                (p, e)
            })
            .collect();
        let applied = git_apply(&work, &o.stdout, false);
        assert!(applied.status.success(), "{}", stderr(&applied));
        for (p, e) in before {
            let after = error_bytes(&std::fs::read(&p).unwrap());
            assert!(
                after <= e,
                "{target}: {} gained parse errors ({e} -> {after})",
                p.display()
            );
        }
    }
}

fn walk_sources(d: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_sources(&p));
        } else if p.extension().is_some_and(|x| x == "cu" || x == "cuh") {
            out.push(p);
        }
    }
    out
}

#[test]
fn bytes_outside_edits_survive_in_the_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let src: &[u8] = b"\xef\xbb\xbf// caf\xe9 \r\nvoid f(float** p) {\r\n  cudaMalloc(p, 16);\r\n}";
    std::fs::write(tmp.path().join("a.cu"), src).unwrap();
    let o = cuport(tmp.path(), &["scan", "a.cu", "--format", "diff"]);
    let applied = git_apply(tmp.path(), &o.stdout, false);
    assert!(
        applied.status.success(),
        "{}\n{}",
        stderr(&applied),
        String::from_utf8_lossy(&o.stdout)
    );
    let out = std::fs::read(tmp.path().join("a.cu")).unwrap();
    // The BOM stays first; the header the rewrite needs goes after it, with the file's CRLF.
    assert!(
        out.starts_with(b"\xef\xbb\xbf#include \"acl/acl.h\"\r\n// caf\xe9 \r\n"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert!(
        out.ends_with(b"  aclrtMalloc((void **)(p), 16, ACL_MEM_MALLOC_HUGE_FIRST);\r\n}"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert!(
        out.windows(2).filter(|w| w == b"\r\n").count() >= 4,
        "CRLF kept on inserted lines"
    );
}

#[cfg(unix)]
#[test]
fn a_file_outside_the_working_directory_gets_a_header_git_can_apply() {
    // git's own convention for an absolute path (`git diff --no-index /x /y`): `a/x`, never `a//x`.
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    copy_tree(&repo().join("fixtures/demo"), &outside);
    let file = outside.join("src/gemm_cublas.cu");
    let elsewhere = tempfile::tempdir().unwrap();
    let o = cuport(
        elsewhere.path(),
        &["scan", file.to_str().unwrap(), "--format", "diff"],
    );
    let diff = stdout(&o);
    let abs = file.to_str().unwrap().trim_start_matches('/');
    assert!(
        diff.starts_with(&format!("--- a/{abs}\n+++ b/{abs}\n")),
        "{diff}"
    );
    let patch = tmp.path().join("cuport.patch");
    std::fs::write(&patch, &o.stdout).unwrap();
    let check = Command::new("git")
        .args(["apply", "--check"])
        .arg(&patch)
        .current_dir("/")
        .output()
        .expect("git is installed");
    assert!(check.status.success(), "{}", stderr(&check));
}
