//! `cuport scan` end to end: formats, exit codes, determinism, bad input.

mod common;
use common::*;
use serde_json::Value;
use std::fs;

fn demo() -> std::path::PathBuf {
    repo().join("fixtures/demo")
}

#[test]
fn json_follows_the_contract() {
    let o = cuport(&repo(), &["scan", "fixtures/demo", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["tool"]["name"], "cuport");
    assert_eq!(v["target"], "mindspore");
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    for f in files {
        for key in ["path", "language", "bytes", "parse_error_bytes"] {
            assert!(f.get(key).is_some(), "file lacks {key}: {f}");
        }
        assert!(
            !f["path"].as_str().unwrap().starts_with('/'),
            "paths are relative to the scan root"
        );
    }
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() > 40);
    for f in findings {
        for key in [
            "fingerprint",
            "rule",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "cuda",
            "kind",
            "library",
            "category",
            "targets",
        ] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
        if f["rule"] == "unmapped" {
            assert_eq!(f["kind"], "unmapped");
            assert_eq!(f["targets"], serde_json::json!({}));
        } else {
            for t in ["mindspore", "paddle"] {
                let tf = &f["targets"][t];
                assert!(tf["api"].is_string() && tf["note"].is_string(), "{f}");
                assert!(["direct", "guided", "manual"].contains(&tf["status"].as_str().unwrap()));
            }
        }
    }
    // The cudaMalloc call of the contract's example.
    let malloc = findings
        .iter()
        .find(|f| f["rule"] == "RT-MALLOC" && f["path"] == "src/vector_ops.cu")
        .expect("cudaMalloc is found");
    assert_eq!(
        malloc["targets"]["mindspore"]["replacement"],
        "aclrtMalloc((void **)&d_in, bytes, ACL_MEM_MALLOC_HUGE_FIRST)"
    );
    assert_eq!(malloc["line"], 17);
    assert_eq!(malloc["column"], 14);
    // Every __global__ function is a kernel, with the contract's fields.
    let kernels = v["kernels"].as_array().unwrap();
    let names: Vec<&str> = kernels
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["bias_gelu_kernel", "row_softmax_kernel", "scale_kernel"]
    );
    for k in kernels {
        for key in [
            "path",
            "name",
            "line",
            "pattern",
            "confidence",
            "evidence",
            "suggestions",
        ] {
            assert!(k.get(key).is_some(), "kernel lacks {key}: {k}");
        }
    }
    let s = &v["summary"];
    assert_eq!(s["files"], 5);
    assert_eq!(s["findings"].as_u64().unwrap() as usize, findings.len());
    let by_status: u64 = s["by_status"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(
        by_status + s["unmapped"].as_u64().unwrap(),
        findings.len() as u64
    );
}

#[test]
fn exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("clean.cpp"),
        "int add(int a, int b) { return a + b; }\n",
    )
    .unwrap();
    fs::write(
        tmp.path().join("cuda.cu"),
        "void f(float** p) { cudaMalloc(p, 4); }\n",
    )
    .unwrap();
    let clean = cuport(tmp.path(), &["scan", "clean.cpp"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    let found = cuport(tmp.path(), &["scan", "cuda.cu"]);
    assert_eq!(found.status.code(), Some(1));
    let zero = cuport(tmp.path(), &["scan", "cuda.cu", "--exit-zero"]);
    assert_eq!(zero.status.code(), Some(0));
    let missing = cuport(tmp.path(), &["scan", "no-such-dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no-such-dir"),
        "{}",
        stderr(&missing)
    );
    let usage = cuport(tmp.path(), &["scan", "--format", "yaml"]);
    assert_eq!(usage.status.code(), Some(2));
    let bad_target = cuport(tmp.path(), &["scan", "--target", "tensorflow"]);
    assert_eq!(bad_target.status.code(), Some(2));
}

#[test]
fn text_format_names_rule_target_status_and_note() {
    let o = cuport(
        &demo(),
        &["scan", "src/vector_ops.cu", "--target", "paddle"],
    );
    let out = stdout(&o);
    assert!(
        out.contains("[RT-MALLOC] cudaMalloc → paddle::empty (paddle, guided)"),
        "{out}"
    );
    assert!(out.contains("src/vector_ops.cu:17:14"), "{out}");
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("cuport: 1 file(s) scanned,"), "{last}");
    assert!(last.contains("for paddle"), "{last}");
}

