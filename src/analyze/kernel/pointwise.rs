//! Pointwise kernels recognised by what they compute, not how it is spelled: the value stored
//! per element is lowered to a small scalar expression of the loaded element(s) and the scalar
//! parameters — through single-assignment locals, `if`-assignments, ternaries, conversions and
//! the `__device__` helpers the kernel calls — and evaluated at sample points against reference
//! functions. `0.5f * tanhf(0.5f * x) + 0.5f` is a sigmoid whatever the form.

use super::expr;
use super::facts::{Facts, Local};
use super::staging::Staging;
use super::values::{Space, Values};
use crate::flat::Node;
use crate::parse::NodeExt;
use std::collections::HashMap;

/// A scalar expression of the kernel's inputs.
#[derive(Clone, Debug)]
enum Expr {
    Const(f64),
    /// The n-th distinct loaded buffer.
    Input(usize),
    /// The n-th scalar parameter of the kernel.
    Param(usize),
    Unary(Fun, Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Select(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug)]
enum Fun {
    Neg,
    Not,
    Exp,
    Exp2,
    Log,
    Log1p,
    Sqrt,
    Rsqrt,
    Tanh,
    Erf,
    Abs,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
    Pow,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl Expr {
    fn eval(&self, inputs: &[f64], params: &[f64]) -> f64 {
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        match self {
            Expr::Const(c) => *c,
            Expr::Input(i) => inputs[*i],
            Expr::Param(i) => params[*i],
            Expr::Unary(f, a) => {
                let a = a.eval(inputs, params);
                match f {
                    Fun::Neg => -a,
                    Fun::Not => b(a == 0.0),
                    Fun::Exp => a.exp(),
                    Fun::Exp2 => a.exp2(),
                    Fun::Log => a.ln(),
                    Fun::Log1p => a.ln_1p(),
                    Fun::Sqrt => a.sqrt(),
                    Fun::Rsqrt => 1.0 / a.sqrt(),
                    Fun::Tanh => a.tanh(),
                    Fun::Erf => erf(a),
                    Fun::Abs => a.abs(),
                }
            }
            Expr::Binary(op, l, r) => {
                let (l, r) = (l.eval(inputs, params), r.eval(inputs, params));
                match op {
                    Op::Add => l + r,
                    Op::Sub => l - r,
                    Op::Mul => l * r,
                    Op::Div => l / r,
                    Op::Max => l.max(r),
                    Op::Min => l.min(r),
                    Op::Pow => l.powf(r),
                    Op::Lt => b(l < r),
                    Op::Gt => b(l > r),
                    Op::Le => b(l <= r),
                    Op::Ge => b(l >= r),
                    Op::Eq => b(l == r),
                    Op::Ne => b(l != r),
                    Op::And => b(l != 0.0 && r != 0.0),
                    Op::Or => b(l != 0.0 || r != 0.0),
                }
            }
            Expr::Select(c, a, e) => {
                if c.eval(inputs, params) != 0.0 {
                    a.eval(inputs, params)
                } else {
                    e.eval(inputs, params)
                }
            }
        }
    }

    /// The literal constants in the expression (candidates for a reference's parameters).
    fn constants(&self, out: &mut Vec<f64>) {
        match self {
            Expr::Const(c) => out.push(*c),
            Expr::Input(_) | Expr::Param(_) => {}
            Expr::Unary(_, a) => a.constants(out),
            Expr::Binary(_, l, r) => {
                l.constants(out);
                r.constants(out);
            }
            Expr::Select(c, a, e) => {
                c.constants(out);
                a.constants(out);
                e.constants(out);
            }
        }
    }
}

/// Abramowitz–Stegun 7.1.26 is too coarse to tell GELU forms apart; this series/continued
/// fraction pair is accurate to ~1e-12, enough for sample comparisons.
fn erf(x: f64) -> f64 {
    if x.abs() < 2.5 {
        // Maclaurin series.
        let mut sum = x;
        let mut term = x;
        for n in 1..60 {
            term *= -x * x / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    } else {
        // erfc continued fraction (Lentz), for |x| ≥ 2.5.
        let ax = x.abs();
        let mut f = 0.0;
        for k in (1..60).rev() {
            f = (k as f64 / 2.0) / (ax + f);
        }
        let erfc = (-ax * ax).exp() / (std::f64::consts::PI.sqrt() * (ax + f));
        (1.0 - erfc).copysign(x)
    }
}

/// What the value stored per element was recognised as.
pub struct Recognised {
    pub id: &'static str,
    pub what: String,
    /// Where the store is (byte offset), for the evidence line.
    pub at: usize,
}

/// Lower the kernel's per-element store and compare it with the reference functions.
pub fn recognise(f: &Facts, v: &Values) -> Option<Recognised> {
    let staging = Staging::find(f, v);
    let mut stores: Vec<Node> = f
        .assigns
        .iter()
        .filter(|a| a.scope == 0)
        .filter(|a| {
            super::features::store_base(f, v, a.node).is_some_and(|(_, b)| b.space == Space::Global)
        })
        .map(|a| a.node)
        .collect();
    let mut index = None;
    if stores.is_empty() {
        // Vectorised access: the per-element value goes into a per-thread array that is then
        // written to global memory whole (`buf[j] = f(buf[j]); store_global(y + off, buf)`).
        stores = f
            .assigns
            .iter()
            .filter(|a| a.scope == 0)
            .map(|a| a.node)
            .filter(|a| {
                a.field("left")
                    .filter(|l| l.kind_name() == "subscript_expression")
                    .and_then(|l| staging.out_key(f, v, l))
                    .is_some()
            })
            .collect();
        let left = stores.first()?.field("left")?;
        index = staging.out_key(f, v, left);
    }
    let first = *stores.first()?;
    if stores.len() > 4 {
        return None;
    }
    let index = match index {
        Some(i) => i,
        None => store_index(f, v, super::features::store_base(f, v, first)?.0),
    };
    let mut l = Lowering {
        f,
        v,
        index,
        params: scalar_params(f),
        inputs: Vec::new(),
        staging,
        budget: 400,
    };
    let value = if stores.len() == 1 {
        l.store_value(first, &HashMap::new())?
    } else {
        // Stores in the branches of one `if`/`else` chain: `if (x < lo) y[i] = lo; else …`.
        let chain = ancestors(first).find(|n| {
            n.kind_name() == "if_statement" && stores.iter().all(|s| expr::within(*s, *n))
        })?;
        l.statement_value(chain, &HashMap::new())?
    };
    let (id, what) = classify(&value, &l.inputs, l.params.len())?;
    Some(Recognised {
        id,
        what,
        at: first.start_byte(),
    })
}

/// One loaded buffer: its name and whether it is read at the store's own index.
#[derive(Clone, Debug)]
struct Input {
    name: String,
    same_index: bool,
}

struct Lowering<'a, 't> {
    f: &'a Facts<'t>,
    v: &'a Values,
    index: String,
    /// The kernel's scalar (non-pointer, non-integer) parameters, in order: `Expr::Param` indices.
    params: Vec<&'t str>,
    inputs: Vec<Input>,
    staging: Staging<'t>,
    /// Nodes lowered at most: a huge unrolled body is not a pointwise function.
    budget: usize,
}

type Env = HashMap<String, Expr>;

/// The condition of an `if` (C++ wraps it in a `condition_clause`).
fn condition(if_stmt: Node) -> Option<Node> {
    let c = if_stmt.field("condition")?;
    match c.kind_name() {
        "condition_clause" => c.field("value").or_else(|| c.named_child(0)),
        _ => Some(c),
    }
}

fn ancestors(n: Node) -> impl Iterator<Item = Node> {
    let mut cur = n.parent();
    std::iter::from_fn(move || {
        let n = cur?;
        cur = n.parent();
        Some(n)
    })
}

/// The index of a store or load, as text through single-assignment index locals.
fn store_index(f: &Facts, v: &Values, access: Node) -> String {
    match access.kind_name() {
        "subscript_expression" => v.index_key(f, access),
        _ => f.src.key(access),
    }
}

fn scalar_params<'t>(f: &Facts<'t>) -> Vec<&'t str> {
    f.locals
        .iter()
        .filter(|l| l.site.scope == 0 && l.param && !l.pointer && !l.int_like)
        .map(|l| l.name)
        .collect()
}

impl<'t> Lowering<'_, 't> {
    fn spend(&mut self) -> Option<()> {
        self.budget = self.budget.checked_sub(1)?;
        Some(())
    }

