//! The detectors: one per pattern family, each reading the features of one kernel and giving a
//! verdict (pattern, confidence, evidence) or none. `classify::decide` lets them compete.

use super::features::{self, Ev, Op};
use super::movement::Move;
use super::seen::{Seen, Verdict};
use crate::parse::NodeExt;

/// A detector: a verdict on one kernel, or none.
pub(super) type Detector<'a, 't> = fn(&Seen<'a, 't>) -> Option<Verdict>;

/// In order from the most specific structure to the least: an earlier one wins a tie.
pub(super) fn detectors<'a, 't>() -> [Detector<'a, 't>; 19] {
    [
        Seen::quantization,
        Seen::pointwise,
        Seen::nms,
        Seen::roi_align,
        Seen::rotary,
        Seen::dropout,
        Seen::gemm,
        Seen::moments,
        Seen::norms,
        Seen::softmax_family,
        Seen::likelihood,
        Seen::prefix_sum,
        Seen::counting,
        Seen::window,
        Seen::selection,
        Seen::fused,
        Seen::reduce_max,
        Seen::reduce_sum,
        Seen::map,
    ]
}

impl Seen<'_, '_> {
    /// exp(x - max) with a running or reduced max: the core of softmax and attention.
    fn softmaxish(&self) -> bool {
        let a = &self.a;
        a.exp_diff.is_some()
            && (a.accum_max.is_some()
                || a.online.is_some()
                || self.tree(&[Op::Max, Op::Online]).is_some())
    }

    /// Non-maximum suppression: an IoU of box corners compared with a threshold.
    pub(super) fn nms(&self) -> Option<Verdict> {
        let (a, s) = (&self.a, &self.s);
        let mut ev: Vec<String> = Vec::new();
        if s.iou.is_some() && s.iou_cmp.is_some() {
            ev.extend(self.ev(&s.iou, "IoU from box corners"));
            ev.extend(self.ev(&s.iou_cmp, ""));
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
            return Some(("nms", conf, ev));
        }
        None
    }

    /// RoI Align: bilinear samples inside a box read from memory.
    pub(super) fn roi_align(&self) -> Option<Verdict> {
        let s = &self.s;
        let mut ev: Vec<String> = Vec::new();
        if s.bilinear.is_some() && s.box_record.is_some() {
            ev.extend(self.ev(&s.bilinear, ""));
            ev.extend(self.ev(&s.box_record, ""));
            return Some(("roi_align", 0.85, ev));
        }
        None
    }

    /// Rotary position embedding: pairs of elements rotated by angles.
    pub(super) fn rotary(&self) -> Option<Verdict> {
        let (a, s) = (&self.a, &self.s);
        let mut ev: Vec<String> = Vec::new();
        if s.rotation.is_some() {
            ev.extend(self.ev(&s.rotation, "rotation of element pairs"));
            ev.extend(self.ev(&a.trig, "angles computed with"));
            ev.extend(self.ev(&a.gather, "cos/sin cache indexed by position"));
            let conf = if ev.len() > 1 { 0.9 } else { 0.8 };
            return Some(("rotary_embedding", conf, ev));
        }
        None
    }

    /// Dropout: a random draw per element compared with a probability.
    pub(super) fn dropout(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        if a.random.is_some() && a.random_cmp.is_some() {
            ev.extend(self.ev(&a.random, "per-element random draw"));
            ev.extend(self.ev(&a.random_cmp, ""));
            return Some(("dropout", 0.85, ev));
        }
        None
    }

