//! Where values come from: which locals hold loaded data, which pointers alias which parameter
//! or `__shared__` array, and which locals are written after their declaration.

use super::expr;
use super::facts::Facts;
use crate::flat::Node;
use crate::parse::NodeExt;
use std::collections::HashSet;

/// What memory a pointer or array expression addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    /// A pointer parameter (or a file-scope array such as a `__constant__` table).
    Global,
    Shared,
    /// A per-thread array (`float acc[D]`).
    Local,
}

/// The memory a subscript or pointer reads: its space, root name, the alias offset text, and
/// whether the address depends on loaded data (a gather/scatter).
#[derive(Clone, Debug)]
pub struct Base<'t> {
    pub space: Space,
    pub name: &'t str,
    pub offset: String,
    pub data_dependent: bool,
}

/// Provenance of every local of a kernel.
pub struct Values {
    /// Holds loaded data (directly or through arithmetic on loaded values).
    loaded: Vec<bool>,
    /// Holds data loaded from global memory.
    gloaded: Vec<bool>,
    /// Is exactly a load (`v = x[i]`, `v = (float)x[i]`, `v = c ? x[i] : 0`).
    direct: Vec<bool>,
    /// A per-thread array whose elements are only ever set to values computed without loads
    /// (`stride[k] = k * gridDim.x * blockDim.x`): reading it reads no data.
    computed: Vec<bool>,
    reassigned: HashSet<String>,
}

impl Values {
    pub fn new(f: &Facts) -> Values {
        let src = f.src;
        let mut reassigned = HashSet::new();
        let root_name = |mut n: Node| -> Option<String> {
            for _ in 0..expr::MAX_DEPTH {
                n = expr::unparen(n);
                match n.kind_name() {
                    "identifier" => return Some(src.text(n).to_string()),
                    "field_expression" | "subscript_expression" | "pointer_expression" => {
                        n = n.field("argument")?
                    }
                    _ => return None,
                }
            }
            None
        };
        for a in &f.assigns {
            if let Some(name) = a.node.field("left").and_then(root_name) {
                reassigned.insert(name);
            }
        }
        for i in &f.incs {
            if let Some(name) = i.node.field("argument").and_then(root_name) {
                reassigned.insert(name);
            }
        }
        let n = f.locals.len();
        let mut v = Values {
            loaded: vec![false; n],
            gloaded: vec![false; n],
            direct: vec![false; n],
            computed: vec![false; n],
            reassigned,
        };
        // Two passes reach locals defined from later-declared ones in loops; more is rare.
        for _ in 0..2 {
            for (i, l) in f.locals.iter().enumerate() {
                let Some(init) = l.init else { continue };
                if l.pointer {
                    continue;
                }
                v.direct[i] = v.is_direct(f, init);
                v.loaded[i] = v.derived(f, init, false);
                v.gloaded[i] = v.derived(f, init, true);
            }
        }
        for _ in 0..2 {
            for i in 0..n {
                v.computed[i] = computed_array(f, &v, i);
            }
        }
        v
    }

    pub fn reassigned(&self, name: &str) -> bool {
        self.reassigned.contains(name)
    }

    /// Is this expression exactly a loaded value (through conversions, fields, `c ? x[i] : 0`)?
    pub fn is_direct(&self, f: &Facts, n: Node) -> bool {
        let mut n = expr::core(f.src, n);
        for _ in 0..expr::MAX_DEPTH {
            match n.kind_name() {
                "subscript_expression" => return true,
                "pointer_expression" => return n.child(0).is_some_and(|o| o.kind_name() == "*"),
                "field_expression" => match n.field("argument") {
                    Some(a) => n = expr::core(f.src, a),
                    None => return false,
                },
                "identifier" => {
                    let name = f.src.text(n);
                    return f
                        .named_idx(name)
                        .any(|i| !f.locals[i].pointer && self.direct[i]);
                }
                // A load helper: `ld_vec(&a[i])`, `__ldcs(p + i)`, `load128(p)`.
                "call_expression" => {
                    let args = expr::args(n);
                    return args.len() == 1 && self.is_address(f, args[0]);
                }
                "conditional_expression" => {
                    let a = n.field("consequence");
                    let b = n.field("alternative");
                    let (Some(a), Some(b)) = (a, b) else {
                        return false;
                    };
                    let zero_a = expr::is_number(f.src, a);
                    let zero_b = expr::is_number(f.src, b);
                    return (zero_b && self.is_direct(f, a)) || (zero_a && self.is_direct(f, b));
                }
                _ => return false,
            }
        }
        false
    }

    /// Is this an address into memory (`&a[i]`, `p + i`, a pointer)?
    fn is_address(&self, f: &Facts, n: Node) -> bool {
        let n = expr::unparen(n);
        match n.kind_name() {
            "pointer_expression" => n.child(0).is_some_and(|o| o.kind_name() == "&"),
            "identifier" => f.named(f.src.text(n)).any(|l| l.pointer || l.array),
            "binary_expression" => self.pointerish(f, n),
            _ => false,
        }
    }