    /// The value an assignment statement stores (`y[i] = e`, `y[i] += e`).
    fn store_value(&mut self, assign: Node<'t>, env: &Env) -> Option<Expr> {
        let right = assign.field("right")?;
        let value = self.lower(right, env, 0, 0)?;
        let op = assign.field("operator").map(|o| self.f.src.text(o))?;
        let op = match op {
            "=" => return Some(value),
            "+=" => Op::Add,
            "-=" => Op::Sub,
            "*=" => Op::Mul,
            "/=" => Op::Div,
            _ => return None,
        };
        let old = self.load(assign.field("left")?)?;
        Some(Expr::Binary(op, Box::new(old), Box::new(value)))
    }

    /// The value a statement of an `if` chain stores.
    fn statement_value(&mut self, stmt: Node<'t>, env: &Env) -> Option<Expr> {
        self.spend()?;
        match stmt.kind_name() {
            "if_statement" => {
                let cond = self.lower(condition(stmt)?, env, 0, 0)?;
                let then = self.statement_value(stmt.field("consequence")?, env)?;
                let alt = stmt.field("alternative")?;
                let alt = match alt.kind_name() {
                    "else_clause" => alt.named_child(0)?,
                    _ => alt,
                };
                let other = self.statement_value(alt, env)?;
                Some(Expr::Select(
                    Box::new(cond),
                    Box::new(then),
                    Box::new(other),
                ))
            }
            "compound_statement" => {
                let inner: Vec<Node> = stmt
                    .named_children()
                    .filter(|n| n.kind_name() != "comment")
                    .collect();
                match inner.as_slice() {
                    [one] => self.statement_value(*one, env),
                    _ => None,
                }
            }
            "expression_statement" => {
                let e = expr::unparen(stmt.named_child(0)?);
                (e.kind_name() == "assignment_expression").then_some(())?;
                self.store_value(e, env)
            }
            _ => None,
        }
    }

