//! What stores write: elementwise add, broadcast (bias) add, axpy and gathered rows; and pure
//! data movement (cast, select, concat, gather, permute, scatter, copy).

use super::arith::Arith;
use super::expr;
use super::facts::Facts;
use super::features::{store_base, Ev};
use super::staging::Staging;
use super::values::{init_of, Space, Values};
use crate::flat::Node;
use crate::parse::NodeExt;

/// How a pure data-movement kernel moves data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Cast,
    Where,
    Concat,
    Gather,
    Permute,
    Scatter,
    Copy,
}

/// The subscript a value is exactly loaded from (through conversions and one local).
fn load_of<'t>(f: &Facts<'t>, v: &Values, n: Node<'t>) -> Option<Node<'t>> {
    let c = expr::core(f.src, n);
    let is_load = |x: Node| {
        x.kind_name() == "subscript_expression"
            || (x.kind_name() == "pointer_expression"
                && x.child(0).is_some_and(|o| o.kind_name() == "*"))
    };
    match c.kind_name() {
        _ if is_load(c) => Some(c),
        "identifier" => init_of(f, v, c).and_then(|i| {
            let i = expr::core(f.src, i);
            is_load(i).then_some(i)
        }),
        _ => None,
    }
}

/// The single index expression of an access (`a[i]` → `i`), if any.
fn index_expr(n: Node) -> Option<Node> {
    n.field("indices").and_then(|i| i.named_child(0))
}

/// Is `load` indexed by a coordinate the store index is built from (`bias[col]` for
/// `out[row * cols + col]`, `bias[i % cols]` for `out[i]`): a broadcast along the other dims?
fn broadcast(f: &Facts, load: Node, store: Node) -> bool {
    let src = f.src;
    let (Some(li), Some(si)) = (index_expr(load), index_expr(store)) else {
        return false;
    };
    let (li, si) = (expr::core(src, li), expr::core(src, si));
    let store_mentions = |name: &str| {
        expr::mentions(src, si, name)
            || (si.kind_name() == "identifier"
                && f.named(src.text(si))
                    .any(|l| l.init.is_some_and(|i| expr::mentions(src, i, name))))
    };
    let modulo_of_store = |x: Node| {
        expr::binop(src, x) == Some("%")
            && si.kind_name() == "identifier"
            && expr::lhs(x).is_some_and(|l| expr::mentions(src, l, src.text(si)))
    };
    match li.kind_name() {
        "identifier" => {
            store_mentions(src.text(li))
                || f.named(src.text(li))
                    .any(|l| l.init.is_some_and(|i| modulo_of_store(expr::core(src, i))))
        }
        _ => modulo_of_store(li),
    }
}

/// What the per-element stores show: elementwise add, broadcast bias add, axpy, a gather stored
/// as a lookup.
#[derive(Default)]
pub struct StoreShapes {
    pub add: Option<Ev>,
    pub bias_add: Option<Ev>,
    pub axpy: Option<Ev>,
    pub gather_store: Option<Ev>,
    /// How many stores to global memory were seen.
    pub stores: usize,
}

