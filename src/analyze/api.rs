//! The traversal that finds API touchpoints. Iterative (a cursor, no recursion), so deeply
//! nested input cannot overflow the stack.

use super::lexical::{self, Token};
use super::unmapped::infer_library;
use super::{ArgUse, FileAnalysis, KernelDef, MacroDef, RawLaunch};
use crate::catalog::{normalize_name, Catalog};
use crate::flat::{Flat, Node};
use crate::model::{ApiMatch, CallShape, MatchContext, MatchRef, RuleKind, Site};
use crate::parse::NodeExt;
use crate::source::SourceFile;

struct Walker<'a> {
    file: &'a SourceFile,
    src: &'a [u8],
    /// Without parse errors every match is in ordinary code; no need to look up the tree.
    has_error: bool,
    catalog: &'a Catalog,
    fa: FileAnalysis,
}

pub fn walk(file: &SourceFile, tree: &Flat, catalog: &Catalog) -> FileAnalysis {
    let mut w = Walker {
        file,
        src: &file.bytes,
        has_error: tree.root().has_error(),
        catalog,
        fa: FileAnalysis::default(),
    };
    crate::flat::preorder(tree.root(), usize::MAX, |node| w.visit(node));
    w.fa
}

impl<'a> Walker<'a> {
    fn text(&self, n: Node) -> &'a str {
        std::str::from_utf8(&self.src[n.byte_range()]).unwrap_or("")
    }

    /// A node's text on one line, runs of whitespace as one space (a launch's config values).
    fn one_line(&self, n: Node) -> String {
        self.text(n)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Handle one node; return whether to descend into its children.
    fn visit(&mut self, node: Node) -> bool {
        match node.kind_name() {
            "comment" => {
                let r = node.byte_range();
                if contains(&self.src[r.clone()], b"cuport:") {
                    self.fa
                        .suppressions
                        .extend(super::suppress::parse_comment(self.file, r));
                }
                false
            }
            "string_literal"
            | "raw_string_literal"
            | "char_literal"
            | "concatenated_string"
            | "system_lib_string" => false,
            "preproc_include" => {
                self.include(node);
                false
            }
            "preproc_arg" => {
                self.lexical(node.byte_range(), MatchContext::MacroBody);
                false
            }
            "preproc_def" | "preproc_function_def" | "preproc_call" => {
                if let Some(name) = node.field("name") {
                    self.fa.declared.insert(self.text(name).to_string());
                    if node.kind_name() != "preproc_call" {
                        self.fa.macros.push(MacroDef {
                            name: self.text(name).to_string(),
                            function_like: node.kind_name() == "preproc_function_def",
                            range: node.byte_range(),
                        });
                    }
                }
                // Spans more than two lines (tree-sitter's rows count `\n` only).
                if self.src[node.byte_range()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    >= 2
                {
                    self.fa.directives.push(node.byte_range());
                }
                true
            }
            "qualified_identifier" => self.qualified(node),
            "identifier" | "type_identifier" => {
                self.identifier(node);
                false
            }
            "field_identifier" => {
                self.method(node);
                false
            }
            "call_expression" => {
                self.arg_uses(node);
                self.launch(node);
                true
            }
            "init_declarator" | "compound_literal_expression" => {
                self.aggregate_uses(node);
                true
            }
            "function_definition" => {
                self.function(node);
                true
            }
            "function_declarator" => {
                self.param_types(node);
                true
            }
            _ => true,
        }
    }

    fn include(&mut self, node: Node) {
        let Some(path) = node.field("path") else {
            return;
        };
        let raw = self.text(path);
        let inner = raw
            .trim_matches(|c| c == '<' || c == '>' || c == '"')
            .to_string();
        self.fa.included.insert(inner.clone());
        if raw.starts_with('"') {
            self.fa.local_includes.push(inner.clone());
        }
        if let Some(rule) = self.catalog.lookup_header(&inner) {
            let r = path.byte_range();
            self.push(
                MatchRef::Rule(rule),
                inner,
                r.clone(),
                r,
                None,
                self.context_of(node),
            );
        }
    }

    fn lexical(&mut self, range: std::ops::Range<usize>, ctx: MatchContext) {
        for tok in lexical::scan(self.src, range) {
            match tok {
                Token::Name(r) => {
                    let raw = String::from_utf8_lossy(&self.src[r.clone()]).into_owned();
                    let name = normalize_name(&raw);
                    if let Some(rule) = self.catalog.lookup_name(&name) {
                        // In a #define body the call is recovered from the tokens, so templates
                        // (`cudaGetErrorString(e)` → `((void)(e), aclGetRecentErrMsg())`) apply.
                        let call = (ctx == MatchContext::MacroBody)
                            .then(|| macro_call(self.src, r.clone()))
                            .flatten();
                        let span = call.as_ref().map_or(r.clone(), |c| c.range.clone());
                        self.push(MatchRef::Rule(rule), name, r, span, call, ctx);
                    } else {
                        self.unmapped(name, r, ctx);
                    }
                }
                Token::Launch(r) => {
                    if let Some(rule) = self.catalog.launch_rule() {
                        self.push(
                            MatchRef::Rule(rule),
                            "<<<>>>".into(),
                            r.clone(),
                            r,
                            None,
                            ctx,
                        );
                    }
                }
            }
        }
    }

    fn unmapped(&mut self, name: String, r: std::ops::Range<usize>, ctx: MatchContext) {
        if let Some(library) = infer_library(&name) {
            self.push(
                MatchRef::Unmapped { library },
                name,
                r.clone(),
                r,
                None,
                ctx,
            );
        }
    }

    /// A `a::b::c` name: matched whole (template arguments aside); otherwise look inside.
    fn qualified(&mut self, node: Node) -> bool {
        if node
            .parent()
            .is_some_and(|p| p.kind_name() == "qualified_identifier")
        {
            return true;
        }
        let Some((key, last)) = self.qualified_key(node) else {
            return true;
        };
        let name_range = node.start_byte()..last.end_byte();
        if let Some(rule) = self.catalog.lookup_name(&key) {
            let call = self.call_of(node);
            let span = call
                .as_ref()
                .map_or(name_range.clone(), |c| c.range.clone());
            let ctx = self.context_of(node);
            let site = self.site_of(node, self.catalog.rules[rule].kind);
            self.push_at(MatchRef::Rule(rule), key, name_range, span, call, ctx, site);
            // Template arguments may hold more touchpoints (`thrust::device_vector<cudaStream_t>`).
            return last.end_byte() < node.end_byte();
        }
        if self.is_declaration(node) {
            self.fa.declared.insert(key);
            return true;
        }
        if infer_library(&key).is_some() && !key.ends_with("::") {
            let ctx = self.context_of(node);
            let call = self.call_of(node);
            let span = call
                .as_ref()
                .map_or(name_range.clone(), |c| c.range.clone());
            if let Some(library) = infer_library(&key) {
                self.push(
                    MatchRef::Unmapped { library },
                    key,
                    name_range,
                    span,
                    call,
                    ctx,
                );
            }
            return last.end_byte() < node.end_byte();
        }
        true
    }

    /// The qualified name without template arguments, and the node of its last segment.
    fn qualified_key(&self, node: Node<'a>) -> Option<(String, Node<'a>)> {
        let mut key = String::new();
        let mut cur = node;
        loop {
            if let Some(scope) = cur.field("scope") {
                let s = match scope.kind_name() {
                    "namespace_identifier" => self.text(scope),
                    "template_type" => self.text(scope.field("name")?),
                    _ => return None,
                };
                key.push_str(s);
            }
            key.push_str("::");
            let name = cur.field("name")?;
            match name.kind_name() {
                "qualified_identifier" => cur = name,
                "identifier" | "type_identifier" | "field_identifier" | "namespace_identifier" => {
                    key.push_str(self.text(name));
                    return Some((normalize_name(&key), name));
                }
                "template_type" | "template_function" | "template_method" => {
                    let n = name.field("name")?;
                    key.push_str(self.text(n));
                    return Some((normalize_name(&key), n));
                }
                _ => return None,
            }
        }
    }

    fn identifier(&mut self, node: Node) {
        let name = self.text(node);
        if name.is_empty() {
            return;
        }
        if let Some(rule) = self.catalog.lookup_name(name) {
            let r = node.byte_range();
            let call = self.call_of(node);
            let span = call.as_ref().map_or(r.clone(), |c| c.range.clone());
            let ctx = self.context_of(node);
            let site = self.site_of(node, self.catalog.rules[rule].kind);
            self.push_at(
                MatchRef::Rule(rule),
                name.to_string(),
                r,
                span,
                call,
                ctx,
                site,
            );
            return;
        }
        if infer_library(name).is_none() {
            return;
        }
        if self.is_declaration(node) {
            self.fa.declared.insert(name.to_string());
            return;
        }
        let r = node.byte_range();
        let call = self.call_of(node);
        let span = call.as_ref().map_or(r.clone(), |c| c.range.clone());
        let ctx = self.context_of(node);
        // An unmapped type still decides what its variables may be passed to.
        let site = if node.kind_name() == "type_identifier" {
            self.type_site(node)
        } else {
            Site::Use
        };
        if let Some(library) = infer_library(name) {
            self.push_at(
                MatchRef::Unmapped { library },
                name.to_string(),
                r,
                span,
                call,
                ctx,
                site,
            );
        }
    }

    /// Is this name the thing being declared (a function, variable, type, enumerator, macro)?
    fn is_declaration(&self, node: Node) -> bool {
        let Some(parent) = node.parent() else {
            return false;
        };
        // Every child under the field counts: `T a, b;` declares both.
        let is_field = |f: &str| {
            let found = parent.children_by_field_name(f).any(|x| x == node);
            found
        };
        match parent.kind_name() {
            "function_declarator"
            | "init_declarator"
            | "pointer_declarator"
            | "reference_declarator"
            | "array_declarator"
            | "parameter_declaration"
            | "declaration"
            | "field_declaration"
            | "type_definition" => is_field("declarator"),
            "enumerator"
            | "struct_specifier"
            | "class_specifier"
            | "enum_specifier"
            | "union_specifier"
            | "alias_declaration"
            | "namespace_definition"
            | "preproc_def"
            | "preproc_function_def" => is_field("name"),
            "qualified_identifier" => self.is_declaration(parent),
            _ => false,
        }
    }

    fn method(&mut self, node: Node) {
        let name = self.text(node);
        let Some(rule) = self.catalog.lookup_method(name) else {
            return;
        };
        // Only member calls: x.name(…), x->name<T>(…).
        let mut field_owner = node.parent();
        if field_owner.is_some_and(|p| p.kind_name() == "template_method") {
            field_owner = field_owner.and_then(|p| p.parent());
        }
        let Some(fe) = field_owner.filter(|p| p.kind_name() == "field_expression") else {
            return;
        };
        let Some(call) = fe
            .parent()
            .filter(|c| c.kind_name() == "call_expression")
            .filter(|c| c.field("function").is_some_and(|f| f == fe))
        else {
            return;
        };
        let mut shape = self.shape(call);
        if self.catalog.rules[rule]
            .arity
            .is_some_and(|n| n != shape.args.len())
        {
            return;
        }
        shape.recv = fe.field("argument").map(|n| n.byte_range());
        shape.op = fe.field("operator").map(|n| n.byte_range());
        if let Some(tm) = node.parent().filter(|p| p.kind_name() == "template_method") {
            shape.targs = tm.field("arguments").map(|a| {
                let r = a.byte_range();
                (r.start + 1)..(r.end - 1).max(r.start + 1)
            });
        }
        let span = shape.range.clone();
        let ctx = self.context_of(node);
        self.push(
            MatchRef::Rule(rule),
            name.to_string(),
            node.byte_range(),
            span,
            Some(shape),
            ctx,
        );
    }

    /// The call a name is the callee of, if any.
    fn call_of(&self, node: Node) -> Option<CallShape> {
        let mut callee = node;
        if let Some(p) = callee
            .parent()
            .filter(|p| p.kind_name() == "template_function")
        {
            callee = p;
        }
        let call = callee
            .parent()
            .filter(|p| p.kind_name() == "call_expression")?;
        if call.field("function")? != callee {
            return None;
        }
        Some(self.shape(call))
    }

    fn shape(&self, call: Node) -> CallShape {
        let mut shape = CallShape {
            range: call.byte_range(),
            ..CallShape::default()
        };
        if let Some(args) = call.field("arguments") {
            for a in args.named_children() {
                if a.kind_name() != "comment" {
                    shape.args.push(a.byte_range());
                }
            }
            let text = &self.src[args.byte_range()];
            if call.has_error() {
                shape.unsafe_reason = Some("the call did not parse cleanly".into());
            } else if contains(text, b"__VA_ARGS__") || text.contains(&b'#') {
                shape.unsafe_reason =
                    Some("its arguments come from a macro (`__VA_ARGS__`/`#`)".into());
            }
        }
        shape
    }

    fn launch(&mut self, call: Node) {
        let Some(syntax) = call
            .children()
            .find(|n| n.kind_name() == "kernel_call_syntax")
        else {
            self.api_launch(call);
            return;
        };
        let mut kernel = call.field("function");
        if let Some(f) = kernel.filter(|f| f.kind_name() == "template_function") {
            kernel = f.field("name");
        }
        let name = kernel
            .map(|k| match k.kind_name() {
                "qualified_identifier" => self
                    .text(k)
                    .rsplit("::")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                _ => self.text(k).to_string(),
            })
            .unwrap_or_default();
        let config = syntax
            .named_children()
            .filter(|n| n.kind_name() != "comment")
            .map(|n| self.one_line(n))
            .collect();
        self.fa.launches.push(RawLaunch {
            kernel: name,
            offset: call.start_byte(),
            config,
        });
        if let Some(rule) = self.catalog.launch_rule() {
            let r = syntax.byte_range();
            let ctx = self.context_of(call);
            self.push(
                MatchRef::Rule(rule),
                "<<<>>>".into(),
                r.clone(),
                r,
                None,
                ctx,
            );
        }
    }

    /// A launch through the runtime API: `cudaLaunchKernel(fn, grid, block, args, smem, stream)`
    /// (and the cooperative form) or `cudaLaunchKernelEx(config, kernel, args...)`. Recorded like
    /// a `<<<…>>>` launch so it links to its kernel; the call itself is matched by its rule.
    fn api_launch(&mut self, call: Node) {
        let Some(callee) = call.field("function") else {
            return;
        };
        let (kernel_at, config_at): (usize, &[usize]) = match self.text(callee) {
            "cudaLaunchKernel" | "cudaLaunchCooperativeKernel" => (0, &[1, 2, 4, 5]),
            "cudaLaunchKernelEx" => (1, &[0]),
            _ => return,
        };
        let Some(args) = call.field("arguments") else {
            return;
        };
        let args: Vec<Node> = args
            .named_children()
            .filter(|n| n.kind_name() != "comment")
            .collect();
        let Some(kernel) = args.get(kernel_at).and_then(|&a| self.function_named(a)) else {
            return;
        };
        let config = config_at
            .iter()
            .filter_map(|&i| args.get(i))
            .map(|&n| self.one_line(n))
            .collect();
        self.fa.launches.push(RawLaunch {
            kernel: self.text(kernel).to_string(),
            offset: call.start_byte(),
            config,
        });
    }

    /// The function an argument names, through casts, `&`, parentheses, template arguments and
    /// namespaces: `(void*)scale<float>`, `reinterpret_cast<void*>(&k)`, `ns::k` → `k`.
    fn function_named(&self, mut n: Node<'a>) -> Option<Node<'a>> {
        loop {
            n = match n.kind_name() {
                "identifier" => return Some(n),
                "cast_expression" => n.field("value")?,
                "pointer_expression" => n.field("argument")?,
                "parenthesized_expression" => n.named_child(0)?,
                "template_function" | "qualified_identifier" => n.field("name")?,
                "call_expression" => {
                    let cast = n.field("function")?.field("name")?;
                    if !matches!(
                        self.text(cast),
                        "static_cast" | "reinterpret_cast" | "const_cast"
                    ) {
                        return None;
                    }
                    n.field("arguments")?.named_child(0)?
                }
                _ => return None,
            };
        }
    }

    fn function(&mut self, node: Node) {
        let mut global = false;
        let mut device = false;
        for ch in node.children() {
            match ch.kind_name() {
                "__global__" => global = true,
                "__device__" => device = true,
                _ => {}
            }
        }
        let Some(body) = node.field("body") else {
            return;
        };
        // Find the function_declarator under pointer/reference declarators.
        let mut decl = node.field("declarator");
        while let Some(d) = decl {
            if d.kind_name() == "function_declarator" {
                break;
            }
            decl = d.field("declarator");
        }
        let Some(fd) = decl else { return };
        let Some(name_node) = fd.field("declarator") else {
            return;
        };
        let name = match name_node.kind_name() {
            "qualified_identifier" | "template_function" => self
                .text(name_node)
                .split('<')
                .next()
                .unwrap_or("")
                .rsplit("::")
                .next()
                .unwrap_or("")
                .to_string(),
            _ => self.text(name_node).to_string(),
        };
        if !global {
            let whole = match node.parent() {
                Some(p) if p.kind_name() == "template_declaration" => p.byte_range(),
                _ => node.byte_range(),
            };
            self.fa.function_defs.push(super::FunctionDef {
                name: name.clone(),
                whole,
                device,
            });
            if device {
                self.fa.device_fns.push((name, body.byte_range()));
            }
            return;
        }
        let mut params = Vec::new();
        if let Some(pl) = fd.field("parameters") {
            for p in pl.named_children() {
                if p.kind_name() != "parameter_declaration" {
                    continue;
                }
                let pname = p
                    .field("declarator")
                    .map(|d| innermost_identifier(d, self.src))
                    .unwrap_or_default();
                let full = self.text(p);
                let ty = full
                    .strip_suffix(pname.as_str())
                    .unwrap_or(full)
                    .trim()
                    .to_string();
                params.push((ty, pname));
            }
        }
        let range = match node.parent() {
            Some(p) if p.kind_name() == "template_declaration" => p.byte_range(),
            _ => node.byte_range(),
        };
        self.fa.kernels.push(KernelDef {
            name,
            name_offset: name_node.start_byte(),
            range,
            body: body.byte_range(),
            params,
            summary: Default::default(),
            external_calls: Vec::new(),
            own_helpers: Vec::new(),
        });
    }

    fn context_of(&self, node: Node) -> MatchContext {
        if !self.has_error {
            return MatchContext::Code;
        }
        let mut cur = Some(node);
        while let Some(n) = cur {
            if n.is_error() {
                return MatchContext::ParseError;
            }
            cur = n.parent();
        }
        MatchContext::Code
    }

    fn push(
        &mut self,
        what: MatchRef,
        name: String,
        name_range: std::ops::Range<usize>,
        span: std::ops::Range<usize>,
        call: Option<CallShape>,
        context: MatchContext,
    ) {
        self.push_at(what, name, name_range, span, call, context, Site::Use);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_at(
        &mut self,
        what: MatchRef,
        name: String,
        name_range: std::ops::Range<usize>,
        span: std::ops::Range<usize>,
        call: Option<CallShape>,
        context: MatchContext,
        site: Site,
    ) {
        self.fa.matches.push(ApiMatch {
            what,
            name,
            name_range,
            span,
            call,
            context,
            site,
        });
    }

    /// What the code around a matched name does with it (see [`Site`]).
    fn site_of(&self, node: Node<'a>, kind: RuleKind) -> Site {
        // `enum cufftType_t t;` uses the tag; only a specifier with a body defines it.
        let tag_use = node.parent().is_some_and(|p| {
            matches!(
                p.kind_name(),
                "struct_specifier" | "enum_specifier" | "union_specifier" | "class_specifier"
            ) && p.field("body").is_none()
        });
        if misparsed_macro_call(node) {
            return Site::Misparsed;
        }
        if !tag_use && self.is_declaration(node) {
            return Site::Declaration;
        }
        match kind {
            // Macros stand for plain integers or names, which convert wherever they go.
            RuleKind::Enum => self.value_site(node),
            RuleKind::Type => self.type_site(node),
            _ => Site::Use,
        }
    }

    /// Where a constant's value goes: up through parentheses, casts and `|` flag combinations.
    fn value_site(&self, node: Node<'a>) -> Site {
        // Where a type stands (`PYBIND11_MODULE(NAME, m)` parses so), the name is no value.
        if node.kind_name() == "type_identifier" || self.call_of(node).is_some() {
            return Site::Use;
        }
        let mut cur = node;
        if cur
            .parent()
            .is_some_and(|p| p.kind_name() == "qualified_identifier")
        {
            cur = cur.parent().unwrap_or(cur);
        }
        while let Some(p) = cur.parent() {
            match p.kind_name() {
                "parenthesized_expression" | "cast_expression" | "comma_expression" => cur = p,
                // `v = c ? X : Y;`: a branch's value is the whole expression's.
                "conditional_expression" if p.field("condition").is_some_and(|c| c != cur) => {
                    cur = p
                }
                "binary_expression" => {
                    let op = p.field("operator").map(|o| self.text(o)).unwrap_or("");
                    match op {
                        "==" | "!=" => {
                            let other = [p.field("left"), p.field("right")]
                                .into_iter()
                                .flatten()
                                .find(|o| *o != cur);
                            return match other {
                                Some(o) => Site::Compared(o.byte_range()),
                                None => Site::Comparison,
                            };
                        }
                        "|" | "&" | "^" => cur = p,
                        _ => return Site::Value,
                    }
                }
                "argument_list" => return argument_of(p).unwrap_or(Site::Value),
                "case_statement" => return Site::Comparison,
                "init_declarator" => {
                    let decl = p.parent().filter(|d| d.kind_name() == "declaration");
                    return match decl.and_then(|d| d.field("type")) {
                        Some(t) => Site::Initializer(t.byte_range()),
                        None => Site::Value,
                    };
                }
                // `return CUDA_R_32F;`: the function's declared return type receives it.
                "return_statement" => {
                    let f = self.enclosing(p, &["function_definition", "lambda_expression"]);
                    return match f
                        .filter(|f| f.kind_name() == "function_definition")
                        .and_then(|f| f.field("type"))
                    {
                        Some(t) => Site::Initializer(t.byte_range()),
                        None => Site::Value,
                    };
                }
                // `static constexpr cudaDataType t = CUDA_R_32F;` in a struct.
                "field_declaration" if p.field("default_value").is_some_and(|v| v == cur) => {
                    return match p.field("type") {
                        Some(t) => Site::Initializer(t.byte_range()),
                        None => Site::Value,
                    };
                }
                // Template arguments, array sizes, enumerator values: a compile-time use.
                "template_argument_list" | "enumerator" | "array_declarator" => return Site::Use,
                "assignment_expression"
                    if p.field("right").is_some_and(|r| r == cur)
                        && self.text(p.field("operator").unwrap_or(p)) == "=" =>
                {
                    return match p.field("left").filter(|l| l.kind_name() == "identifier") {
                        Some(l) => Site::Assigned(self.text(l).to_string()),
                        None => Site::Value,
                    };
                }
                _ => return Site::Value,
            }
        }
        Site::Value
    }

    fn param_types(&mut self, fd: Node) {
        let (Some(name), Some(params)) = (fd.field("declarator"), fd.field("parameters")) else {
            return;
        };
        let name = self.text(name).to_string();
        for p in params.named_children() {
            if let Some(ty) = p.field("type") {
                self.fa
                    .param_types
                    .insert((name.clone(), self.text(ty).to_string()));
            }
        }
    }

    /// The nearest ancestor of one of these kinds.
    fn enclosing(&self, node: Node<'a>, kinds: &[&str]) -> Option<Node<'a>> {
        let mut cur = node.parent();
        while let Some(n) = cur {
            if kinds.contains(&n.kind_name()) {
                return Some(n);
            }
            cur = n.parent();
        }
        None
    }

    /// Record the variables a call is passed (`f(x)`, `f(&x)`, `f((T)x)`).
    fn arg_uses(&mut self, call: Node) {
        let (Some(callee), Some(args)) = (call.field("function"), call.field("arguments")) else {
            return;
        };
        // `f<op>(…)` calls `f`: the name its parameters are known by.
        let callee = match callee.kind_name() {
            "template_function" => callee.field("name").unwrap_or(callee),
            _ => callee,
        };
        let callee = self.text(callee).to_string();
        self.pass_values(callee, call.byte_range(), args);
    }

    /// `T v = {a, b};`, `T v{a, b};`, `T{a, b}`: the values build a `T`, as if passed to a
    /// constructor named `T` (whose parameters are the members, for an aggregate).
    fn aggregate_uses(&mut self, node: Node) {
        let (ty, list) = match node.kind_name() {
            "init_declarator" => (
                node.parent()
                    .filter(|d| d.kind_name() == "declaration")
                    .and_then(|d| d.field("type")),
                node.field("value"),
            ),
            _ => (node.field("type"), node.field("value")),
        };
        let (Some(ty), Some(list)) = (ty, list.filter(|l| l.kind_name() == "initializer_list"))
        else {
            return;
        };
        let name = match ty.kind_name() {
            "type_identifier" => ty,
            "qualified_identifier" => match ty.field("name") {
                Some(n) => n,
                None => return,
            },
            _ => return,
        };
        let callee = self.text(name).to_string();
        self.pass_values(callee, node.byte_range(), list);
    }

    fn pass_values(&mut self, callee: String, call: std::ops::Range<usize>, args: Node) {
        let mut items: Vec<Node> = Vec::new();
        for a in args.named_children() {
            // `f({a, b})`: each element is passed too.
            if a.kind_name() == "initializer_list" {
                items.extend(a.named_children());
            } else {
                items.push(a);
            }
        }
        for a in items {
            let mut n = a;
            loop {
                n = match n.kind_name() {
                    "pointer_expression" => match n.field("argument") {
                        Some(x) => x,
                        None => break,
                    },
                    "parenthesized_expression" => match n.named_child(0) {
                        Some(x) => x,
                        None => break,
                    },
                    "cast_expression" => match n.field("value") {
                        Some(x) => x,
                        None => break,
                    },
                    // `traits<T>::cuda_data_type`: the member, by name.
                    "qualified_identifier" => match n.field("name") {
                        Some(x) => x,
                        None => break,
                    },
                    // `stream[i]`: an element of the array.
                    "subscript_expression" => match n.field("argument") {
                        Some(x) => x,
                        None => break,
                    },
                    // `w->stream`, `s.ctx`: the member, matched by name to member declarations.
                    "field_expression" => match n.field("field") {
                        Some(x) => x,
                        None => break,
                    },
                    _ => break,
                };
            }
            if matches!(n.kind_name(), "identifier" | "field_identifier") {
                self.fa.arg_uses.push(ArgUse {
                    var: self.text(n).to_string(),
                    callee: callee.clone(),
                    call: call.clone(),
                });
            }
        }
    }

    /// The declaration a type specifier belongs to: the variables it declares and their
    /// initialising calls.
    fn declared_type(&self, decl: Node<'a>) -> Site {
        let mut vars = Vec::new();
        let mut init_calls = Vec::new();
        for d in decl.children_by_field_name("declarator") {
            vars.push(innermost_identifier(d, self.src));
            if d.kind_name() == "init_declarator" {
                let mut v = d.field("value");
                while let Some(x) = v.filter(|x| x.kind_name() == "parenthesized_expression") {
                    v = x.named_child(0);
                }
                if let Some(call) = v.filter(|x| x.kind_name() == "call_expression") {
                    init_calls.push(call.byte_range());
                }
            }
        }
        vars.retain(|v| !v.is_empty());
        let scope = match decl.kind_name() {
            "field_declaration" => 0..self.src.len(),
            _ => self
                .enclosing(decl, &["compound_statement", "for_statement"])
                .map_or(0..self.src.len(), |n| n.byte_range()),
        };
        let owner = (decl.kind_name() == "field_declaration")
            .then(|| decl.parent())
            .flatten()
            .filter(|l| l.kind_name() == "field_declaration_list")
            .and_then(|l| l.parent())
            .and_then(|s| s.field("name"))
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        Site::DeclaredType {
            vars,
            init_calls,
            scope,
            owner,
        }
    }

    /// A type in a function's parameter list names the function (its overloads may collide).
    fn type_site(&self, node: Node<'a>) -> Site {
        let mut cur = node;
        while let Some(p) = cur.parent() {
            match p.kind_name() {
                "declaration" | "field_declaration"
                    if p.field("type").is_some_and(|t| t == cur) =>
                {
                    return self.declared_type(p);
                }
                "parameter_declaration" | "optional_parameter_declaration" => {
                    let fd = p
                        .parent()
                        .filter(|l| l.kind_name() == "parameter_list")
                        .and_then(|l| l.parent())
                        .filter(|f| f.kind_name() == "function_declarator");
                    let var = p
                        .field("declarator")
                        .map(|d| innermost_identifier(d, self.src))
                        .unwrap_or_default();
                    let scope = self
                        .enclosing(p, &["function_definition", "lambda_expression"])
                        .map_or(0..0, |n| n.byte_range());
                    return match fd.and_then(|f| f.field("declarator")) {
                        Some(n) => Site::Parameter {
                            function: self.text(n).to_string(),
                            var,
                            scope,
                        },
                        None => Site::Use,
                    };
                }
                "qualified_identifier"
                | "template_type"
                | "template_argument_list"
                | "type_descriptor" => cur = p,
                "function_definition" if p.field("type").is_some_and(|t| t == cur) => {
                    return Site::ReturnType {
                        function: p
                            .field("declarator")
                            .map(|d| innermost_identifier(d, self.src))
                            .unwrap_or_default(),
                        scope: p.byte_range(),
                    }
                }
                // `f(reinterpret_cast<cufftComplex *>(p))`: as a C cast.
                "template_function"
                    if p.field("name").is_some_and(|n| {
                        matches!(
                            self.text(n),
                            "static_cast" | "reinterpret_cast" | "const_cast"
                        )
                    }) =>
                {
                    return match p.parent().filter(|c| c.kind_name() == "call_expression") {
                        Some(call) => self.cast_site(call),
                        None => Site::Use,
                    }
                }
                // `f((cufftComplex *)p)`: the cast is what `f` is handed.
                "cast_expression" if p.field("type").is_some_and(|t| t == cur) => {
                    return self.cast_site(p)
                }
                _ => return Site::Use,
            }
        }
        Site::Use
    }

    /// A cast passed straight to a call (through parentheses) is an argument of it.
    fn cast_site(&self, cast: Node<'a>) -> Site {
        let mut cur = cast;
        while let Some(p) = cur.parent() {
            match p.kind_name() {
                "parenthesized_expression" => cur = p,
                "argument_list" => return argument_of(p).unwrap_or(Site::Use),
                _ => return Site::Use,
            }
        }
        Site::Use
    }
}

fn innermost_identifier(mut n: Node, src: &[u8]) -> String {
    loop {
        if matches!(n.kind_name(), "identifier" | "field_identifier") {
            return String::from_utf8_lossy(&src[n.byte_range()]).into_owned();
        }
        match n.field("declarator") {
            Some(d) => n = d,
            None => {
                let found = n
                    .named_children()
                    .find(|x| matches!(x.kind_name(), "identifier" | "field_identifier"));
                return found
                    .map(|x| String::from_utf8_lossy(&src[x.byte_range()]).into_owned())
                    .unwrap_or_default();
            }
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The call `name(args…)` starting at a name inside a `#define` body (not parsed), read from the
/// tokens: balanced brackets, string and character literals skipped, arguments split at top-level
/// commas. `None` when the name is not followed by `(` or the call does not close on the
/// logical line. Arguments using `#`/`##` make the call unsafe to rewrite.
fn macro_call(src: &[u8], name: std::ops::Range<usize>) -> Option<CallShape> {
    let mut i = name.end;
    while i < src.len() && (src[i] == b' ' || src[i] == b'\t') {
        i += 1;
    }
    if src.get(i) != Some(&b'(') {
        return None;
    }
    let open = i;
    let (mut depth, mut args, mut arg_start) = (0usize, Vec::new(), open + 1);
    while i < src.len() {
        match src[i] {
            b'"' | b'\'' => {
                let q = src[i];
                i += 1;
                while i < src.len() && src[i] != q && src[i] != b'\n' {
                    i += if src[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    args.push(arg_start..i);
                    break;
                }
            }
            b',' if depth == 1 => {
                args.push(arg_start..i);
                arg_start = i + 1;
            }
            // A line end that is not a continuation ends the #define.
            b'\n' if src[..i].iter().rev().find(|c| **c != b'\r') != Some(&b'\\') => return None,
            _ => {}
        }
        i += 1;
    }
    if depth != 0 || i >= src.len() {
        return None;
    }
    let trim = |r: std::ops::Range<usize>| {
        let (mut a, mut b) = (r.start, r.end);
        while a < b && (src[a].is_ascii_whitespace() || src[a] == b'\\') {
            a += 1;
        }
        while b > a && (src[b - 1].is_ascii_whitespace() || src[b - 1] == b'\\') {
            b -= 1;
        }
        a..b
    };
    let mut args: Vec<_> = args.into_iter().map(trim).collect();
    if args.len() == 1 && args[0].is_empty() {
        args.clear();
    }
    let text = &src[open..=i];
    let unsafe_reason = (text.contains(&b'#') || text.windows(11).any(|w| w == b"__VA_ARGS__"))
        .then(|| "its arguments are stringised, pasted or variadic in the #define".to_string());
    Some(CallShape {
        range: name.start..i + 1,
        args,
        recv: None,
        op: None,
        targs: None,
        unsafe_reason,
    })
}

/// Is `node` inside a block-scope "function declaration" — in real code, a macro call with no
/// `;` after it (`CHECK( cudaMemcpy(d, h, n, cudaMemcpyHostToDevice) )` before a `}`), which
/// tree-sitter reads as declaring a function `cudaMemcpy` with parameters of type `d`, `h`, …?
fn misparsed_macro_call(node: Node) -> bool {
    let mut seen_function = false;
    let mut cur = node;
    while let Some(p) = cur.parent() {
        match p.kind_name() {
            "function_declarator" => seen_function = true,
            "declaration" => {
                return seen_function
                    && p.parent()
                        .is_some_and(|b| b.kind_name() == "compound_statement")
            }
            "compound_statement"
            | "function_definition"
            | "lambda_expression"
            | "translation_unit" => return false,
            _ => {}
        }
        cur = p;
    }
    false
}

/// An argument of the call whose argument list this is (not of a macro-like initializer).
fn argument_of(list: Node) -> Option<Site> {
    list.parent()
        .filter(|c| c.kind_name() == "call_expression")
        .map(|call| Site::Argument(call.byte_range()))
}
