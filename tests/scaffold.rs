//! `cuport scaffold`: finding the kernel, refusing to overwrite, the generated files for both
//! targets (snapshots), that every generated C++ file parses, and that the Paddle op compiles
//! with g++ against the paddlepaddle wheel's headers (skipped, with a message, without them).

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn kernels_dir() -> PathBuf {
    repo().join("fixtures/kernels")
}

/// Run `cuport scaffold KERNEL fixtures/kernels/FILE --target T --out DIR`.
fn scaffold(kernel: &str, file: &str, target: &str, out: &Path) -> std::process::Output {
    let path = kernels_dir().join(file);
    cuport(
        &repo(),
        &[
            "scaffold",
            kernel,
            path.to_str().unwrap(),
            "--target",
            target,
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// tree-sitter error bytes of a generated file. Ascend C's `__aicore__`/`__gm__` qualifiers are
/// not CUDA; they are blanked to spaces first (same length), as cuport's parser blanks
/// `CUTLASS_DEVICE` and friends, so everything else must parse as written.
fn parse_errors(text: &str) -> usize {
    let blanked = text
        .replace("__aicore__", &" ".repeat("__aicore__".len()))
        .replace("__gm__", &" ".repeat("__gm__".len()));
    error_bytes(blanked.as_bytes())
}

#[test]
fn paddle_scaffold_for_a_custom_kernel() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pd");
    let o = scaffold("smooth_kernel", "custom.cu", "paddle", &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("smooth_kernel_op.cu"), "{}", stdout(&o));
    let op = read(&out, "smooth_kernel_op.cu");
    let setup = read(&out, "setup_smooth_kernel.py");
    for needle in [
        "#include \"paddle/extension.h\"",
        "#ifdef __CUDACC__",
        "__global__ void smooth_kernel(const float* __restrict__ u, float* __restrict__ u_next",
        "smooth_kernel<<<blocks, threads, 0, u.stream()>>>",
        "std::vector<paddle::Tensor> SmoothKernelForward(const paddle::Tensor& u, int nx",
        "PD_BUILD_OP(smooth_kernel)",
        ".Inputs({\"u\"})",
        ".Outputs({\"u_next_out\"})",
        ".Attrs({\"nx: int\", \"ny: int\", \"alpha_dt_over_h2: float\", \"boundary: float\"})",
        ".SetKernelFn(PD_KERNEL(SmoothKernelForward))",
        ".SetInferShapeFn(PD_INFER_SHAPE(SmoothKernelInferShape))",
        ".SetInferDtypeFn(PD_INFER_DTYPE(SmoothKernelInferDtype))",
    ] {
        assert!(op.contains(needle), "op file lacks {needle:?}");
    }
    assert!(setup
        .contains("paddle.utils.cpp_extension.CUDAExtension(sources=[\"smooth_kernel_op.cu\"])"));
    assert!(setup.contains("paddle.utils.cpp_extension.setup("));
    assert_eq!(parse_errors(&op), 0);
    insta::assert_snapshot!("paddle_smooth_kernel_op_cu", op);
    insta::assert_snapshot!("paddle_setup_smooth_kernel_py", setup);
}

#[test]
fn paddle_template_kernels_dispatch_on_data_t() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pd");
    let o = scaffold("gelu_kernel", "torch_ext.cu", "paddle", &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let op = read(&out, "gelu_kernel_op.cu");
    assert!(op.contains(
        "PD_DISPATCH_FLOATING_AND_HALF_TYPES(x.type(), \"gelu_kernel\", ([&] { launch_gelu_kernel<data_t>(x, y_out, n); }));"
    ));
    assert!(op.contains("gelu_kernel<data_t><<<blocks, threads, 0, x.stream()>>>"));
    assert!(op.contains("x.data<data_t>()"));
    // Torch headers are not carried over.
    assert!(!op.contains("torch/extension.h"));
    // In place: y of kernel_a is read and written.
    let out2 = tmp.path().join("axpy");
    let o = scaffold("kernel_a", "elementwise.cu", "paddle", &out2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let op = read(&out2, "kernel_a_op.cu");
    assert!(op.contains(".Inputs({\"x\", \"y\"})") && op.contains(".Outputs({\"y_out\"})"));
    assert!(op.contains("auto y_out = y.copy_to(y.place(), false);"));
}

#[test]
fn mindspore_scaffold_for_a_custom_kernel() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ms");
    let o = scaffold("smooth_kernel", "custom.cu", "mindspore", &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let kernel = read(&out, "smooth_kernel_ascendc.cpp");
    let tiling = read(&out, "smooth_kernel_tiling.h");
    let host = read(&out, "smooth_kernel_host.cpp");
    let ms = read(&out, "smooth_kernel_ms.cpp");
    let build = read(&out, "build_smooth_kernel.py");
    for needle in [
        "#include \"kernel_operator.h\"",
        "extern \"C\" __global__ __aicore__ void smooth_kernel(GM_ADDR u, GM_ADDR u_next, GM_ADDR workspace, GM_ADDR tiling)",
        "GET_TILING_DATA(tilingData, tiling);",
        "AscendC::TPipe pipe_;",
        "AscendC::TQue<AscendC::TPosition::VECIN, BUFFER_NUM> inQueueU_;",
        "AscendC::TQue<AscendC::TPosition::VECOUT, BUFFER_NUM> outQueueUNext_;",
        "AscendC::GlobalTensor<float> uGm_;",
        "__aicore__ inline void Init(",
        "__aicore__ inline void Process()",
        "CopyIn(i);",
        "Compute(i);",
        "CopyOut(i);",
        "AscendC::DataCopy(",
    ] {
        assert!(kernel.contains(needle), "Ascend C kernel lacks {needle:?}");
    }
    // The original CUDA code is kept as a comment, line for line.
    let src = std::fs::read_to_string(kernels_dir().join("custom.cu")).unwrap();
    let start = src.find("__global__ void smooth_kernel").unwrap();
    for line in src[start..].lines().take_while(|l| *l != "}") {
        assert!(
            kernel.contains(&format!("// {}", line.trim_end())),
            "comment block lacks {line:?}"
        );
    }
    for needle in [
        "BEGIN_TILING_DATA_DEF(SmoothKernelTilingData)",
        "TILING_DATA_FIELD_DEF(uint32_t, totalLength);",
        "TILING_DATA_FIELD_DEF(float, alpha_dt_over_h2);",
        "END_TILING_DATA_DEF;",
        "REGISTER_TILING_DATA_CLASS(SmoothKernel, SmoothKernelTilingData)",
    ] {
        assert!(tiling.contains(needle), "tiling header lacks {needle:?}");
    }
    assert!(host.contains("static ge::graphStatus TilingFunc(gert::TilingContext* context)"));
    assert!(host.contains("OP_ADD(SmoothKernel);"));
    assert!(ms.contains("ms::Tensor smooth_kernel(const ms::Tensor& u"));
    assert!(ms.contains("std::make_shared<ms::pynative::AclnnOpRunner>(\"SmoothKernel\")"));
    assert!(ms.contains("PYBOOST_CALLER(1, smooth_kernel)"));
    assert!(build.contains(
        "mindspore.ops.CustomOpBuilder(\"smooth_kernel_ext\", [\"smooth_kernel_ms.cpp\"], backend=\"Ascend\")"
    ));
    for (name, text) in [("kernel", &kernel), ("host", &host), ("ms", &ms)] {
        assert_eq!(parse_errors(text), 0, "{name} file does not parse cleanly");
    }
    insta::assert_snapshot!("mindspore_smooth_kernel_ascendc_cpp", kernel);
    insta::assert_snapshot!("mindspore_smooth_kernel_tiling_h", tiling);
    insta::assert_snapshot!("mindspore_smooth_kernel_host_cpp", host);
    insta::assert_snapshot!("mindspore_smooth_kernel_ms_cpp", ms);
    insta::assert_snapshot!("mindspore_build_smooth_kernel_py", build);
}

/// Every kernel of the evaluation set, both targets: the generated C++ parses cleanly
/// (in-process through the library, so all of them × 2 scaffolds take a moment). The
/// expected count comes from labels.toml, one entry per `__global__` in the set.
#[test]
fn every_generated_cpp_file_parses() {
    let catalog =
        cuport::catalog::Catalog::load(&cuport::catalog::builtin_sources()).expect("catalog");
    let mut checked = 0;
    let mut kernels = 0;
    for e in std::fs::read_dir(kernels_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "cu") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let rel = p.file_name().unwrap().to_string_lossy().into_owned();
        let file = cuport::source::SourceFile::new(rel, p.clone(), bytes);
        let tree = cuport::parse::parse(&file.bytes).unwrap();
        let fa = cuport::analyze::analyze(&file, &tree, &catalog);
        for k in &fa.kernels {
            kernels += 1;
            let spec = cuport::scaffold::spec(&file, &tree, &fa, k, Vec::new(), Vec::new());
            for target in cuport::model::Target::ALL {
                for g in cuport::scaffold::generate(&spec, target) {
                    if g.name.ends_with(".cpp") || g.name.ends_with(".cu") {
                        assert_eq!(parse_errors(&g.contents), 0, "{}: {}", k.name, g.name);
                        checked += 1;
                    }
                }
            }
        }
    }
    let labelled = std::fs::read_to_string(kernels_dir().join("labels.toml"))
        .unwrap()
        .lines()
        .filter(|l| l.trim() == "[[kernel]]")
        .count();
    assert!(labelled > 0);
    assert_eq!(kernels, labelled);
    assert_eq!(checked, labelled * 4);
}

#[test]
fn kernel_not_found_ambiguous_or_files_in_the_way_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    // Not found: the message names the kernel and lists close candidates.
    let o = cuport(
        tmp.path(),
        &["scaffold", "softmax", kernels_dir().to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("no __global__ kernel named `softmax`"), "{e}");
    assert!(
        e.contains("softmax_warp_kernel") && e.contains("softmax_helper_kernel"),
        "{e}"
    );
    // Ambiguous: two files define the same kernel name; both are listed.
    let proj = tmp.path().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let k =
        "__global__ void twice(float* y, int n) { int i = threadIdx.x; if (i < n) y[i] = 0.0f; }\n";
    std::fs::write(proj.join("a.cu"), k).unwrap();
    std::fs::write(proj.join("b.cu"), k).unwrap();
    let o = cuport(&proj, &["scaffold", "twice"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("defined 2 times") && e.contains("a.cu:1") && e.contains("b.cu:1"),
        "{e}"
    );
    // Default output directory, then a second run refuses to overwrite and says which files.
    let o = cuport(&proj, &["scaffold", "twice", "a.cu", "--target", "paddle"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let op = proj.join("cuport-scaffold/twice/twice_op.cu");
    let before = std::fs::read_to_string(&op).unwrap();
    std::fs::write(&op, "edited by hand\n").unwrap();
    let o = cuport(&proj, &["scaffold", "twice", "a.cu", "--target", "paddle"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("refusing to overwrite") && e.contains("twice_op.cu"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&op).unwrap(), "edited by hand\n");
    assert!(before.contains("PD_BUILD_OP(twice)"));
}

/// `site-packages/paddle/include` of the paddlepaddle wheel: $PADDLE_INCLUDE, the inventory venv,
/// or whatever `python3 -c "import paddle"` finds.
fn paddle_include() -> Option<(PathBuf, String)> {
    let venv = PathBuf::from("/tmp/cuport-inventory-venv");
    let python = if venv.join("bin/python").exists() {
        venv.join("bin/python").to_string_lossy().into_owned()
    } else {
        "python3".to_string()
    };
    let ask = |code: &str| -> Option<String> {
        let o = Command::new(&python).args(["-c", code]).output().ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let include = std::env::var_os("PADDLE_INCLUDE")
        .map(PathBuf::from)
        .or_else(|| {
            std::fs::read_dir(venv.join("lib"))
                .ok()?
                .filter_map(|e| e.ok())
                .map(|e| e.path().join("site-packages/paddle/include"))
                .find(|p| p.join("paddle/extension.h").exists())
        })
        .or_else(|| {
            ask("import paddle, os; print(os.path.join(os.path.dirname(paddle.__file__), 'include'))")
                .map(PathBuf::from)
        })
        .filter(|p| p.join("paddle/extension.h").exists())?;
    // pybind11 in the wheel's headers needs Python.h.
    let py = ask("import sysconfig; print(sysconfig.get_paths()['include'])")?;
    Some((include, py))
}

/// The host side of the Paddle op (tensor API, dispatch, PD_BUILD_OP, infer functions) compiles
/// as C++17 against the real headers. nvcc is not available here: the kernel and its `<<<…>>>`
/// launch are behind `#ifdef __CUDACC__` in the generated file, and g++ compiles the stub
/// launcher in their place.
#[test]
fn paddle_ops_compile_against_the_wheel_headers() {
    let Some((include, py)) = paddle_include() else {
        println!(
            "SKIPPED: no paddlepaddle wheel headers found (set PADDLE_INCLUDE to site-packages/paddle/include)"
        );
        return;
    };
    if Command::new("g++").arg("--version").output().is_err() {
        println!("SKIPPED: g++ is not installed");
        return;
    }
    // One kernel per shape of interface: in place, template + dispatch, two type parameters,
    // a non-type template parameter, output only, struct pointers, float4, __half, a struct
    // passed by value, 64-bit scalars, a custom kernel.
    let cases = [
        ("smooth_kernel", "custom.cu"),
        ("kernel_a", "elementwise.cu"),
        ("gelu_kernel", "torch_ext.cu"),
        ("convert_kernel", "data_movement.cu"),
        ("gemm_tiled", "gemm.cu"),
        ("k5", "custom.cu"),
        ("ray_box_kernel", "custom.cu"),
        ("relu4_kernel", "elementwise.cu"),
        ("to_float_kernel", "elementwise.cu"),
        ("stencil_nchw_kernel", "nn_ops.cu"),
        ("mask_kernel", "training.cu"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut unit = String::new();
    for (name, file) in cases {
        let out = tmp.path().join(name);
        let o = scaffold(name, file, "paddle", &out);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        unit.push_str(&format!("#include \"{name}/{name}_op.cu\"\n"));
    }
    // One translation unit includes every generated file (each has its own includes), so the
    // wheel's headers are compiled once.
    let all = tmp.path().join("all_ops.cc");
    std::fs::write(&all, unit).unwrap();
    let o = Command::new("g++")
        .args(["-std=c++17", "-fsyntax-only", "-x", "c++"])
        .arg(format!("-I{}", include.display()))
        .arg(format!("-I{}", include.join("third_party").display()))
        .arg(format!("-I{py}"))
        .arg(format!("-I{}", tmp.path().display()))
        .arg(&all)
        .output()
        .expect("g++ runs");
    assert!(
        o.status.success(),
        "g++ failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    println!(
        "compiled {} Paddle ops against {}",
        cases.len(),
        include.display()
    );
}
