//! Statistics and math-call features: exp/log/sqrt families, moving averages (also through a
//! lerp helper), atomics (with helper-argument binding), centring by a mean, padding checks,
//! divisions by a count, gathers, index decomposition, clipped windows and transposed tiles.

use super::arith::{Arith, Atomic};
use super::expr::{self, Src};
use super::facts::Facts;
use super::features::{accumulator, family, target, Ev};
use super::values::{Space, Values};
use crate::flat::Node;
use crate::parse::NodeExt;

/// Moving averages written in a helper (`lerp`) count once per call of the helper.
pub fn lift_emas(f: &Facts, a: &mut Arith) {
    for h in (1..f.scopes.len() as u16).rev() {
        let k = a.emas.iter().filter(|e| e.scope == h).count();
        if k == 0 {
            continue;
        }
        a.emas.retain(|e| e.scope != h);
        for c in f.calls.iter().filter(|c| c.helper == Some(h)) {
            for _ in 0..k {
                a.emas.push(Ev::new(&c.site, "moving average via helper"));
            }
            if expr::args(c.site.node).iter().any(|x| squared(f.src, *x)) {
                a.ema_sq
                    .get_or_insert(Ev::new(&c.site, "of the squared gradient"));
            }
        }
    }
}

pub fn calls(f: &Facts, v: &Values, a: &mut Arith) {
    let src = f.src;
    let random_vars: Vec<&str> = f
        .locals
        .iter()
        .filter(|l| {
            l.init.is_some_and(|i| {
                expr::any(i, |x| {
                    x.kind_name() == "call_expression"
                        && expr::callee(src, x).is_some_and(|c| c.starts_with("curand"))
                })
            })
        })
        .map(|l| l.name)
        .collect();
    for c in &f.calls {
        let fam = family(c.name);
        let args = expr::args(c.site.node);
        match fam {
            "exp"
                if args.first().is_some_and(|x| {
                    // `expf(x - m)`, or `float d = x - m; expf(d)`.
                    let diff = |n: Node| expr::any(n, |y| expr::binop(src, y) == Some("-"));
                    diff(*x) || super::values::init_of(f, v, *x).is_some_and(diff)
                }) =>
            {
                a.exp_diff
                    .get_or_insert(Ev::new(&c.site, format!("{}(x - max)", c.name)));
            }
            "log" => {
                a.log.get_or_insert(Ev::new(&c.site, c.name));
                let picked = args.first().is_some_and(|x| {
                    expr::any(*x, |y| {
                        matches!(y.kind_name(), "subscript_expression" | "pointer_expression")
                            && v.data_dependent(f, y)
                    }) || {
                        let c = expr::core(src, *x);
                        c.kind_name() == "identifier"
                            && f.named(src.text(c)).any(|l| {
                                l.init.is_some_and(|i| {
                                    let i = expr::core(src, i);
                                    i.kind_name() == "subscript_expression"
                                        && v.data_dependent(f, i)
                                })
                            })
                    }
                });
                if picked {
                    a.log_gather.get_or_insert(Ev::new(
                        &c.site,
                        format!("{}(p[target]) with the target id read from memory", c.name),
                    ));
                }
            }
            "rsqrt" => {
                a.inv_sqrt.get_or_insert(Ev::new(&c.site, c.name));
            }
            "sqrt" => {
                a.sqrt.get_or_insert(Ev::new(&c.site, c.name));
            }
            "trig" => {
                a.trig.get_or_insert(Ev::new(&c.site, c.name));
            }
            "pow" => {
                a.pow.get_or_insert(Ev::new(&c.site, c.name));
            }
            "max" => a.max_calls += 1,
            "min" => a.min_calls += 1,
            "curand" => {
                a.random.get_or_insert(Ev::new(&c.site, c.name));
            }
            "atomic" => atomic(f, v, c, &args, a),
            "fma"
                if args.len() == 3
                    && (ema_pair(src, args[0], args[2])
                        || ema_pair(src, args[2], args[0])
                        || lerp(src, args[0], args[2])) =>
            {
                a.emas.push(Ev::new(&c.site, "b * m + (1 - b) * g"));
                if squared(src, args[2]) {
                    a.ema_sq
                        .get_or_insert(Ev::new(&c.site, "of the squared gradient"));
                }
            }
            _ => {}
        }
        // m = max(m, x) in a loop, m declared outside it.
        if fam == "max" && args.len() == 2 {
            if let Some(lp) = c.site.lp {
                let l = &f.loops[lp as usize];
                let acc = args.iter().any(|x| {
                    let x = expr::core(src, *x);
                    let named = |x: Node| accumulator(f, src.text(x), l, c.site.scope);
                    match x.kind_name() {
                        "identifier" => named(x) && v.reassigned(src.text(x)),
                        // `m[0] = fmaxf(m[0], x)`: a one-slot register array as the accumulator.
                        "subscript_expression" => {
                            let fixed = x.field("indices").is_some_and(|i| {
                                i.named_child(0).is_some_and(|i| expr::is_number(src, i))
                            });
                            let arr = x.field("argument").map(expr::unparen);
                            let back = c.site.node.parent().is_some_and(|p| {
                                p.kind_name() == "assignment_expression"
                                    && p.field("left").is_some_and(|y| src.key(y) == src.key(x))
                            });
                            fixed
                                && back
                                && arr.is_some_and(|a| a.kind_name() == "identifier" && named(a))
                        }
                        _ => false,
                    }
                });
                if acc && !args.iter().any(|x| expr::is_number(src, *x)) {
                    a.accum_max
                        .get_or_insert(Ev::new(&c.site, format!("running {}", c.name)));
                }
            }
        }
    }
    for b in &f.binops {
        if !matches!(expr::binop(src, b.node), Some("<" | ">" | "<=" | ">=")) {
            continue;
        }
        if random_vars.iter().any(|r| expr::mentions(src, b.node, r)) {
            a.random_cmp
                .get_or_insert(Ev::new(b, "random draw compared with a probability"));
        }
    }
}