    /// A load `p[j]`, `*p`, `__ldg(&p[j])` as an input.
    fn load(&mut self, n: Node<'t>) -> Option<Expr> {
        let base = self.v.base(self.f, n)?;
        let staged = (base.space == Space::Local && n.kind_name() == "subscript_expression")
            .then(|| self.staging.in_key(self.f, self.v, n))
            .flatten();
        let (name, same_index) = match staged {
            Some((buf, key)) => (buf.to_string(), key == self.index),
            None => {
                if base.space != Space::Global || base.data_dependent {
                    return None;
                }
                if n.kind_name() == "subscript_expression" && self.v.data_dependent(self.f, n) {
                    return None;
                }
                let same = store_index(self.f, self.v, n) == self.index;
                (base.name.to_string(), same)
            }
        };
        let pos = match self.inputs.iter().position(|i| i.name == name) {
            Some(p) => {
                self.inputs[p].same_index &= same_index;
                p
            }
            None => {
                self.inputs.push(Input { name, same_index });
                self.inputs.len() - 1
            }
        };
        Some(Expr::Input(pos))
    }

    fn lower(&mut self, n: Node<'t>, env: &Env, scope: u16, depth: usize) -> Option<Expr> {
        self.spend()?;
        if depth > expr::MAX_DEPTH {
            return None;
        }
        let src = self.f.src;
        let n = expr::unparen(n);
        let d = depth + 1;
        match n.kind_name() {
            "number_literal" => expr::number(src, n).map(Expr::Const),
            "true" => Some(Expr::Const(1.0)),
            "false" => Some(Expr::Const(0.0)),
            "identifier" => self.name(n, env, scope, d),
            "subscript_expression" => self.load(n),
            "pointer_expression" => match n.child(0).map(|o| o.kind_name()) {
                Some("*") => self.load(n),
                _ => None,
            },
            "cast_expression" => self.lower(n.field("value")?, env, scope, d),
            "unary_expression" => {
                let a = self.lower(n.field("argument")?, env, scope, d)?;
                match n.field("operator").map(|o| src.text(o))? {
                    "-" => Some(Expr::Unary(Fun::Neg, Box::new(a))),
                    "+" => Some(a),
                    "!" => Some(Expr::Unary(Fun::Not, Box::new(a))),
                    _ => None,
                }
            }
            "binary_expression" => {
                let op = match expr::binop(src, n)? {
                    "+" => Op::Add,
                    "-" => Op::Sub,
                    "*" => Op::Mul,
                    "/" => Op::Div,
                    "<" => Op::Lt,
                    ">" => Op::Gt,
                    "<=" => Op::Le,
                    ">=" => Op::Ge,
                    "==" => Op::Eq,
                    "!=" => Op::Ne,
                    "&&" => Op::And,
                    "||" => Op::Or,
                    _ => return None,
                };
                let l = self.lower(expr::lhs(n)?, env, scope, d)?;
                let r = self.lower(expr::rhs(n)?, env, scope, d)?;
                Some(Expr::Binary(op, Box::new(l), Box::new(r)))
            }
            "conditional_expression" => {
                let c = self.lower(n.field("condition")?, env, scope, d)?;
                let a = self.lower(n.field("consequence")?, env, scope, d)?;
                let b = self.lower(n.field("alternative")?, env, scope, d)?;
                Some(Expr::Select(Box::new(c), Box::new(a), Box::new(b)))
            }
            "call_expression" => self.call(n, env, scope, d),
            _ => None,
        }
    }

