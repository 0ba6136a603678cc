//! Expression shapes: activations (ReLU, leaky ReLU, clamp, sigmoid, SiLU, GELU), IoU box math,
//! bilinear taps, 2-D rotations, what stores write (add, bias add, axpy) and pure data movement.

use super::arith::Arith;
use super::expr::{self, Src};
use super::facts::Facts;
use super::features::{family, Ev};
use super::movement::{self, Move};
use super::values::{Space, Values};
use crate::flat::Node;
use crate::parse::NodeExt;

#[derive(Default, Debug)]
pub struct Shapes {
    pub relu: Option<Ev>,
    pub leaky: Option<Ev>,
    pub clamp: Option<Ev>,
    pub sigmoid: Option<Ev>,
    pub silu: Option<Ev>,
    pub gelu_erf: Option<Ev>,
    pub gelu_tanh: Option<Ev>,
    pub iou: Option<Ev>,
    /// The IoU is compared with a threshold (suppression).
    pub iou_cmp: Option<Ev>,
    /// A store of a value computed from a row gathered through loaded ids.
    pub gather_store: Option<Ev>,
    pub bilinear: Option<Ev>,
    pub box_record: Option<Ev>,
    pub rotation: Option<Ev>,
    pub add: Option<Ev>,
    pub bias_add: Option<Ev>,
    pub axpy: Option<Ev>,
    pub movement: Option<(Move, Ev)>,
    /// A loop with no store inside (the thread computes, then writes once).
    pub loop_without_store: bool,
    pub stores: usize,
}

pub fn shapes(f: &Facts, v: &Values, a: &Arith) -> Shapes {
    let mut s = Shapes::default();
    activations(f, v, &mut s);
    boxes(f, v, a, &mut s);
    rotation(f, v, &mut s);
    let movement::StoreShapes {
        add,
        bias_add,
        axpy,
        gather_store,
        stores,
    } = movement::stores(f, v);
    (s.add, s.bias_add, s.axpy, s.gather_store, s.stores) =
        (add, bias_add, axpy, gather_store, stores);
    s.movement = movement::movement(f, v, a);
    // Mark every loop that encloses a memory store; one left unmarked computes, then writes once.
    let mut stores_in = vec![false; f.loops.len()];
    for x in &f.assigns {
        let store = x.node.field("left").is_some_and(|y| {
            matches!(
                expr::unparen(y).kind_name(),
                "subscript_expression" | "pointer_expression"
            )
        });
        let mut cur = x.lp.filter(|_| store);
        while let Some(i) = cur {
            if stores_in[i as usize] {
                break;
            }
            stores_in[i as usize] = true;
            cur = f.loops[i as usize].site.lp;
        }
    }
    s.loop_without_store = f
        .loops
        .iter()
        .zip(&stores_in)
        .any(|(l, stored)| l.site.scope == 0 && !stored);
    s
}

fn call_family(src: Src, n: Node) -> &'static str {
    let n = expr::core(src, n);
    if n.kind_name() != "call_expression" {
        return "";
    }
    expr::callee(src, n).map_or("", family)
}

/// `1 + exp(-a)` → the key of `a`.
fn one_plus_exp_neg(src: Src, n: Node) -> Option<String> {
    let ts = expr::terms(src, n);
    if ts.len() != 2 || ts.iter().any(|(_, neg)| *neg) {
        return None;
    }
    let (one, e) = if expr::is_one(src, ts[0].0) {
        (ts[0].0, ts[1].0)
    } else {
        (ts[1].0, ts[0].0)
    };
    if !expr::is_one(src, one) || call_family(src, e) != "exp" {
        return None;
    }
    let arg = *expr::args(expr::core(src, e)).first()?;
    let arg = expr::core(src, arg);
    let minus = arg.kind_name() == "unary_expression"
        && arg.field("operator").is_some_and(|o| src.text(o) == "-");
    minus
        .then(|| arg.field("argument").map(|x| src.key(expr::core(src, x))))
        .flatten()
}

fn has_cube(src: Src, n: Node) -> bool {
    expr::any(n, |x| {
        if expr::binop(src, x) != Some("*") {
            return src.text(x) == "0.044715f" || src.text(x) == "0.044715";
        }
        let keys: Vec<String> = expr::flatten(src, x, "*")
            .iter()
            .filter(|y| !expr::is_number(src, **y))
            .map(|y| src.key(expr::core(src, *y)))
            .collect();
        keys.iter()
            .any(|k| keys.iter().filter(|x| *x == k).count() >= 3)
    })
}

