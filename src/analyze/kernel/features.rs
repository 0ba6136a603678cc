//! Structural features: loop shapes, reductions (shared-memory and warp trees, cooperative
//! groups, CUB, atomics), scans, accumulations, multiply-accumulate and best-value tracking.

use super::expr::{self, Src};
use super::facts::{Facts, Loop, Site};
use super::values::{Space, Values};
use crate::flat::Node;
use crate::parse::NodeExt;

/// Where a feature was seen (byte offset, scope, loop depth) and a short description.
#[derive(Clone, Debug)]
pub struct Ev {
    pub at: usize,
    pub scope: u16,
    pub depth: u8,
    pub what: String,
}

impl Ev {
    pub fn new(s: &Site, what: impl Into<String>) -> Ev {
        Ev {
            at: s.node.start_byte(),
            scope: s.scope,
            depth: s.depth,
            what: what.into(),
        }
    }
}

/// What a reduction combines with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Sum,
    Max,
    Min,
    /// Value and index of the best element (argmax/argmin).
    ArgBest,
    /// Max with rescaled exp-sums (online softmax).
    Online,
    /// A user-defined combination cuport cannot see into.
    Other,
}

impl Op {
    pub fn word(self) -> &'static str {
        match self {
            Op::Sum => "sum",
            Op::Max => "max",
            Op::Min => "min",
            Op::ArgBest => "arg-max/min",
            Op::Online => "online max/exp-sum",
            Op::Other => "custom-operator",
        }
    }
}

/// A cross-thread reduction.
#[derive(Clone, Debug)]
pub struct Tree {
    pub ev: Ev,
    pub op: Op,
    /// Inside a counted loop: the selection is repeated (top-k).
    pub repeated: bool,
}

/// `if (v > best) { best = v; idx = i; }`
#[derive(Clone, Debug)]
pub struct Best {
    pub ev: Ev,
    pub with_index: bool,
    /// The compared value is a loaded element (not a computed quantity).
    pub direct: bool,
}

/// The step of a loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Halve,
    Double,
    Grid,
    Block,
    Warp,
    Unit,
    Other,
}

/// Math and intrinsic families, by callee name.
pub fn family(name: &str) -> &'static str {
    match name {
        "exp" | "expf" | "__expf" | "exp2" | "exp2f" | "hexp" | "h2exp" | "expm1" | "expm1f" => {
            "exp"
        }
        "log" | "logf" | "__logf" | "log2" | "log2f" | "__log2f" | "hlog" | "h2log" | "log1p"
        | "log1pf" => "log",
        "rsqrt" | "rsqrtf" | "__frsqrt_rn" | "hrsqrt" | "h2rsqrt" => "rsqrt",
        "sqrt" | "sqrtf" | "__fsqrt_rn" | "__dsqrt_rn" | "hsqrt" | "h2sqrt" => "sqrt",
        "tanh" | "tanhf" | "htanh" | "__tanhf" => "tanh",
        "erf" | "erff" | "erfc" | "erfcf" => "erf",
        "max" | "fmax" | "fmaxf" | "__hmax" | "hmax" | "__hmax2" => "max",
        "min" | "fmin" | "fminf" | "__hmin" | "hmin" | "__hmin2" => "min",
        "sin" | "sinf" | "__sinf" | "cos" | "cosf" | "__cosf" | "sincos" | "sincosf"
        | "__sincosf" | "sinpif" | "cospif" | "hsin" | "hcos" => "trig",
        "fma" | "fmaf" | "__fmaf_rn" | "__fma_rn" | "__hfma" | "__hfma2" => "fma",
        "pow" | "powf" | "__powf" => "pow",
        "__stcs" | "__stcg" | "__stwb" | "__stwt" => "store",
        "__shfl_xor_sync" | "__shfl_xor" | "shfl_xor" => "shfl_xor",
        "__shfl_down_sync" | "__shfl_down" | "shfl_down" => "shfl_down",
        "__shfl_up_sync" | "__shfl_up" | "shfl_up" => "shfl_up",
        "__shfl_sync" | "__shfl" | "shfl" => "shfl",
        "__syncthreads" | "__syncwarp" | "sync" | "__syncthreads_count" => "sync",
        "__reduce_add_sync" => "reduce_add",
        "__reduce_max_sync" => "reduce_max",
        "__reduce_min_sync" => "reduce_min",
        // The rest of the C math library: no feature reads these, but they are built-ins, not
        // project helpers to borrow (a math header's `floor(float2)` is not what `floor(x)` means).
        "floor" | "floorf" | "ceil" | "ceilf" | "round" | "roundf" | "rint" | "rintf" | "trunc"
        | "truncf" | "fabs" | "fabsf" | "abs" | "labs" | "llabs" | "fmod" | "fmodf"
        | "copysign" | "copysignf" | "isnan" | "isinf" | "isfinite" | "signbit" | "lrint"
        | "lrintf" | "llrint" | "llrintf" | "lround" | "lroundf" | "cbrt" | "cbrtf" | "hypot"
        | "hypotf" | "atan2" | "atan2f" | "asin" | "asinf" | "acos" | "acosf" | "atan"
        | "atanf" | "sinh" | "sinhf" | "cosh" | "coshf" | "exp10" | "exp10f" | "log10"
        | "log10f" | "ldexp" | "ldexpf" | "frexp" | "frexpf" | "modf" | "modff" | "norm3df"
        | "rnorm3df" | "normf" => "libm",
        n if n.starts_with("curand") => "curand",
        n if n.starts_with("atomic") || n.ends_with("AtomicAdd") => "atomic",
        _ => "",
    }
}

