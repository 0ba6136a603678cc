//! Small helpers over expression nodes. Every loop here is bounded (by `MAX_DEPTH` or a node
//! budget), so a pathological 10,000-deep expression costs a constant amount and never recurses.

use crate::flat::Node;
use crate::parse::NodeExt;

/// How far helpers look through parentheses, casts and operator chains.
pub const MAX_DEPTH: usize = 32;
/// How many nodes a subtree search visits at most.
const WALK_BUDGET: usize = 4096;

/// Where the helpers lent from other files sit (`helpers.rs`): their tree is parsed as if its
/// text started at this offset, past the end of any file a scan reads (tree-sitter offsets are
/// 32-bit), so a kernel's nodes and its lent helpers' nodes never share an offset.
pub const LENT_BASE: usize = 1 << 31;

/// The source bytes the trees were parsed from: the kernel's file, and the lent helpers.
#[derive(Clone, Copy)]
pub struct Src<'t> {
    file: &'t [u8],
    lent: &'t [u8],
}

impl<'t> Src<'t> {
    /// A file's bytes, nothing lent.
    pub fn new(file: &'t [u8]) -> Self {
        Src { file, lent: &[] }
    }

    /// A file's bytes and the text of the helpers lent to it (nodes from `LENT_BASE` on).
    pub fn with_lent(file: &'t [u8], lent: &'t [u8]) -> Self {
        Src { file, lent }
    }

    pub fn text(self, n: Node) -> &'t str {
        let r = n.byte_range();
        let bytes = if r.start >= LENT_BASE {
            self.lent.get(r.start - LENT_BASE..r.end - LENT_BASE)
        } else {
            self.file.get(r)
        };
        bytes
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// The text without whitespace, to compare two expressions.
    pub fn key(self, n: Node) -> String {
        self.text(n)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }
}

/// Calls that only convert a value (a load stays a load through them).
const CONVERSIONS: &[&str] = &[
    "static_cast",
    "__half2float",
    "__float2half",
    "__float2half_rn",
    "__float2half_rz",
    "__bfloat162float",
    "__float2bfloat16",
    "__float2bfloat16_rn",
    "__int2float_rn",
    "__uint2float_rn",
    "__ll2float_rn",
    "__float2int_rn",
    "__float2int_rz",
    "__float2uint_rn",
    "__double2float_rn",
    "__low2float",
    "__high2float",
    "__int2half_rn",
    "__half2int_rz",
    "__ldg",
    "__ldcs",
    "__ldcg",
    "__ldca",
    "__ldlu",
    "__ldcv",
    "float",
    "double",
    "half",
    "__half",
    "__nv_bfloat16",
];

const PRIMITIVES: &[&str] = &[
    "float", "double", "int", "long", "short", "char", "unsigned", "bool", "size_t",
];

/// The parenthesised expression's content, repeatedly.
pub fn unparen(mut n: Node) -> Node {
    for _ in 0..MAX_DEPTH {
        if n.kind_name() != "parenthesized_expression" {
            break;
        }
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

/// The name a call calls: the last segment of a qualified name, the method of `x.m(…)`.
pub fn callee<'t>(src: Src<'t>, call: Node) -> Option<&'t str> {
    let mut f = call.field("function")?;
    for _ in 0..MAX_DEPTH {
        f = match f.kind_name() {
            "identifier" | "field_identifier" => return Some(src.text(f)),
            "template_function" | "template_method" | "qualified_identifier" => f.field("name")?,
            "field_expression" => f.field("field")?,
            _ => return None,
        };
    }
    None
}

/// Is the callee a method (`x.m(…)`, `x->m(…)`)?
pub fn is_method(call: Node) -> bool {
    call.field("function")
        .is_some_and(|f| f.kind_name() == "field_expression")
}

/// The receiver text of a method call.
pub fn receiver<'t>(src: Src<'t>, call: Node) -> Option<&'t str> {
    let f = call.field("function")?;
    (f.kind_name() == "field_expression")
        .then(|| f.field("argument").map(|a| src.text(a)))
        .flatten()
}

/// The arguments of a call (comments skipped).
pub fn args<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    let Some(list) = call.field("arguments") else {
        return Vec::new();
    };
    list.named_children()
        .filter(|a| a.kind_name() != "comment")
        .collect()
}