    /// A name: a helper's parameter, a local (through its assignments), or a scalar parameter.
    fn name(&mut self, n: Node<'t>, env: &Env, scope: u16, d: usize) -> Option<Expr> {
        let name = self.f.src.text(n);
        if let Some(e) = env.get(name) {
            return Some(e.clone());
        }
        let at = n.start_byte();
        let local = self
            .f
            .named(name)
            .filter(|l| l.site.scope == scope && l.site.node.start_byte() <= at)
            .max_by_key(|l| l.site.node.start_byte())?;
        if local.pointer || local.array || local.shared {
            return None;
        }
        if local.param {
            if scope != 0 || local.int_like {
                return None;
            }
            let i = self.params.iter().position(|p| *p == name)?;
            return Some(Expr::Param(i));
        }
        let init = local.init?;
        let mut value = self.lower(init, env, scope, d)?;
        if !self.v.reassigned(name) {
            return Some(value);
        }
        // `float v = x[i]; if (v < 0) v = 0;`: replay the assignments before this use.
        let decl_at = local.site.node.start_byte();
        let mut writes: Vec<Node> = self
            .f
            .assigns
            .iter()
            .filter(|a| a.scope == scope)
            .map(|a| a.node)
            .filter(|a| {
                a.start_byte() > decl_at
                    && a.end_byte() <= at
                    && a.field("left").is_some_and(|l| {
                        l.kind_name() == "identifier" && self.f.src.text(l) == name
                    })
            })
            .collect();
        writes.sort_by_key(|a| a.start_byte());
        if self.f.incs.iter().any(|i| {
            i.node.start_byte() > decl_at
                && i.node.end_byte() <= at
                && i.node
                    .field("argument")
                    .is_some_and(|x| self.f.src.text(x) == name)
        }) {
            return None;
        }
        for w in writes {
            let mut inner = env.clone();
            inner.insert(name.to_string(), value.clone());
            let mut step = {
                let right = self.lower(w.field("right")?, &inner, scope, d)?;
                let op = w.field("operator").map(|o| self.f.src.text(o))?;
                let fun = match op {
                    "=" => None,
                    "+=" => Some(Op::Add),
                    "-=" => Some(Op::Sub),
                    "*=" => Some(Op::Mul),
                    "/=" => Some(Op::Div),
                    _ => return None,
                };
                match fun {
                    None => right,
                    Some(o) => Expr::Binary(o, Box::new(value.clone()), Box::new(right)),
                }
            };
            // Conditional writes: `if (c) v = e;` without an else.
            let stmt = w.parent()?;
            let mut owner = stmt.parent()?;
            if owner.kind_name() == "compound_statement" {
                if owner.named_children().count() != 1 {
                    return None;
                }
                owner = owner.parent()?;
            }
            match owner.kind_name() {
                "if_statement" => {
                    if owner.field("alternative").is_some() {
                        return None;
                    }
                    let cond = self.lower(condition(owner)?, &inner, scope, d)?;
                    step = Expr::Select(Box::new(cond), Box::new(step), Box::new(value));
                }
                "compound_statement" | "function_definition" => {}
                // Writes in loops or other statements are not a per-element function.
                _ => return None,
            }
            value = step;
        }
        Some(value)
    }

