//! One pass over a parsed file: CUDA touchpoints, kernels, launches, and what annotation placement needs.

mod anchor;
mod api;
pub mod kernel;
pub mod lexical;
pub mod prefilter;
pub mod suppress;
pub mod unmapped;

use crate::catalog::Catalog;
use crate::model::{ApiMatch, LaunchSite};
use crate::source::SourceFile;
use std::collections::BTreeSet;
use std::ops::Range;

/// A `__global__` function found in a file.
#[derive(Clone, Debug)]
pub struct KernelDef {
    pub name: String,
    /// Offset of the kernel's name, for its line.
    pub name_offset: usize,
    /// The whole definition (including a `template <…>` prefix).
    pub range: Range<usize>,
    pub body: Range<usize>,
    /// Parameters as (type text, name).
    pub params: Vec<(String, String)>,
    pub summary: kernel::KernelSummary,
    /// Functions the kernel (or its same-file helpers) calls that this file does not define;
    /// the project's helper index may know them (`kernel::helpers`).
    pub external_calls: Vec<String>,
    /// The same-file `__device__` helpers the kernel calls, directly or through others.
    pub own_helpers: Vec<String>,
}

/// A function definition that is not a kernel.
#[derive(Clone, Debug)]
pub struct FunctionDef {
    pub name: String,
    /// The whole definition, with a `template <…>` prefix.
    pub whole: Range<usize>,
    /// Marked `__device__` in this file's text.
    pub device: bool,
}

/// A launch found in a file, before paths are attached.
#[derive(Clone, Debug)]
pub struct RawLaunch {
    pub kernel: String,
    pub offset: usize,
    pub config: Vec<String>,
}

/// A variable passed by name (or by `&name`) to a call: what a type rename must keep compiling.
#[derive(Clone, Debug)]
pub struct ArgUse {
    pub var: String,
    /// The callee as written (`cudaStreamSynchronize`, `ns::f`, `obj.method`).
    pub callee: String,
    pub call: Range<usize>,
}

/// A `#define` of this file.
#[derive(Clone, Debug)]
pub struct MacroDef {
    pub name: String,
    /// `#define F(x) …` rather than `#define N …`.
    pub function_like: bool,
    /// The whole directive, body included.
    pub range: Range<usize>,
}

/// Everything the later stages need from one file.
#[derive(Debug, Default)]
pub struct FileAnalysis {
    pub matches: Vec<ApiMatch>,
    pub kernels: Vec<KernelDef>,
    pub launches: Vec<RawLaunch>,
    /// Names this file declares itself (never reported as unmapped).
    pub declared: BTreeSet<String>,
    /// Where added `#include` lines go (see `anchor`), if not at the start of the file.
    pub include_at: Option<usize>,
    /// Headers already included (as written inside the brackets/quotes).
    pub included: BTreeSet<String>,
    /// `#include "…"` names, in source order (found next to the including file).
    pub local_includes: Vec<String>,
    /// Multi-line preprocessor directives; annotations go above them, never inside.
    pub directives: Vec<Range<usize>>,
    /// `#define`s, in source order.
    pub macros: Vec<MacroDef>,
    /// `__device__` functions by name, with their bodies (for kernel features).
    pub device_fns: Vec<(String, Range<usize>)>,
    /// Every function definition but the kernels, `__device__` or not (a macro such as
    /// `DS_D_INLINE` may hide the qualifier): what the project's helper index lends to kernels.
    pub function_defs: Vec<FunctionDef>,
    pub parse_error_bytes: usize,
    /// The kernels' and helpers' part of the file's flat copy, kept while a kernel calls
    /// functions the file does not define: the project's helper index may lend them
    /// (`kernel::helpers`), and the kernel is then read again from this copy instead of a second
    /// parse. Dropped once lending is done.
    pub kernel_tree: Option<crate::flat::Flat>,
    /// (function name, parameter type as written) for every function declarator: an overload
    /// that already takes the target type blocks renaming another one to it.
    pub param_types: BTreeSet<(String, String)>,
    /// Variables passed to calls, in source order.
    pub arg_uses: Vec<ArgUse>,
    /// `// cuport: ignore…` comments, with whether each silenced anything.
    pub suppressions: Vec<suppress::Suppression>,
}

