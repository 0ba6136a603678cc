//! Optimizer updates beyond the moving averages: decoupled weight decay (AdamW), told apart
//! from an L2 penalty added to the gradient (Adam with weight decay).

use super::expr::{self, Src};
use super::facts::{Facts, Site};
use super::features::{store_base, Ev};
use super::stats::one_minus;
use super::values::{Space, Values};
use crate::flat::Node;
use crate::parse::NodeExt;
use std::collections::BTreeSet;

/// Decoupled weight decay: the parameter is shrunk in proportion to itself where it is
/// updated, not through its gradient: `p -= lr * (m / (sqrt(v) + eps) + wd * p)`,
/// `p *= 1 - lr * wd`, or a term `wd * p` in a local the update uses. A decay added to the
/// gradient (`g += wd * p`) feeds the moments instead, and is not this.
pub fn decoupled_decay(f: &Facts, v: &Values) -> Option<Ev> {
    let src = f.src;
    descents(f, v).into_iter().find_map(|step| {
        let own = &step.own;
        // Also one level of locals: `update = m / (sqrt(v) + eps) + wd * p; p -= lr * update`.
        let through_local = || {
            expr::any(step.rhs, |x| {
                x.kind_name() == "identifier"
                    && !own.contains(src.text(x))
                    && f.named(src.text(x))
                        .any(|l| l.init.is_some_and(|i| scaled_by_itself(src, i, own)))
            })
        };
        (scaled_by_itself(src, step.rhs, own) || shrunk(f, own) || through_local())
            .then(|| Ev::new(step.site, "weight decay applied to the parameter itself"))
    })
}

/// SGD with momentum: a velocity buffer that decays by itself and takes the gradient
/// (`v = mu * v + g`, stored), and a descent step of another buffer by that velocity.
pub fn momentum_step(f: &Facts, v: &Values) -> Option<(Ev, Ev)> {
    let src = f.src;
    let steps = descents(f, v);
    if steps.is_empty() {
        return None;
    }
    for st in &f.assigns {
        if st.node.field("operator").map(|o| src.text(o)) != Some("=") {
            continue;
        }
        let (Some((left, base)), Some(rhs)) = (store_base(f, v, st.node), st.node.field("right"))
        else {
            continue;
        };
        if base.space != Space::Global {
            continue;
        }
        // The new velocity: the stored value, or the local it was computed in.
        let stored = expr::core(src, rhs);
        let value = match stored.kind_name() {
            "identifier" => f
                .named(src.text(stored))
                .find_map(|l| l.init)
                .unwrap_or(rhs),
            _ => rhs,
        };
        // `v = mu * v + g`: a sum of at least two terms, one the velocity scaled.
        let mut velocity = own_values(f, src.key(left));
        let decays = expr::terms(src, expr::core(src, value)).len() >= 2
            && scaled_by_itself(src, value, &velocity);
        if !decays {
            continue;
        }
        if stored.kind_name() == "identifier" {
            velocity.insert(src.text(stored).to_string());
        }
        let along = steps.iter().find(|s| {
            s.name != base.name
                && expr::any(s.rhs, |x| velocity.contains(&src.key(expr::core(src, x))))
        });
        if let Some(s) = along {
            return Some((
                Ev::new(st, "velocity decays by itself and takes the gradient"),
                Ev::new(s.site, "parameter stepped along the velocity"),
            ));
        }
    }
    None
}

/// A store that steps a buffer down: `p -= …`, or `p = p - …` with `p` its own value.
struct Descent<'a, 't> {
    site: &'a Site<'t>,
    rhs: Node<'t>,
    /// The stored buffer.
    name: &'t str,
    /// The stored element's key and the locals loaded from it.
    own: BTreeSet<String>,
}

fn descents<'a, 't>(f: &'a Facts<'t>, v: &Values) -> Vec<Descent<'a, 't>> {
    let src = f.src;
    let mut out = Vec::new();
    for st in &f.assigns {
        let op = st.node.field("operator").map_or("", |o| src.text(o));
        let Some(rhs) = st.node.field("right") else {
            continue;
        };
        let r = expr::core(src, rhs);
        let minus = expr::binop(src, r) == Some("-");
        if op != "-=" && !(op == "=" && minus) {
            continue;
        }
        let Some((left, base)) = store_base(f, v, st.node) else {
            continue;
        };
        if base.space != Space::Global {
            continue;
        }
        let own = own_values(f, src.key(left));
        let descent =
            op == "-=" || expr::lhs(r).is_some_and(|x| own.contains(&src.key(expr::core(src, x))));
        if descent {
            out.push(Descent {
                site: st,
                rhs,
                name: base.name,
                own,
            });
        }
    }
    out
}

/// A stored element's value: its key, and the locals initialised from it.
fn own_values(f: &Facts, stored: String) -> BTreeSet<String> {
    let src = f.src;
    let mut own = BTreeSet::from([stored]);
    for l in &f.locals {
        if l.init
            .is_some_and(|i| own.contains(&src.key(expr::core(src, i))))
        {
            own.insert(l.name.to_string());
        }
    }
    own
}

/// Does `n` hold a product of the parameter's own value with something else?
fn scaled_by_itself(src: Src, n: Node, own: &BTreeSet<String>) -> bool {
    expr::any(n, |x| {
        expr::binop(src, x) == Some("*")
            && [expr::lhs(x), expr::rhs(x)]
                .into_iter()
                .flatten()
                .any(|side| own.contains(&src.key(expr::core(src, side))))
    })
}

/// `p *= 1 - lr * wd` (or `p = p * (1 - lr * wd)`) on the parameter's value.
fn shrunk(f: &Facts, own: &BTreeSet<String>) -> bool {
    let src = f.src;
    f.assigns.iter().any(|a| {
        let n = a.node;
        let (Some(l), Some(r)) = (n.field("left"), n.field("right")) else {
            return false;
        };
        if !own.contains(&src.key(expr::core(src, l))) {
            return false;
        }
        let op = n.field("operator").map_or("", |o| src.text(o));
        let one_minus = |x: Node| one_minus(src, x).is_some();
        match op {
            "*=" => one_minus(r),
            "=" => {
                let fs = expr::flatten(src, expr::core(src, r), "*");
                fs.iter()
                    .any(|x| own.contains(&src.key(expr::core(src, *x))))
                    && fs.iter().any(|x| one_minus(*x))
            }
            _ => false,
        }
    })
}