fn type_like(name: &str) -> bool {
    name.ends_with("_t")
        || PRIMITIVES.contains(&name)
        || (name.len() <= 3 && name.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// Is this call a value conversion (`static_cast<T>(x)`, `__half2float(x)`, `acc_t(x)`)?
pub fn is_conversion(src: Src, call: Node) -> bool {
    if call.kind_name() != "call_expression" || is_method(call) {
        return false;
    }
    let Some(name) = callee(src, call) else {
        return false;
    };
    let templated_cast = || {
        let lower = name.to_ascii_lowercase();
        let mut f = call.field("function");
        while let Some(q) = f.filter(|q| q.kind_name() == "qualified_identifier") {
            f = q.field("name");
        }
        f.is_some_and(|f| f.kind_name() == "template_function")
            && (lower.contains("cast") || lower.contains("convert") || name == "to")
    };
    (CONVERSIONS.contains(&name) || type_like(name) || templated_cast()) && args(call).len() == 1
}

/// A project's load macro or helper given one address of an element (`VLLM_LDG(&x[i])`,
/// `load_global(&x[i])`): the element it reads. `__ldg` itself is a conversion (below).
fn load_wrapper<'t>(src: Src, call: Node<'t>) -> Option<Node<'t>> {
    if is_method(call) {
        return None;
    }
    let name = callee(src, call)?;
    let lower = name.to_ascii_lowercase();
    let macro_like = name.len() > 2 && !name.contains(|c: char| c.is_ascii_lowercase());
    if name.starts_with("__ld") || !(macro_like || lower.contains("load") || lower.contains("ldg"))
    {
        return None;
    }
    let [a] = args(call)[..] else {
        return None;
    };
    let a = unparen(a);
    let addressed =
        a.kind_name() == "pointer_expression" && a.child(0).is_some_and(|o| o.kind_name() == "&");
    let element = a.field("argument").map(unparen)?;
    (addressed && element.kind_name() == "subscript_expression").then_some(element)
}

/// Strip parentheses, casts, conversion calls and `&x` inside `__ldg(&x)`; says whether a
/// conversion was stripped.
pub fn strip<'t>(src: Src, n: Node<'t>) -> (Node<'t>, bool) {
    let mut n = n;
    let mut converted = false;
    for _ in 0..MAX_DEPTH {
        n = unparen(n);
        match n.kind_name() {
            "cast_expression" => match n.field("value") {
                Some(v) => {
                    converted = true;
                    n = v;
                }
                None => break,
            },
            "call_expression" => {
                if let Some(element) = load_wrapper(src, n) {
                    n = element;
                    continue;
                }
                if !is_conversion(src, n) {
                    break;
                }
                let name = callee(src, n).unwrap_or("");
                let Some(a) = args(n).into_iter().next() else {
                    break;
                };
                if name.starts_with("__ld") {
                    // `__ldg(&x[i])` is the load `x[i]`.
                    n = match a.kind_name() {
                        "pointer_expression" => a.field("argument").unwrap_or(a),
                        _ => a,
                    };
                } else {
                    converted = true;
                    n = a;
                }
            }
            _ => break,
        }
    }
    (n, converted)
}

/// Just the stripped node.
pub fn core<'t>(src: Src, n: Node<'t>) -> Node<'t> {
    strip(src, n).0
}

/// The value of a numeric literal (through casts and a unary minus).
pub fn number(src: Src, n: Node) -> Option<f64> {
    let n = core(src, n);
    match n.kind_name() {
        "number_literal" => {
            let t = src.text(n).to_ascii_lowercase();
            if let Some(h) = t.strip_prefix("0x") {
                let h = h.trim_end_matches(['u', 'l']);
                return u64::from_str_radix(h, 16).ok().map(|v| v as f64);
            }
            t.trim_end_matches(['f', 'u', 'l']).parse::<f64>().ok()
        }
        "unary_expression" => {
            let op = n.field("operator").map(|o| src.text(o));
            let v = number(src, n.field("argument")?)?;
            (op == Some("-")).then_some(-v)
        }
        _ => None,
    }
}