/// If `n` is a parameter of a helper, the argument passed for it at the helper's first call.
fn bind<'t>(f: &Facts<'t>, n: Node<'t>, scope: u16) -> Node<'t> {
    let c = expr::core(f.src, n);
    if scope == 0 || c.kind_name() != "identifier" {
        return n;
    }
    let name = f.src.text(c);
    let pos = f
        .locals
        .iter()
        .filter(|l| l.param && l.site.scope == scope)
        .position(|l| l.name == name);
    let call = f.calls.iter().find(|k| k.helper == Some(scope));
    match (pos, call) {
        (Some(p), Some(k)) => expr::args(k.site.node).get(p).copied().unwrap_or(n),
        _ => n,
    }
}

fn atomic(f: &Facts, v: &Values, c: &super::facts::Call, args: &[Node], a: &mut Arith) {
    let src = f.src;
    let Some(t) = args.first() else { return };
    let t = expr::core(src, bind(f, *t, c.site.scope));
    let (addr, ident) = match t.kind_name() {
        "pointer_expression" => (t.field("argument").unwrap_or(t), false),
        "identifier" => (t, true),
        _ => (t, false),
    };
    let (data_index, scalar) = match addr.kind_name() {
        "subscript_expression" => (v.data_dependent(f, addr), false),
        "binary_expression" => (v.loaded(f, addr), false),
        // A pointer: a single location unless it is an alias with an offset.
        _ if ident => match v.base(f, addr) {
            Some(b) => (b.data_dependent, b.offset.is_empty()),
            None => (false, true),
        },
        _ => (false, false),
    };
    let value = if c.name.contains("CAS") {
        args.get(2)
    } else {
        args.get(1)
    };
    let value = value.map(|x| bind(f, *x, c.site.scope));
    a.atomics.push(Atomic {
        ev: Ev::new(&c.site, c.name),
        data_index,
        constant: value.is_some_and(|x| expr::is_number(src, x)),
        loaded_value: value.is_some_and(|x| v.loaded(f, x)),
        scalar: scalar && !data_index,
        adds: ["Add", "Sub", "Inc"].iter().any(|k| c.name.contains(k)),
    });
}