    /// Multiply-accumulate loop nests: attention, conv2d, batched and plain GEMM.
    pub(super) fn gemm(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        let softmaxish = self.softmaxish();
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
                ev.extend(self.ev(&a.exp_diff, "softmax weights"));
                ev.extend(self.ev(&a.online, ""));
                if let Some(t) = self.tree(&[Op::Max, Op::Online]) {
                    ev.push(self.tree_ev(t));
                }
                return Some(("attention", 0.85, ev));
            }
            if mac.depth >= 2 && a.padding.is_some() {
                ev.extend(self.ev(&a.padding, ""));
                return Some(("conv2d", 0.85, ev));
            }
            let window = super::conv::window_offsets(self.f, mac.at);
            if mac.depth >= 2 && window.len() >= 2 {
                let vars: Vec<&str> = window.into_iter().collect();
                ev.push(format!(
                    "input coordinates = output position * stride + window offset ({})",
                    vars.join(", ")
                ));
                return Some(("conv2d", 0.8, ev));
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
                return Some(("batched_matmul", 0.85, ev));
            }
            let conf = if mac.what.contains("shared") {
                0.85
            } else {
                0.8
            };
            return Some(("matmul", conf, ev));
        }
        None
    }

    /// Moving averages: batch-norm running statistics, Adam moments (AdamW with decoupled
    /// decay), and SGD's momentum buffer.
    pub(super) fn moments(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        if !a.emas.is_empty() {
            let reduction = self.reduces();
            if (a.inv_sqrt.is_some() && reduction) || a.centering_loaded.is_some() {
                ev.push(self.cite(&a.emas[0], "running statistics updated with momentum"));
                ev.extend(self.ev(&a.inv_sqrt, "normalised by"));
                if let Some(t) = self.trees.first() {
                    ev.push(self.tree_ev(t));
                }
                return Some(("batch_norm", 0.85, ev));
            }
            if a.emas.len() >= 2 && (a.sqrt.is_some() || a.inv_sqrt.is_some()) {
                ev.push(self.cite(&a.emas[0], "first-moment moving average"));
                ev.push(self.cite(&a.emas[1], "second-moment moving average"));
                ev.extend(self.ev(&a.sqrt, "update divided by"));
                let conf = if a.ema_sq.is_some() { 0.9 } else { 0.8 };
                if let Some(d) = super::optim::decoupled_decay(self.f, &self.v) {
                    ev.push(self.cite(&d, &d.what));
                    return Some(("adamw", conf, ev));
                }
                return Some(("adam", conf, ev));
            }
        }
        if a.sqrt.is_none() && a.inv_sqrt.is_none() {
            if let Some((velocity, step)) = super::optim::momentum_step(self.f, &self.v) {
                ev.push(self.cite(&velocity, &velocity.what));
                ev.push(self.cite(&step, &step.what));
                return Some(("sgd_momentum", 0.85, ev));
            }
        }
        None
    }

    /// Normalisations that scale every element by an inverse standard deviation.
    pub(super) fn norms(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        if a.inv_sqrt.is_some() && self.per_element_output() {
            let norm = self.ev(&a.inv_sqrt, "inverse standard deviation via");
            if a.centering_loaded.is_some() && !self.reduces() {
                ev.extend(self.ev(&a.centering_loaded, ""));
                ev.extend(norm);
                return Some(("batch_norm", 0.8, ev));
            }
            if a.welford.is_some() || (a.centering_computed.is_some() && self.reduces()) {
                ev.extend(self.ev(&a.welford, "Welford update"));
                if let Some(t) = self.tree(&[Op::Sum]) {
                    ev.push(self.tree_ev(t));
                }
                ev.extend(self.ev(&a.centering_computed, "centred"));
                ev.extend(norm);
                return Some(("layer_norm", 0.85, ev));
            }
            if a.sumsq.is_some() && self.reduces() {
                ev.extend(self.ev(&a.sumsq, ""));
                if let Some(t) = self.tree(&[Op::Sum]) {
                    ev.push(self.tree_ev(t));
                }
                ev.extend(norm);
                return Some(("rms_norm", 0.85, ev));
            }
        }
        None
    }

    /// Softmax, log-softmax and softmax-based cross-entropy.
    pub(super) fn softmax_family(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        let softmaxish = self.softmaxish();
        if softmaxish {
            match self.tree(&[Op::Max, Op::Online]) {
                Some(t) => ev.push(self.tree_ev(t)),
                None => ev.extend(self.ev(&a.accum_max, "row max")),
            }
            ev.extend(self.ev(&a.online, ""));
            ev.extend(self.ev(&a.exp_diff, "exponentials"));
            if a.log.is_some() && a.gather.is_some() {
                ev.extend(self.ev(&a.log, "log-sum-exp via"));
                ev.extend(self.ev(&a.gather, "target logit"));
                return Some(("cross_entropy", 0.85, ev));
            }
            if a.log.is_some() && a.weighted_sum.is_some() && !self.per_element_output() {
                ev.extend(self.ev(&a.log, "log-sum-exp via"));
                ev.extend(self.ev(&a.weighted_sum, "log-probabilities weighted by labels"));
                return Some(("cross_entropy", 0.85, ev));
            }
            if a.log.is_some() {
                ev.extend(self.ev(&a.log, "x - max - log(sum) via"));
                return Some(("log_softmax", 0.85, ev));
            }
            if let Some(t) = self.tree(&[Op::Sum]) {
                ev.push(self.tree_ev(t));
            }
            return Some(("softmax", 0.85, ev));
        }
        None
    }

    /// Negative log-likelihood of a target picked by a loaded id.
    pub(super) fn likelihood(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        if let Some(l) = &a.log_gather {
            ev.push(self.cite(l, &format!("negative log-likelihood: {}", l.what)));
            return Some(("cross_entropy", 0.7, ev));
        }
        None
    }

    /// Prefix sums: scans through shuffles or running sums stored every step.
    pub(super) fn prefix_sum(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        if let Some(sc) = self.scan.as_ref().or(a.serial_scan.as_ref()) {
            ev.push(self.cite(sc, &format!("prefix sum: {}", sc.what)));
            return Some(("cumsum", 0.85, ev));
        }
        None
    }

    /// Atomic adds at data-dependent addresses: histograms and scatter-add.
    pub(super) fn counting(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        if let Some(at) = a.atomics.iter().find(|x| x.data_index && x.adds) {
            if a.atomics
                .iter()
                .any(|x| x.data_index && x.adds && x.constant)
            {
                ev.push(self.cite(
                    &at.ev,
                    &format!("{} of a constant at a data-dependent bin", at.ev.what),
                ));
                return Some(("histogram", 0.85, ev));
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
                return Some(("scatter_add", 0.85, ev));
            }
        }
        None
    }

    /// Best-value tracking with its index: argmax, or top-k when repeated.
    pub(super) fn selection(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
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
                ev.extend(self.ev(&a.insertion, ""));
                if let Some(t) = argtree.filter(|t| t.repeated) {
                    ev.push(self.cite(&t.ev, "selection repeated k times"));
                }
                return Some(("topk", 0.8, ev));
            }
            return Some(("argmax", 0.85, ev));
        }
        None
    }

    /// A reduction whose result is applied to every element afterwards: a fused op that no
    /// plain reduction pattern covers (it vetoes reduce_max / reduce_sum).
    pub(super) fn fused(&self) -> Option<Verdict> {
        if let Some(at) = self.applied_after() {
            return Some(self.custom_with(vec![self.cite(
                &at,
                "a reduction result is applied to every element afterwards (a fused op, not a plain reduction)",
            )]));
        }
        None
    }

    /// A max reduction tree. The plain reductions are the least specific verdicts: they score
    /// below the patterns that explain more of the same kernel (0.8, not 0.85).
    pub(super) fn reduce_max(&self) -> Option<Verdict> {
        let mut ev: Vec<String> = Vec::new();
        if let Some(t) = self.tree(&[Op::Max]) {
            ev.push(self.tree_ev(t));
            return Some(("reduce_max", 0.8, ev));
        }
        None
    }

    /// A sum: reduction tree, scalar atomic, or a sum that ends in memory.
    pub(super) fn reduce_sum(&self) -> Option<Verdict> {
        let a = &self.a;
        let mut ev: Vec<String> = Vec::new();
        if self.tree(&[Op::Min]).is_none() {
            let sum_tree = self.tree(&[Op::Sum]);
            let atomic = a.atomics.iter().find(|x| x.scalar && x.adds);
            if sum_tree.is_some() || atomic.is_some() || a.stored_sum.is_some() {
                if let Some(t) = sum_tree {
                    ev.push(self.tree_ev(t));
                }
                if sum_tree.is_none() && atomic.is_none() {
                    ev.extend(self.ev(&a.stored_sum, ""));
                }
                if let Some(x) = atomic {
                    ev.push(self.cite(&x.ev, &format!("partial sums combined with {}", x.ev.what)));
                }
                if a.div_count.is_some() {
                    ev.extend(self.ev(&a.div_count, "mean"));
                    return Some(("reduce_mean", 0.8, ev));
                }
                return Some(("reduce_sum", 0.8, ev));
            }
        }
        None
    }

    /// Elementwise and data-movement kernels, when nothing reduces or accumulates.
    pub(super) fn map(&self) -> Option<Verdict> {
        if self.map_like() {
            return self.elementwise();
        }
        None
    }

    /// A kernel whose every store is a function of the same element(s) it loads, recognised by
    /// evaluating that function (pointwise.rs). Comparisons in it (`if (x < lo) y[i] = lo;`)
    /// look like best-value tracking to the other detectors, so this comes first.
    pub(super) fn pointwise(&self) -> Option<Verdict> {
        let a = &self.a;
        if !self.trees.is_empty()
            || self.scan.is_some()
            || a.accum_sum.is_some()
            || a.stored_sum.is_some()
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

    /// A per-element store in a loop that starts after a reduction: the kernel reduces,
    /// then applies the result elementwise (softmax-, norm- or backward-like), so it is not a
    /// plain reduction.
    pub(super) fn applied_after(&self) -> Option<Ev> {
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
    pub(super) fn per_element_output(&self) -> bool {
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
    pub(super) fn window(&self) -> Option<Verdict> {
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

    pub(super) fn elementwise(&self) -> Option<Verdict> {
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
        if matches!(m, Move::Copy | Move::Permute) && a.window_coord.is_some() {
            let mut ev = vec![self.cite(e, "copies input elements to window columns")];
            ev.extend(self.ev(&a.window_coord, ""));
            return Some(("im2col", 0.8, ev));
        }
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
}