#[test]
fn comments_and_strings_never_match_but_macros_and_broken_code_do() {
    let tmp = tempfile::tempdir().unwrap();
    let src = r#"
// cudaMalloc in a comment
/* cudaFree(p); */
const char* s = "cudaMemcpy(a, b, n, cudaMemcpyHostToDevice)";
#define ALLOC(p, n) cudaMalloc(&(p), (n))
void broken( { cudaDeviceSynchronize(); ]]
"#;
    fs::write(tmp.path().join("a.cu"), src).unwrap();
    let o = cuport(tmp.path(), &["scan", "a.cu", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let names = column(&v, "findings", "cuda");
    assert_eq!(names, ["cudaMalloc", "cudaDeviceSynchronize"]);
    assert!(v["files"][0]["parse_error_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn bad_input_is_noted_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(d.join("bin.cu"), b"\x00\x01\x02cudaMalloc").unwrap();
    fs::write(
        d.join("latin1.cu"),
        b"// caf\xe9\nvoid f(void** p) { cudaFree(*p); }\n",
    )
    .unwrap();
    fs::write(d.join("empty.cu"), b"").unwrap();
    fs::create_dir(d.join("x.cu")).unwrap();
    fs::write(d.join("x.cu/inner.cu"), b"cudaStream_t s;\n").unwrap();
    std::os::unix::fs::symlink(d.join("gone.cu"), d.join("dangling.cu")).unwrap();
    let o = cuport(d, &["scan", ".", "--format", "json"]);
    let err = stderr(&o);
    assert!(err.contains("bin.cu: skipped: binary file"), "{err}");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let paths = column(&v, "files", "path");
    assert_eq!(paths, ["empty.cu", "latin1.cu", "x.cu/inner.cu"]);
    let found = column(&v, "findings", "cuda");
    assert_eq!(found, ["cudaFree", "cudaStream_t"]);
    // A dangling symlink named explicitly is an I/O error: reported, exit 2, others still scanned.
    let o = cuport(d, &["scan", "dangling.cu", "latin1.cu"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("dangling.cu: dangling symlink"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("cudaFree"));
}

#[test]
fn gitignored_and_hidden_files_are_skipped_unless_named() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(d.join(".gitignore"), "build/\n").unwrap();
    fs::create_dir_all(d.join("build")).unwrap();
    fs::create_dir_all(d.join(".hidden")).unwrap();
    fs::write(d.join("build/gen.cu"), "cudaStream_t s;\n").unwrap();
    fs::write(d.join(".hidden/h.cu"), "cudaStream_t s;\n").unwrap();
    fs::write(d.join("kernel.txt"), "cudaStream_t s;\n").unwrap();
    fs::write(d.join("main.cu"), "cudaEvent_t e;\n").unwrap();
    let v: Value =
        serde_json::from_slice(&cuport(d, &["scan", "--format", "json"]).stdout).unwrap();
    let paths = column(&v, "files", "path");
    assert_eq!(paths, ["main.cu"]);
    let v: Value =
        serde_json::from_slice(&cuport(d, &["scan", "kernel.txt", "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(v["findings"][0]["cuda"], "cudaStream_t");
}

#[test]
fn broken_pipe_ends_quietly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cuport"))
        .args(["scan", "fixtures", "--format", "text"])
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once: cuport's writes hit a broken pipe.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0)),
        "{:?} {}",
        out.status,
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_of_the_report_is_an_error_not_silence() {
    // stdout is block-buffered; the last flush of a short output must still be checked.
    let rule = "RT-MALLOC";
    for args in [
        vec!["explain", rule],
        vec!["scan", "fixtures/demo", "--exit-zero"],
        vec!["--version"],
    ] {
        let full = fs::File::options().write(true).open("/dev/full").unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cuport"))
            .args(&args)
            .current_dir(repo())
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("cuport: error: No space left on device"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn launches_link_to_the_kernel_of_their_own_file() {
    let tmp = tempfile::tempdir().unwrap();
    let kernel = "static __global__ void fill(float* p, int n) { int i = threadIdx.x; if (i < n) p[i] = 1.f; }\n";
    fs::write(
        tmp.path().join("a.cu"),
        format!("{kernel}void a(float* p) {{ fill<<<1, 32>>>(p, 32); }}\n"),
    )
    .unwrap();
    fs::write(
        tmp.path().join("b.cu"),
        format!("{kernel}void b(float* p) {{\n\n fill<<<2, 64>>>(p, 64); }}\n"),
    )
    .unwrap();
    fs::write(
        tmp.path().join("c.cu"),
        "__global__ void only_here(int* p);\nvoid c(int* p) { only_here<<<1, 1>>>(p); }\n",
    )
    .unwrap();
    fs::write(
        tmp.path().join("d.cu"),
        "__global__ void only_here(int* p) { *p = 0; }\n",
    )
    .unwrap();
    let v: Value =
        serde_json::from_slice(&cuport(tmp.path(), &["scan", "--format", "json"]).stdout).unwrap();
    let launches = |path: &str, name: &str| -> Vec<(String, u64)> {
        let k = v["kernels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["path"] == path && k["name"] == name)
            .unwrap();
        k["launches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["path"].as_str().unwrap().to_string(),
                    l["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(launches("a.cu", "fill"), [("a.cu".to_string(), 2)]);
    assert_eq!(launches("b.cu", "fill"), [("b.cu".to_string(), 4)]);
    // A kernel defined in one file and launched from another (declared there) is still linked.
    assert_eq!(launches("d.cu", "only_here"), [("c.cu".to_string(), 2)]);
}

#[test]
fn launches_through_the_runtime_api_link_to_their_kernel() {
    // cuda-samples launch many kernels with cudaLaunchKernel / cudaLaunchCooperativeKernel
    // (a function pointer, often cast) or cudaLaunchKernelEx (a config, then the kernel).
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("a.cu"),
        "template <typename T> __global__ void scale(T* p, T s) { p[threadIdx.x] *= s; }\n\
         __global__ void grid_sync(int* p) { p[0] = 1; }\n\
         __global__ void ex(float* p) { p[threadIdx.x] = 0.f; }\n\
         void run(float* f, int* i, cudaStream_t st) {\n\
         \x20 float s = 2.f; void* args[] = {&f, &s};\n\
         \x20 cudaLaunchKernel((void*)scale<float>, dim3(4), dim3(256), args, 0, st);\n\
         \x20 void* a2[] = {&i};\n\
         \x20 cudaLaunchCooperativeKernel(reinterpret_cast<void*>(&grid_sync), 8, 128, a2);\n\
         \x20 cudaLaunchConfig_t cfg = {};\n\
         \x20 cudaLaunchKernelEx(&cfg, ex, f);\n\
         }\n",
    )
    .unwrap();
    let v: Value =
        serde_json::from_slice(&cuport(tmp.path(), &["scan", "--format", "json"]).stdout).unwrap();
    let launch = |name: &str| -> (u64, Vec<String>) {
        let k = v["kernels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == name)
            .unwrap_or_else(|| panic!("kernel {name}: {v}"));
        let l = &k["launches"][0];
        let config = l["config"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: {k}"));
        (
            l["line"].as_u64().unwrap(),
            config
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect(),
        )
    };
    assert_eq!(
        launch("scale"),
        (
            6,
            vec![
                "dim3(4)".into(),
                "dim3(256)".into(),
                "0".into(),
                "st".into()
            ]
        )
    );
    assert_eq!(launch("grid_sync"), (8, vec!["8".into(), "128".into()]));
    assert_eq!(launch("ex"), (10, vec!["&cfg".into()]));
}

#[test]
fn every_format_is_byte_identical_across_runs_and_thread_counts() {
    for format in ["text", "diff", "json"] {
        let mut outputs = Vec::new();
        for threads in ["1", "2", "1", "2"] {
            let o = cuport(
                &repo(),
                &["scan", "fixtures", "--format", format, "--threads", threads],
            );
            outputs.push(o.stdout);
        }
        assert!(
            outputs.windows(2).all(|w| w[0] == w[1]),
            "format {format} differs between runs"
        );
    }
}
