//! Custom-op scaffolds for a CUDA kernel that no framework op replaces: an Ascend C kernel with
//! its CANN host side and a MindSpore `CustomOpBuilder` binding (`ascend`), or a Paddle custom op
//! that wraps the CUDA kernel (`paddle`). Generation is pure: a `KernelSpec` in, files out.

pub mod ascend;
pub mod paddle;

use crate::analyze::{kernel, FileAnalysis, KernelDef};
use crate::model::Target;
use crate::source::SourceFile;

/// One kernel parameter, as the scaffolds need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    /// The declared type, as written (`const float* __restrict__`).
    pub ty: String,
    /// The pointed-to (or scalar) type without qualifiers (`float`, `T`, `float4`).
    pub elem: String,
    pub pointer: bool,
    /// Points to `const` data.
    pub konst: bool,
    /// The body reads through it.
    pub read: bool,
    /// The body writes through it (stores, atomics, store intrinsics, helper writes).
    pub written: bool,
}

impl Param {
    /// A tensor the op takes: a pointer the body reads (or never writes).
    pub fn is_input(&self) -> bool {
        self.pointer && (self.read || !self.written)
    }

    /// A tensor the op produces: a pointer the body writes.
    pub fn is_output(&self) -> bool {
        self.pointer && self.written
    }
}

/// A template parameter of the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateParam {
    /// `typename T` / `class T`.
    Type(String),
    /// `int TILE` and other non-type parameters: (type, name).
    Value(String, String),
}

/// Everything the generators need about one kernel.
#[derive(Clone, Debug)]
pub struct KernelSpec {
    pub name: String,
    pub path: String,
    pub line: usize,
    /// The whole definition, `template <…>` included.
    pub source: String,
    /// Definitions of the same-file `__device__` helpers it calls, in file order.
    pub helpers: Vec<String>,
    /// System and CUDA `#include`s of the defining file (torch/ATen/c10 left out).
    pub includes: Vec<String>,
    pub params: Vec<Param>,
    pub template: Vec<TemplateParam>,
    pub pattern: String,
    pub confidence: f64,
    pub evidence: Vec<String>,
    pub suggestions: Vec<(Target, Vec<String>)>,
    /// Launch sites: (path, line, `<<<…>>>` arguments).
    pub launches: Vec<(String, usize, Vec<String>)>,
}

/// A file to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub name: String,
    pub contents: String,
}

/// The files for one target.
pub fn generate(spec: &KernelSpec, target: Target) -> Vec<GeneratedFile> {
    match target {
        Target::MindSpore => ascend::files(spec),
        Target::Paddle => paddle::files(spec),
    }
}

/// Build the spec of kernel `k` of an analysed file, with the catalog's suggestions for its
/// pattern and its launch sites (path, line, `<<<…>>>` arguments).
pub fn spec(
    file: &SourceFile,
    tree: &tree_sitter::Tree,
    fa: &FileAnalysis,
    k: &KernelDef,
    suggestions: Vec<(Target, Vec<String>)>,
    launches: Vec<(String, usize, Vec<String>)>,
) -> KernelSpec {
    let access = kernel::access(file, tree, &fa.device_fns, k);
    let params = k
        .params
        .iter()
        .enumerate()
        .map(|(i, (ty, name))| {
            let (read, written) = access.params.get(i).copied().unwrap_or((true, false));
            param(name, ty, read, written)
        })
        .collect();
    let source = file.text(k.range.clone()).into_owned();
    let template = template_params(&source);
    let root = tree.root_node();
    let mut helpers: Vec<(usize, String)> = Vec::new();
    for (name, body) in &fa.device_fns {
        if !access.helpers.contains(name) {
            continue;
        }
        let Some(b) = root.descendant_for_byte_range(body.start, body.end) else {
            continue;
        };
        let mut def = b.parent().unwrap_or(b);
        if def
            .parent()
            .is_some_and(|p| p.kind() == "template_declaration")
        {
            def = def.parent().unwrap_or(def);
        }
        helpers.push((def.start_byte(), file.text(def.byte_range()).into_owned()));
    }
    helpers.sort();
    helpers.dedup();
    let includes = String::from_utf8_lossy(&file.bytes)
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("#include"))
        .filter(|l| {
            !["torch/", "ATen/", "c10/", "pybind11"]
                .iter()
                .any(|x| l.contains(x))
        })
        .map(str::to_string)
        .collect();
    KernelSpec {
        name: k.name.clone(),
        path: file.rel.clone(),
        line: file.position(k.name_offset).0,
        source,
        helpers: helpers.into_iter().map(|(_, t)| t).collect(),
        includes,
        params,
        template,
        pattern: k.summary.pattern.clone(),
        confidence: k.summary.confidence,
        evidence: k.summary.evidence.clone(),
        suggestions,
        launches,
    }
}