impl FileAnalysis {
    /// The `#define` whose directive holds byte `at`.
    pub fn macro_at(&self, at: usize) -> Option<&MacroDef> {
        let i = self.macros.partition_point(|d| d.range.start <= at);
        self.macros[..i].last().filter(|d| at < d.range.end)
    }
}

/// Analyze one parsed file.
pub fn analyze(file: &SourceFile, tree: &tree_sitter::Tree, catalog: &Catalog) -> FileAnalysis {
    // One walk over tree-sitter's tree copies it (`crate::flat`); every analysis reads the copy,
    // where a parent or a field is an index away.
    let flat = crate::flat::Flat::new(tree.root_node());
    let mut fa = api::walk(file, &flat, catalog);
    fa.parse_error_bytes = flat.error_bytes();
    fa.include_at = anchor::include_anchor(&flat, &file.bytes);
    let declared = fa.declared.clone();
    fa.matches.retain(|m| {
        !matches!(m.what, crate::model::MatchRef::Unmapped { .. }) || !declared.contains(&m.name)
    });
    fa.matches.sort_by(|a, b| {
        (
            a.span.start,
            std::cmp::Reverse(a.span.end),
            a.name_range.start,
        )
            .cmp(&(
                b.span.start,
                std::cmp::Reverse(b.span.end),
                b.name_range.start,
            ))
    });
    fa.matches.dedup_by(|a, b| a.name_range == b.name_range);
    drop_methods_outside_torch(catalog, &mut fa);
    apply_suppressions(file, catalog, &mut fa);
    if kernel::summarize_all(file, &flat, &mut fa) {
        // Only what recognition reads, for as long as lending needs it.
        fa.kernel_tree = Some(flat.keep_only(&kernel::read_ranges(&fa)));
    }
    fa
}

/// Attach the file path to raw launches.
pub fn launch_sites(file: &SourceFile, fa: &FileAnalysis) -> Vec<LaunchSite> {
    fa.launches
        .iter()
        .map(|l| LaunchSite {
            kernel: l.kernel.clone(),
            path: file.rel.clone(),
            line: file.position(l.offset).0,
            config: l.config.clone(),
        })
        .collect()
}

/// Drop matches silenced by `// cuport: ignore…` comments, marking those comments used.
fn apply_suppressions(file: &SourceFile, catalog: &Catalog, fa: &mut FileAnalysis) {
    if fa.suppressions.is_empty() {
        return;
    }
    let sups = &mut fa.suppressions;
    fa.matches.retain(|m| {
        let id = match m.what {
            crate::model::MatchRef::Rule(i) => catalog.rules[i].id.as_str(),
            crate::model::MatchRef::Unmapped { .. } => "unmapped",
        };
        let line = file.line_index(m.span.start);
        let mut silenced = false;
        for s in sups.iter_mut() {
            if s.covers(line, id) {
                s.used = true;
                silenced = true;
            }
        }
        !silenced
    });
}

/// Member calls such as `.size()` or `.to()` are PyTorch touchpoints only in code that uses PyTorch:
/// without any other torch-extension touchpoint in the file, they are `std::vector::size()` and kin.
fn drop_methods_outside_torch(catalog: &Catalog, fa: &mut FileAnalysis) {
    let is_method = |m: &ApiMatch| matches!(m.what, crate::model::MatchRef::Rule(i) if catalog.rules[i].kind == crate::model::RuleKind::Method);
    let torch_context = fa.matches.iter().any(|m| match m.what {
        crate::model::MatchRef::Rule(i) => {
            let r = &catalog.rules[i];
            r.library == "torch-ext" && r.kind != crate::model::RuleKind::Method
        }
        crate::model::MatchRef::Unmapped { library } => library == "torch-ext",
    });
    if !torch_context {
        fa.matches.retain(|m| !is_method(m));
    }
}
