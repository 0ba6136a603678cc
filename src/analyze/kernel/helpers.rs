//! The project's `__device__` helpers, lent to kernels in other files. A kernel in `norm.cu`
//! that calls `warp_reduce_sum` from `common.cuh` computes what that helper computes, so the
//! scan builds an index of every helper it read (scanned files and the headers they include)
//! and reads such a kernel again with the helpers it calls.
//!
//! The second reading walks the flat copy the first one kept (`crate::flat`, only the files
//! whose kernels call something the file does not define; keeping whole tree-sitter trees
//! instead cost 60 % more peak memory on a 167 MB corpus). The lent helpers come from one
//! tree of every lent definition of the scan, parsed once at offsets past any file
//! (`expr::LENT_BASE`), so every offset and line number of the file stays right.

use super::{classify, expr, facts, KernelSummary};
use crate::analyze::FileAnalysis;
use crate::flat::Flat;
use crate::source::SourceFile;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

/// How many helpers one kernel may borrow (the closure over what they call in turn).
const MAX_LENT: usize = 12;
/// How many helpers all the kernels of one file may borrow together.
const MAX_FILE_LENT: usize = 96;
/// Definitions kept per helper name and file (overloads).
const MAX_OVERLOADS: usize = 4;

/// Every function definition the scan read (not kernels), by name: per defining file (in the
/// order the files were given), where the definitions are.
pub struct HelperIndex<'a> {
    files: Vec<(&'a SourceFile, &'a FileAnalysis)>,
    defs: BTreeMap<&'a str, Vec<Defined>>,
}

struct Defined {
    file: usize,
    ranges: Vec<Range<usize>>,
    /// Some definition of the name in this file is marked `__device__`.
    device: bool,
}

