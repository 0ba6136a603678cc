//! From features to one pattern id (an `id` of rewrite-rules/kernels.toml, or `custom`), a
//! confidence and evidence lines. Rules go from the most specific structure to the least; a
//! kernel that matches none is `custom`, with its features as the evidence.

use super::accum::{self, Arith};
use super::facts::{Facts, BUILTINS};
use super::features::{self, Best, Ev, Op, Step, Tree};
use super::shapes::{self, Move, Shapes};
use super::values::Values;
use crate::analyze::kernel::KernelSummary;
use crate::parse::NodeExt;
use crate::source::SourceFile;

/// Everything known about one kernel.
struct Seen<'a, 't> {
    file: &'a SourceFile,
    f: &'a Facts<'t>,
    v: Values,
    trees: Vec<Tree>,
    scan: Option<Ev>,
    bests: Vec<Best>,
    a: Arith,
    s: Shapes,
}

/// Recognise one kernel from its facts.
pub fn summarize(file: &SourceFile, f: &Facts) -> KernelSummary {
    let v = Values::new(f);
    let bests = features::bests(f, &v);
    let (trees, scan) = features::trees(f, &v, &bests);
    let mut a = accum::arith(f, &v);
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
    let (pattern, confidence, mut evidence) = k.decide();
    if let Some(ix) = k.indexing() {
        if evidence.len() < 5 {
            evidence.push(ix);
        }
    }
    KernelSummary {
        pattern: pattern.to_string(),
        confidence,
        evidence,
    }
}