pub fn stores(f: &Facts, v: &Values) -> StoreShapes {
    let mut shapes = StoreShapes::default();
    let s = &mut shapes;
    let src = f.src;
    for st in &f.assigns {
        let Some((left, base)) = store_base(f, v, st.node) else {
            continue;
        };
        if base.space != Space::Global {
            continue;
        }
        s.stores += 1;
        let op = st.node.field("operator").map_or("", |o| src.text(o));
        let Some(rhs) = st.node.field("right") else {
            continue;
        };
        let rhs = expr::core(src, init_of(f, v, rhs).unwrap_or(rhs));
        let lkey = v.index_key(f, left);
        let scalar_times_load = |t: Node| {
            let fs = expr::flatten(src, t, "*");
            fs.len() == 2
                && fs.iter().filter(|x| load_of(f, v, **x).is_some()).count() == 1
                && fs.iter().any(|x| !v.loaded(f, *x))
        };
        let ts = expr::terms(src, rhs);
        if op == "=" && ts.len() == 2 && ts.iter().all(|(_, neg)| !neg) {
            let (x, y) = (load_of(f, v, ts[0].0), load_of(f, v, ts[1].0));
            if let (Some(x), Some(y)) = (x, y) {
                let (bx, by) = (v.base(f, x), v.base(f, y));
                if let (Some(bx), Some(by)) = (bx, by) {
                    if bx.name != by.name && bx.space == Space::Global && by.space == Space::Global
                    {
                        if v.index_key(f, x) == v.index_key(f, y) {
                            s.add.get_or_insert(Ev::new(st, "a[i] + b[i]"));
                        } else if broadcast(f, y, left) || broadcast(f, x, left) {
                            let b = if broadcast(f, y, left) { y } else { x };
                            s.bias_add.get_or_insert(Ev::new(
                                st,
                                format!("x + {} (broadcast along a dimension)", src.text(b)),
                            ));
                        }
                    }
                }
            }
            // y[i] = a * x[i] + y[i]
            for (i, j) in [(0, 1), (1, 0)] {
                let same = load_of(f, v, ts[j].0).is_some_and(|y| {
                    v.base(f, y).is_some_and(|b| b.name == base.name) && v.index_key(f, y) == lkey
                });
                if same && scalar_times_load(ts[i].0) {
                    s.axpy.get_or_insert(Ev::new(st, "y[i] = a * x[i] + y[i]"));
                }
            }
        }
        if op == "+=" && ts.len() == 1 && scalar_times_load(ts[0].0) {
            s.axpy.get_or_insert(Ev::new(st, "y[i] += a * x[i]"));
        }
        // y[i] += x[i] (in-place add) or y[i] += bias[col] (in-place bias add).
        if let Some(x) = (op == "+=" && ts.len() == 1)
            .then(|| load_of(f, v, ts[0].0))
            .flatten()
        {
            let other = v
                .base(f, x)
                .is_some_and(|b| b.name != base.name && b.space == Space::Global);
            if other && v.index_key(f, x) == lkey {
                s.add.get_or_insert(Ev::new(st, "y[i] += x[i]"));
            } else if other && broadcast(f, x, left) {
                s.bias_add.get_or_insert(Ev::new(
                    st,
                    format!("y += {} (broadcast along a dimension)", src.text(x)),
                ));
            }
        }
        let gathered = |x: Node| {
            let x = load_of(f, v, x).unwrap_or(x);
            expr::any(x, |y| {
                (y.kind_name() == "subscript_expression"
                    || (y.kind_name() == "pointer_expression"
                        && y.child(0).is_some_and(|o| o.kind_name() == "*")))
                    && v.data_dependent(f, y)
            })
        };
        if op == "=" && !v.data_dependent(f, left) && ts.iter().any(|(t, _)| gathered(*t)) {
            s.gather_store
                .get_or_insert(Ev::new(st, "rows gathered through ids read from memory"));
        }
    }
    shapes
}

