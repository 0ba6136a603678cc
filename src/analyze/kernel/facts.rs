//! One iterative pass over a kernel body, and over the bodies of the `__device__` helpers it calls
//! (resolved by name in the same file), recording the nodes the feature stage looks at. Nodes are
//! kept as tree handles; nothing is copied but the few names used as keys.

use super::expr::{self, Src};
use crate::flat::Node;
use crate::parse::NodeExt;
use std::collections::HashMap;
use std::ops::Range;

/// `threadIdx`, `blockIdx`, `blockDim`, `gridDim`, in this order in `Facts::builtin`.
pub const BUILTINS: [&str; 4] = ["threadIdx", "blockIdx", "blockDim", "gridDim"];
const MAX_HELPERS: usize = 16;
const MAX_HELPER_DEPTH: usize = 3;

/// A recorded node with where it sits: innermost enclosing loop, loop depth, and scope
/// (0 = the kernel, n = the n-th helper).
#[derive(Clone, Copy, Debug)]
pub struct Site<'t> {
    pub node: Node<'t>,
    pub lp: Option<u32>,
    pub depth: u8,
    pub scope: u16,
}

/// A local variable or parameter.
#[derive(Clone, Debug)]
pub struct Local<'t> {
    pub name: &'t str,
    pub site: Site<'t>,
    pub init: Option<Node<'t>>,
    pub shared: bool,
    pub array: bool,
    pub pointer: bool,
    pub param: bool,
    /// An integer scalar (a size, a count, an index), parameter or local.
    pub int_like: bool,
    /// A pointer parameter to `const` data (an input).
    pub read_only: bool,
    /// Declared with an empty brace initialiser (`T zero{};`, `T z = {};`): value-initialised.
    pub zero_init: bool,
}

/// A `for`/`while`/`do` loop.
#[derive(Clone, Debug)]
pub struct Loop<'t> {
    pub site: Site<'t>,
    pub var: Option<&'t str>,
    pub init: Option<Node<'t>>,
    pub update: Option<Node<'t>>,
    /// Where the body starts: a node of this loop before it is in the loop's header.
    pub body_start: usize,
}

impl Loop<'_> {
    /// Is a site whose innermost loop is this one in the header (`for (…; i < n; …)`)?
    pub fn in_header(&self, s: &Site) -> bool {
        s.node.start_byte() < self.body_start
    }
}

/// A call, by the name it calls.
#[derive(Clone, Copy, Debug)]
pub struct Call<'t> {
    pub name: &'t str,
    pub site: Site<'t>,
    /// The helper scope it enters, if it calls a `__device__` helper of this file.
    pub helper: Option<u16>,
}

/// Everything recorded for one kernel.
pub struct Facts<'t> {
    pub src: Src<'t>,
    /// Scope names: `None` for the kernel, the helper's name otherwise.
    pub scopes: Vec<Option<&'t str>>,
    pub locals: Vec<Local<'t>>,
    pub loops: Vec<Loop<'t>>,
    pub assigns: Vec<Site<'t>>,
    pub incs: Vec<Site<'t>>,
    pub calls: Vec<Call<'t>>,
    pub ifs: Vec<Site<'t>>,
    pub conds: Vec<Site<'t>>,
    pub binops: Vec<Site<'t>>,
    /// Outermost subscripts (`a[i][j]` once).
    pub subs: Vec<Site<'t>>,
    /// First use of `threadIdx.x` … `gridDim.z` (byte offset), indexed `[builtin][axis]`.
    pub builtin: [[Option<usize>; 3]; 4],
    /// The body of each scope (the kernel's, then each helper's), where one was found.
    pub bodies: Vec<Option<Node<'t>>>,
    /// Where text lent from other files starts in `src` (`helpers.rs`); nothing past it has a
    /// line in the kernel's file.
    pub lent_at: usize,
    by_name: HashMap<&'t str, Vec<u32>>,
}