/// A numeric literal (through casts): `0`, `0.0f`, `T(0)`, `(float)1`.
pub fn is_number(src: Src, n: Node) -> bool {
    number(src, n).is_some()
}

pub fn is_zero(src: Src, n: Node) -> bool {
    if number(src, n) == Some(0.0) {
        return true;
    }
    // `make_float4(0.f, 0.f, 0.f, 0.f)` and friends.
    let c = core(src, n);
    c.kind_name() == "call_expression"
        && callee(src, c).is_some_and(|f| f.starts_with("make_"))
        && {
            let a = args(c);
            !a.is_empty() && a.iter().all(|x| number(src, *x) == Some(0.0))
        }
}

pub fn is_one(src: Src, n: Node) -> bool {
    number(src, n) == Some(1.0)
}

/// The operator of a binary expression.
pub fn binop<'t>(src: Src<'t>, n: Node) -> Option<&'t str> {
    (n.kind_name() == "binary_expression")
        .then(|| n.field("operator").map(|o| src.text(o)))
        .flatten()
}

pub fn lhs<'t>(n: Node<'t>) -> Option<Node<'t>> {
    n.field("left")
}

pub fn rhs<'t>(n: Node<'t>) -> Option<Node<'t>> {
    n.field("right")
}

/// Flatten a chain of one associative operator (`a * b * c` → [a, b, c]), looking through
/// parentheses; bounded by `MAX_DEPTH` operands.
pub fn flatten<'t>(src: Src, n: Node<'t>, op: &str) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        let x = unparen(x);
        if out.len() + stack.len() >= MAX_DEPTH {
            out.push(x);
            continue;
        }
        if binop(src, x) == Some(op) {
            if let (Some(l), Some(r)) = (lhs(x), rhs(x)) {
                stack.push(r);
                stack.push(l);
                continue;
            }
        }
        out.push(x);
    }
    out
}

/// Terms of a sum, with `a - b` giving the term `b` marked negative.
pub fn terms<'t>(src: Src, n: Node<'t>) -> Vec<(Node<'t>, bool)> {
    let mut out = Vec::new();
    let mut stack = vec![(n, false)];
    while let Some((x, neg)) = stack.pop() {
        let x = unparen(x);
        let op = binop(src, x);
        if out.len() + stack.len() < MAX_DEPTH && matches!(op, Some("+" | "-")) {
            if let (Some(l), Some(r)) = (lhs(x), rhs(x)) {
                stack.push((r, if op == Some("-") { !neg } else { neg }));
                stack.push((l, neg));
                continue;
            }
        }
        out.push((x, neg));
    }
    out
}

/// Visit a subtree in pre-order (at most `WALK_BUDGET` nodes); `f` returns whether to descend.
pub fn walk<'t>(n: Node<'t>, f: impl FnMut(Node<'t>) -> bool) {
    crate::flat::preorder(n, WALK_BUDGET, f);
}

/// Does the subtree contain a node for which `pred` holds?
pub fn any<'t>(n: Node<'t>, mut pred: impl FnMut(Node<'t>) -> bool) -> bool {
    let mut found = false;
    walk(n, |x| {
        if !found && pred(x) {
            found = true;
        }
        !found
    });
    found
}

/// Does the subtree use the identifier `name`?
pub fn mentions(src: Src, n: Node, name: &str) -> bool {
    any(n, |x| x.kind_name() == "identifier" && src.text(x) == name)
}

/// Is `inner` inside `outer` (byte ranges)?
pub fn within(inner: Node, outer: Node) -> bool {
    inner.start_byte() >= outer.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// Is the node inside a call to one of `names`, at most `MAX_DEPTH` levels up, below `stop`?
pub fn inside_call(src: Src, n: Node, names: &[&str]) -> bool {
    let mut cur = n.parent();
    for _ in 0..MAX_DEPTH {
        let Some(p) = cur else { return false };
        if matches!(
            p.kind_name(),
            "expression_statement" | "declaration" | "compound_statement"
        ) {
            return false;
        }
        if p.kind_name() == "call_expression" && callee(src, p).is_some_and(|c| names.contains(&c))
        {
            return true;
        }
        cur = p.parent();
    }
    false
}