/// A parameter from its declared type text.
pub fn param(name: &str, ty: &str, read: bool, written: bool) -> Param {
    let pointer = ty.contains('*') || ty.contains('[');
    let before_star = ty.split('*').next().unwrap_or(ty);
    let konst = pointer && before_star.split_whitespace().any(|w| w == "const");
    let elem = ty
        .replace(['*', '&', '[', ']'], " ")
        .split_whitespace()
        .filter(|w| {
            !matches!(
                *w,
                "const" | "volatile" | "__restrict__" | "__restrict" | "restrict"
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    Param {
        name: name.to_string(),
        ty: ty.to_string(),
        elem,
        pointer,
        konst,
        read: pointer && read,
        written: pointer && written,
    }
}

/// The parameters of a leading `template <…>` clause.
pub fn template_params(source: &str) -> Vec<TemplateParam> {
    let s = source.trim_start();
    let Some(rest) = s.strip_prefix("template") else {
        return Vec::new();
    };
    let rest = rest.trim_start();
    let Some(rest) = rest.strip_prefix('<') else {
        return Vec::new();
    };
    let mut depth = 0i32;
    let mut items = Vec::new();
    let mut cur = String::new();
    for c in rest.chars() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' if depth > 0 => depth -= 1,
            '>' => break,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    items
        .iter()
        .map(|i| i.split('=').next().unwrap_or("").trim().to_string())
        .filter(|i| !i.is_empty())
        .map(|i| {
            let words: Vec<&str> = i.split_whitespace().collect();
            let name = words.last().copied().unwrap_or("").to_string();
            match words.first() {
                Some(&"typename") | Some(&"class") => TemplateParam::Type(name),
                _ => TemplateParam::Value(words[..words.len() - 1].join(" "), name),
            }
        })
        .collect()
}

/// `row_softmax_kernel` → `RowSoftmaxKernel`.
pub fn camel(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Source text as `//` comment lines (a trailing backslash would splice the next line in).
pub fn commented(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim_end();
        let line = match line.strip_suffix('\\') {
            Some(l) => format!("{l}\\ (continues)"),
            None => line.to_string(),
        };
        if line.is_empty() {
            out.push_str("//\n");
        } else {
            out.push_str("// ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The header comment: where the kernel came from, what cuport recognised, what to use instead.
pub fn header(spec: &KernelSpec, target: Target, what: &str) -> String {
    let mut h = format!(
        "// cuport scaffold: {what} for CUDA kernel `{}` ({}:{}).\n",
        spec.name, spec.path, spec.line
    );
    if spec.pattern == "custom" {
        h.push_str("// Recognised pattern: custom (no framework op replaces it).\n");
    } else {
        h.push_str(&format!(
            "// Recognised pattern: {} (confidence {:.2}).\n",
            spec.pattern, spec.confidence
        ));
    }
    for (t, ops) in &spec.suggestions {
        if !ops.is_empty() {
            let mark = if *t == target { " (this target)" } else { "" };
            h.push_str(&format!(
                "// Suggested {} ops{mark}: {}. Prefer them to a custom op.\n",
                t.as_str(),
                ops.join(", ")
            ));
        }
    }
    for e in &spec.evidence {
        h.push_str(&format!("//   evidence: {e}\n"));
    }
    h
}

/// Text safe inside a C++ or Python string literal.
pub fn quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