/// What the kernels of one file borrow: per helper name, the defining file (an index into the
/// index's files) and its definitions there.
#[derive(Default)]
pub struct Loan<'a>(BTreeMap<&'a str, (usize, &'a [Range<usize>])>);

/// The lent definitions of a whole scan in one text, parsed once from `expr::LENT_BASE` on.
#[derive(Default)]
pub struct Library {
    bytes: Vec<u8>,
    /// The lent definitions, flattened (`crate::flat`).
    tree: Option<Flat>,
    /// (defining file, start of the definition there) → the range of its body in the tree.
    bodies: HashMap<(usize, usize), Range<usize>>,
}

/// New summaries for some kernels of a file: (kernel index, summary).
pub type Lent = Vec<(usize, KernelSummary)>;

impl<'a> HelperIndex<'a> {
    /// Index the functions of these files, in this order (the scan gives path order, then the
    /// included headers), so the result never depends on the thread count.
    pub fn build(files: Vec<(&'a SourceFile, &'a FileAnalysis)>) -> Self {
        let mut defs: BTreeMap<&'a str, Vec<Defined>> = BTreeMap::new();
        for (i, (_, fa)) in files.iter().enumerate() {
            for d in &fa.function_defs {
                let entry = defs.entry(d.name.as_str()).or_default();
                match entry.iter_mut().find(|x| x.file == i) {
                    Some(x) if x.ranges.len() < MAX_OVERLOADS => {
                        x.ranges.push(d.whole.clone());
                        x.device |= d.device;
                    }
                    Some(_) => {}
                    None => entry.push(Defined {
                        file: i,
                        ranges: vec![d.whole.clone()],
                        device: d.device,
                    }),
                }
            }
        }
        HelperIndex { files, defs }
    }

    /// Does some kernel of this file call a function the index knows and the file does not
    /// define as a `__device__` helper?
    pub fn lends_to(&self, fa: &FileAnalysis) -> bool {
        fa.kernels.iter().any(|k| {
            k.external_calls
                .iter()
                .any(|c| self.defs.contains_key(c.as_str()))
        })
    }

    /// What the kernels of this file borrow (nothing if they call no function the index knows
    /// and the file does not define).
    pub fn loan(&self, file: &SourceFile, fa: &FileAnalysis) -> Loan<'_> {
        if !self.lends_to(fa) {
            return Loan::default();
        }
        let own: BTreeSet<&str> = fa.device_fns.iter().map(|(n, _)| n.as_str()).collect();
        Loan(self.closure(&file.rel, fa, &own))
    }

    /// Every definition some loan holds, written one after another (in the order of the loans,
    /// so the text never depends on the thread count) and parsed once for the whole scan.
    pub fn library(&self, loans: &[Loan]) -> Library {
        let mut bytes = Vec::new();
        // (defining file, start there) → where the definition was written, and its length.
        let mut placed: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
        for loan in loans {
            for (from, ranges) in loan.0.values() {
                let src = &self.files[*from].0.bytes;
                for r in ranges.iter() {
                    placed.entry((*from, r.start)).or_insert_with(|| {
                        bytes.push(b'\n');
                        let at = bytes.len();
                        bytes.extend_from_slice(&src[r.clone()]);
                        (at, r.len())
                    });
                }
            }
        }
        if placed.is_empty() {
            return Library::default();
        }
        bytes.push(b'\n');
        let tree = crate::parse::parse_shifted(&bytes, expr::LENT_BASE);
        let bodies = match &tree {
            Some(tree) => placed
                .into_iter()
                .filter_map(|(key, (at, len))| {
                    let start = expr::LENT_BASE + at;
                    body_of(tree.root_node(), start, start + len).map(|b| (key, b))
                })
                .collect(),
            None => HashMap::new(),
        };
        Library {
            bytes,
            tree: tree.map(|t| Flat::new(t.root_node())),
            bodies,
        }
    }

    /// Read again, with the helpers they borrow, the kernels of this file that call functions
    /// defined outside its `__device__` helpers; their new summaries say which were followed.
    pub fn lend(&self, file: &SourceFile, fa: &FileAnalysis, loan: &Loan, lib: &Library) -> Lent {
        let Some(lib_tree) = &lib.tree else {
            return Vec::new();
        };
        if loan.0.is_empty() || file.bytes.len() >= expr::LENT_BASE {
            return Vec::new();
        }
        // The copy the first reading kept (`summarize_all`): no second parse.
        let Some(flat) = &fa.kernel_tree else {
            return Vec::new();
        };
        let mut fns = fa.device_fns.clone();
        for (name, (from, ranges)) in &loan.0 {
            for r in ranges.iter() {
                if let Some(body) = lib.bodies.get(&(*from, r.start)) {
                    fns.push((name.to_string(), body.clone()));
                }
            }
        }
        let root = flat.root();
        let src = expr::Src::with_lent(&file.bytes, &lib.bytes);
        let mut out = Vec::new();
        for (i, k) in fa.kernels.iter().enumerate() {
            let from: Vec<String> = k
                .external_calls
                .iter()
                .filter_map(|c| loan.0.get(c.as_str()).map(|l| (c, l.0)))
                .map(|(c, f)| format!("`{c}` ({})", self.files[f].0.rel))
                .collect();
            if from.is_empty() {
                continue;
            }
            let Some(body) = root
                .descendant_for_byte_range(k.body.start, k.body.end)
                .filter(|b| b.byte_range() == k.body)
            else {
                continue;
            };
            let f = facts::collect(src, root, Some(lib_tree.root()), body, &fns);
            let mut summary = classify::summarize(file, &f);
            summary.evidence.push(format!(
                "followed helpers from other files: {}",
                from.join(", ")
            ));
            out.push((i, summary));
        }
        out
    }

    /// The helpers to lend: what the kernels call that the file does not define, and what those
    /// call in turn, up to `MAX_LENT` names a kernel and `MAX_FILE_LENT` a file. Per name, the
    /// definitions of one file: one this file includes by name if there is one, else one with
    /// a `__device__` definition, else the first.
    fn closure(
        &self,
        here: &str,
        fa: &FileAnalysis,
        own: &BTreeSet<&str>,
    ) -> BTreeMap<&str, (usize, &[Range<usize>])> {
        let includes: BTreeSet<&str> = fa.local_includes.iter().map(|i| basename(i)).collect();
        let mut lent: BTreeMap<&str, (usize, &[Range<usize>])> = BTreeMap::new();
        // Each kernel gets its own budget; the file as a whole a larger one.
        for k in &fa.kernels {
            let mut mine: BTreeSet<&str> = BTreeSet::new();
            // Breadth first: the kernel's own calls before what the helpers call in turn.
            let mut queue: std::collections::VecDeque<&str> =
                k.external_calls.iter().map(String::as_str).collect();
            while let Some(name) = queue.pop_front() {
                if mine.len() >= MAX_LENT || own.contains(name) || !mine.insert(name) {
                    continue;
                }
                let Some((&key, defined)) = self.defs.get_key_value(name) else {
                    mine.remove(name);
                    continue;
                };
                // A header the file includes, else the nearest file (longest common folder),
                // a `__device__` definition first among equals, else the first.
                let d = defined
                    .iter()
                    .find(|d| includes.contains(basename(&self.files[d.file].0.rel)))
                    .or_else(|| {
                        defined.iter().max_by_key(|d| {
                            let near = common_folders(&self.files[d.file].0.rel, here);
                            (near, d.device, std::cmp::Reverse(d.file))
                        })
                    })
                    .unwrap_or(&defined[0]);
                let src = &self.files[d.file].0.bytes;
                let text = |r: &Range<usize>| std::str::from_utf8(&src[r.clone()]).unwrap_or("");
                if d.ranges.iter().all(|r| inert(text(r), name)) {
                    mine.remove(name);
                    continue;
                }
                for r in &d.ranges {
                    let text = text(r);
                    queue.extend(
                        called(text).filter_map(|i| self.defs.get_key_value(i).map(|(k, _)| *k)),
                    );
                }
                if lent.len() < MAX_FILE_LENT {
                    lent.insert(key, (d.file, d.ranges.as_slice()));
                }
            }
        }
        lent
    }
}

