//! Hostile input: nothing panics, nothing hangs, every problem is a clear message naming the file,
//! and the exit code follows the contract (0 clean, 1 findings, 2 I/O or usage errors).

mod common;
use common::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn scan_json(dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let o = cuport(dir, &all);
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}\n{err}"));
    (o.status.code(), v, err)
}

fn names(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["cuda"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn encodings_and_line_endings() {
    let d = tempfile::tempdir().unwrap();
    fs::write(
        d.path().join("latin1.cu"),
        b"// \xe9t\xe9\nvoid f(void* p) { cudaFree(p); }\n",
    )
    .unwrap();
    fs::write(
        d.path().join("bom.cu"),
        b"\xef\xbb\xbfvoid f(void* p) { cudaFree(p); }\n",
    )
    .unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "cudaFree(p);\n"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    fs::write(d.path().join("utf16.cu"), utf16).unwrap();
    fs::write(
        d.path().join("mixed.cu"),
        b"void f(void* p) {\r\n  cudaFree(p);\n\r  cudaDeviceSynchronize();\r\n}",
    )
    .unwrap();
    fs::write(d.path().join("nul.cu"), b"int x;\0cudaFree(p);").unwrap();
    let (code, v, err) = scan_json(d.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("utf16.cu: skipped: UTF-16 text is not supported"),
        "{err}"
    );
    assert!(err.contains("nul.cu: skipped: binary file"), "{err}");
    let f: Vec<(String, u64, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(f.contains(&("bom.cu".into(), 1, 20)), "{f:?}");
    assert!(f.contains(&("latin1.cu".into(), 2, 19)), "{f:?}");
    assert!(f.iter().any(|x| x.0 == "mixed.cu" && x.1 == 2), "{f:?}");
    // The diff of the mixed-ending file applies and keeps every other byte.
    let diff = cuport(d.path(), &["scan", "mixed.cu", "--format", "diff"]);
    fs::write(d.path().join("m.diff"), &diff.stdout).unwrap();
    let g = std::process::Command::new("git")
        .args(["apply", "m.diff"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", stderr(&g));
    let out = fs::read(d.path().join("mixed.cu")).unwrap();
    assert!(
        out.starts_with(b"#include \"acl/acl.h\"\r\nvoid f(void* p) {\r\n"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert!(out.ends_with(b"}"), "no newline added at the end");
    assert!(
        out.windows(4).any(|w| w == b";\n//"),
        "the LF-only line keeps its LF"
    );
}

#[test]
fn deep_nesting_long_lines_huge_macros_and_unterminated_code() {
    let d = tempfile::tempdir().unwrap();
    let deep = format!(
        "void f(void** p) {{ int x = {}cudaMalloc(p, 4){}; {}cudaFree(*p);{} }}\n",
        "(".repeat(10_000),
        ")".repeat(10_000),
        "{".repeat(10_000),
        "}".repeat(10_000)
    );
    fs::write(d.path().join("deep.cu"), deep).unwrap();
    let long = format!(
        "void f(void* p) {{ {} cudaFree(p); }}\n",
        "int a = 1; ".repeat(100_000)
    );
    assert!(long.len() > 1_000_000);
    fs::write(d.path().join("long.cu"), long).unwrap();
    let mut mac = String::from("#define HUGE(p) \\\n");
    for _ in 0..100_000 {
        mac.push_str("  cudaFree(p); \\\n");
    }
    mac.push_str("  cudaDeviceSynchronize()\n");
    fs::write(d.path().join("macro.cu"), mac).unwrap();
    fs::write(
        d.path().join("open.cu"),
        "void f(void* p) { cudaFree(p); /* never closed\n cudaMalloc(&p, 1);",
    )
    .unwrap();
    fs::write(
        d.path().join("str.cu"),
        "const char* s = \"never closed\nvoid g(void* p) { cudaFree(p); }\n",
    )
    .unwrap();
    let start = std::time::Instant::now();
    let (code, v, err) = scan_json(d.path(), &[]);
    assert_eq!(code, Some(1), "{err}");
    let found = names(&v);
    assert!(
        found.iter().filter(|n| *n == "cudaFree").count() >= 100_003,
        "every macro line is matched"
    );
    assert!(found.contains(&"cudaMalloc".to_string()));
    // Diff mode too: every annotation for the macro goes above the #define, none inside it.
    let o = cuport(
        d.path(),
        &["scan", "macro.cu", "deep.cu", "--format", "diff"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let diff = stdout(&o);
    assert!(
        diff.contains("+// cuport[RT-FREE]"),
        "annotated above the #define"
    );
    assert!(
        start.elapsed().as_secs() < 120,
        "hostile input took {:?}",
        start.elapsed()
    );
}

#[test]
fn size_and_time_limits_skip_with_a_reason() {
    let d = tempfile::tempdir().unwrap();
    let big = "void f(void* p) { cudaFree(p); }\n".repeat(1_600_000);
    assert!(big.len() > 50_000_000);
    fs::write(d.path().join("big.cu"), &big).unwrap();
    fs::write(
        d.path().join("small.cu"),
        "void f(void* p) { cudaFree(p); }\n",
    )
    .unwrap();
    let (code, v, err) = scan_json(d.path(), &[]);
    assert!(
        err.contains("big.cu: skipped:") && err.contains("--max-file-size"),
        "{err}"
    );
    assert_eq!(code, Some(1));
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    fs::write(d.path().join("mid.cu"), big.split_at(3_000_000).0).unwrap();
    fs::remove_file(d.path().join("big.cu")).unwrap();
    let (_, _, err) = scan_json(d.path(), &["--parse-timeout", "1"]);
    assert!(
        err.contains("mid.cu: skipped: parsing took longer than the --parse-timeout of 1 ms"),
        "{err}"
    );
}

#[test]
fn links_odd_paths_empty_and_many_files() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    fs::create_dir_all(root.join("loop")).unwrap();
    std::os::unix::fs::symlink(root.join("loop"), root.join("loop/again")).unwrap();
    std::os::unix::fs::symlink(root.join("x.cu"), root.join("y.cu")).unwrap();
    std::os::unix::fs::symlink(root.join("y.cu"), root.join("x.cu")).unwrap();
    fs::create_dir_all(root.join("empty")).unwrap();
    let odd = "dir with space/quo\"te 'n' ünïcødé.cu";
    fs::create_dir_all(root.join("dir with space")).unwrap();
    fs::write(root.join(odd), "void f(void* p) { cudaFree(p); }\n").unwrap();
    let (code, v, err) = scan_json(root, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(v["files"][0]["path"], odd);
    // The diff for an odd path applies.
    let o = cuport(root, &["scan", "dir with space", "--format", "diff"]);
    let patch = root.join("dir with space/p.diff");
    fs::write(&patch, &o.stdout).unwrap();
    let g = std::process::Command::new("git")
        .args(["apply", "p.diff"])
        .current_dir(root.join("dir with space"))
        .output()
        .unwrap();
    assert!(g.status.success(), "{}\n{}", stderr(&g), stdout(&o));

    let (code, v, _) = scan_json(&root.join("empty"), &[]);
    assert_eq!((code, v["files"].as_array().unwrap().len()), (Some(0), 0));

    let many = tempfile::tempdir().unwrap();
    for i in 0..20_000 {
        let sub = many.path().join(format!("d{}", i % 100));
        if i < 100 {
            fs::create_dir_all(&sub).unwrap();
        }
        let body = if i % 1000 == 0 {
            "cudaStream_t s;\n"
        } else {
            "int x;\n"
        };
        fs::write(sub.join(format!("f{i}.cu")), body).unwrap();
    }
    let (code, v, _) = scan_json(many.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(v["files"].as_array().unwrap().len(), 20_000);
    assert_eq!(v["findings"].as_array().unwrap().len(), 20);
}

#[test]
fn files_vanishing_during_a_scan_are_reported_not_fatal() {
    let d = tempfile::tempdir().unwrap();
    for i in 0..3000 {
        fs::write(
            d.path().join(format!("f{i}.cu")),
            "void f(void* p) { cudaFree(p); }\n".repeat(20),
        )
        .unwrap();
    }
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_cuport"))
        .args(["scan", ".", "--format", "json", "--threads", "1"])
        .current_dir(d.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Delete and truncate files while the scan runs.
    for i in (0..3000).rev().step_by(3) {
        let p = d.path().join(format!("f{i}.cu"));
        if i % 2 == 0 {
            let _ = fs::remove_file(&p);
        } else {
            let _ = fs::write(&p, b"");
        }
    }
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        matches!(out.status.code(), Some(1) | Some(2)),
        "{:?}",
        out.status
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["files"].as_array().unwrap().len() > 1000);
    if out.status.code() == Some(2) {
        assert!(
            err.contains("cannot read"),
            "an exit 2 names the unreadable files: {err}"
        );
    }
}

#[test]
fn permission_denied_on_a_file_and_a_directory() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("proj");
    fs::create_dir_all(root.join("locked")).unwrap();
    fs::write(root.join("locked/in.cu"), "cudaStream_t s;\n").unwrap();
    fs::write(root.join("secret.cu"), "cudaStream_t s;\n").unwrap();
    fs::write(root.join("open.cu"), "cudaEvent_t e;\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    for p in [d.path(), root.as_path()] {
        fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::set_permissions(root.join("open.cu"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(root.join("secret.cu"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads everything, so run the scan as an unprivileged user when we are root.
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| stdout(&o).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "nobody", "--", env!("CARGO_BIN_EXE_cuport")]);
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_cuport"))
    };
    // The binary lives under target/, which nobody can read: copy it somewhere world-readable.
    let bin = d.path().join("cuport");
    fs::copy(env!("CARGO_BIN_EXE_cuport"), &bin).unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    if is_root {
        cmd = std::process::Command::new("runuser");
        cmd.args(["-u", "nobody", "--"]).arg(&bin);
    }
    let out = cmd
        .args(["scan", ".", "--format", "json"])
        .current_dir(&root)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("secret.cu") && err.contains("ermission denied"),
        "{err}"
    );
    assert!(err.contains("locked"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        names(&v),
        ["cudaEvent_t"],
        "the readable file is still scanned"
    );
}
