//! Property: for generated sequences of catalog calls in realistic contexts, the annotated diff
//! applies with `git apply`, equals the in-place result, re-parses without new errors, and a second
//! pass is a no-op.

mod common;
use cuport::catalog::Catalog;
use cuport::model::Target;
use cuport::rewrite::PlanOptions;
use proptest::prelude::*;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::builtin().unwrap())
}

fn kind() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "cudaMemcpyHostToDevice",
        "cudaMemcpyDeviceToHost",
        "cudaMemcpyDeviceToDevice",
        "kind",
        "up ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost",
    ])
}

fn statement() -> impl Strategy<Value = String> {
    let ident = prop::sample::select(vec!["d", "h", "buf", "p_1", "x"]);
    prop_oneof![
        (ident.clone(), 1..4096u32).prop_map(|(p, n)| format!("cudaMalloc((void**)&{p}, {n});")),
        (ident.clone(), ident.clone(), kind())
            .prop_map(|(a, b, k)| format!("cudaMemcpy({a}, {b}, n, {k});")),
        (ident.clone(), kind())
            .prop_map(|(a, k)| format!("cudaMemcpyAsync({a}, h, n * sizeof(float), {k}, s);")),
        (ident.clone(), kind()).prop_map(|(a, k)| format!("cudaMemcpyAsync({a}, h, n, {k});")),
        ident
            .clone()
            .prop_map(|p| format!("CUDA_CHECK(cudaFree({p}));")),
        ident
            .clone()
            .prop_map(|p| format!("cudaMemset({p}, 0,\n        n);")),
        Just("cudaStream_t s2; cudaStreamCreate(&s2);".to_string()),
        Just("cudaEventRecord(e, s); cudaEventSynchronize(e);".to_string()),
        Just("cudaDeviceSynchronize();".to_string()),
        Just("// cudaMalloc(&d, n) in a comment".to_string()),
        Just("const char* msg = \"cudaFree(d)\";".to_string()),
        Just("if (cudaGetLastError() != cudaSuccess) return;".to_string()),
        Just("for (int i = 0; i < 2; ++i) { cudaStreamSynchronize(s); }".to_string()),
        Just("k<<<grid, block, 0, s>>>(d, n);".to_string()),
        Just(
            "cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_T, m, n, k, &a, A, m, B, k, &b, C, m);"
                .to_string()
        ),
        Just("ncclAllReduce(d, d, n, ncclFloat, ncclSum, comm, s);".to_string()),
    ]
}

fn program() -> impl Strategy<Value = (String, bool)> {
    (prop::collection::vec(statement(), 1..12), any::<bool>(), any::<bool>()).prop_map(|(stmts, crlf, header)| {
        let mut src = String::new();
        if header {
            src.push_str("#include <cuda_runtime.h>\n#include <vector>\n");
        }
        src.push_str("#define CUDA_CHECK(x) do { if ((x) != cudaSuccess) return; } while (0)\n");
        src.push_str("__global__ void k(float* d, int n) { if (threadIdx.x < n) d[threadIdx.x] = 0.f; }\n");
        src.push_str("void run(float* d, float* h, size_t n, cudaStream_t s, cudaEvent_t e, bool up) {\n");
        for st in stmts {
            for line in st.lines() {
                src.push_str("  ");
                src.push_str(line);
                src.push('\n');
            }
        }
        src.push_str("}\n");
        let src = if crlf { src.replace('\n', "\r\n") } else { src };
        (src, crlf)
    })
}

fn error_nodes(src: &[u8]) -> usize {
    let tree = cuport::parse::parse(src).unwrap();
    let mut n = 0;
    let mut c = tree.walk();
    let mut descend = true;
    loop {
        if descend && (c.node().is_error() || c.node().is_missing()) {
            n += 1;
        }
        if descend && c.goto_first_child() {
            continue;
        }
        if c.goto_next_sibling() {
            descend = true;
        } else if c.goto_parent() {
            descend = false;
        } else {
            break;
        }
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn fix_output_applies_reparses_and_converges((src, _crlf) in program(), paddle in any::<bool>()) {
        let target = if paddle { Target::Paddle } else { Target::MindSpore };
        let opts = PlanOptions { annotate: true, ..PlanOptions::default() };
        let plan = cuport::scan::plan_source(catalog(), "gen.cu", src.clone().into_bytes(), target, &opts);
        let Some(out) = plan.output else { return Ok(()) };

        // The diff applies and gives exactly the in-place result.
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("gen.cu"), &src).unwrap();
        let diff = cuport::report::diff::unified("gen.cu", src.as_bytes(), &out);
        std::fs::write(tmp.path().join("p.diff"), &diff).unwrap();
        let git = std::process::Command::new("git").args(["apply", "p.diff"]).current_dir(tmp.path()).output().unwrap();
        prop_assert!(git.status.success(), "{}", String::from_utf8_lossy(&git.stderr));
        prop_assert_eq!(std::fs::read(tmp.path().join("gen.cu")).unwrap(), out.clone());

        // No new parse errors.
        prop_assert!(error_nodes(&out) <= error_nodes(src.as_bytes()), "new parse errors in:\n{}", String::from_utf8_lossy(&out));

        // A second pass changes nothing.
        let again = cuport::scan::plan_source(catalog(), "gen.cu", out.clone(), target, &opts);
        prop_assert!(again.output.is_none(), "second pass changed:\n{}", String::from_utf8_lossy(&again.output.unwrap()));
    }
}