fn activations(f: &Facts, v: &Values, s: &mut Shapes) {
    let src = f.src;
    for c in &f.conds {
        let n = c.node;
        let (Some(cond), Some(a), Some(b)) = (
            n.field("condition"),
            n.field("consequence"),
            n.field("alternative"),
        ) else {
            continue;
        };
        let cmp = expr::unparen(cond);
        if !matches!(expr::binop(src, cmp), Some("<" | ">" | "<=" | ">=")) {
            continue;
        }
        let (Some(l), Some(r)) = (expr::lhs(cmp), expr::rhs(cmp)) else {
            continue;
        };
        let x = if expr::is_zero(src, r) {
            l
        } else if expr::is_zero(src, l) {
            r
        } else {
            continue;
        };
        if !v.data(f, x) {
            continue;
        }
        let k = src.key(expr::core(src, x));
        let key = |x: Node| src.key(expr::core(src, x));
        let scaled = |x: Node| {
            let fs = expr::flatten(src, expr::core(src, x), "*");
            fs.len() >= 2 && fs.iter().any(|y| key(*y) == k)
        };
        if (key(a) == k && expr::is_zero(src, b)) || (key(b) == k && expr::is_zero(src, a)) {
            s.relu.get_or_insert(Ev::new(c, "x > 0 ? x : 0"));
        } else if (key(a) == k && scaled(b)) || (key(b) == k && scaled(a)) {
            s.leaky.get_or_insert(Ev::new(c, "x > 0 ? x : slope * x"));
        }
    }
    for c in &f.calls {
        let args = expr::args(c.site.node);
        match family(c.name) {
            "max" if args.len() == 2 => {
                let z = args.iter().filter(|x| expr::is_zero(src, **x)).count();
                let nonlit = args
                    .iter()
                    .filter(|x| !expr::is_number(src, **x) && v.data(f, **x))
                    .count();
                let inner_min = args.iter().any(|x| call_family(src, *x) == "min");
                if inner_min && args.iter().any(|x| v.data(f, *x)) {
                    s.clamp.get_or_insert(Ev::new(
                        &c.site,
                        format!("{}({}(x, hi), lo)", c.name, "min"),
                    ));
                } else if z == 1 && nonlit == 1 {
                    s.relu
                        .get_or_insert(Ev::new(&c.site, format!("{}(x, 0)", c.name)));
                }
            }
            "min"
                if args.len() == 2
                    && args
                        .iter()
                        .any(|x| call_family(src, *x) == "max" && v.data(f, *x)) =>
            {
                s.clamp
                    .get_or_insert(Ev::new(&c.site, format!("{}(max(x, lo), hi)", c.name)));
            }
            "erf" => {
                s.gelu_erf
                    .get_or_insert(Ev::new(&c.site, format!("0.5·x·(1 + {}(x/√2))", c.name)));
            }
            "tanh" => {
                let arg = args.first().map(|x| expr::core(src, *x));
                let cubic = arg.is_some_and(|x| {
                    has_cube(src, x)
                        || expr::any(x, |y| {
                            y.kind_name() == "identifier"
                                && f.named(src.text(y))
                                    .any(|l| l.init.is_some_and(|i| has_cube(src, i)))
                        })
                });
                if cubic {
                    s.gelu_tanh.get_or_insert(Ev::new(
                        &c.site,
                        format!("{}(√(2/π)·(x + 0.044715·x³))", c.name),
                    ));
                }
            }
            _ => {}
        }
    }
    for b in &f.binops {
        let n = b.node;
        let (Some(l), Some(r)) = (expr::lhs(n), expr::rhs(n)) else {
            continue;
        };
        match expr::binop(src, n) {
            Some("/") => {
                if let Some(k) = one_plus_exp_neg(src, r) {
                    if expr::is_one(src, l) {
                        s.sigmoid.get_or_insert(Ev::new(b, "1 / (1 + exp(-x))"));
                    } else if src.key(expr::core(src, l)) == k {
                        s.silu.get_or_insert(Ev::new(b, "x / (1 + exp(-x))"));
                    }
                }
            }
            Some("*") => {
                // x * sigmoid(x), the sigmoid inline, in a local or in a helper.
                let fs = expr::flatten(src, n, "*");
                for (i, x) in fs.iter().enumerate() {
                    let xc = expr::core(src, *x);
                    let sig_of = match xc.kind_name() {
                        "identifier" => f.named(src.text(xc)).find_map(|l| {
                            let i = expr::core(src, l.init?);
                            (expr::binop(src, i) == Some("/")
                                && expr::lhs(i).is_some_and(|o| expr::is_one(src, o)))
                            .then(|| one_plus_exp_neg(src, expr::rhs(i)?))
                            .flatten()
                        }),
                        "call_expression" => {
                            let helper = f
                                .calls
                                .iter()
                                .find(|c| c.site.node == xc)
                                .and_then(|c| c.helper);
                            let sig = helper.is_some_and(|h| {
                                f.binops.iter().any(|q| {
                                    q.scope == h
                                        && expr::binop(src, q.node) == Some("/")
                                        && expr::rhs(q.node)
                                            .and_then(|r| one_plus_exp_neg(src, r))
                                            .is_some()
                                })
                            });
                            let arg = expr::args(xc).first().map(|a| src.key(expr::core(src, *a)));
                            sig.then_some(arg).flatten()
                        }
                        _ => None,
                    };
                    let Some(k) = sig_of else { continue };
                    let other = fs
                        .iter()
                        .enumerate()
                        .any(|(j, y)| j != i && src.key(expr::core(src, *y)) == k);
                    if other {
                        s.silu.get_or_insert(Ev::new(b, "x * sigmoid(x)"));
                    }
                }
            }
            _ => {}
        }
    }
}

