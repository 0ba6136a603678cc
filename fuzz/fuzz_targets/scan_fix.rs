//! Arbitrary bytes through scan and fix, on both targets: no panic; the diff of the fix applies to
//! the input and gives the fixed bytes; a second fix changes nothing.
#![no_main]

use cuport::catalog::Catalog;
use cuport::model::Target;
use cuport::rewrite::PlanOptions;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::builtin().expect("built-in catalog"))
}

/// Apply a unified diff produced by cuport to `old` (the minimal subset of `git apply` it needs).
fn apply(old: &[u8], diff: &[u8]) -> Vec<u8> {
    let old_lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let lines: Vec<&[u8]> = diff.split_inclusive(|&b| b == b'\n').collect();
    let mut out: Vec<u8> = Vec::new();
    let mut pos = 0usize; // next old line to copy
    let mut i = 2; // skip the ---/+++ header
    let mut last_pushed_plus = false;
    while i < lines.len() {
        let l = lines[i];
        if l.starts_with(b"@@ -") {
            let spec = std::str::from_utf8(&l[4..]).unwrap();
            let old_spec = spec.split(' ').next().unwrap();
            let mut parts = old_spec.split(',');
            let start: usize = parts.next().unwrap().parse().unwrap();
            let len: usize = parts.next().map_or(1, |n| n.parse().unwrap());
            let begin = if len == 0 { start } else { start - 1 };
            for ol in &old_lines[pos..begin] {
                out.extend_from_slice(ol);
            }
            pos = begin;
        } else if l.starts_with(b"\\ No newline") {
            // The previous line had no newline: drop the one the diff line carried.
            if last_pushed_plus && out.ends_with(b"\n") {
                out.pop();
            }
        } else {
            let (tag, body) = (l[0], &l[1..]);
            last_pushed_plus = false;
            match tag {
                b' ' => {
                    out.extend_from_slice(old_lines[pos]);
                    pos += 1;
                }
                b'-' => pos += 1,
                b'+' => {
                    out.extend_from_slice(body);
                    last_pushed_plus = true;
                }
                _ => panic!("unexpected diff line"),
            }
        }
        i += 1;
    }
    for ol in &old_lines[pos..] {
        out.extend_from_slice(ol);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let opts = PlanOptions { annotate: true, ..PlanOptions::default() };
    for t in Target::ALL {
        let plan = cuport::scan::plan_source(catalog(), "fuzz.cu", data.to_vec(), t, &opts);
        let Some(out) = plan.output else { continue };
        let diff = cuport::report::diff::unified("fuzz.cu", data, &out);
        assert_eq!(apply(data, &diff), out, "the diff does not reproduce the fix");
        let again = cuport::scan::plan_source(catalog(), "fuzz.cu", out.clone(), t, &opts);
        assert!(again.output.is_none(), "a second fix changed the file again");
    }
});
