//! Per-file pipeline stages (parse, analyze, plan+render) on the demo and kernel fixtures.
//! Whole-corpus numbers (vs a bare parse and hipify-perl) come from scripts/bench.sh.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cuport::catalog::Catalog;
use cuport::model::Target;
use cuport::rewrite::PlanOptions;
use cuport::source::SourceFile;
use std::hint::black_box;
use std::path::Path;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    for dir in ["demo/src", "demo/ext", "kernels"] {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "cu"))
        {
            files.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    files
}

fn stages(c: &mut Criterion) {
    let catalog = Catalog::builtin().unwrap();
    let files = inputs();
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("catalog_load", |b| {
        b.iter(|| black_box(Catalog::builtin().unwrap().rules.len()))
    });
    g.bench_function("parse", |b| {
        b.iter(|| {
            for (_, src) in &files {
                black_box(cuport::parse::parse(src).unwrap());
            }
        })
    });
    let parsed: Vec<(SourceFile, tree_sitter::Tree)> = files
        .iter()
        .map(|(n, src)| {
            (
                SourceFile::new(n.clone(), n.into(), src.clone()),
                cuport::parse::parse(src).unwrap(),
            )
        })
        .collect();
    g.bench_function("analyze", |b| {
        b.iter(|| {
            for (f, t) in &parsed {
                black_box(cuport::analyze::analyze(f, t, &catalog));
            }
        })
    });
    let analyzed: Vec<_> = parsed
        .iter()
        .map(|(f, t)| (f, cuport::analyze::analyze(f, t, &catalog)))
        .collect();
    let opts = PlanOptions {
        annotate: true,
        ..PlanOptions::default()
    };
    g.bench_function("plan_and_diff", |b| {
        b.iter(|| {
            for (f, fa) in &analyzed {
                let plan = cuport::rewrite::plan_file(f, fa, &catalog, Target::MindSpore, &opts);
                if let Some(out) = &plan.output {
                    black_box(cuport::report::diff::unified(&f.rel, &f.bytes, out));
                }
            }
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