fn boxes(f: &Facts, v: &Values, a: &Arith, s: &mut Shapes) {
    let src = f.src;
    for b in &f.binops {
        let n = b.node;
        match expr::binop(src, n) {
            // union = area_a + area_b - inter, inter a product (w * h)
            Some("-") if a.min_calls >= 2 && a.max_calls >= 2 => {
                let (Some(l), Some(r)) = (expr::lhs(n), expr::rhs(n)) else {
                    continue;
                };
                let rc = expr::core(src, r);
                let inter = rc.kind_name() == "identifier"
                    && f.named(src.text(rc)).any(|x| {
                        x.init
                            .is_some_and(|i| expr::binop(src, expr::core(src, i)) == Some("*"))
                    });
                if expr::binop(src, expr::unparen(l)) == Some("+") && inter {
                    s.iou
                        .get_or_insert(Ev::new(b, "area_a + area_b - intersection"));
                    let name = src.text(rc);
                    let cmp = f.binops.iter().find(|q| {
                        matches!(expr::binop(src, q.node), Some(">" | ">=" | "<" | "<="))
                            && q.scope == b.scope
                            && expr::mentions(src, q.node, name)
                    });
                    if let Some(q) = cmp {
                        s.iou_cmp
                            .get_or_insert(Ev::new(q, "overlap compared with a threshold"));
                    }
                    // `helper(a, b) > thresh` where the helper computes the IoU.
                    if b.scope != 0 {
                        let h = b.scope;
                        let cmp = f.calls.iter().filter(|c| c.helper == Some(h)).find(|c| {
                            c.site.node.parent().is_some_and(|p| {
                                matches!(expr::binop(src, p), Some(">" | ">=" | "<" | "<="))
                            })
                        });
                        if let Some(c) = cmp {
                            s.iou_cmp.get_or_insert(Ev::new(
                                &c.site,
                                "overlap compared with a threshold",
                            ));
                        }
                    }
                }
            }
            Some("+") => {
                let top = n
                    .parent()
                    .is_none_or(|p| expr::binop(src, expr::unparen(p)) != Some("+"));
                if !top {
                    continue;
                }
                let ts = expr::terms(src, n);
                if ts.len() != 4 {
                    continue;
                }
                let mut bases = Vec::new();
                let taps = ts.iter().all(|(t, neg)| {
                    let fs = expr::flatten(src, *t, "*");
                    let loads: Vec<&Node> = fs
                        .iter()
                        .filter(|x| expr::core(src, **x).kind_name() == "subscript_expression")
                        .collect();
                    let weights = fs.len() - loads.len();
                    if let Some(l) = loads.first() {
                        let c = expr::core(src, **l);
                        bases.push(c.field("argument").map(|x| src.key(x)));
                    }
                    !neg && loads.len() == 1 && weights >= 2
                });
                if taps && bases.windows(2).all(|w| w[0] == w[1]) {
                    s.bilinear
                        .get_or_insert(Ev::new(b, "4 weighted taps (bilinear interpolation)"));
                }
            }
            _ => {}
        }
    }
    // A small record read at constant offsets (a box: roi[0] … roi[4]).
    let mut seen: Vec<(String, Vec<i64>, &super::facts::Site)> = Vec::new();
    for sub in &f.subs {
        let Some(i) = sub.node.field("indices").and_then(|i| i.named_child(0)) else {
            continue;
        };
        let Some(k) = expr::number(src, i) else {
            continue;
        };
        if v.base(f, sub.node)
            .is_some_and(|b| b.space != Space::Global)
        {
            continue;
        }
        let arg = sub
            .node
            .field("argument")
            .map(|x| src.key(x))
            .unwrap_or_default();
        match seen.iter_mut().find(|x| x.0 == arg) {
            Some(e) if !e.1.contains(&(k as i64)) => e.1.push(k as i64),
            Some(_) => {}
            None => seen.push((arg, vec![k as i64], sub)),
        }
    }
    if let Some((arg, ks, site)) = seen.iter().find(|x| x.1.len() >= 4) {
        s.box_record = Some(Ev::new(
            site,
            format!(
                "{arg}[…] read at {} constant offsets (a box record)",
                ks.len()
            ),
        ));
    }
}