/// `(1 - b)` → the key of `b`.
pub(super) fn one_minus(src: Src, n: Node) -> Option<String> {
    let n = expr::core(src, n);
    (expr::binop(src, n) == Some("-") && expr::lhs(n).is_some_and(|l| expr::is_one(src, l)))
        .then(|| expr::rhs(n).map(|r| src.key(expr::core(src, r))))
        .flatten()
}

/// Is `w` the weight `b` and `other` a product with `(1 - b)` (or the reverse)?
fn ema_pair(src: Src, w: Node, other: Node) -> bool {
    let kw = src.key(expr::core(src, w));
    let of = expr::flatten(src, other, "*");
    of.iter()
        .any(|x| one_minus(src, *x).is_some_and(|b| b == kw))
        || one_minus(src, w).is_some_and(|b| of.iter().any(|x| src.key(expr::core(src, *x)) == b))
}

/// `fma(w, e, fma(-w, s, s))`: `(1 - w) * s + w * e` written as a lerp.
fn lerp(src: Src, w: Node, inner: Node) -> bool {
    let inner = expr::core(src, inner);
    if inner.kind_name() != "call_expression"
        || expr::callee(src, inner).is_none_or(|c| family(c) != "fma")
    {
        return false;
    }
    let a = expr::args(inner);
    if a.len() != 3 || src.key(a[1]) != src.key(a[2]) {
        return false;
    }
    let neg = expr::core(src, a[0]);
    neg.kind_name() == "unary_expression"
        && neg
            .field("argument")
            .is_some_and(|x| src.key(x) == src.key(w))
}

/// A product with a repeated non-constant factor (`g * g`).
fn squared(src: Src, n: Node) -> bool {
    let mut found = false;
    expr::walk(n, |x| {
        if !found && expr::binop(src, x) == Some("*") {
            let keys: Vec<String> = expr::flatten(src, x, "*")
                .iter()
                .filter(|y| !expr::is_number(src, **y))
                .map(|y| src.key(expr::core(src, *y)))
                .collect();
            found = (0..keys.len()).any(|i| keys[i + 1..].contains(&keys[i]));
        }
        !found
    });
    found
}

