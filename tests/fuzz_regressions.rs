//! Crashes and property failures found by fuzzing (scripts/fuzz.sh), kept as regression tests.

mod common;
use common::*;
use cuport::catalog::Catalog;
use cuport::model::Target;
use cuport::rewrite::PlanOptions;

fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "cu" || x == "cuh") {
            out.push(p);
        }
    }
}

/// Found by the fuzzer on its first seed (fixtures/fix/templates.cu, Paddle target): the rewritten
/// `x.type()` matched the legacy-`type()` rule, and the launch annotation moved above the rewritten
/// AT_DISPATCH call landed elsewhere on the next run, so a second fix changed the file again.
#[test]
fn every_fixture_converges_after_one_fix_on_both_targets() {
    let catalog = Catalog::builtin().unwrap();
    let opts = PlanOptions {
        annotate: true,
        ..PlanOptions::default()
    };
    let mut files = Vec::new();
    sources(&repo().join("fixtures"), &mut files);
    files.sort();
    assert!(files.len() > 15);
    for f in files {
        let src = std::fs::read(&f).unwrap();
        for t in Target::ALL {
            let first = cuport::scan::plan_source(&catalog, "f.cu", src.clone(), t, &opts);
            let Some(out) = first.output else { continue };
            let second = cuport::scan::plan_source(&catalog, "f.cu", out, t, &opts);
            assert!(
                second.output.is_none(),
                "{} [{t}]: a second fix changed the file:\n{}",
                f.display(),
                String::from_utf8_lossy(&cuport::report::diff::unified(
                    "f.cu",
                    &cuport::scan::plan_source(&catalog, "f.cu", src.clone(), t, &opts)
                        .output
                        .unwrap(),
                    &second.output.unwrap()
                ))
            );
        }
    }
}