impl<'t> Facts<'t> {
    /// Locals (and parameters) with this name, in any scope.
    pub fn named(&self, name: &str) -> impl Iterator<Item = &Local<'t>> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(move |&i| &self.locals[i as usize])
    }

    /// Indices into `locals` of the locals with this name.
    pub fn named_idx(&self, name: &str) -> impl Iterator<Item = usize> + '_ {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| i as usize)
    }

    /// The loop a site is in, and its ancestors, innermost first.
    pub fn enclosing(&self, s: &Site) -> impl Iterator<Item = &Loop<'t>> {
        let mut cur = s.lp;
        std::iter::from_fn(move || {
            let l = &self.loops[cur? as usize];
            cur = l.site.lp;
            Some(l)
        })
    }

    /// Helper scopes entered by calls inside `outer` (a node of scope `scope`).
    pub fn scope_calls_in(&self, outer: Node, scope: u16) -> Vec<u16> {
        self.calls
            .iter()
            .filter(|c| c.site.scope == scope && expr::within(c.site.node, outer))
            .filter_map(|c| c.helper)
            .collect()
    }
}

/// Walk a kernel's body and its helpers: those of its file are found under `root`, those lent
/// from other files (ranges from `expr::LENT_BASE` on) under `lent_root`.
pub fn collect<'t>(
    src: Src<'t>,
    root: Node<'t>,
    lent_root: Option<Node<'t>>,
    body: Node<'t>,
    device_fns: &[(String, Range<usize>)],
) -> Facts<'t> {
    let mut c = Collector {
        f: Facts {
            src,
            scopes: vec![None],
            locals: Vec::new(),
            loops: Vec::new(),
            assigns: Vec::new(),
            incs: Vec::new(),
            calls: Vec::new(),
            ifs: Vec::new(),
            conds: Vec::new(),
            binops: Vec::new(),
            subs: Vec::new(),
            builtin: [[None; 3]; 4],
            bodies: vec![Some(body)],
            lent_at: if lent_root.is_some() {
                expr::LENT_BASE
            } else {
                usize::MAX
            },
            by_name: HashMap::new(),
        },
        device_fns,
        queue: Vec::new(),
        depth_of_scope: vec![0],
    };
    c.params(body, 0);
    c.walk(body, 0);
    let mut next = 0;
    while next < c.queue.len() {
        let (range, scope) = c.queue[next].clone();
        next += 1;
        let tree = if range.start >= expr::LENT_BASE {
            lent_root
        } else {
            Some(root)
        };
        if let Some(hb) = tree.and_then(|t| t.descendant_for_byte_range(range.start, range.end)) {
            if hb.kind_name() == "compound_statement" {
                let s = scope as usize;
                if c.f.bodies.len() <= s {
                    c.f.bodies.resize(s + 1, None);
                }
                // An overloaded helper has several bodies: only an unambiguous one is recorded.
                if c.queue.iter().filter(|(_, q)| *q == scope).count() == 1 {
                    c.f.bodies[s] = Some(hb);
                }
                c.params(hb, scope);
                c.walk(hb, scope);
            }
        }
    }
    c.f
}

/// The type text a local or parameter was declared with (`const int8_t *`, `cub::ArgMax`).
pub fn declared_type<'t>(f: &Facts<'t>, l: &Local<'t>) -> &'t str {
    let mut n = l.site.node;
    for _ in 0..expr::MAX_DEPTH {
        match n.parent() {
            Some(p) if matches!(p.kind_name(), "parameter_declaration" | "declaration") => {
                return p.field("type").map_or("", |t| f.src.text(t));
            }
            Some(p) => n = p,
            None => break,
        }
    }
    ""
}

/// Is this type text an integer type (`int`, `int64_t`, `unsigned int`, `size_t`, …)?
fn integer_type(ty: &str) -> bool {
    let ints = [
        "int", "size_t", "long", "short", "unsigned", "char", "bool", "index_t",
    ];
    let floats = ["float", "double", "half", "bf16", "bfloat"];
    ints.iter().any(|k| ty.contains(k)) && !floats.iter().any(|k| ty.contains(k))
}

struct Collector<'t, 'd> {
    f: Facts<'t>,
    device_fns: &'d [(String, Range<usize>)],
    queue: Vec<(Range<usize>, u16)>,
    depth_of_scope: Vec<usize>,
}