/// Can this definition change nothing a recognition reads? `void name()` whose body assigns,
/// indexes, returns and synchronises nothing (ggml's `ggml_cuda_pdl_sync()`, a grid-dependency
/// wait under `#if`, is called by a third of its kernels): lending it would only cost a reading.
fn inert(def: &str, name: &str) -> bool {
    let Some(open) = def.find('{') else {
        return false;
    };
    let (head, body) = def.split_at(open);
    let no_params = head
        .find(&format!("{name}("))
        .is_some_and(|at| head[at + name.len() + 1..].trim_start().starts_with(')'));
    let void = identifiers(head).any(|w| w == "void");
    // Conditions of `#if` lines are not code the kernel runs.
    let code: String = body
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    let effects = [
        "=",
        "[",
        "return",
        "sync",
        "__shared__",
        "asm",
        "atomic",
        "->",
        "*",
    ];
    void && no_params && !effects.iter().any(|e| code.contains(e))
}

/// How many leading folders two relative paths share.
fn common_folders(a: &str, b: &str) -> usize {
    fn folders(p: &str) -> impl Iterator<Item = &str> {
        let end = p.rfind(['/', '\\']).unwrap_or(0);
        p[..end].split(['/', '\\']).filter(|s| !s.is_empty())
    }
    folders(a)
        .zip(folders(b))
        .take_while(|(x, y)| x == y)
        .count()
}

fn basename(p: &str) -> &str {
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

/// The identifiers of a text (a cheap lexical pass; keywords included, they never index).
fn identifiers(t: &str) -> impl Iterator<Item = &str> {
    t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
}

/// The identifiers of a text that are called (`f(`, `f<T>(`): a cheap lexical pass.
fn called(t: &str) -> impl Iterator<Item = &str> {
    let b = t.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < b.len() {
            let start = at;
            if b[at].is_ascii_alphabetic() || b[at] == b'_' {
                while at < b.len() && (b[at].is_ascii_alphanumeric() || b[at] == b'_') {
                    at += 1;
                }
                let mut next = at;
                while next < b.len() && b[next].is_ascii_whitespace() {
                    next += 1;
                }
                if next < b.len() && (b[next] == b'(' || b[next] == b'<') {
                    return Some(&t[start..at]);
                }
            } else if b[at].is_ascii_digit() {
                while at < b.len() && (b[at].is_ascii_alphanumeric() || b[at] == b'_') {
                    at += 1;
                }
            } else {
                at += 1;
            }
        }
        None
    })
}

/// The body of the function definition written at `start..end` of the library.
fn body_of(root: tree_sitter::Node, start: usize, end: usize) -> Option<Range<usize>> {
    let mut n = root.descendant_for_byte_range(start, end)?;
    for _ in 0..expr::MAX_DEPTH {
        if n.kind() == "function_definition" {
            return n.child_by_field_name("body").map(|b| b.byte_range());
        }
        // A `template <…>` declaration holds the definition among its children.
        let mut cur = n.walk();
        let next = n
            .named_children(&mut cur)
            .find(|c| c.kind() == "function_definition" || c.kind() == "template_declaration");
        n = next?;
    }
    None
}

/// The ranges sorted, nested and overlapping ones merged.
pub(super) fn disjoint(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn only_void_helpers_without_parameters_or_effects_are_inert() {
        let wait = "static __device__ __forceinline__ void pdl_wait() {\n#if A >= B\n    cudaGridDependencySynchronize();\n#endif\n}";
        assert!(inert(wait, "pdl_wait"));
        let barrier = "__device__ void barrier() { __syncthreads(); }";
        assert!(!inert(barrier, "barrier"));
        let store = "__device__ void put(float *p) { p[0] = 1.0f; }";
        assert!(!inert(store, "put"));
        let value = "__device__ float one() { return 1.0f; }";
        assert!(!inert(value, "one"));
        let shared = "__device__ void clear() { buf[threadIdx.x] = 0; }";
        assert!(!inert(shared, "clear"));
    }
}
