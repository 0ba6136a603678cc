//! Kernel recognition: what each `__global__` function computes, from its body (never its name).
//!
//! One iterative walk per kernel records the nodes that matter (`facts.rs`); value
//! provenance (`values.rs`) says which locals hold loaded data and which pointers alias
//! which parameter; features (`features.rs`, `accum.rs`, `shapes.rs`) find
//! reductions, scans, multiply-accumulate, normalisation, activations and data movement; and
//! `classify.rs` turns them into a pattern id of `rewrite-rules/kernels.toml` (or
//! `custom`) with a confidence and evidence lines.

mod accum;
mod arith;
mod classify;
mod conv;
mod detectors;
mod expr;
mod facts;
mod features;
pub mod helpers;
mod movement;
mod optim;
mod pointwise;
mod quant;
mod seen;
mod shapes;
mod staging;
mod stats;
mod values;

use super::{FileAnalysis, KernelDef};
use crate::flat::{Flat, Node};
use crate::parse::NodeExt;
use crate::source::SourceFile;
use std::ops::Range;

/// The recognised pattern of a kernel, with the reasons.
#[derive(Clone, Debug, Default)]
pub struct KernelSummary {
    /// Pattern id from `kernels.toml`, `custom`, or `unknown` before recognition.
    pub pattern: String,
    pub confidence: f64,
    pub evidence: Vec<String>,
    /// The best verdict for another pattern, when a second detector also claimed the kernel.
    pub runner_up: Option<(String, f64)>,
}

/// Labels at or above this confidence are stated ("computes …"); below it they are offered to
/// be checked ("looks like …, unconfirmed"). Calibrated on the dev split of the kernel corpus
/// (tools/kernel_eval.py): every 0.9 label there was right, 57 % of the 0.8–0.85 ones, none of
/// the 0.75 ones.
pub const CONFIDENT: f64 = 0.9;

impl KernelSummary {
    /// How a report names the pattern: stated when confident, else offered for checking.
    pub fn label(&self) -> String {
        label(&self.pattern, self.confidence)
    }
}

/// `computes P` for a confident label, `looks like P (unconfirmed, confidence C)` otherwise.
pub fn label(pattern: &str, confidence: f64) -> String {
    if confidence >= CONFIDENT {
        format!("computes {pattern}")
    } else {
        format!("looks like {pattern} (unconfirmed, confidence {confidence:.2}: check it)")
    }
}

/// Summarize every kernel of a file. Says whether some kernel calls a function the file does
/// not define, so that the project's helper index may lend it and the kernel be read again.
pub fn summarize_all(file: &SourceFile, flat: &Flat, fa: &mut FileAnalysis) -> bool {
    if fa.kernels.is_empty() {
        return false;
    }
    let root = flat.root();
    let src = expr::Src::new(&file.bytes);
    let FileAnalysis {
        kernels,
        device_fns,
        ..
    } = &mut *fa;
    for k in kernels.iter_mut() {
        let body = root
            .descendant_for_byte_range(k.body.start, k.body.end)
            .filter(|b| b.byte_range() == k.body);
        k.summary = match body {
            Some(body) => {
                let facts = facts::collect(src, root, None, body, device_fns);
                k.external_calls = external_calls(&facts);
                k.own_helpers = facts
                    .scopes
                    .iter()
                    .flatten()
                    .map(|s| s.to_string())
                    .collect();
                classify::summarize(file, &facts)
            }
            None => KernelSummary {
                pattern: "custom".into(),
                confidence: 0.0,
                evidence: vec!["the kernel body could not be located in the parse tree".into()],
                runner_up: None,
            },
        };
    }
    fa.kernels.iter().any(|k| !k.external_calls.is_empty())
}

/// What recognition reads of a file: its kernels' and its `__device__` functions' definitions
/// (sorted, disjoint). The flat copy of the rest has no children.
pub fn read_ranges(fa: &FileAnalysis) -> Vec<Range<usize>> {
    let mut keep: Vec<Range<usize>> = fa.kernels.iter().map(|k| k.range.clone()).collect();
    keep.extend(
        fa.function_defs
            .iter()
            .filter(|d| d.device)
            .map(|d| d.whole.clone()),
    );
    helpers::disjoint(keep)
}