/// A kernel whose stores only copy loaded values (possibly converted or selected).
pub fn movement(f: &Facts, v: &Values, a: &Arith) -> Option<(Move, Ev)> {
    let src = f.src;
    let mut found: Option<(Move, Ev)> = None;
    let mut loads = 0;
    // Plain copies: (store, stored buffer, store index, loaded buffer).
    let mut copies: Vec<(Node, &str, String, &str)> = Vec::new();
    let mut rank = |m: Move, ev: Ev| {
        let order = |m: Move| m as u8;
        if found.as_ref().is_none_or(|(x, _)| order(m) < order(*x)) {
            found = Some((m, ev));
        }
    };
    for st in &f.assigns {
        let Some((left, base)) = store_base(f, v, st.node) else {
            continue;
        };
        if base.space != Space::Global {
            continue;
        }
        let op = st.node.field("operator").map_or("", |o| src.text(o));
        let rhs = st.node.field("right")?;
        if op != "=" {
            return None;
        }
        let (rc, converted) = expr::strip(src, rhs);
        let rc = match init_of(f, v, rc) {
            Some(i) if rc.kind_name() == "identifier" => i,
            _ => rc,
        };
        let (rc, conv2) = expr::strip(src, rc);
        let converted = converted || conv2;
        let scatter = v.data_dependent(f, left);
        let lkey = v.index_key(f, left);
        let mut leaf = |x: Node, rank: &mut dyn FnMut(Move, Ev)| -> bool {
            let x = load_of(f, v, x).unwrap_or(expr::core(src, x));
            match x.kind_name() {
                "subscript_expression" => {
                    loads += 1;
                    let lb = v.base(f, x);
                    // A row picked by an index read from memory is a gather, converted or not.
                    if v.data_dependent(f, x) && !scatter {
                        rank(
                            Move::Gather,
                            Ev::new(st, "row gathered through an index read from memory"),
                        );
                    } else if converted && v.index_key(f, x) == lkey {
                        rank(Move::Cast, Ev::new(st, "element type conversion"));
                    } else if scatter {
                        rank(Move::Scatter, Ev::new(st, "scatter to a computed address"));
                    } else if lb.is_some_and(|b| b.name != base.name)
                        && v.index_key(f, x) != lkey
                        && st.depth <= 1
                    {
                        if let Some(e) = a.swapped_tile.clone().or_else(|| a.decomposition.clone())
                        {
                            rank(Move::Permute, e);
                        }
                    }
                    if picked_input(f, x) {
                        rank(
                            Move::Concat,
                            Ev::new(st, "the input pointer is one of two inputs, by index range"),
                        );
                    }
                    rank(Move::Copy, Ev::new(st, "plain copy"));
                    true
                }
                _ => {
                    expr::is_number(src, x)
                        || expr::is_zero(src, x)
                        || (x.kind_name() == "identifier"
                            && f.named(src.text(x)).any(|l| l.param || zero_local(f, l)))
                }
            }
        };
        if rc.kind_name() == "conditional_expression" {
            let (Some(c), Some(t), Some(e)) = (
                rc.field("condition"),
                rc.field("consequence"),
                rc.field("alternative"),
            ) else {
                return None;
            };
            if !leaf(t, &mut rank) || !leaf(e, &mut rank) {
                return None;
            }
            let bt = load_of(f, v, t).and_then(|x| v.base(f, x)).map(|b| b.name);
            let be = load_of(f, v, e).and_then(|x| v.base(f, x)).map(|b| b.name);
            if v.loaded(f, c) {
                rank(Move::Where, Ev::new(st, "select by a loaded mask"));
            } else if bt.is_some() && be.is_some() && bt != be {
                rank(
                    Move::Concat,
                    Ev::new(st, "index range picks one of two inputs"),
                );
            }
        } else if let Some(values) = branch_values(f, rc) {
            // `float v = 0; if (inside) v = x[…]; y[i] = v;`: each value the local takes.
            for x in values {
                if !leaf(x, &mut rank) {
                    return None;
                }
            }
        } else if !leaf(rc, &mut rank) {
            return None;
        } else if let Some(lb) = load_of(f, v, rc).and_then(|x| v.base(f, x)) {
            copies.push((st.node, base.name, lkey, lb.name));
        }
    }
    // `if (c < n0) y[i] = a[…]; else y[i] = b[…];`: the index range picks the input.
    if let Some(node) = branch_concat(&copies) {
        let site = f.assigns.iter().find(|a| a.node == node);
        if let Some(st) = site {
            rank(
                Move::Concat,
                Ev::new(st, "index range picks one of two inputs"),
            );
        }
    }
    // A copy helper's own store (`dst[j] = src[j]` in `vec_copy`) says only "copy": what the
    // kernel moves through it is decided by the addresses it hands the helper.
    if loads == 0 || matches!(found, Some((Move::Copy, _))) {
        return staged(f, v).or(found);
    }
    found
}

