//! What the classifier knows about one kernel (`Seen`), the verdict type the detectors return,
//! and the helpers they share: evidence citations, the `custom` fallback, the indexing shape.

use super::arith::Arith;
use super::facts::{Facts, BUILTINS};
use super::features::{self, Best, Ev, Op, Step, Tree};
use super::shapes::Shapes;
use super::values::Values;
use crate::source::SourceFile;

/// Everything known about one kernel.
pub(super) struct Seen<'a, 't> {
    pub(super) file: &'a SourceFile,
    pub(super) f: &'a Facts<'t>,
    pub(super) v: Values,
    pub(super) trees: Vec<Tree>,
    pub(super) scan: Option<Ev>,
    pub(super) bests: Vec<Best>,
    pub(super) a: Arith,
    pub(super) s: Shapes,
}

/// A detector's answer: pattern id, confidence, evidence lines.
pub(super) type Verdict = (&'static str, f64, Vec<String>);

impl Seen<'_, '_> {
    /// "what (line N)" or "what (line N, in helper)".
    pub(super) fn cite(&self, e: &Ev, what: &str) -> String {
        let line = self.file.position(e.at).0;
        match self.f.scopes.get(e.scope as usize).copied().flatten() {
            Some(h) if e.at >= self.f.lent_at => {
                format!("{what} (in {h}, defined in another file)")
            }
            Some(h) => format!("{what} (line {line}, in {h})"),
            None => format!("{what} (line {line})"),
        }
    }

    pub(super) fn ev(&self, e: &Option<Ev>, what: &str) -> Option<String> {
        e.as_ref().map(|e| {
            if what.is_empty() {
                self.cite(e, &e.what)
            } else {
                self.cite(e, &format!("{what}: {}", e.what))
            }
        })
    }

    pub(super) fn tree_ev(&self, t: &Tree) -> String {
        self.cite(
            &t.ev,
            &format!("{} reduction via {}", t.op.word(), t.ev.what),
        )
    }

    pub(super) fn tree(&self, ops: &[Op]) -> Option<&Tree> {
        self.trees.iter().find(|t| ops.contains(&t.op))
    }

    pub(super) fn reduces(&self) -> bool {
        !self.trees.is_empty() || self.a.accum_sum.is_some() || self.a.sumsq.is_some()
    }

    pub(super) fn uses(&self, b: usize, axis: usize) -> bool {
        self.f.builtin[b][axis].is_some()
    }

    pub(super) fn map_like(&self) -> bool {
        self.trees.is_empty()
            && self.scan.is_none()
            && self.a.accum_sum.is_none()
            && self.a.accum_max.is_none()
            && self.bests.is_empty()
            && self.a.macs.is_empty()
            && self.a.sumsq.is_none()
            && self.a.atomics.is_empty()
            && !self.s.loop_without_store
    }

    pub(super) fn custom(&self) -> Verdict {
        self.custom_with(Vec::new())
    }

    pub(super) fn custom_with(&self, first: Vec<String>) -> Verdict {
        let (a, s) = (&self.a, &self.s);
        let mut ev = vec!["no framework pattern fits these features".to_string()];
        ev.extend(first);
        let mut add = |x: Option<String>| {
            if ev.len() < 5 {
                ev.extend(x);
            }
        };
        add(self.ev(&s.iou, "IoU computation"));
        add(self.ev(&s.bilinear, ""));
        add(self.ev(&a.random, "random numbers via"));
        for t in self.trees.iter().take(1) {
            add(Some(self.tree_ev(t)));
        }
        add(a
            .atomics
            .first()
            .map(|x| self.cite(&x.ev, &format!("atomic {}", x.ev.what))));
        add(self
            .bests
            .first()
            .map(|b| self.cite(&b.ev, "best-value tracking over a loop")));
        add(self.ev(&a.inv_sqrt, "math"));
        if let Some((m, e)) = &s.movement {
            add(Some(
                self.cite(e, &format!("data movement ({m:?})").to_lowercase()),
            ));
        }
        let deepest = self
            .f
            .loops
            .iter()
            .filter(|l| l.site.scope == 0)
            .map(|l| l.site.depth)
            .max();
        if let Some(d) = deepest {
            add(Some(format!("loop nest of depth {}", d + 1)));
        }
        ("custom", 0.5, ev)
    }

    /// The kernel's thread-indexing shape, for evidence.
    pub(super) fn indexing(&self) -> Option<String> {
        let f = self.f;
        let ys: Vec<String> = (0..4)
            .flat_map(|b| (1..3).map(move |x| (b, x)))
            .filter(|&(b, x)| b < 2 && self.uses(b, x))
            .map(|(b, x)| format!("{}.{}", BUILTINS[b], ["x", "y", "z"][x]))
            .collect();
        let steps: Vec<(Step, &super::facts::Loop)> = f
            .loops
            .iter()
            .filter(|l| l.site.scope == 0)
            .map(|l| (features::step(f, l), l))
            .collect();
        let find = |s: Step| steps.iter().find(|x| x.0 == s).map(|x| x.1);
        let line = |l: &super::facts::Loop| self.file.position(l.site.node.start_byte()).0;
        if let Some(l) = find(Step::Grid) {
            return Some(format!("grid-stride loop (line {})", line(l)));
        }
        if !ys.is_empty() {
            let dims = if ys.iter().any(|y| y.ends_with(".z")) {
                "3-D"
            } else {
                "2-D"
            };
            return Some(format!("{dims} indexing ({})", ys.join(", ")));
        }
        if let Some(l) = find(Step::Warp) {
            return Some(format!(
                "warp-stride loop, lanes stride by 32 (line {})",
                line(l)
            ));
        }
        if let Some(l) = find(Step::Block) {
            return Some(format!(
                "block-stride loop, threads stride by blockDim.x (line {})",
                line(l)
            ));
        }
        (self.uses(1, 0) && self.uses(2, 0) && self.uses(0, 0))
            .then(|| "1-D indexing (blockIdx.x * blockDim.x + threadIdx.x)".to_string())
    }
}
