//! Convolution windows: input coordinates that move with an output position times a stride and
//! with a loop variable of the multiply-accumulate nest (`ih = oh * stride + kh * dil - pad`),
//! also when a same-file helper computes them (`in_y = input_coord(out_y, ky, st, dl, pd)`).

use super::expr;
use super::facts::Facts;
use crate::flat::Node;
use crate::parse::NodeExt;
use std::collections::{BTreeSet, HashMap};

/// The loop variables of the MAC nest at `at` that serve as window offsets, one per coordinate
/// local. A convolution over a 2-D window has two (`ky`, `kx`); a GEMM's `row * K + k` has one.
pub fn window_offsets<'t>(f: &Facts<'t>, at: usize) -> BTreeSet<&'t str> {
    let src = f.src;
    let nest: BTreeSet<&str> = f
        .loops
        .iter()
        .filter(|l| l.site.node.start_byte() <= at && at < l.site.node.end_byte())
        .filter_map(|l| l.var)
        .collect();
    let mut found = BTreeSet::new();
    if nest.len() < 2 {
        return found;
    }
    for l in f.locals.iter().filter(|l| !l.param && !l.pointer) {
        let Some(init) = l.init else { continue };
        let (value, args) = inlined(f, expr::core(src, init));
        // The nest's loop variables a term uses (through the helper's arguments if inlined).
        let mentions = |x: Node| -> Vec<&'t str> {
            let mut vars = Vec::new();
            expr::any(x, |y| {
                if y.kind_name() == "identifier" {
                    let t = src.text(y);
                    match args.get(t) {
                        Some(a) => vars.extend(nest.iter().filter(|v| expr::mentions(src, *a, v))),
                        None => vars.extend(nest.get(t)),
                    }
                }
                false
            });
            vars
        };
        let mut offsets: BTreeSet<&str> = BTreeSet::new();
        let mut strided = false;
        for (t, _) in expr::terms(src, value) {
            let vars = mentions(t);
            let factors = expr::flatten(src, t, "*");
            let product = factors
                .iter()
                .filter(|x| !expr::is_number(src, **x))
                .count()
                >= 2;
            if vars.is_empty() {
                strided |= product;
            } else {
                offsets.extend(vars);
            }
        }
        if strided && offsets.len() == 1 {
            found.extend(offsets);
        }
    }
    found
}

/// The expression a local's initialiser stands for: itself, or the single `return` of the
/// same-file helper it calls, with the helper's parameters mapped to the call's arguments.
fn inlined<'t>(f: &Facts<'t>, init: Node<'t>) -> (Node<'t>, HashMap<&'t str, Node<'t>>) {
    let none = (init, HashMap::new());
    if init.kind_name() != "call_expression" {
        return none;
    }
    let Some(h) = f
        .calls
        .iter()
        .find(|c| c.site.node == init)
        .and_then(|c| c.helper)
    else {
        return none;
    };
    let Some(Some(body)) = f.bodies.get(h as usize) else {
        return none;
    };
    let statements: Vec<Node> = body.named_children().collect();
    let [ret] = statements[..] else {
        return none;
    };
    let Some(value) = (ret.kind_name() == "return_statement")
        .then(|| ret.named_child(0))
        .flatten()
    else {
        return none;
    };
    let params = f.locals.iter().filter(|l| l.param && l.site.scope == h);
    let args: HashMap<&str, Node> = params.map(|l| l.name).zip(expr::args(init)).collect();
    (expr::core(f.src, value), args)
}
