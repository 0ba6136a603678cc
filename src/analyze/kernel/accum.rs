//! Accumulations across loop iterations (sums, maxima, multiply-accumulate, sums of squares,
//! Welford and online-softmax updates, sums that end in memory) and sorted insertion, recorded
//! in the `Arith` record (arith.rs).

use super::arith::Arith;
use super::expr::{self, Src};
use super::facts::Facts;
use super::features::{accumulator, family, store_base, target, Ev};
use super::values::{Space, Values};
use crate::flat::Node;
use crate::parse::NodeExt;

fn factor_pairs<'t>(src: Src, n: Node<'t>) -> Vec<Vec<Node<'t>>> {
    expr::terms(src, n)
        .into_iter()
        .map(|(t, _)| expr::flatten(src, t, "*"))
        .filter(|fs| fs.len() >= 2)
        .collect()
}

/// Multiply-accumulate (distinct loaded operands) or a sum of squares in `rhs`.
fn products(f: &Facts, v: &Values, rhs: Node) -> (bool, bool, bool) {
    let src = f.src;
    let (mut mac, mut sq, mut shared) = (false, false, false);
    for fs in factor_pairs(src, rhs) {
        let keyed: Vec<(String, Node)> = fs
            .iter()
            .filter(|x| !expr::is_number(src, **x))
            .map(|x| (src.key(expr::core(src, *x)), *x))
            .collect();
        for i in 0..keyed.len() {
            for j in i + 1..keyed.len() {
                let (a, b) = (keyed[i].1, keyed[j].1);
                if keyed[i].0 == keyed[j].0 && v.loaded(f, a) {
                    sq = true;
                } else if v.is_direct(f, a)
                    && v.is_direct(f, b)
                    && v.access_key(f, a) != v.access_key(f, b)
                    && !(register_array(f, v, a) && register_array(f, v, b))
                {
                    // Operands indexed differently: a row of one matrix times a column of
                    // another (a dot product of two aligned vectors is not a GEMM).
                    mac = true;
                    let sh = |n: Node| {
                        let c = expr::core(src, n);
                        v.base(f, c).is_some_and(|b| b.space == Space::Shared)
                    };
                    shared |= sh(a) && sh(b);
                }
            }
        }
    }
    (mac, sq, shared)
}

/// An element of a per-thread array (small matrix math in registers, not a GEMM over memory).
fn register_array(f: &Facts, v: &Values, n: Node) -> bool {
    let mut c = expr::core(f.src, n);
    for _ in 0..4 {
        if c.kind_name() != "field_expression" {
            break;
        }
        match c.field("argument") {
            Some(a) => c = expr::core(f.src, a),
            None => break,
        }
    }
    c.kind_name() == "subscript_expression" && v.base(f, c).is_some_and(|b| b.space == Space::Local)
}

fn is_exp_valued(f: &Facts, n: Node) -> bool {
    let c = expr::core(f.src, n);
    match c.kind_name() {
        "call_expression" => expr::callee(f.src, c).is_some_and(|x| family(x) == "exp"),
        "identifier" => f.named(f.src.text(c)).any(|l| {
            l.init.is_some_and(|i| {
                let i = expr::core(f.src, i);
                i.kind_name() == "call_expression"
                    && expr::callee(f.src, i).is_some_and(|x| family(x) == "exp")
            })
        }),
        _ => false,
    }
}