fn rotation(f: &Facts, v: &Values, s: &mut Shapes) {
    let src = f.src;
    type Leaf<'t> = (String, Node<'t>);
    let mut cands: Vec<(bool, [Leaf; 4], &super::facts::Site)> = Vec::new();
    for b in &f.binops {
        if cands.len() >= 256 {
            break;
        }
        let op = expr::binop(src, b.node);
        if !matches!(op, Some("+" | "-")) {
            continue;
        }
        let (Some(l), Some(r)) = (expr::lhs(b.node), expr::rhs(b.node)) else {
            continue;
        };
        fn pair<'t>(src: Src, x: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
            let fs = expr::flatten(src, x, "*");
            (fs.len() == 2 && expr::binop(src, expr::unparen(x)) == Some("*"))
                .then(|| (fs[0], fs[1]))
        }
        if let (Some((a, b2)), Some((c, d))) = (pair(src, l), pair(src, r)) {
            let k = |x: Node| src.key(expr::core(src, x));
            let ks = [k(a), k(b2), k(c), k(d)];
            if ks[0] != ks[2] && ks[0] != ks[3] && ks[1] != ks[2] && ks[1] != ks[3] {
                let [k0, k1, k2, k3] = ks;
                cands.push((op == Some("-"), [(k0, a), (k1, b2), (k2, c), (k3, d)], b));
            }
        }
    }
    for (_, m, site) in cands.iter().filter(|c| c.0) {
        for (_, p, _) in cands.iter().filter(|c| !c.0) {
            let edges = [
                sorted(&m[0].0, &m[1].0),
                sorted(&m[2].0, &m[3].0),
                sorted(&p[0].0, &p[1].0),
                sorted(&p[2].0, &p[3].0),
            ];
            let distinct = (0..4).all(|i| (i + 1..4).all(|j| edges[i] != edges[j]));
            let mut leaves: Vec<&Leaf> = m.iter().chain(p.iter()).collect();
            leaves.sort_by(|x, y| x.0.cmp(&y.0));
            leaves.dedup_by(|x, y| x.0 == y.0);
            if !distinct || leaves.len() != 4 {
                continue;
            }
            // The two sides of the pairing: leaves that never multiply each other.
            let pairs_with = |x: &str, y: &str| edges.iter().any(|e| *e == sorted(x, y));
            let side: Vec<&Leaf> = leaves
                .iter()
                .filter(|l| !pairs_with(&leaves[0].0, &l.0))
                .copied()
                .collect();
            let other: Vec<&Leaf> = leaves
                .iter()
                .filter(|l| !side.iter().any(|x| x.0 == l.0))
                .copied()
                .collect();
            let loaded = |ls: &[&Leaf]| ls.len() == 2 && ls.iter().all(|l| v.is_direct(f, l.1));
            if loaded(&side) || loaded(&other) {
                s.rotation = Some(Ev::new(
                    site,
                    "a·cos − b·sin, b·cos + a·sin on loaded pairs",
                ));
                return;
            }
        }
    }
}

fn sorted(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}