pub fn binops(f: &Facts, v: &Values, a: &mut Arith) {
    let src = f.src;
    let in_loop_header =
        |s: &super::facts::Site| s.lp.is_some_and(|i| f.loops[i as usize].in_header(s));
    let mut lowzero: Vec<(String, &super::facts::Site)> = Vec::new();
    let mut bounded: Vec<String> = Vec::new();
    for b in &f.binops {
        let n = b.node;
        let op = expr::binop(src, n).unwrap_or("");
        let (Some(l), Some(r)) = (expr::lhs(n), expr::rhs(n)) else {
            continue;
        };
        match op {
            "-" if v.is_direct(f, l) && v.data(f, l) => {
                let rc = expr::core(src, r);
                let global_load = |x: Node| {
                    x.kind_name() == "subscript_expression"
                        && v.base(f, x).is_some_and(|b| b.space == Space::Global)
                };
                let loaded = global_load(rc)
                    || (rc.kind_name() == "identifier"
                        && f.named(src.text(rc)).any(|x| {
                            !x.param && x.init.is_some_and(|i| global_load(expr::core(src, i)))
                        }));
                let computed = rc.kind_name() == "identifier"
                    && f.named(src.text(rc)).any(|x| !x.param)
                    && !v.derived(f, rc, true);
                if loaded {
                    a.centering_loaded
                        .get_or_insert(Ev::new(b, "x minus a loaded mean"));
                } else if computed {
                    a.centering_computed
                        .get_or_insert(Ev::new(b, format!("x - {}", src.text(rc))));
                }
            }
            "+" => {
                let ts = expr::terms(src, n);
                if ts.len() == 2 && ts.iter().all(|(_, neg)| !neg) {
                    let (x, y) = (ts[0].0, ts[1].0);
                    let fx = expr::flatten(src, x, "*");
                    let fy = expr::flatten(src, y, "*");
                    let hit = |p: &[Node], q: &[Node]| {
                        p.iter().any(|w| {
                            one_minus(src, *w).is_some_and(|k| {
                                q.iter().any(|z| src.key(expr::core(src, *z)) == k)
                            })
                        })
                    };
                    if fx.len() >= 2 && fy.len() >= 2 && (hit(&fx, &fy) || hit(&fy, &fx)) {
                        a.emas.push(Ev::new(b, "b * m + (1 - b) * x"));
                        if squared(src, n) {
                            a.ema_sq
                                .get_or_insert(Ev::new(b, "of the squared gradient"));
                        }
                    }
                }
            }
            "/" => {
                let rc = expr::core(src, r);
                let is_sqrt = |x: Node| {
                    x.kind_name() == "call_expression"
                        && expr::callee(src, x).is_some_and(|c| family(c) == "sqrt")
                };
                let sqrt_local = rc.kind_name() == "identifier"
                    && f.named(src.text(rc))
                        .any(|x| x.init.is_some_and(|i| is_sqrt(expr::core(src, i))));
                if is_sqrt(rc) || sqrt_local {
                    a.inv_sqrt.get_or_insert(Ev::new(b, "1 / sqrt"));
                }
                if count_like(f, rc, 0) && !expr::is_number(src, rc) && !v.int_like(f, l) {
                    a.div_count
                        .get_or_insert(Ev::new(b, format!("divide by {}", src.text(r))));
                }
            }
            // `a < b && c > d` can parse as the template `a<b && c>`; a "template" named after
            // a local variable is that comparison.
            "&&" | "||" if b.depth > 0 => {
                for side in [l, r] {
                    let name = (side.kind_name() == "template_function")
                        .then(|| side.field("name"))
                        .flatten();
                    if let Some(nm) = name.filter(|nm| f.named(src.text(*nm)).next().is_some()) {
                        bounded.push(src.key(nm));
                    }
                }
            }
            "<" | ">=" | ">" | "<=" if !in_loop_header(b) => {
                let (zl, zr) = (expr::is_zero(src, l), expr::is_zero(src, r));
                let low = match op {
                    "<" | ">=" if zr => Some(l),
                    ">" | "<=" if zl => Some(r),
                    _ => None,
                };
                if let Some(x) = low {
                    lowzero.push((src.key(x), b));
                } else if !zl && !zr {
                    bounded.push(src.key(l));
                    bounded.push(src.key(r));
                }
            }
            _ => {}
        }
    }
    if let Some((_, s)) = lowzero
        .iter()
        .find(|(k, s)| s.depth > 0 && bounded.contains(k))
    {
        a.padding = Some(Ev::new(
            s,
            "0 <= coordinate < size check inside the loop nest",
        ));
    }
    // `ih = oh * stride + kh * dilation - pad`: the checked coordinate moves with the output
    // position times a stride and with a window offset.
    if let Some((k, s)) = lowzero
        .iter()
        .find(|(k, _)| bounded.contains(k) && window_coordinate(f, k))
    {
        a.window_coord = Some(Ev::new(
            s,
            format!(
                "{k} = output position * stride + window offset, checked against 0 and the size"
            ),
        ));
    }
    // Label pick / gather: x[t] with t itself loaded (a class id, a token id).
    for s in &f.subs {
        if !is_left(s.node) && v.data_dependent(f, s.node) {
            a.gather.get_or_insert(Ev::new(
                s,
                format!("{} (index read from memory)", src.text(s.node)),
            ));
        }
    }
}

fn is_left(n: Node) -> bool {
    n.parent()
        .is_some_and(|p| p.kind_name() == "assignment_expression" && p.field("left") == Some(n))
}