pub(super) fn assignments(f: &Facts, v: &Values, a: &mut Arith) {
    let src = f.src;
    for s in &f.assigns {
        let n = s.node;
        let op = n.field("operator").map_or("", |o| src.text(o));
        let (Some(left), Some(right)) = (n.field("left"), n.field("right")) else {
            continue;
        };
        // A store inside the accumulation loop that writes the running value: a serial scan.
        if let Some(lp) = s.lp {
            let l = &f.loops[lp as usize];
            let name = target(src, n).unwrap_or("");
            let global = store_base(f, v, n).is_some_and(|(_, b)| b.space == Space::Global);
            let acc = !global && accumulator(f, name, l, s.scope);
            let kl = src.key(left);
            if acc && op == "+=" && v.is_direct(f, right) {
                a.accum_sum
                    .get_or_insert(Ev::new(s, "running sum of loaded values"));
                let stored = stores_of(f, v, name).any(|x| x.lp == s.lp);
                if stored {
                    a.serial_scan
                        .get_or_insert(Ev::new(s, "running sum stored every step"));
                } else if expr::unparen(left).kind_name() == "identifier"
                    && plain_load(f, v, right)
                    && stored_after(f, v, l, name)
                {
                    a.stored_sum.get_or_insert(Ev::new(
                        s,
                        "per-thread running sum of loaded values, stored after the loop",
                    ));
                }
            }
            if global && op == "+=" && plain_load(f, v, right) {
                if let Some(var) = summed_over(f, s.lp, left, right) {
                    a.stored_sum.get_or_insert(Ev::new(
                        s,
                        format!("loaded values added into the output across the loop over {var}"),
                    ));
                }
            }
            if (acc || global) && (op == "+=" || op == "-=") {
                let (mac, _, shared) = products(f, v, right);
                if mac {
                    let what = if shared {
                        "over shared-memory tiles"
                    } else {
                        ""
                    };
                    a.macs.push(Ev::new(s, what));
                }
            }
            if acc && (op == "+=" || op == "-=") && weighted(f, v, right) {
                a.weighted_sum.get_or_insert(Ev::new(
                    s,
                    "sum of a computed value weighted by a loaded one",
                ));
            }
            if acc && (op == "+=" || op == "-=") {
                let (_, sq, _) = products(f, v, right);
                if sq {
                    a.sumsq.get_or_insert(Ev::new(s, "sum of squares"));
                }
                // Welford: mean += delta / count, with count incremented in the same loop.
                let r = expr::unparen(right);
                if expr::binop(src, r) == Some("/") {
                    let cnt = expr::rhs(r).map(|c| src.key(expr::core(src, c)));
                    if let Some(cnt) = cnt {
                        let bumped = f.assigns.iter().chain(&f.incs).any(|x| {
                            x.lp == s.lp
                                && (target(src, x.node) == Some(cnt.as_str())
                                    || x.node.field("argument").is_some_and(|g| src.text(g) == cnt))
                        });
                        if bumped {
                            a.welford
                                .get_or_insert(Ev::new(s, "running mean += delta / count"));
                        }
                    }
                }
            }
            if acc && op == "*=" && is_exp_valued(f, right) {
                a.online
                    .get_or_insert(Ev::new(s, "running sum rescaled by exp(m_old - m_new)"));
            }
            if acc && op == "=" {
                let r = expr::core(src, right);
                // m = (m > x) ? m : x
                if r.kind_name() == "conditional_expression" {
                    let c = r.field("condition").map(expr::unparen);
                    let t = r.field("consequence").map(|x| src.key(expr::core(src, x)));
                    let e = r.field("alternative").map(|x| src.key(expr::core(src, x)));
                    let cmp =
                        c.filter(|c| matches!(expr::binop(src, *c), Some(">" | "<" | ">=" | "<=")));
                    if let (Some(c), Some(t), Some(e)) = (cmp, t, e) {
                        let sides = [expr::lhs(c), expr::rhs(c)]
                            .map(|x| x.map(|x| src.key(expr::core(src, x))));
                        let keys = [Some(t.clone()), Some(e.clone())];
                        if (t == kl || e == kl) && sides.iter().all(|x| keys.contains(x)) {
                            a.accum_max
                                .get_or_insert(Ev::new(s, "running max via a select"));
                        }
                    }
                }
                if r.kind_name() == "call_expression"
                    && expr::callee(src, r).is_some_and(|c| family(c) == "fma")
                {
                    let args = expr::args(r);
                    if args.len() == 3 && src.key(args[2]) == kl {
                        let (ka, kb) = (
                            src.key(expr::core(src, args[0])),
                            src.key(expr::core(src, args[1])),
                        );
                        if ka == kb && v.loaded(f, args[0]) {
                            a.sumsq.get_or_insert(Ev::new(s, "sum of squares"));
                        } else if v.is_direct(f, args[0])
                            && v.is_direct(f, args[1])
                            && v.access_key(f, args[0]) != v.access_key(f, args[1])
                        {
                            a.macs.push(Ev::new(s, "via fma"));
                        }
                    }
                }
                let ts = expr::terms(src, right);
                if ts.iter().any(|(t, neg)| !neg && src.key(*t) == kl) {
                    let rest: Vec<Node> = ts
                        .iter()
                        .filter(|(t, _)| src.key(*t) != kl)
                        .map(|(t, _)| *t)
                        .collect();
                    for t in rest {
                        let (mac, sq, _) = products(f, v, t);
                        if mac {
                            a.macs.push(Ev::new(s, ""));
                        }
                        if sq {
                            a.sumsq.get_or_insert(Ev::new(s, "sum of squares"));
                        }
                    }
                }
                // d = d * exp(m - m_new) + …: the online-softmax rescale.
                let rescaled = ts.iter().any(|(t, _)| {
                    let fs = expr::flatten(src, *t, "*");
                    fs.iter().any(|x| src.key(*x) == kl) && fs.iter().any(|x| is_exp_valued(f, *x))
                });
                if rescaled && ts.len() >= 2 {
                    a.online
                        .get_or_insert(Ev::new(s, "running sum rescaled by exp(m_old - m_new)"));
                }
            }
        }
        // Sorted insertion: a[p] = a[p - 1].
        if op == "=" {
            let (l, r) = (expr::unparen(left), expr::unparen(right));
            if l.kind_name() == "subscript_expression" && r.kind_name() == "subscript_expression" {
                let arg = |x: Node| x.field("argument").map(|a| src.key(a));
                let idx = |x: Node| x.field("indices").map(|a| src.key(a));
                if arg(l) == arg(r) {
                    if let (Some(il), Some(ir)) = (idx(l), idx(r)) {
                        let il = il.trim_matches(['[', ']']).to_string();
                        let ir = ir.trim_matches(['[', ']']).to_string();
                        if ir == format!("{il}-1") || il == format!("{ir}+1") {
                            // `t[j] = t[j - 1]; t[j] += x[j];` carries a running sum.
                            let kl = src.key(l);
                            let summed = f.assigns.iter().any(|x| {
                                x.lp == s.lp
                                    && x.node.start_byte() > n.start_byte()
                                    && x.node
                                        .field("operator")
                                        .is_some_and(|o| src.text(o) == "+=")
                                    && x.node.field("left").is_some_and(|y| src.key(y) == kl)
                                    && x.node.field("right").is_some_and(|r| v.loaded(f, r))
                            });
                            if summed {
                                a.serial_scan.get_or_insert(Ev::new(
                                    s,
                                    "each element starts from the previous one's sum",
                                ));
                            } else {
                                a.insertion
                                    .get_or_insert(Ev::new(s, "shift-insert into a sorted buffer"));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Multiply-accumulate through a helper that adds the product of two of its parameters into a
/// third (`ggml_cuda_mad(acc, a, b)` doing `acc += a*b`): at a call in a loop whose two operand
/// arguments are loaded and indexed differently, the caller accumulates a product.
pub(super) fn helper_macs(f: &Facts, v: &Values, a: &mut Arith) {
    // Per helper scope, read once however many calls it has.
    let mut shapes: std::collections::HashMap<u16, Option<(usize, usize, usize)>> =
        std::collections::HashMap::new();
    for c in &f.calls {
        let (Some(h), Some(_)) = (c.helper, c.site.lp) else {
            continue;
        };
        let shape = *shapes.entry(h).or_insert_with(|| {
            let params: Vec<&str> = f
                .locals
                .iter()
                .filter(|l| l.param && l.site.scope == h)
                .map(|l| l.name)
                .collect();
            accumulating_params(f, h, &params)
        });
        let Some(shape) = shape else {
            continue;
        };
        let args = expr::args(c.site.node);
        let (Some(&acc), Some(&x), Some(&y)) =
            (args.get(shape.0), args.get(shape.1), args.get(shape.2))
        else {
            continue;
        };
        let into_memory = v.base(f, acc).is_some_and(|b| b.space == Space::Global);
        if !into_memory
            && v.is_direct(f, x)
            && v.is_direct(f, y)
            && v.access_key(f, x) != v.access_key(f, y)
        {
            let name = f.scopes.get(h as usize).copied().flatten().unwrap_or("");
            a.macs.push(Ev::new(&c.site, format!("through {name}")));
        }
    }
}

/// (accumulator, operand, operand) parameter positions when some body of helper scope `h`
/// does `p += q * r` (or `p += q.x * r.x`) on its parameters.
fn accumulating_params(f: &Facts, h: u16, params: &[&str]) -> Option<(usize, usize, usize)> {
    let src = f.src;
    let param_of = |n: Node| {
        let mut c = expr::core(src, n);
        if c.kind_name() == "field_expression" {
            c = c.field("argument").map(|x| expr::core(src, x))?;
        }
        let t = src.text(c);
        params.iter().position(|p| *p == t)
    };
    f.assigns.iter().filter(|s| s.scope == h).find_map(|s| {
        let n = s.node;
        let op = n.field("operator").map_or("", |o| src.text(o));
        if op != "+=" {
            return None;
        }
        let acc = param_of(n.field("left")?)?;
        factor_pairs(src, n.field("right")?)
            .into_iter()
            .find_map(|fs| {
                let ps: Vec<usize> = fs.iter().filter_map(|x| param_of(*x)).collect();
                match ps[..] {
                    [x, y] if x != y && x != acc && y != acc => Some((acc, x, y)),
                    _ => None,
                }
            })
    })
}

/// Stores to global memory of a value that names `name`.
fn stores_of<'a, 't>(
    f: &'a Facts<'t>,
    v: &'a Values,
    name: &'a str,
) -> impl Iterator<Item = &'a super::facts::Site<'t>> + 'a {
    f.assigns.iter().filter(move |x| {
        store_base(f, v, x.node).is_some_and(|(_, b)| b.space == Space::Global)
            && x.node
                .field("right")
                .is_some_and(|r| expr::mentions(f.src, r, name))
    })
}

/// Is the accumulator `name` of loop `l` stored to global memory after the loop ends?
fn stored_after(f: &Facts, v: &Values, l: &super::facts::Loop, name: &str) -> bool {
    let end = l.site.node.end_byte();
    stores_of(f, v, name).any(|x| x.node.start_byte() >= end && x.scope == l.site.scope)
}

/// `out[j] += x[(t + i) * O + j]`: the variable of an enclosing loop that the loaded element's
/// index names and the output's does not (through pointer offsets such as `X_t = &X[i * O]`).
fn summed_over<'t>(
    f: &Facts<'t>,
    lp: Option<u32>,
    left: Node<'t>,
    right: Node<'t>,
) -> Option<&'t str> {
    let src = f.src;
    let index_text = |n: Node<'t>| address_text(f, expr::core(src, n));
    let (out, inp) = (index_text(left), index_text(right));
    let names = |t: &str, w: &str| {
        t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|x| x == w)
    };
    let mut cur = lp;
    for _ in 0..8 {
        let l = &f.loops[cur? as usize];
        if let Some(var) = l.var {
            if !names(&out, var) && names(&inp, var) {
                return Some(var);
            }
        }
        cur = l.site.lp;
    }
    None
}

/// The text of every index and offset an access goes through, following pointer locals to
/// their initialisers (`X_t[j]` with `X_t = &X[(t + i) * O]` gives `X_t[j] (t + i) * O`).
fn address_text(f: &Facts, n: Node) -> String {
    let src = f.src;
    let mut out = String::from(src.text(n));
    let mut n = n;
    for _ in 0..expr::MAX_DEPTH {
        n = expr::unparen(n);
        match n.kind_name() {
            "subscript_expression" | "pointer_expression" | "field_expression" => {
                match n.field("argument") {
                    Some(a) => n = a,
                    None => break,
                }
            }
            "cast_expression" => match n.field("value") {
                Some(x) => n = x,
                None => break,
            },
            "identifier" => {
                let Some(init) = f
                    .named(src.text(n))
                    .find(|l| !l.param && l.pointer)
                    .and_then(|l| l.init)
                else {
                    break;
                };
                out.push(' ');
                out.push_str(src.text(init));
                n = init;
            }
            _ => break,
        }
    }
    out
}

/// A load whose value is not changed before it is used (`tmp = w[i]; tmp *= b;` is not).
fn plain_load(f: &Facts, v: &Values, n: Node) -> bool {
    let c = expr::core(f.src, n);
    v.is_direct(f, n) && !(c.kind_name() == "identifier" && v.reassigned(f.src.text(c)))
}

/// A product of a loaded element and a value computed from loaded data (not itself a load).
fn weighted(f: &Facts, v: &Values, rhs: Node) -> bool {
    let src = f.src;
    factor_pairs(src, rhs).iter().any(|fs| {
        let direct = fs.iter().any(|x| v.is_direct(f, *x));
        let computed = fs
            .iter()
            .any(|x| !v.is_direct(f, *x) && !expr::is_number(src, *x) && v.loaded(f, *x));
        direct && computed
    })
}
