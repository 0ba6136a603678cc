//! From features to one pattern id (an `id` of rewrite-rules/kernels.toml, or `custom`), a
//! confidence, evidence lines and the runner-up. The detectors (detectors.rs) each give a
//! verdict; the most confident wins. A kernel no detector claims is `custom`, with its features
//! as the evidence.

use super::accum;
use super::arith::Arith;
use super::detectors::detectors;
use super::facts::Facts;
use super::features;
use super::seen::{Seen, Verdict};
use super::shapes;
use super::stats;
use super::values::Values;
use crate::analyze::kernel::KernelSummary;
use crate::source::SourceFile;

/// Compute the arithmetic features.
fn arith(f: &Facts, v: &Values) -> Arith {
    let mut a = Arith::default();
    accum::assignments(f, v, &mut a);
    accum::helper_macs(f, v, &mut a);
    stats::calls(f, v, &mut a);
    stats::binops(f, v, &mut a);
    stats::locals(f, &mut a);
    stats::lift_emas(f, &mut a);
    a
}

/// Recognise one kernel from its facts.
pub fn summarize(file: &SourceFile, f: &Facts) -> KernelSummary {
    let v = Values::new(f);
    let bests = features::bests(f, &v);
    let (trees, scan) = features::trees(f, &v, &bests);
    let mut a = arith(f, &v);
    if a.accum_max.is_none() {
        // `if (x > m) m = x;` in a loop is a running max.
        if let Some(b) = bests.iter().find(|b| !b.with_index && b.ev.depth > 0) {
            a.accum_max = Some(b.ev.clone());
        }
    }
    let s = shapes::shapes(f, &v, &a);
    let k = Seen {
        file,
        f,
        v,
        trees,
        scan,
        bests,
        a,
        s,
    };
    let ((pattern, confidence, mut evidence), runner_up) = decide(&k);
    if let Some(ix) = k.indexing() {
        if evidence.len() < 5 {
            evidence.push(ix);
        }
    }
    KernelSummary {
        pattern: pattern.to_string(),
        confidence,
        evidence,
        runner_up: runner_up.map(|(p, c)| (p.to_string(), c)),
    }
}

/// Every detector gives its verdict; the most confident wins, an earlier detector on a tie
/// (they are listed from the most specific structure to the least). A detector that names
/// a structure no pattern covers (`custom`: RoI pooling, a reduction applied back to every
/// element) stops the less specific ones after it, which would misread that structure;
/// it wins when nothing before it claimed the kernel. The runner-up is the best verdict
/// for another pattern.
fn decide(k: &Seen) -> (Verdict, Option<(&'static str, f64)>) {
    let mut found: Vec<Verdict> = Vec::new();
    let mut veto: Option<Verdict> = None;
    for d in detectors() {
        match d(k) {
            Some(v) if v.0 == "custom" => {
                veto = Some(v);
                break;
            }
            Some(v) => found.push(v),
            None => {}
        }
    }
    // Stable: on equal confidence the earlier detector stays first.
    found.sort_by(|x, y| y.1.total_cmp(&x.1));
    let mut found = found.into_iter();
    let Some(best) = found.next() else {
        return (veto.unwrap_or_else(|| k.custom()), None);
    };
    let runner_up = found.find(|v| v.0 != best.0).map(|v| (v.0, v.1));
    (best, runner_up)
}