impl<'t> Collector<'t, '_> {
    fn site(&self, node: Node<'t>, stack: &[(u32, usize)], scope: u16) -> Site<'t> {
        Site {
            node,
            lp: stack.last().map(|s| s.0),
            depth: stack.len().min(255) as u8,
            scope,
        }
    }

    fn push_local(&mut self, l: Local<'t>) {
        let i = self.f.locals.len() as u32;
        self.f.by_name.entry(l.name).or_default().push(i);
        self.f.locals.push(l);
    }

    /// The parameters of the function whose body this is.
    fn params(&mut self, body: Node<'t>, scope: u16) {
        let Some(func) = body.parent() else { return };
        let mut decl = func.field("declarator");
        for _ in 0..expr::MAX_DEPTH {
            match decl {
                Some(d) if d.kind_name() == "function_declarator" => break,
                Some(d) => decl = d.field("declarator"),
                None => return,
            }
        }
        let Some(list) = decl.and_then(|d| d.field("parameters")) else {
            return;
        };
        for p in list.named_children() {
            if p.kind_name() != "parameter_declaration" {
                continue;
            }
            let Some(d) = p.field("declarator") else {
                continue;
            };
            let (name, pointer, _) = self.declarator(d);
            let Some(name) = name else { continue };
            let ty = p.field("type").map(|t| self.f.src.text(t)).unwrap_or("");
            let int_like = !pointer && integer_type(ty);
            let text = self.f.src.text(p);
            let read_only = pointer
                && text
                    .find('*')
                    .is_some_and(|star| text[..star].split_whitespace().any(|w| w == "const"));
            let site = Site {
                node: d,
                lp: None,
                depth: 0,
                scope,
            };
            self.push_local(Local {
                name,
                site,
                init: None,
                shared: false,
                array: false,
                pointer,
                param: true,
                int_like,
                read_only,
                zero_init: false,
            });
        }
    }

    /// Name, pointer-ness and array-ness of a declarator.
    fn declarator(&self, mut d: Node<'t>) -> (Option<&'t str>, bool, bool) {
        let (mut pointer, mut array) = (false, false);
        for _ in 0..expr::MAX_DEPTH {
            match d.kind_name() {
                "identifier" | "field_identifier" => {
                    return (Some(self.f.src.text(d)), pointer, array)
                }
                "pointer_declarator" => pointer = true,
                "array_declarator" => array = true,
                "reference_declarator" => {}
                _ => {}
            }
            let next = d.field("declarator").or_else(|| {
                let found = d.named_children().find(|x| {
                    x.kind_name() == "identifier" || x.kind_name().ends_with("declarator")
                });
                found
            });
            match next {
                Some(n) => d = n,
                None => break,
            }
        }
        (None, pointer, array)
    }

    fn declaration(&mut self, node: Node<'t>, stack: &[(u32, usize)], scope: u16) {
        let ty = node.field("type").map_or("", |t| self.f.src.text(t));
        let mut shared = false;
        for ch in node.children() {
            if (ch.kind_name() == "type_qualifier" || ch.kind_name() == "storage_class_specifier")
                && self.f.src.text(ch) == "__shared__"
            {
                shared = true;
            }
        }
        let decls: Vec<Node<'t>> = node.children_by_field_name("declarator").collect();
        for d in decls {
            let (target, init) = if d.kind_name() == "init_declarator" {
                (d.field("declarator").unwrap_or(d), d.field("value"))
            } else {
                (d, None)
            };
            let (name, pointer, array) = self.declarator(target);
            let Some(name) = name else { continue };
            let site = self.site(target, stack, scope);
            self.push_local(Local {
                name,
                site,
                init: init.filter(|i| i.kind_name() != "initializer_list"),
                shared,
                array,
                pointer,
                param: false,
                int_like: !pointer && !array && integer_type(ty),
                read_only: false,
                zero_init: init.is_some_and(|i| {
                    i.kind_name() == "initializer_list" && i.named_child_count() == 0
                }),
            });
        }
    }

    fn loop_node(&mut self, node: Node<'t>, stack: &mut Vec<(u32, usize)>, scope: u16) {
        let init = node.field("initializer");
        let update = node.field("update");
        let src = self.f.src;
        let var_of = |n: Node<'t>| -> Option<&'t str> {
            let mut found = None;
            expr::walk(n, |x| {
                if found.is_none() {
                    match x.kind_name() {
                        "init_declarator" | "assignment_expression" => {
                            let l = x.field("declarator").or_else(|| x.field("left"));
                            if let Some(l) = l.filter(|l| l.kind_name() == "identifier") {
                                found = Some(src.text(l));
                            }
                        }
                        "update_expression" => {
                            let a = x.field("argument");
                            if let Some(a) = a.filter(|a| a.kind_name() == "identifier") {
                                found = Some(src.text(a));
                            }
                        }
                        _ => {}
                    }
                }
                found.is_none()
            });
            found
        };
        let var = init.and_then(var_of).or_else(|| update.and_then(var_of));
        let site = self.site(node, stack, scope);
        let idx = self.f.loops.len() as u32;
        let body_start = node
            .field("body")
            .map_or(node.end_byte(), |b| b.start_byte());
        self.f.loops.push(Loop {
            site,
            var,
            init,
            update,
            body_start,
        });
        stack.push((idx, node.end_byte()));
    }

    fn call(&mut self, node: Node<'t>, stack: &[(u32, usize)], scope: u16) {
        let Some(name) = expr::callee(self.f.src, node) else {
            return;
        };
        let mut helper = None;
        if !expr::is_method(node) && self.depth_of_scope[scope as usize] < MAX_HELPER_DEPTH {
            if let Some(pos) = self.f.scopes.iter().position(|s| *s == Some(name)) {
                helper = Some(pos as u16);
            } else if self.f.scopes.len() <= MAX_HELPERS {
                let ranges: Vec<Range<usize>> = self
                    .device_fns
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, r)| r.clone())
                    .collect();
                if !ranges.is_empty() {
                    let id = self.f.scopes.len() as u16;
                    self.f.scopes.push(Some(name));
                    self.depth_of_scope
                        .push(self.depth_of_scope[scope as usize] + 1);
                    for r in ranges {
                        self.queue.push((r, id));
                    }
                    helper = Some(id);
                }
            }
        }
        let site = self.site(node, stack, scope);
        self.f.calls.push(Call { name, site, helper });
    }

    /// Handle one node; return whether to descend.
    fn visit(&mut self, node: Node<'t>, stack: &mut Vec<(u32, usize)>, scope: u16) -> bool {
        match node.kind_name() {
            "comment"
            | "string_literal"
            | "raw_string_literal"
            | "char_literal"
            | "concatenated_string"
            | "preproc_call" => return false,
            "for_statement" | "while_statement" | "do_statement" | "for_range_loop" => {
                self.loop_node(node, stack, scope)
            }
            "declaration" => self.declaration(node, stack, scope),
            "assignment_expression" => {
                let s = self.site(node, stack, scope);
                self.f.assigns.push(s);
            }
            "update_expression" => {
                let s = self.site(node, stack, scope);
                self.f.incs.push(s);
            }
            "call_expression" => self.call(node, stack, scope),
            "if_statement" => {
                let s = self.site(node, stack, scope);
                self.f.ifs.push(s);
            }
            "conditional_expression" => {
                let s = self.site(node, stack, scope);
                self.f.conds.push(s);
            }
            "binary_expression" => {
                let s = self.site(node, stack, scope);
                self.f.binops.push(s);
            }
            "subscript_expression" => {
                let inner = node.parent().is_some_and(|p| {
                    p.kind_name() == "subscript_expression" && p.field("argument") == Some(node)
                });
                if !inner {
                    let s = self.site(node, stack, scope);
                    self.f.subs.push(s);
                }
            }
            "field_expression" => {
                let arg = node.field("argument");
                let field = node.field("field");
                if let (Some(a), Some(f)) = (arg, field) {
                    let b = BUILTINS.iter().position(|b| *b == self.f.src.text(a));
                    let axis = ["x", "y", "z"]
                        .iter()
                        .position(|x| *x == self.f.src.text(f));
                    if let (Some(b), Some(x)) = (b, axis) {
                        self.f.builtin[b][x].get_or_insert(node.start_byte());
                        return false;
                    }
                }
            }
            _ => {}
        }
        true
    }

    /// Iterative pre-order walk of one body; a stack of open loops gives each node its context.
    fn walk(&mut self, body: Node<'t>, scope: u16) {
        let mut stack: Vec<(u32, usize)> = Vec::new();
        crate::flat::preorder(body, usize::MAX, |node| {
            while stack
                .last()
                .is_some_and(|&(_, end)| node.start_byte() >= end)
            {
                stack.pop();
            }
            self.visit(node, &mut stack, scope)
        });
    }
}