    /// Math functions by name, conversions, and the kernel's `__device__` helpers.
    fn call(&mut self, n: Node<'t>, env: &Env, scope: u16, d: usize) -> Option<Expr> {
        let src = self.f.src;
        let name = expr::callee(src, n)?;
        let args = expr::args(n);
        if expr::is_conversion(src, n) || name.ends_with("_cast") {
            return self.lower(*args.first()?, env, scope, d);
        }
        // Loads through intrinsics: `__ldg(&x[i])`, `__ldcs(x + i)`.
        if matches!(
            name,
            "__ldg" | "__ldcs" | "__ldcg" | "__ldca" | "__ldlu" | "__ldcv"
        ) {
            let a = expr::unparen(*args.first()?);
            let target = match a.kind_name() {
                "pointer_expression" if a.child(0).is_some_and(|o| o.kind_name() == "&") => {
                    a.field("argument")?
                }
                _ => a,
            };
            return self.load(target);
        }
        let plain = name
            .rsplit("::")
            .next()
            .unwrap_or(name)
            .trim_start_matches('_');
        let unary = |f: Fun| Some(f);
        let fun = match plain {
            "expf" | "exp" | "hexp" => unary(Fun::Exp),
            "exp2f" | "exp2" => unary(Fun::Exp2),
            "logf" | "log" | "hlog" => unary(Fun::Log),
            "log1pf" | "log1p" => unary(Fun::Log1p),
            "sqrtf" | "sqrt" | "hsqrt" => unary(Fun::Sqrt),
            "rsqrtf" | "rsqrt" | "hrsqrt" => unary(Fun::Rsqrt),
            "tanhf" | "tanh" => unary(Fun::Tanh),
            "erff" | "erf" => unary(Fun::Erf),
            "fabsf" | "fabs" | "abs" | "habs" => unary(Fun::Abs),
            _ => None,
        };
        if let (Some(fun), [a]) = (fun, args.as_slice()) {
            let a = self.lower(*a, env, scope, d)?;
            return Some(Expr::Unary(fun, Box::new(a)));
        }
        let binary = match plain {
            "fmaxf" | "fmax" | "max" | "hmax" => Some(Op::Max),
            "fminf" | "fmin" | "min" | "hmin" => Some(Op::Min),
            "powf" | "pow" => Some(Op::Pow),
            "fdividef" | "fdiv_rn" => Some(Op::Div),
            "fmul_rn" | "hmul" => Some(Op::Mul),
            "fadd_rn" | "hadd" => Some(Op::Add),
            "hsub" => Some(Op::Sub),
            _ => None,
        };
        if let (Some(op), [a, b]) = (binary, args.as_slice()) {
            let a = self.lower(*a, env, scope, d)?;
            let b = self.lower(*b, env, scope, d)?;
            return Some(Expr::Binary(op, Box::new(a), Box::new(b)));
        }
        if matches!(plain, "fmaf" | "fma" | "hfma") && args.len() == 3 {
            let a = self.lower(args[0], env, scope, d)?;
            let b = self.lower(args[1], env, scope, d)?;
            let c = self.lower(args[2], env, scope, d)?;
            let ab = Expr::Binary(Op::Mul, Box::new(a), Box::new(b));
            return Some(Expr::Binary(Op::Add, Box::new(ab), Box::new(c)));
        }
        self.helper(n, &args, env, scope, d)
    }