    /// Is the expression integer index arithmetic (only integer locals, parameters, builtins
    /// and literals)?
    pub fn int_like(&self, f: &Facts, n: Node) -> bool {
        let src = f.src;
        let mut ints = true;
        let mut any_ident = false;
        expr::walk(n, |x| {
            match x.kind_name() {
                "identifier" => {
                    any_ident = true;
                    let t = src.text(x);
                    let builtin = super::facts::BUILTINS.contains(&t);
                    if !builtin && !f.named(t).any(|l| l.int_like) {
                        ints = false;
                    }
                }
                "field_expression" => {
                    let arg = x.field("argument").map_or("", |a| src.text(a));
                    if super::facts::BUILTINS.contains(&arg) {
                        any_ident = true;
                    } else {
                        ints = false;
                    }
                    return false;
                }
                "subscript_expression" | "call_expression" => {
                    if x.kind_name() == "call_expression" && expr::is_conversion(src, x) {
                        return true;
                    }
                    ints = false;
                }
                "number_literal"
                    if src.text(x).contains(['.', 'f', 'e']) && !src.text(x).starts_with("0x") =>
                {
                    ints = false;
                }
                _ => {}
            }
            ints
        });
        ints && any_ident
    }

    /// Loaded floating-point data (not an index computed from loaded ids).
    pub fn data(&self, f: &Facts, n: Node) -> bool {
        self.loaded(f, n) && !self.int_like(f, n)
    }

    /// Does the value depend on loaded data (only global loads when `global`)?
    pub fn derived(&self, f: &Facts, n: Node, global: bool) -> bool {
        let src = f.src;
        expr::any(n, |x| match x.kind_name() {
            "subscript_expression" => {
                let array = x.field("argument").map(expr::unparen);
                let computed = array.is_some_and(|a| {
                    a.kind_name() == "identifier"
                        && f.named_idx(src.text(a)).any(|i| self.computed[i])
                });
                !computed && (!global || self.base(f, x).is_none_or(|b| b.space == Space::Global))
            }
            "pointer_expression" => x.child(0).is_some_and(|o| o.kind_name() == "*"),
            "identifier" => f.named_idx(src.text(x)).any(|i| {
                !f.locals[i].pointer
                    && if global {
                        self.gloaded[i]
                    } else {
                        self.loaded[i]
                    }
            }),
            _ => false,
        })
    }

    pub fn loaded(&self, f: &Facts, n: Node) -> bool {
        self.derived(f, n, false)
    }

    /// The memory a subscript (or pointer expression) addresses.
    pub fn base<'t>(&self, f: &Facts<'t>, n: Node<'t>) -> Option<Base<'t>> {
        let src = f.src;
        let mut n = n;
        let mut offset = String::new();
        let mut data_dependent = false;
        for _ in 0..expr::MAX_DEPTH {
            n = expr::unparen(n);
            match n.kind_name() {
                "subscript_expression" | "pointer_expression" => {
                    n = n.field("argument")?;
                }
                "cast_expression" => n = n.field("value")?,
                "call_expression" => {
                    // reinterpret_cast<float4*>(p), static_cast<T*>(p)
                    let name = expr::callee(src, n)?;
                    if !name.ends_with("_cast") {
                        return None;
                    }
                    n = expr::args(n).into_iter().next()?;
                }
                "binary_expression" => {
                    let (l, r) = (expr::lhs(n)?, expr::rhs(n)?);
                    let (ptr, off) = if self.pointerish(f, l) {
                        (l, r)
                    } else {
                        (r, l)
                    };
                    data_dependent |= self.loaded(f, off);
                    offset.push_str(&src.key(off));
                    offset.push('+');
                    n = ptr;
                }
                "identifier" => {
                    let name = src.text(n);
                    let Some(l) = f.named(name).next() else {
                        // A file-scope array (`__constant__ float c[…]`).
                        return Some(Base {
                            space: Space::Global,
                            name,
                            offset,
                            data_dependent,
                        });
                    };
                    if l.shared {
                        return Some(Base {
                            space: Space::Shared,
                            name,
                            offset,
                            data_dependent,
                        });
                    }
                    if l.param {
                        return Some(Base {
                            space: Space::Global,
                            name,
                            offset,
                            data_dependent,
                        });
                    }
                    if l.array {
                        return Some(Base {
                            space: Space::Local,
                            name,
                            offset,
                            data_dependent,
                        });
                    }
                    n = l.init?;
                }
                _ => return None,
            }
        }
        None
    }

