//! The project's `__device__` helpers, lent to kernels in other files. A kernel in `norm.cu`
//! that calls `warp_reduce_sum` from `common.cuh` computes what that helper computes, so the
//! scan builds an index of every helper it read (scanned files and the headers they include)
//! and reads such a kernel again with the helpers it calls written after its file.
//!
//! The second reading parses the file with the lent definitions appended, but only the
//! borrowing kernels, the file's own helpers and the lent text (tree-sitter's included
//! ranges): every offset and line number stays right, and the rest is never lexed again.

use super::{classify, expr, facts, KernelSummary};
use crate::analyze::FileAnalysis;
use crate::source::SourceFile;
use std::collections::{BTreeMap, BTreeSet};
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
                    Some(x) if x.ranges.len() < MAX_OVERLOADS => x.ranges.push(d.whole.clone()),
                    Some(_) => {}
                    None => entry.push(Defined {
                        file: i,
                        ranges: vec![d.whole.clone()],
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

    /// Read again, with the helpers they call, the kernels of this file that call functions
    /// defined outside its `__device__` helpers; their new summaries say which were followed.
    pub fn lend(&self, file: &SourceFile, fa: &FileAnalysis) -> Lent {
        if !self.lends_to(fa) {
            return Vec::new();
        }
        let own: BTreeSet<&str> = fa.device_fns.iter().map(|(n, _)| n.as_str()).collect();
        let lent = self.closure(fa, &own);
        if lent.is_empty() {
            return Vec::new();
        }
        // Parsed again: the kernels that borrow, the file's own helpers they call, the lent text.
        let borrowers: Vec<&crate::analyze::KernelDef> = fa
            .kernels
            .iter()
            .filter(|k| {
                k.external_calls
                    .iter()
                    .any(|c| lent.contains_key(c.as_str()))
            })
            .collect();
        let called: BTreeSet<&str> = borrowers
            .iter()
            .flat_map(|k| k.own_helpers.iter().map(String::as_str))
            .collect();
        let mut keep: Vec<Range<usize>> = borrowers.iter().map(|k| k.range.clone()).collect();
        keep.extend(
            fa.function_defs
                .iter()
                .filter(|d| d.device && called.contains(d.name.as_str()))
                .map(|d| d.whole.clone()),
        );
        let mut bytes = file.bytes.clone();
        let lent_at = bytes.len();
        let mut placed: Vec<(&str, usize, usize)> = Vec::new();
        for (name, (from, ranges)) in &lent {
            let src = &self.files[*from].0.bytes;
            for r in ranges.iter() {
                bytes.push(b'\n');
                placed.push((name, bytes.len(), bytes.len() + r.len()));
                bytes.extend_from_slice(&src[r.clone()]);
            }
        }
        bytes.push(b'\n');
        keep.push(lent_at..bytes.len());
        let Some(tree) = crate::parse::parse_ranges(&bytes, &disjoint(keep)) else {
            return Vec::new();
        };
        let root = tree.root_node();
        let mut fns = fa.device_fns.clone();
        for &(name, start, end) in &placed {
            if let Some(body) = body_of(root, start, end) {
                fns.push((name.to_string(), body));
            }
        }
        let copy = SourceFile::new(file.rel.clone(), file.abs.clone(), bytes);
        let src = expr::Src(&copy.bytes);
        let mut out = Vec::new();
        for (i, k) in fa.kernels.iter().enumerate() {
            let from: Vec<String> = k
                .external_calls
                .iter()
                .filter_map(|c| lent.get(c.as_str()).map(|l| (c, l.0)))
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
            let mut f = facts::collect(src, root, body, &fns);
            f.lent_at = lent_at;
            let mut summary = classify::summarize(&copy, &f);
            summary.evidence.push(format!(
                "followed helpers from other files: {}",
                from.join(", ")
            ));
            out.push((i, summary));
        }
        out
    }

    /// The helpers to lend: what the kernels call that the file does not define, and what those
    /// call in turn, up to `MAX_LENT` names a kernel and `MAX_FILE_LENT` a file. Per name, the definitions of one file: one this
    /// file includes by name if there is one, else the first.
    fn closure(
        &self,
        fa: &FileAnalysis,
        own: &BTreeSet<&str>,
    ) -> BTreeMap<&str, (usize, &[Range<usize>])> {
        let includes: BTreeSet<&str> = fa.local_includes.iter().map(|i| basename(i)).collect();
        let mut lent: BTreeMap<&str, (usize, &[Range<usize>])> = BTreeMap::new();
        // Each kernel gets its own budget; the file as a whole a larger one.
        for k in &fa.kernels {
            let mut mine: BTreeSet<&str> = BTreeSet::new();
            let mut queue: Vec<&str> = k.external_calls.iter().map(String::as_str).collect();
            queue.reverse();
            while let Some(name) = queue.pop() {
                if mine.len() >= MAX_LENT || own.contains(name) || !mine.insert(name) {
                    continue;
                }
                let Some((&key, defined)) = self.defs.get_key_value(name) else {
                    mine.remove(name);
                    continue;
                };
                let d = defined
                    .iter()
                    .find(|d| includes.contains(basename(&self.files[d.file].0.rel)))
                    .unwrap_or(&defined[0]);
                let src = &self.files[d.file].0.bytes;
                for r in &d.ranges {
                    let text = std::str::from_utf8(&src[r.clone()]).unwrap_or("");
                    queue.extend(
                        identifiers(text)
                            .filter_map(|i| self.defs.get_key_value(i).map(|(k, _)| *k)),
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

fn basename(p: &str) -> &str {
    p.rsplit(['/', '\\']).next().unwrap_or(p)
}

/// The identifiers of a text (a cheap lexical pass; keywords included, they never index).
fn identifiers(t: &str) -> impl Iterator<Item = &str> {
    t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
}

/// The ranges sorted, nested and overlapping ones merged.
fn disjoint(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
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

/// The body of the function definition appended at `start..end`.
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