    /// A `__device__` helper whose body is `return e;` (after single-assignment locals).
    fn helper(
        &mut self,
        n: Node<'t>,
        args: &[Node<'t>],
        env: &Env,
        scope: u16,
        d: usize,
    ) -> Option<Expr> {
        let f = self.f;
        let hs = f
            .calls
            .iter()
            .find(|c| c.site.node == n)
            .and_then(|c| c.helper)?;
        let body = (*f.bodies.get(hs as usize)?)?;
        let params: Vec<&Local> = {
            let mut p: Vec<&Local> = f
                .locals
                .iter()
                .filter(|l| l.site.scope == hs && l.param)
                .collect();
            p.sort_by_key(|l| l.site.node.start_byte());
            p
        };
        if params.len() != args.len() {
            return None;
        }
        let mut inner = Env::new();
        for (p, a) in params.iter().zip(args) {
            inner.insert(p.name.to_string(), self.lower(*a, env, scope, d)?);
        }
        let returns: Vec<Node> = body
            .named_children()
            .filter(|s| s.kind_name() == "return_statement")
            .collect();
        let [ret] = returns.as_slice() else {
            return None;
        };
        let value = ret.named_child(0)?;
        self.lower(value, &inner, hs, d)
    }
}

/// How many points each reference is compared at.
pub const SAMPLES: usize = XS.len();

/// Sample values of the loaded element(s): both signs, near zero, and beyond the knees of the
/// usual activations.
const XS: [f64; 14] = [
    -3.1, -2.0, -1.3, -0.7, -0.25, -0.05, 0.05, 0.3, 0.8, 1.4, 2.2, 3.3, 4.7, 6.5,
];
const YS: [f64; 14] = [
    1.9, -0.6, 2.7, 0.45, -1.8, 3.6, -0.35, 1.1, -2.4, 0.15, -0.9, 2.05, -3.3, 0.7,
];
/// Values given to the kernel's scalar parameters: one increasing set and one decreasing, so
/// that a `(lo, hi)` or a `(hi, lo)` parameter order both get a sensible range.
/// A third set of large values covers stability cutoffs (`x >= threshold ? x : mish(x)`).
const PARAM_SETS: [[f64; 6]; 3] = [
    [0.13, 0.61, 1.7, 2.9, 4.3, 5.9],
    [2.9, 0.61, 0.13, 4.3, 1.7, 5.9],
    [20.0, 30.0, 40.0, 50.0, 60.0, 70.0],
];

type Reference = (&'static str, &'static str, usize, fn(f64, f64, f64) -> f64);

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

/// One-input references: (pattern id, what, how many parameters, f(x, a, b)).
const UNARY: &[Reference] = &[
    ("elementwise:relu", "ReLU max(x, 0)", 0, |x, _, _| {
        x.max(0.0)
    }),
    ("elementwise:sigmoid", "sigmoid 1/(1+e^-x)", 0, |x, _, _| {
        sigmoid(x)
    }),
    ("elementwise:silu", "SiLU x·sigmoid(x)", 0, |x, _, _| {
        x * sigmoid(x)
    }),
    ("elementwise:tanh", "tanh", 0, |x, _, _| x.tanh()),
    ("elementwise:gelu", "GELU (erf form)", 0, |x, _, _| {
        0.5 * x * (1.0 + erf(x / std::f64::consts::SQRT_2))
    }),
    (
        "elementwise:gelu",
        "GELU (tanh approximation)",
        0,
        |x, _, _| {
            let k = (2.0 / std::f64::consts::PI).sqrt();
            0.5 * x * (1.0 + (k * (x + 0.044715 * x * x * x)).tanh())
        },
    ),
    (
        "elementwise:mish",
        "Mish x·tanh(softplus(x))",
        0,
        |x, _, _| x * softplus(x).tanh(),
    ),
    (
        "elementwise:softplus",
        "softplus log(1+e^x)",
        0,
        |x, _, _| softplus(x),
    ),
    (
        "elementwise:hardsigmoid",
        "hard sigmoid clamp(x/6+1/2, 0, 1)",
        0,
        |x, _, _| (x / 6.0 + 0.5).clamp(0.0, 1.0),
    ),
    (
        "elementwise:hardswish",
        "hard swish x·clamp(x/6+1/2, 0, 1)",
        0,
        |x, _, _| x * (x / 6.0 + 0.5).clamp(0.0, 1.0),
    ),
    ("elementwise:exp", "exp", 0, |x, _, _| x.exp()),
    ("elementwise:log", "natural log", 0, |x, _, _| x.ln()),
    ("elementwise:sqrt", "square root", 0, |x, _, _| x.sqrt()),
    (
        "elementwise:rsqrt",
        "reciprocal square root",
        0,
        |x, _, _| 1.0 / x.sqrt(),
    ),
    ("elementwise:abs", "absolute value", 0, |x, _, _| x.abs()),
    (
        "elementwise:leaky_relu",
        "leaky ReLU x>0 ? x : a·x",
        1,
        |x, a, _| {
            if x > 0.0 {
                x
            } else {
                a * x
            }
        },
    ),
    (
        "elementwise:elu",
        "ELU x>0 ? x : a·(e^x−1)",
        1,
        |x, a, _| {
            if x > 0.0 {
                x
            } else {
                a * x.exp_m1()
            }
        },
    ),
    ("elementwise:clamp", "clamp to [a, b]", 2, |x, a, b| {
        x.max(a).min(b)
    }),
    ("elementwise:sub", "a − x", 1, |x, a, _| a - x),
    ("elementwise:scale", "a·x", 1, |x, a, _| a * x),
    ("elementwise:scale", "a·x + b", 2, |x, a, b| a * x + b),
];

/// Two-input references: (pattern id, what, parameters, f(x, y, a)).
const BINARY: &[Reference] = &[
    ("elementwise:add", "x + y", 0, |x, y, _| x + y),
    ("elementwise:sub", "x − y", 0, |x, y, _| x - y),
    ("elementwise:sub", "y − x", 0, |x, y, _| y - x),
    ("elementwise:mul", "x · y", 0, |x, y, _| x * y),
    ("elementwise:div", "x / y", 0, |x, y, _| x / y),
    ("elementwise:div", "y / x", 0, |x, y, _| y / x),
    ("elementwise:axpy", "a·x + y", 1, |x, y, a| a * x + y),
    ("elementwise:axpy", "x + a·y", 1, |x, y, a| x + a * y),
    // A descent step, `w -= lr * g`: axpy with alpha = −a.
    ("elementwise:axpy", "y − a·x", 1, |x, y, a| y - a * x),
    ("elementwise:axpy", "x − a·y", 1, |x, y, a| x - a * y),
];

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= 1e-4 * (1.0 + b.abs())
}