    /// Could this operand be the pointer side of `p + off`?
    fn pointerish(&self, f: &Facts, n: Node) -> bool {
        let n = expr::core(f.src, n);
        match n.kind_name() {
            "identifier" => f
                .named(f.src.text(n))
                .any(|l| l.pointer || l.array || l.shared),
            "call_expression" => expr::callee(f.src, n).is_some_and(|c| c.ends_with("_cast")),
            "binary_expression" => {
                expr::lhs(n).is_some_and(|l| self.pointerish(f, l))
                    || expr::rhs(n).is_some_and(|r| self.pointerish(f, r))
            }
            _ => false,
        }
    }

    /// What element an operand reads: its full index chain with the alias offset (through
    /// fields, conversions, load helpers and the locals holding the load).
    pub fn access_key(&self, f: &Facts, n: Node) -> String {
        let src = f.src;
        let mut n = expr::core(src, n);
        for _ in 0..8 {
            match n.kind_name() {
                "field_expression" | "pointer_expression" => match n.field("argument") {
                    Some(a) => n = expr::core(src, a),
                    None => break,
                },
                "identifier" => {
                    let init = f
                        .named(src.text(n))
                        .find(|l| !l.pointer && l.init.is_some())
                        .and_then(|l| l.init);
                    match init {
                        Some(i) => n = expr::core(src, i),
                        None => break,
                    }
                }
                "call_expression" => match expr::args(n).as_slice() {
                    [a] => n = expr::core(src, *a),
                    _ => break,
                },
                "conditional_expression" => {
                    let a = n.field("consequence");
                    let b = n.field("alternative");
                    match (a, b) {
                        (Some(a), Some(b)) if expr::is_number(src, b) => n = expr::core(src, a),
                        (Some(_), Some(b)) => n = expr::core(src, b),
                        _ => break,
                    }
                }
                "subscript_expression" => {
                    let mut keys = Vec::new();
                    let mut x = n;
                    while x.kind_name() == "subscript_expression" && keys.len() < 8 {
                        keys.push(x.field("indices").map(|i| src.key(i)).unwrap_or_default());
                        match x.field("argument") {
                            Some(a) => x = a,
                            None => break,
                        }
                    }
                    keys.reverse();
                    let off = self.base(f, n).map(|b| b.offset).unwrap_or_default();
                    return format!("{off}{}", keys.concat());
                }
                _ => break,
            }
        }
        src.key(n)
    }

    /// The index text of a subscript, with its alias offset, to compare two accesses.
    pub fn index_key(&self, f: &Facts, sub: Node) -> String {
        let idx = sub
            .field("indices")
            .map(|i| f.src.key(i))
            .unwrap_or_default();
        let off = self.base(f, sub).map(|b| b.offset).unwrap_or_default();
        format!("{off}{idx}")
    }

    /// Is the address of this access data-dependent (index or alias offset from loaded data)?
    pub fn data_dependent(&self, f: &Facts, sub: Node) -> bool {
        let idx = sub.field("indices");
        idx.is_some_and(|i| self.loaded(f, i))
            || self.base(f, sub).is_some_and(|b| b.data_dependent)
    }
}

/// Is local `i` a per-thread array set element by element (at least once) only to values that
/// are not derived from loads, never initialised from one and never handed to a call (which
/// could fill it)?
fn computed_array(f: &Facts, v: &Values, i: usize) -> bool {
    let l = &f.locals[i];
    if !l.array || l.shared || l.param || l.pointer {
        return false;
    }
    let src = f.src;
    if l.init.is_some_and(|init| v.derived(f, init, false)) {
        return false;
    }
    let passed = f.calls.iter().any(|c| {
        c.site.scope == l.site.scope
            && expr::args(c.site.node)
                .iter()
                .any(|a| expr::mentions(src, *a, l.name))
    });
    if passed {
        return false;
    }
    let mut sets = f
        .assigns
        .iter()
        .filter(|a| a.scope == l.site.scope)
        .filter(|a| {
            a.node
                .field("left")
                .map(expr::unparen)
                .filter(|x| x.kind_name() == "subscript_expression")
                .and_then(|x| x.field("argument"))
                .is_some_and(|b| src.text(expr::unparen(b)) == l.name)
        });
    let mut any = false;
    let all = sets.all(|a| {
        any = true;
        a.node
            .field("right")
            .is_some_and(|r| !v.derived(f, r, false))
    });
    any && all
}

/// Resolve an identifier to its single, never reassigned local initializer.
pub fn init_of<'t>(f: &Facts<'t>, v: &Values, n: Node<'t>) -> Option<Node<'t>> {
    let n = expr::core(f.src, n);
    if n.kind_name() != "identifier" {
        return None;
    }
    let name = f.src.text(n);
    if v.reassigned(name) {
        return None;
    }
    let mut it = f.named(name);
    let l = it.next()?;
    if it.next().is_some() {
        return None;
    }
    l.init
}