/// An integer size: an integer parameter, or a product of them (`batch * hw`).
fn count_like(f: &Facts, n: Node, depth: usize) -> bool {
    let n = expr::core(f.src, n);
    if depth > 4 {
        return false;
    }
    match n.kind_name() {
        "identifier" => f.named(f.src.text(n)).any(|l| {
            (l.param && l.int_like)
                || l.init
                    .is_some_and(|i| !l.param && l.site.depth == 0 && count_like(f, i, depth + 1))
        }),
        "number_literal" => true,
        "binary_expression" => expr::flatten(f.src, n, "*")
            .iter()
            .all(|x| count_like(f, *x, depth + 1)),
        _ => false,
    }
}

pub fn locals(f: &Facts, a: &mut Arith) {
    let src = f.src;
    // Index decomposition: several coordinates cut from one linear index with / and %.
    let mut roots: Vec<(&str, usize, &super::facts::Site)> = Vec::new();
    for l in &f.locals {
        let Some(init) = l.init else { continue };
        let c = expr::core(src, init);
        if !matches!(expr::binop(src, c), Some("%" | "/")) {
            continue;
        }
        let mut x = c;
        for _ in 0..expr::MAX_DEPTH {
            match expr::lhs(expr::core(src, x)) {
                Some(left) => x = left,
                None => break,
            }
        }
        let x = expr::core(src, x);
        if x.kind_name() == "identifier" {
            let name = src.text(x);
            match roots.iter_mut().find(|r| r.0 == name) {
                Some(r) => r.1 += 1,
                None => roots.push((name, 1, &l.site)),
            }
        }
    }
    if let Some((name, n, s)) = roots.iter().find(|r| r.1 >= 3) {
        a.decomposition = Some(Ev::new(s, format!("{name} split into {n} coordinates")));
    }
    // Clipped window start: hstart = max(…, 0) used as a loop start.
    let clipped_at_zero = |e| {
        expr::any(e, |c| {
            c.kind_name() == "call_expression"
                && expr::callee(src, c).is_some_and(|n| family(n) == "max")
                && expr::args(c).iter().any(|x| expr::is_zero(src, *x))
        })
    };
    for l in &f.locals {
        let Some(init) = l.init else { continue };
        let clipped = clipped_at_zero(init);
        if clipped
            && f.loops
                .iter()
                .any(|lp| lp.init.is_some_and(|i| expr::mentions(src, i, l.name)))
        {
            a.clipped
                .get_or_insert(Ev::new(&l.site, "window start clipped at 0"));
        }
    }
    for s in &f.assigns {
        let (Some(name), Some(r)) = (target(src, s.node), s.node.field("right")) else {
            continue;
        };
        let clipped = clipped_at_zero(r);
        if clipped
            && f.loops
                .iter()
                .any(|lp| lp.init.is_some_and(|i| expr::mentions(src, i, name)))
        {
            a.clipped
                .get_or_insert(Ev::new(s, "window bounds clipped at 0"));
        }
    }
    // A shared tile written at (a, b) and read at (b, a): `t[a][b]` / `t[b][a]` (other dims
    // equal, `t[buf][a][b]`), or flattened, `t[a * S + b]` / `t[b * S + a]`.
    let mut writes: Vec<(&str, Vec<Node>)> = Vec::new();
    let mut reads: Vec<(&str, Vec<Node>, &super::facts::Site)> = Vec::new();
    for s in &f.subs {
        let (arr, dims) = subscripts(s.node);
        let Some(arr) = arr.filter(|a| f.named(src.text(*a)).any(|l| l.shared)) else {
            continue;
        };
        if is_left(s.node) {
            writes.push((src.text(arr), dims));
        } else {
            reads.push((src.text(arr), dims, s));
        }
    }
    'reads: for (arr, r, s) in &reads {
        for (warr, w) in &writes {
            if warr == arr && swapped(src, w, r) {
                a.swapped_tile = Some(Ev::new(
                    s,
                    format!("shared tile `{arr}` written [a][b], read [b][a]"),
                ));
                break 'reads;
            }
        }
    }
}