/// The loop's step, from its update clause.
pub fn step(f: &Facts, l: &Loop) -> Step {
    let src = f.src;
    let Some(u) = l.update else {
        return Step::Other;
    };
    let u = expr::unparen(u);
    if u.kind_name() == "update_expression" {
        return Step::Unit;
    }
    if u.kind_name() != "assignment_expression" {
        return Step::Other;
    }
    let op = u.field("operator").map_or("", |o| src.text(o));
    let Some(r) = u.field("right") else {
        return Step::Other;
    };
    // Small integer literals only (`>>= 1`, `*= 2`, `+= 32`).
    let int = |x: Option<f64>| {
        x.filter(|v| v.fract() == 0.0 && v.abs() < 1e6)
            .map(|v| v as i64)
    };
    let lit = int(expr::number(src, r));
    let (rop, rlit) = match expr::binop(src, expr::unparen(r)) {
        Some(o) => (
            o,
            int(expr::rhs(expr::unparen(r)).and_then(|x| expr::number(src, x))),
        ),
        None => ("", None),
    };
    match (op, lit, rop, rlit) {
        (">>=", Some(1), _, _) | ("/=", Some(2), _, _) => Step::Halve,
        ("=", _, ">>", Some(1)) | ("=", _, "/", Some(2)) => Step::Halve,
        ("<<=", Some(1), _, _) | ("*=", Some(2), _, _) => Step::Double,
        ("=", _, "<<", Some(1)) | ("=", _, "*", Some(2)) => Step::Double,
        ("+=", Some(1), _, _) => Step::Unit,
        ("+=", Some(32), _, _) => Step::Warp,
        ("+=", _, _, _) => {
            if uses(f, r, "gridDim") {
                Step::Grid
            } else if uses(f, r, "blockDim") {
                Step::Block
            } else if src.text(r).contains("warpSize") || src.text(r).contains("size()") {
                Step::Warp
            } else {
                Step::Other
            }
        }
        _ => Step::Other,
    }
}

/// Does the expression use a builtin (`gridDim`), directly or through a local's initializer?
pub fn uses(f: &Facts, n: Node, builtin: &str) -> bool {
    expr::any(n, |x| {
        x.kind_name() == "identifier"
            && (f.src.text(x) == builtin
                || f.named(f.src.text(x))
                    .any(|l| l.init.is_some_and(|i| expr::mentions(f.src, i, builtin))))
    })
}