/// Two copies to the same element from different buffers, in the two branches of one `if`.
fn branch_concat<'t>(copies: &[(Node<'t>, &str, String, &str)]) -> Option<Node<'t>> {
    for (i, a) in copies.iter().enumerate() {
        for b in &copies[i + 1..] {
            if a.1 != b.1 || a.2 != b.2 || a.3 == b.3 {
                continue;
            }
            let mut cur = a.0.parent();
            while let Some(p) = cur {
                if p.kind_name() == "if_statement" && expr::within(b.0, p) {
                    let (Some(then), Some(alt)) = (p.field("consequence"), p.field("alternative"))
                    else {
                        break;
                    };
                    let split = (expr::within(a.0, then) && expr::within(b.0, alt))
                        || (expr::within(b.0, then) && expr::within(a.0, alt));
                    if split {
                        return Some(a.0);
                    }
                    break;
                }
                cur = p.parent();
            }
        }
    }
    None
}

/// Movement through per-thread staging arrays: `load_global(buf, x + row_of(ids) * d + c);
/// store_global(y + off, buf)` with no arithmetic on `buf` in between.
fn staged(f: &Facts, v: &Values) -> Option<(Move, Ev)> {
    let st = Staging::find(f, v);
    let out = st.outs.first()?;
    let computed = f.assigns.iter().any(|a| {
        a.node
            .field("left")
            .filter(|l| l.kind_name() == "subscript_expression")
            .and_then(|l| l.field("argument"))
            .is_some_and(|b| {
                let b = f.src.text(expr::unparen(b));
                st.outs.iter().chain(&st.ins).any(|s| s.array == b)
            })
    });
    if computed {
        return None;
    }
    let filled = st.ins.iter().find(|s| s.array == out.array)?;
    let site = &f.calls[filled.call].site;
    let moved = if out.data_dependent {
        (Move::Scatter, "scatter to a computed address")
    } else if filled.data_dependent {
        (
            Move::Gather,
            "row gathered through an index read from memory",
        )
    } else {
        (Move::Copy, "plain copy")
    };
    Some((moved.0, Ev::new(site, moved.1)))
}

/// The values a scalar local takes when it is set in branches: its initialiser and every plain
/// `name = value` (no compound updates), at most four; `None` for anything else.
fn branch_values<'t>(f: &Facts<'t>, n: Node<'t>) -> Option<Vec<Node<'t>>> {
    let src = f.src;
    if n.kind_name() != "identifier" {
        return None;
    }
    let name = src.text(n);
    let local = f.named(name).next()?;
    if local.param || local.pointer || local.array || local.shared {
        return None;
    }
    let mut values = vec![local.init?];
    for a in &f.assigns {
        let left = a.node.field("left").map(expr::unparen);
        if left.is_some_and(|l| l.kind_name() == "identifier" && src.text(l) == name) {
            let op = a.node.field("operator").map_or("", |o| src.text(o));
            if op != "=" {
                return None;
            }
            values.push(a.node.field("right")?);
        }
    }
    (values.len() >= 2 && values.len() <= 4).then_some(values)
}

/// `src = inp1;` in one branch and `src = inp2;` in the other, then `dst[i] = src[j]`: the
/// element read comes from one of two inputs (a concatenation by pointer choice).
fn picked_input(f: &Facts, load: Node) -> bool {
    let src = f.src;
    let mut n = load;
    for _ in 0..4 {
        match n.field("argument") {
            Some(a) if n.kind_name() == "subscript_expression" => n = expr::core(src, a),
            _ => break,
        }
    }
    if n.kind_name() != "identifier" {
        return false;
    }
    let name = src.text(n);
    if !f.named(name).any(|l| l.pointer && !l.param) {
        return false;
    }
    let mut inputs: Vec<&str> = Vec::new();
    for a in &f.assigns {
        let left = a.node.field("left").map(expr::unparen);
        if !left.is_some_and(|l| l.kind_name() == "identifier" && src.text(l) == name) {
            continue;
        }
        let Some(r) = a.node.field("right").map(|r| expr::core(src, r)) else {
            continue;
        };
        if r.kind_name() == "identifier" {
            let p = src.text(r);
            if f.named(p).any(|l| l.param && l.pointer) && !inputs.contains(&p) {
                inputs.push(p);
            }
        }
    }
    inputs.len() >= 2
}

/// A local holding zero: `T zero{};`, `float z = 0.f;` (a fill value, not data).
fn zero_local(f: &Facts, l: &super::facts::Local) -> bool {
    l.zero_init || l.init.is_some_and(|i| expr::is_zero(f.src, i))
}
