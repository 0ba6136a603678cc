//! Optimizer updates beyond the moving averages: decoupled weight decay (AdamW), told apart
//! from an L2 penalty added to the gradient (Adam with weight decay).

use super::expr::{self, Src};
use super::facts::Facts;
use super::features::{store_base, Ev};
use super::values::{Space, Values};
use crate::parse::NodeExt;
use std::collections::BTreeSet;
use tree_sitter::Node;

/// Decoupled weight decay: the parameter is shrunk in proportion to itself where it is
/// updated, not through its gradient: `p -= lr * (m / (sqrt(v) + eps) + wd * p)`,
/// `p *= 1 - lr * wd`, or a term `wd * p` in a local the update uses. A decay added to the
/// gradient (`g += wd * p`) feeds the moments instead, and is not this.
pub fn decoupled_decay(f: &Facts, v: &Values) -> Option<Ev> {
    let src = f.src;
    for st in &f.assigns {
        let Some((left, base)) = store_base(f, v, st.node) else {
            continue;
        };
        if base.space != Space::Global {
            continue;
        }
        let stored = src.key(left);
        // The parameter's value: the stored element, and locals loaded from it.
        let mut own: BTreeSet<String> = BTreeSet::from([stored.clone()]);
        for l in &f.locals {
            if l.init
                .is_some_and(|i| src.key(expr::core(src, i)) == stored)
            {
                own.insert(l.name.to_string());
            }
        }
        let Some(rhs) = st.node.field("right") else {
            continue;
        };
        // Only the descent step (`p -= …`, `p = p - …`), not the moments stored beside it.
        let op = st.node.field("operator").map_or("", |o| src.text(o));
        let r = expr::core(src, rhs);
        let descent = op == "-="
            || (op == "="
                && expr::binop(src, r) == Some("-")
                && expr::lhs(r).is_some_and(|x| own.contains(&src.key(expr::core(src, x)))));
        if !descent {
            continue;
        }
        if scaled_by_itself(src, rhs, &own) || shrunk(f, &own) {
            return Some(Ev::new(st, "weight decay applied to the parameter itself"));
        }
        // One level of locals: `update = m_hat / (sqrt(v_hat) + eps) + wd * p; p -= lr * update`.
        let through_local = expr::any(rhs, |x| {
            x.kind_name() == "identifier"
                && !own.contains(src.text(x))
                && f.named(src.text(x))
                    .any(|l| l.init.is_some_and(|i| scaled_by_itself(src, i, &own)))
        });
        if through_local {
            return Some(Ev::new(st, "weight decay applied to the parameter itself"));
        }
    }
    None
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
        let one_minus = |x: Node| {
            let x = expr::core(src, x);
            expr::binop(src, x) == Some("-") && expr::lhs(x).is_some_and(|y| expr::is_one(src, y))
        };
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