/// A call that writes memory: a store intrinsic (`__stcs`) or a helper taking an address into
/// a writable pointer parameter first (`store128(out + i, v)`, `st_vec(&y[i], v)`).
pub fn store_call(f: &Facts, v: &Values, c: &super::facts::Call) -> bool {
    if family(c.name) == "store" {
        return true;
    }
    if matches!(
        family(c.name),
        "atomic" | "shfl_xor" | "shfl_down" | "shfl_up" | "shfl"
    ) {
        return false;
    }
    let args = expr::args(c.site.node);
    if args.len() < 2 {
        return false;
    }
    let a0 = expr::unparen(args[0]);
    let addr = match a0.kind_name() {
        "pointer_expression" if a0.child(0).is_some_and(|o| o.kind_name() == "&") => a0,
        "binary_expression" | "identifier" => a0,
        _ => return false,
    };
    v.base(f, addr).is_some_and(|b| {
        b.space == super::values::Space::Global
            && f.named(b.name)
                .any(|l| l.param && l.pointer && !l.read_only)
    })
}

/// Is `s` inside loop `l`, in the loop's scope or in a helper called from inside it?
fn inside(s: &Site, l: &Loop, helpers: &[u16]) -> bool {
    (s.scope == l.site.scope && expr::within(s.node, l.site.node)) || helpers.contains(&s.scope)
}

/// The memory written by an assignment's left side.
pub fn store_base<'t>(
    f: &Facts<'t>,
    v: &Values,
    a: Node<'t>,
) -> Option<(Node<'t>, super::values::Base<'t>)> {
    let left = expr::unparen(a.field("left")?);
    if !matches!(
        left.kind_name(),
        "subscript_expression" | "pointer_expression"
    ) {
        return None;
    }
    v.base(f, left).map(|b| (left, b))
}

/// Best-value tracking: an `if` whose comparison's one side is assigned from the other.
pub fn bests(f: &Facts, v: &Values) -> Vec<Best> {
    let src = f.src;
    let mut out = Vec::new();
    for s in &f.ifs {
        let (Some(cond), Some(cons)) = (s.node.field("condition"), s.node.field("consequence"))
        else {
            continue;
        };
        let mut cmps = Vec::new();
        expr::walk(cond, |x| {
            if cmps.len() < 8 && matches!(expr::binop(src, x), Some("<" | ">" | "<=" | ">=")) {
                cmps.push(x);
            }
            true
        });
        let mut asg = Vec::new();
        expr::walk(cons, |x| {
            if x.kind_name() == "assignment_expression" && asg.len() < 8 {
                asg.push(x);
            }
            x.kind_name() != "if_statement" || x == cons
        });
        'cmp: for c in &cmps {
            let (Some(a), Some(b)) = (expr::lhs(*c), expr::rhs(*c)) else {
                continue;
            };
            let (ka, kb) = (src.key(a), src.key(b));
            for x in &asg {
                let (Some(l), Some(r)) = (x.field("left"), x.field("right")) else {
                    continue;
                };
                let (kl, kr) = (src.key(l), src.key(r));
                if (kl == kb && kr == ka) || (kl == ka && kr == kb) {
                    out.push(Best {
                        ev: Ev::new(s, "if (v > best) { best = v; … }"),
                        with_index: asg.len() >= 2,
                        direct: v.is_direct(f, r),
                    });
                    break 'cmp;
                }
            }
        }
    }
    out
}