/// `t[i][j][k]` → (`t`, [i, j, k]).
fn subscripts(n: Node) -> (Option<Node>, Vec<Node>) {
    let mut dims = Vec::new();
    let mut cur = n;
    while cur.kind_name() == "subscript_expression" && dims.len() < 8 {
        match cur.field("indices").and_then(|i| i.named_child(0)) {
            Some(i) => dims.push(i),
            None => return (None, Vec::new()),
        }
        match cur.field("argument") {
            Some(a) => cur = a,
            None => return (None, Vec::new()),
        }
    }
    dims.reverse();
    ((cur.kind_name() == "identifier").then_some(cur), dims)
}

/// The sorted term keys of a sum (`k + r` → [k, r]).
fn term_keys(src: expr::Src, n: Node) -> Vec<String> {
    let mut keys: Vec<String> = expr::terms(src, n)
        .into_iter()
        .map(|(t, neg)| {
            format!(
                "{}{}",
                if neg { "-" } else { "" },
                src.key(expr::unparen(t))
            )
        })
        .collect();
    keys.sort();
    keys
}

/// A flattened 2-D index `a * S + b` split at the stride `S`: (terms of a, terms of b).
fn split_at_stride(src: expr::Src, n: Node, stride: &str) -> Option<(Vec<String>, Vec<String>)> {
    let mut row = None;
    let mut col = Vec::new();
    for (t, neg) in expr::terms(src, n) {
        let fs = expr::flatten(src, t, "*");
        let at = fs.iter().position(|x| src.key(*x) == stride);
        match (at, fs.len(), &row) {
            (Some(i), 2, None) if !neg => row = Some(term_keys(src, fs[1 - i])),
            _ => col.push(format!(
                "{}{}",
                if neg { "-" } else { "" },
                src.key(expr::unparen(t))
            )),
        }
    }
    col.sort();
    Some((row?, col))
}

/// Are the two index lists the same tile position with two coordinates swapped?
fn swapped(src: expr::Src, w: &[Node], r: &[Node]) -> bool {
    if w.len() != r.len() || w.is_empty() {
        return false;
    }
    let keys = |v: &[Node]| v.iter().map(|n| term_keys(src, *n)).collect::<Vec<_>>();
    let (wk, rk) = (keys(w), keys(r));
    if w.len() >= 2 {
        let differ: Vec<usize> = (0..w.len()).filter(|&i| wk[i] != rk[i]).collect();
        return matches!(differ.as_slice(), [i, j] if wk[*i] == rk[*j] && wk[*j] == rk[*i]);
    }
    // One flattened index: try each stride that multiplies a term of both.
    let strides = |n: Node| -> Vec<String> {
        expr::terms(src, n)
            .into_iter()
            .flat_map(|(t, _)| expr::flatten(src, t, "*"))
            .map(|x| src.key(x))
            .collect()
    };
    let (sw, sr) = (strides(w[0]), strides(r[0]));
    sw.iter().filter(|k| sr.contains(k)).any(|stride| {
        match (
            split_at_stride(src, w[0], stride),
            split_at_stride(src, r[0], stride),
        ) {
            (Some((wa, wb)), Some((ra, rb))) => wa != wb && wa == rb && wb == ra,
            _ => false,
        }
    })
}

/// Is local `name` initialised as a sum of at least two varying terms, one a product with a
/// non-literal (`oh * stride + kh * dil - pad`, `ow * s + kw`), not a shift (`i - pad`)?
fn window_coordinate(f: &Facts, name: &str) -> bool {
    let src = f.src;
    let Some(init) = f.named(name).find_map(|l| l.init) else {
        return false;
    };
    let varying: Vec<Node> = expr::terms(src, expr::core(src, init))
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| !expr::is_number(src, *t))
        .collect();
    let product = |t: &Node| {
        let fs = expr::flatten(src, *t, "*");
        fs.len() >= 2 && fs.iter().filter(|x| !expr::is_number(src, **x)).count() >= 2
    };
    varying.len() >= 2 && varying.iter().any(product)
}