/// Match the lowered value against the references.
fn classify(value: &Expr, inputs: &[Input], n_params: usize) -> Option<(&'static str, String)> {
    if inputs.is_empty() || inputs.len() > 2 || n_params > PARAM_SETS[0].len() {
        return None;
    }
    let mut consts = Vec::new();
    value.constants(&mut consts);
    for set in PARAM_SETS {
        let params = &set[..n_params];
        // Candidates for a reference's parameters: the kernel's parameters and literals.
        let mut cands: Vec<f64> = params.to_vec();
        cands.extend(consts.iter().copied().filter(|c| c.is_finite()));
        cands.dedup();
        cands.truncate(10);
        let eval = |x: f64, y: f64| value.eval(&[x, y][..inputs.len()], params);
        let same = |r: &dyn Fn(f64, f64) -> f64| {
            let mut finite = 0;
            for (x, y) in XS.iter().zip(YS) {
                let (got, want) = (eval(*x, y), r(*x, y));
                if !close(got, want) {
                    return false;
                }
                finite += got.is_finite() as usize;
            }
            finite >= 6
        };
        // A plain copy or cast is data movement, not math; a constant is no function of x.
        if same(&|x, _| x) {
            return None;
        }
        let first = eval(XS[0], YS[0]);
        if XS.iter().zip(YS).all(|(x, y)| close(eval(*x, y), first)) {
            continue;
        }
        // An activation of a broadcast sum (`relu(x + bias[col])`): the activation is the op
        // (a fused bias add in front of it).
        if inputs.len() == 2 && inputs.iter().any(|i| !i.same_index) {
            for &(id, what, _, f) in UNARY.iter().filter(|r| r.2 == 0) {
                if same(&|x, y| f(x + y, 0.0, 0.0)) {
                    return Some((id, format!("{what} after a broadcast bias add")));
                }
            }
        }
        let refs = if inputs.len() == 1 { UNARY } else { BINARY };
        for &(id, what, arity, f) in refs {
            let found = match arity {
                0 => same(&|x, y| {
                    if inputs.len() == 1 {
                        f(x, 0.0, 0.0)
                    } else {
                        f(x, y, 0.0)
                    }
                }),
                1 => cands.iter().any(|&a| {
                    same(&|x, y| {
                        if inputs.len() == 1 {
                            f(x, a, 0.0)
                        } else {
                            f(x, y, a)
                        }
                    })
                }),
                _ => cands
                    .iter()
                    .any(|&a| cands.iter().any(|&b| a != b && same(&|x, _| f(x, a, b)))),
            };
            if found {
                let mut id = id;
                if id == "elementwise:add" && inputs.iter().any(|i| !i.same_index) {
                    id = "elementwise:bias_add";
                }
                return Some((id, what.to_string()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.5) - 0.520_499_877_813_046_5).abs() < 1e-9);
        assert!((erf(-1.0) + 0.842_700_792_949_714_9).abs() < 1e-9);
        assert!((erf(3.0) - 0.999_977_909_503_001_4).abs() < 1e-9);
    }

    fn x() -> Box<Expr> {
        Box::new(Expr::Input(0))
    }
    fn c(v: f64) -> Box<Expr> {
        Box::new(Expr::Const(v))
    }
    fn one_input() -> Vec<Input> {
        vec![Input {
            name: "x".into(),
            same_index: true,
        }]
    }

    #[test]
    fn a_tanh_form_of_the_sigmoid_is_a_sigmoid() {
        // 0.5 * tanh(0.5 * x) + 0.5
        let e = Expr::Binary(
            Op::Add,
            Box::new(Expr::Binary(
                Op::Mul,
                c(0.5),
                Box::new(Expr::Unary(
                    Fun::Tanh,
                    Box::new(Expr::Binary(Op::Mul, c(0.5), x())),
                )),
            )),
            c(0.5),
        );
        let (id, _) = classify(&e, &one_input(), 0).unwrap();
        assert_eq!(id, "elementwise:sigmoid");
    }

    #[test]
    fn relu_written_with_a_comparison_is_relu_and_a_copy_is_nothing() {
        let e = Expr::Select(Box::new(Expr::Binary(Op::Lt, x(), c(0.0))), c(0.0), x());
        assert_eq!(classify(&e, &one_input(), 0).unwrap().0, "elementwise:relu");
        assert!(classify(&Expr::Input(0), &one_input(), 0).is_none());
    }

    #[test]
    fn clamp_takes_its_bounds_from_parameters_in_either_order() {
        // x < p1 ? p1 : (x > p0 ? p0 : x)  with (max, min) parameter order.
        let p = |i| Box::new(Expr::Param(i));
        let e = Expr::Select(
            Box::new(Expr::Binary(Op::Lt, x(), p(1))),
            p(1),
            Box::new(Expr::Select(
                Box::new(Expr::Binary(Op::Gt, x(), p(0))),
                p(0),
                x(),
            )),
        );
        assert_eq!(
            classify(&e, &one_input(), 2).unwrap().0,
            "elementwise:clamp"
        );
    }
}