/// Cross-thread reductions and scans.
pub fn trees(f: &Facts, v: &Values, bests: &[Best]) -> (Vec<Tree>, Option<Ev>) {
    let src = f.src;
    let mut trees = Vec::new();
    let mut scan = None;
    let mut in_tree_loops: Vec<Node> = Vec::new();
    for l in &f.loops {
        let st = step(f, l);
        if !matches!(st, Step::Halve | Step::Double) {
            continue;
        }
        let helpers = f.scope_calls_in(l.site.node, l.site.scope);
        let shfl = f
            .calls
            .iter()
            .filter(|c| inside(&c.site, l, &helpers))
            .map(|c| (c, family(c.name)))
            .find(|(_, fam)| fam.starts_with("shfl"));
        let var = l.var.unwrap_or("");
        let shared_read = f.subs.iter().find(|s| {
            inside(s, l, &helpers)
                && !is_store(s)
                && v.base(f, s.node).is_some_and(|b| b.space == Space::Shared)
                && s.node
                    .field("indices")
                    .is_some_and(|i| !var.is_empty() && expr::mentions(src, i, var))
        });
        let minus_index = shared_read.is_some_and(|s| {
            s.node.field("indices").is_some_and(|i| {
                expr::any(i, |x| {
                    expr::binop(src, x) == Some("-") && expr::mentions(src, x, var)
                })
            })
        });
        let scan_like =
            st == Step::Double && (shfl.is_some_and(|(_, fam)| fam == "shfl_up") || minus_index);
        if scan_like {
            let how = match shfl {
                Some((c, _)) => format!("{} with a doubling offset", c.name),
                None => "shared-memory Hillis–Steele steps".to_string(),
            };
            scan.get_or_insert(Ev::new(&l.site, how));
            continue;
        }
        let how = match (shfl, shared_read) {
            (Some((c, _)), _) => format!("{} tree", c.name),
            (None, Some(_)) => "shared-memory tree".to_string(),
            _ => continue,
        };
        let op = loop_op(f, l, &helpers, bests);
        let repeated = f
            .enclosing(&l.site)
            .nth(1)
            .is_some_and(|outer| step(f, outer) == Step::Unit);
        in_tree_loops.push(l.site.node);
        trees.push(Tree {
            ev: Ev::new(&l.site, how),
            op,
            repeated,
        });
    }
    // Unrolled warp trees and library reductions.
    let mut loose = f.calls.iter().filter(|c| {
        matches!(family(c.name), "shfl_xor" | "shfl_down")
            && !in_tree_loops.iter().any(|n| expr::within(c.site.node, *n))
    });
    if let (Some(first), Some(_)) = (loose.next(), loose.next()) {
        let op = if expr::inside_call(src, first.site.node, &["fmaxf", "max", "fmax"]) {
            Op::Max
        } else {
            Op::Sum
        };
        trees.push(Tree {
            ev: Ev::new(&first.site, format!("unrolled {} steps", first.name)),
            op,
            repeated: false,
        });
    }
    for c in &f.calls {
        let fam = family(c.name);
        let args = expr::args(c.site.node);
        let recv = expr::receiver(src, c.site.node).unwrap_or("");
        let op_of = |t: &str| {
            // A functor held in a local (`cub::ArgMax arg_max;`) is judged by its type.
            let t = match f.named(t).next() {
                Some(l) => super::facts::declared_type(f, l),
                None => t,
            };
            if t.contains("ArgMax") || t.contains("ArgMin") {
                Op::ArgBest
            } else if t.contains("plus") || t.contains("Sum") {
                Op::Sum
            } else if t.contains("greater") || t.contains("Max") {
                Op::Max
            } else if t.contains("less") || t.contains("Min") {
                Op::Min
            } else {
                // A user functor: judge it by the helper of that name, if it is in this file.
                helper_op(f, t)
            }
        };
        let lib = if c.name == "reduce" && !expr::is_method(c.site.node) && args.len() == 3 {
            Some((
                op_of(src.text(args[2])),
                "cooperative_groups::reduce".to_string(),
            ))
        } else if matches!(fam, "reduce_add" | "reduce_max" | "reduce_min") {
            let op = op_of(&fam.replace("reduce_add", "Sum").replace("reduce_", ""));
            Some((op, c.name.to_string()))
        } else if recv.contains("Reduce") && matches!(c.name, "Sum" | "Reduce") {
            let t = args.get(1).map_or("Sum", |a| src.text(*a));
            Some((op_of(t), format!("CUB {}", c.name)))
        } else if recv.contains("Reduce") && matches!(c.name, "ArgMax" | "ArgMin") {
            Some((Op::ArgBest, format!("CUB {}", c.name)))
        } else {
            None
        };
        if let Some((op, how)) = lib {
            // A library selection inside a counted loop is repeated: top-k by k rounds.
            let repeated = op == Op::ArgBest
                && f.enclosing(&c.site)
                    .next()
                    .is_some_and(|l| step(f, l) == Step::Unit);
            trees.push(Tree {
                ev: Ev::new(&c.site, how),
                op,
                repeated,
            });
        }
        let lib_scan = (recv.contains("Scan")
            && matches!(
                c.name,
                "InclusiveSum" | "ExclusiveSum" | "InclusiveScan" | "ExclusiveScan"
            ))
            || matches!(c.name, "inclusive_scan" | "exclusive_scan");
        if lib_scan {
            scan.get_or_insert(Ev::new(&c.site, c.name));
        }
    }
    (trees, scan)
}