type Verdict = (&'static str, f64, Vec<String>);

impl Seen<'_, '_> {
    /// "what (line N)" or "what (line N, in helper)".
    fn cite(&self, e: &Ev, what: &str) -> String {
        let line = self.file.position(e.at).0;
        match self.f.scopes.get(e.scope as usize).copied().flatten() {
            Some(h) => format!("{what} (line {line}, in {h})"),
            None => format!("{what} (line {line})"),
        }
    }

    fn ev(&self, e: &Option<Ev>, what: &str) -> Option<String> {
        e.as_ref().map(|e| {
            if what.is_empty() {
                self.cite(e, &e.what)
            } else {
                self.cite(e, &format!("{what}: {}", e.what))
            }
        })
    }

    fn tree_ev(&self, t: &Tree) -> String {
        self.cite(
            &t.ev,
            &format!("{} reduction via {}", t.op.word(), t.ev.what),
        )
    }

    fn tree(&self, ops: &[Op]) -> Option<&Tree> {
        self.trees.iter().find(|t| ops.contains(&t.op))
    }

    fn reduces(&self) -> bool {
        !self.trees.is_empty() || self.a.accum_sum.is_some() || self.a.sumsq.is_some()
    }

    fn uses(&self, b: usize, axis: usize) -> bool {
        self.f.builtin[b][axis].is_some()
    }

    fn map_like(&self) -> bool {
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

    /// A kernel whose every store is a function of the same element(s) it loads, recognised by
    /// evaluating that function (pointwise.rs). Comparisons in it (`if (x < lo) y[i] = lo;`)
    /// look like best-value tracking to the other detectors, so this comes first.
    fn pointwise(&self) -> Option<Verdict> {
        let a = &self.a;
        if !self.trees.is_empty()
            || self.scan.is_some()
            || a.accum_sum.is_some()
            || !a.macs.is_empty()
            || a.sumsq.is_some()
            || !a.atomics.is_empty()
        {
            return None;
        }
        let p = super::pointwise::recognise(self.f, &self.v)?;
        let e = Ev {
            at: p.at,
            scope: 0,
            depth: 0,
            what: String::new(),
        };
        let what = format!(
            "stores {} of the loaded element(s), checked at {} sample points",
            p.what,
            super::pointwise::SAMPLES
        );
        Some((p.id, 0.9, vec![self.cite(&e, &what)]))
    }

    fn decide(&self) -> Verdict {
        if let Some(v) = self.pointwise() {
            return v;
        }
        let (a, s) = (&self.a, &self.s);
        let mut ev: Vec<String> = Vec::new();
        let push = |ev: &mut Vec<String>, x: Option<String>| ev.extend(x);

        if s.iou.is_some() && s.iou_cmp.is_some() {
            push(&mut ev, self.ev(&s.iou, "IoU from box corners"));
            push(&mut ev, self.ev(&s.iou_cmp, ""));
            let bits = self.f.assigns.iter().any(|x| {
                x.node
                    .field("operator")
                    .is_some_and(|o| self.f.src.text(o) == "|=")
            });
            let conf = if bits || !a.atomics.is_empty() {
                0.9
            } else {
                0.85
            };
            ev.push(format!(
                "{} min/max clamps of box coordinates",
                a.min_calls + a.max_calls
            ));
            return ("nms", conf, ev);
        }
        if s.bilinear.is_some() && s.box_record.is_some() {
            push(&mut ev, self.ev(&s.bilinear, ""));
            push(&mut ev, self.ev(&s.box_record, ""));
            return ("roi_align", 0.85, ev);
        }
        if s.rotation.is_some() {
            push(&mut ev, self.ev(&s.rotation, "rotation of element pairs"));
            push(&mut ev, self.ev(&a.trig, "angles computed with"));
            push(
                &mut ev,
                self.ev(&a.gather, "cos/sin cache indexed by position"),
            );
            let conf = if ev.len() > 1 { 0.9 } else { 0.8 };
            return ("rotary_embedding", conf, ev);
        }
        if a.random.is_some() && a.random_cmp.is_some() {
            push(&mut ev, self.ev(&a.random, "per-element random draw"));
            push(&mut ev, self.ev(&a.random_cmp, ""));
            return ("dropout", 0.85, ev);
        }
        let softmaxish = a.exp_diff.is_some()
            && (a.accum_max.is_some()
                || a.online.is_some()
                || self.tree(&[Op::Max, Op::Online]).is_some());
        if let Some(mac) = a.macs.iter().max_by_key(|m| m.depth) {
            let mac_ev = self.cite(
                mac,
                &format!(
                    "multiply-accumulate {}in a loop nest of depth {}",
                    if mac.what.is_empty() {
                        String::new()
                    } else {
                        format!("{} ", mac.what)
                    },
                    mac.depth
                ),
            );
            ev.push(mac_ev);
            if softmaxish {
                push(&mut ev, self.ev(&a.exp_diff, "softmax weights"));
                push(&mut ev, self.ev(&a.online, ""));
                if let Some(t) = self.tree(&[Op::Max, Op::Online]) {
                    ev.push(self.tree_ev(t));
                }
                return ("attention", 0.85, ev);
            }
            if mac.depth >= 2 && a.padding.is_some() {
                push(&mut ev, self.ev(&a.padding, ""));
                return ("conv2d", 0.85, ev);
            }
            if let Some(z) = self.f.builtin[1][2] {
                ev.push(self.cite(
                    &Ev {
                        at: z,
                        scope: 0,
                        depth: 0,
                        what: String::new(),
                    },
                    "batch index from blockIdx.z",
                ));
                return ("batched_matmul", 0.85, ev);
            }
            let conf = if mac.what.contains("shared") {
                0.85
            } else {
                0.8
            };
            return ("matmul", conf, ev);
        }
        if !a.emas.is_empty() {
            let reduction = self.reduces();
            if (a.inv_sqrt.is_some() && reduction) || a.centering_loaded.is_some() {
                ev.push(self.cite(&a.emas[0], "running statistics updated with momentum"));
                push(&mut ev, self.ev(&a.inv_sqrt, "normalised by"));
                if let Some(t) = self.trees.first() {
                    ev.push(self.tree_ev(t));
                }
                return ("batch_norm", 0.85, ev);
            }
            if a.emas.len() >= 2 && (a.sqrt.is_some() || a.inv_sqrt.is_some()) {
                ev.push(self.cite(&a.emas[0], "first-moment moving average"));
                ev.push(self.cite(&a.emas[1], "second-moment moving average"));
                push(&mut ev, self.ev(&a.sqrt, "update divided by"));
                let conf = if a.ema_sq.is_some() { 0.9 } else { 0.8 };
                return ("adam", conf, ev);
            }
        }
        if a.inv_sqrt.is_some() && self.per_element_output() {
            let norm = self.ev(&a.inv_sqrt, "inverse standard deviation via");
            if a.centering_loaded.is_some() && !self.reduces() {
                push(&mut ev, self.ev(&a.centering_loaded, ""));
                push(&mut ev, norm);
                return ("batch_norm", 0.8, ev);
            }
            if a.welford.is_some() || (a.centering_computed.is_some() && self.reduces()) {
                push(&mut ev, self.ev(&a.welford, "Welford update"));
                if let Some(t) = self.tree(&[Op::Sum]) {
                    ev.push(self.tree_ev(t));
                }
                push(&mut ev, self.ev(&a.centering_computed, "centred"));
                push(&mut ev, norm);
                return ("layer_norm", 0.85, ev);
            }
            if a.sumsq.is_some() && self.reduces() {
                push(&mut ev, self.ev(&a.sumsq, ""));
                if let Some(t) = self.tree(&[Op::Sum]) {
                    ev.push(self.tree_ev(t));
                }
                push(&mut ev, norm);
                return ("rms_norm", 0.85, ev);
            }
        }
        if softmaxish {
            match self.tree(&[Op::Max, Op::Online]) {
                Some(t) => ev.push(self.tree_ev(t)),
                None => push(&mut ev, self.ev(&a.accum_max, "row max")),
            }
            push(&mut ev, self.ev(&a.online, ""));
            push(&mut ev, self.ev(&a.exp_diff, "exponentials"));
            if a.log.is_some() && a.gather.is_some() {
                push(&mut ev, self.ev(&a.log, "log-sum-exp via"));
                push(&mut ev, self.ev(&a.gather, "target logit"));
                return ("cross_entropy", 0.85, ev);
            }
            if a.log.is_some() {
                push(&mut ev, self.ev(&a.log, "x - max - log(sum) via"));
                return ("log_softmax", 0.85, ev);
            }
            if let Some(t) = self.tree(&[Op::Sum]) {
                ev.push(self.tree_ev(t));
            }
            return ("softmax", 0.85, ev);
        }
        if let Some(l) = &a.log_gather {
            ev.push(self.cite(l, &format!("negative log-likelihood: {}", l.what)));
            return ("cross_entropy", 0.7, ev);
        }
        if let Some(sc) = self.scan.as_ref().or(a.serial_scan.as_ref()) {
            ev.push(self.cite(sc, &format!("prefix sum: {}", sc.what)));
            return ("cumsum", 0.85, ev);
        }
        if let Some(at) = a.atomics.iter().find(|x| x.data_index && x.adds) {
            if a.atomics
                .iter()
                .any(|x| x.data_index && x.adds && x.constant)
            {
                ev.push(self.cite(
                    &at.ev,
                    &format!("{} of a constant at a data-dependent bin", at.ev.what),
                ));
                return ("histogram", 0.85, ev);
            }
            if a.atomics
                .iter()
                .any(|x| x.data_index && x.adds && x.loaded_value)
            {
                ev.push(self.cite(
                    &at.ev,
                    &format!(
                        "{} of loaded values at an index read from memory",
                        at.ev.what
                    ),
                ));
                return ("scatter_add", 0.85, ev);
            }
        }
        if let Some(v) = self.window() {
            return v;
        }
        let argtree = self.tree(&[Op::ArgBest]);
        if argtree.is_some() || self.bests.iter().any(|b| b.with_index && b.direct) {
            let topk = argtree.is_some_and(|t| t.repeated) || a.insertion.is_some();
            if let Some(t) = argtree {
                ev.push(self.tree_ev(t));
            }
            if let Some(b) = self.bests.iter().find(|b| b.with_index) {
                ev.push(self.cite(&b.ev, "value and index of the best element tracked"));
            }
            if topk {
                push(&mut ev, self.ev(&a.insertion, ""));
                if let Some(t) = argtree.filter(|t| t.repeated) {
                    ev.push(self.cite(&t.ev, "selection repeated k times"));
                }
                return ("topk", 0.8, ev);
            }
            return ("argmax", 0.85, ev);
        }
        if let Some(at) = self.applied_after() {
            return self.custom_with(vec![self.cite(
                &at,
                "a reduction result is applied to every element afterwards (a fused op, not a plain reduction)",
            )]);
        }
        if let Some(t) = self.tree(&[Op::Max]) {
            ev.push(self.tree_ev(t));
            return ("reduce_max", 0.85, ev);
        }
        if self.tree(&[Op::Min]).is_none() {
            let sum_tree = self.tree(&[Op::Sum]);
            let atomic = a.atomics.iter().find(|x| x.scalar && x.adds);
            if sum_tree.is_some() || atomic.is_some() {
                if let Some(t) = sum_tree {
                    ev.push(self.tree_ev(t));
                }
                if let Some(x) = atomic {
                    ev.push(self.cite(&x.ev, &format!("partial sums combined with {}", x.ev.what)));
                }
                if a.div_count.is_some() {
                    push(&mut ev, self.ev(&a.div_count, "mean"));
                    return ("reduce_mean", 0.85, ev);
                }
                return ("reduce_sum", 0.85, ev);
            }
        }
        if self.map_like() {
            if let Some(v) = self.elementwise() {
                return v;
            }
        }
        self.custom()
    }

    /// A per-element store in a loop that starts after a reduction: the kernel reduces,
    /// then applies the result elementwise (softmax-, norm- or backward-like), so it is not a
    /// plain reduction.
    fn applied_after(&self) -> Option<Ev> {
        let first = self.trees.iter().map(|t| t.ev.at).min()?;
        let f = self.f;
        let strided = |lp: Option<u32>| {
            lp.map(|i| &f.loops[i as usize])
                .filter(|l| l.site.node.start_byte() > first)
        };
        // Store intrinsics (`__stcs(p + i, v)`) count as stores.
        if let Some(c) = f.calls.iter().find(|c| {
            c.site.scope == 0 && features::store_call(f, &self.v, c) && strided(c.site.lp).is_some()
        }) {
            return Some(Ev::new(&c.site, ""));
        }
        f.assigns.iter().find_map(|x| {
            let (_, b) = features::store_base(f, &self.v, x.node)?;
            (x.scope == 0 && b.space == super::values::Space::Global && strided(x.lp).is_some())
                .then(|| Ev::new(x, ""))
        })
    }

    /// Does the kernel write outputs element by element in a loop (not just one statistic)?
    fn per_element_output(&self) -> bool {
        let f = self.f;
        f.assigns.iter().any(|x| {
            x.lp.is_some()
                && features::store_base(f, &self.v, x.node)
                    .is_some_and(|(_, b)| b.space == super::values::Space::Global)
        }) || f
            .calls
            .iter()
            .any(|c| c.site.lp.is_some() && features::store_call(f, &self.v, c))
            || self.map_like()
    }

    /// Pooling: a per-output window loop nest with padding checks or clipped bounds.
    fn window(&self) -> Option<Verdict> {
        let a = &self.a;
        let bounds = a.padding.as_ref().or(a.clipped.as_ref())?;
        fn deep(e: &Option<Ev>) -> Option<&Ev> {
            e.as_ref().filter(|e| e.depth >= 2)
        }
        let best = self.bests.iter().find(|b| b.ev.depth >= 2).map(|b| &b.ev);
        let mut ev = Vec::new();
        if let Some(b) = &self.s.box_record {
            // Pooling over bins of a box read from memory: RoI pooling, which no pattern covers.
            let m = best.or(deep(&a.accum_max)).or(deep(&a.accum_sum))?;
            return Some(self.custom_with(vec![
                self.cite(m, "pooling over the bins of a region of interest"),
                self.cite(b, &b.what),
            ]));
        }
        if let Some(m) = best.or(deep(&a.accum_max)) {
            ev.push(self.cite(m, "max over a kernel window"));
            ev.push(self.cite(bounds, &bounds.what));
            return Some(("max_pool2d", 0.85, ev));
        }
        let sum = deep(&a.accum_sum)?;
        ev.push(self.cite(sum, "sum over a kernel window"));
        ev.push(self.cite(bounds, &bounds.what));
        ev.extend(self.ev(&a.div_count, "average"));
        Some(("avg_pool2d", 0.85, ev))
    }

    fn elementwise(&self) -> Option<Verdict> {
        let (s, a) = (&self.s, &self.a);
        let acts = [
            &s.gelu_erf,
            &s.gelu_tanh,
            &s.silu,
            &s.sigmoid,
            &s.leaky,
            &s.clamp,
            &s.relu,
        ];
        let n_acts = acts.iter().filter(|e| e.is_some()).count();
        // An activation kernel computes just the activation; logs, powers, roots or trig mean
        // something else (a loss, a normalisation) that happens to contain one.
        let other_math = [&a.log, &a.pow, &a.sqrt, &a.inv_sqrt, &a.trig]
            .into_iter()
            .find_map(|e| e.as_ref());
        if n_acts >= 3 {
            let mut ev = vec!["several activations selected at run time".to_string()];
            ev.extend(acts.iter().filter_map(|e| self.ev(e, "")).take(3));
            return Some(("custom", 0.5, ev));
        }
        if n_acts > 0 {
            // `y[i] = relu(x[idx[i]])`: a gather fused with the activation.
            if let Some(e) = &a.gather {
                let ev = vec![self.cite(e, "an activation of elements gathered by a loaded index")];
                return Some(("custom", 0.5, ev));
            }
            if let Some(m) = other_math {
                let mut ev = vec![self.cite(m, &format!("an activation combined with {}", m.what))];
                ev.extend(acts.iter().find_map(|e| self.ev(e, "")));
                return Some(("custom", 0.5, ev));
            }
        }
        let one =
            |e: &Option<Ev>, what: &str| -> Vec<String> { self.ev(e, what).into_iter().collect() };
        // Rows stored exactly as gathered are a gather (index_select); gathered rows combined
        // with other values (a position embedding added, a scale) are an embedding lookup.
        let embedding = match s.movement {
            Some((Move::Gather, _)) => None,
            _ => s.gather_store.clone(),
        };
        let pick: [(&Option<Ev>, &'static str, &str, f64); 11] = [
            (&s.gelu_erf, "elementwise:gelu", "GELU (erf form)", 0.9),
            (
                &s.gelu_tanh,
                "elementwise:gelu",
                "GELU (tanh approximation)",
                0.9,
            ),
            (&s.silu, "elementwise:silu", "SiLU", 0.85),
            (&s.sigmoid, "elementwise:sigmoid", "sigmoid", 0.85),
            (&s.leaky, "elementwise:leaky_relu", "leaky ReLU", 0.85),
            (&s.clamp, "elementwise:clamp", "clamp", 0.85),
            (&s.relu, "elementwise:relu", "ReLU", 0.85),
            (&s.axpy, "elementwise:axpy", "scaled add in place", 0.8),
            (&embedding, "embedding", "embedding lookup", 0.75),
            (&s.bias_add, "elementwise:bias_add", "bias add", 0.8),
            (&s.add, "elementwise:add", "elementwise add", 0.8),
        ];
        for (e, id, what, conf) in pick {
            if e.is_some() {
                let mut ev = one(e, what);
                if id == "elementwise:gelu" {
                    ev.extend(self.ev(&s.bias_add, "fused bias add"));
                }
                return Some((id, conf, ev));
            }
        }
        let (m, e) = s.movement.as_ref()?;
        let id = match m {
            Move::Cast => "cast",
            Move::Where => "elementwise:where",
            Move::Concat => "concat",
            Move::Gather => "gather",
            Move::Permute => "transpose",
            Move::Scatter | Move::Copy => return None,
        };
        let mut ev = vec![self.cite(e, &e.what)];
        if *m == Move::Permute {
            ev.push("stores only copy loaded elements to permuted positions".into());
        }
        Some((id, 0.8, ev))
    }

    fn custom(&self) -> Verdict {
        self.custom_with(Vec::new())
    }

    fn custom_with(&self, first: Vec<String>) -> Verdict {
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
    fn indexing(&self) -> Option<String> {
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