/// Plain calls of the kernel and its helpers to functions this file does not define (CUDA's
/// own `__…` intrinsics and the math built-ins left out), sorted.
fn external_calls(f: &facts::Facts) -> Vec<String> {
    let mut names: Vec<String> = f
        .calls
        .iter()
        .filter(|c| c.helper.is_none() && !c.name.starts_with("__"))
        // Math and warp built-ins are read by name (`features::family`), whoever defines them.
        .filter(|c| features::family(c.name).is_empty())
        .filter(|c| !expr::is_method(c.site.node) && !f.scopes.contains(&Some(c.name)))
        .map(|c| c.name.to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// How a kernel uses its parameters, and which same-file helpers it calls (for scaffolds).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KernelAccess {
    /// Per parameter, in order: (read through, written through).
    pub params: Vec<(bool, bool)>,
    /// `__device__` helpers the kernel calls, directly or through other helpers.
    pub helpers: Vec<String>,
}

/// Which pointer parameters the body reads and writes (stores `p[i] = …`, `*p = …`, atomics,
/// store intrinsics, writes through helper arguments), following local aliases (`y = out + r`).
pub fn access(
    file: &SourceFile,
    tree: &tree_sitter::Tree,
    device_fns: &[(String, Range<usize>)],
    k: &KernelDef,
) -> KernelAccess {
    let flat = Flat::new(tree.root_node());
    let root = flat.root();
    let Some(body) = root
        .descendant_for_byte_range(k.body.start, k.body.end)
        .filter(|b| b.byte_range() == k.body)
    else {
        return KernelAccess {
            params: vec![(true, false); k.params.len()],
            helpers: Vec::new(),
        };
    };
    let f = facts::collect(expr::Src::new(&file.bytes), root, None, body, device_fns);
    let v = values::Values::new(&f);
    let mut uses = vec![(false, false); k.params.len()];
    let mut mark = |n: Node, read: bool, write: bool| {
        if let Some(b) = v.base(&f, n) {
            if let Some(i) = k.params.iter().position(|(_, name)| name == b.name) {
                uses[i].0 |= read;
                uses[i].1 |= write;
            }
        }
    };
    for a in f.assigns.iter().filter(|a| a.scope == 0) {
        if let Some((left, _)) = features::store_base(&f, &v, a.node) {
            let op = a.node.field("operator").map_or("", |o| f.src.text(o));
            mark(left, op != "=", true);
        }
    }
    for s in f.subs.iter().filter(|s| s.scope == 0) {
        let stored = s.node.parent().is_some_and(|p| {
            p.kind_name() == "assignment_expression" && p.field("left") == Some(s.node)
        });
        if !stored {
            mark(s.node, true, false);
        }
    }
    for c in f.calls.iter().filter(|c| c.site.scope == 0) {
        let args = expr::args(c.site.node);
        let atomic = features::family(c.name) == "atomic";
        let store = features::store_call(&f, &v, c);
        for (i, a) in args.iter().enumerate() {
            let a = expr::unparen(*a);
            let a = match a.kind_name() {
                "pointer_expression" => a.field("argument").unwrap_or(a),
                _ => a,
            };
            // Written through a helper's pointer parameter?
            let helper_writes = c.helper.is_some_and(|h| {
                let pname = f
                    .locals
                    .iter()
                    .filter(|l| l.param && l.site.scope == h)
                    .nth(i)
                    .map(|l| l.name);
                pname.is_some_and(|p| {
                    f.assigns.iter().any(|x| {
                        x.scope == h
                            && features::store_base(&f, &v, x.node)
                                .is_some_and(|(_, b)| b.name == p)
                    })
                })
            });
            let write = (i == 0 && (atomic || store)) || helper_writes;
            mark(a, !(i == 0 && store), write);
        }
    }
    KernelAccess {
        params: uses,
        helpers: f.scopes.iter().flatten().map(|s| s.to_string()).collect(),
    }
}