/// The combining operation of a helper used as a reduction functor.
fn helper_op(f: &Facts, name: &str) -> Op {
    let Some(h) = f.scopes.iter().position(|s| *s == Some(name)) else {
        return Op::Other;
    };
    let fams: Vec<&str> = f
        .calls
        .iter()
        .filter(|c| c.site.scope as usize == h)
        .map(|c| family(c.name))
        .collect();
    let selects = f.conds.iter().any(|c| c.scope as usize == h);
    match (
        fams.contains(&"exp"),
        fams.contains(&"max") || selects,
        fams.contains(&"min"),
    ) {
        (true, true, _) => Op::Online,
        (false, true, _) => Op::Max,
        (false, false, true) => Op::Min,
        _ => Op::Other,
    }
}

fn is_store(s: &Site) -> bool {
    s.node.parent().is_some_and(|p| {
        p.kind_name() == "assignment_expression" && p.field("left") == Some(s.node)
    })
}

/// How the statements inside a tree loop combine values.
fn loop_op(f: &Facts, l: &Loop, helpers: &[u16], bests: &[Best]) -> Op {
    if bests
        .iter()
        .any(|b| b.with_index && ev_inside(&b.ev, l, helpers))
    {
        return Op::ArgBest;
    }
    let fams: Vec<&str> = f
        .calls
        .iter()
        .filter(|c| inside(&c.site, l, helpers))
        .map(|c| family(c.name))
        .collect();
    let has = |x: &str| fams.contains(&x);
    if has("exp") && has("max") {
        return Op::Online;
    }
    if has("max") {
        return Op::Max;
    }
    if has("min") {
        return Op::Min;
    }
    if bests.iter().any(|b| ev_inside(&b.ev, l, helpers)) {
        return Op::Max;
    }
    Op::Sum
}

fn ev_inside(e: &Ev, l: &Loop, helpers: &[u16]) -> bool {
    (e.scope == l.site.scope && e.at >= l.site.node.start_byte() && e.at < l.site.node.end_byte())
        || helpers.contains(&e.scope)
}

/// Was the local `name` declared before loop `l` (so it carries values across iterations)?
pub fn accumulator(f: &Facts, name: &str, l: &Loop, scope: u16) -> bool {
    f.named(name).any(|x| {
        x.site.scope == scope
            && !(x.param && x.pointer)
            && (x.param || x.site.node.start_byte() < l.site.node.start_byte())
    })
}

/// The variable an assignment's left side writes (`a`, `a.x`, `a[i]`).
pub fn target<'t>(src: Src<'t>, a: Node<'t>) -> Option<&'t str> {
    let mut n = a.field("left")?;
    for _ in 0..expr::MAX_DEPTH {
        n = expr::unparen(n);
        match n.kind_name() {
            "identifier" => return Some(src.text(n)),
            "field_expression" | "subscript_expression" => n = n.field("argument")?,
            _ => return None,
        }
    }
    None
}
