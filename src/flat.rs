//! A syntax tree copied once into one array, in pre-order, for analyses that walk the same
//! subtrees many times (kernel recognition). tree-sitter's nodes are cheap to hold but not to
//! move between: `Node::parent` walks down again from the root, and every child lookup steps a
//! cursor. Here a parent, a sibling or a whole subtree is an index away, and a subtree is the
//! contiguous range `i..after[i]`.
//!
//! The copy has the same visible nodes, kinds, fields and byte ranges as the tree it was made
//! from, and `Node`'s methods answer as `tree_sitter::Node`'s of the same name do.

use crate::parse;
use std::fmt;
use std::ops::Range;

const NONE: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Rec {
    start: u32,
    end: u32,
    /// Index of the parent, `NONE` for the root.
    parent: u32,
    /// One past the last node of this subtree: the next sibling, if there is one.
    after: u32,
    /// The grammar's kind number (`parse::kind_name_of`).
    kind: u16,
    /// The field this node fills in its parent (0: none).
    field: u8,
    /// `NAMED`, `HAS_ERROR`, `MISSING`.
    flags: u8,
}

const NAMED: u8 = 1;
const HAS_ERROR: u8 = 2;
const MISSING: u8 = 4;

/// A flattened tree.
pub struct Flat {
    recs: Vec<Rec>,
}

impl fmt::Debug for Flat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flat({} nodes)", self.recs.len())
    }
}

impl Flat {
    /// Copy the subtree under `root` (usually a whole tree's root).
    pub fn new(root: tree_sitter::Node) -> Flat {
        let mut recs: Vec<Rec> = Vec::with_capacity(root.descendant_count());
        let mut open: Vec<u32> = Vec::new();
        let mut cursor = root.walk();
        let push = |recs: &mut Vec<Rec>, open: &mut Vec<u32>, c: &tree_sitter::TreeCursor| {
            let n = c.node();
            let i = recs.len() as u32;
            let parent = open.last().copied().unwrap_or(NONE);
            // tree-sitter's cursor names fields inside an ERROR node that `child_by_field_id`
            // does not give; the copy answers as the node does.
            let in_error = recs
                .get(parent as usize)
                .is_some_and(|p: &Rec| p.kind == u16::MAX);
            recs.push(Rec {
                start: n.start_byte() as u32,
                end: n.end_byte() as u32,
                parent,
                after: NONE,
                kind: n.kind_id(),
                field: match c.field_id() {
                    Some(f) if !in_error => u8::try_from(f.get()).unwrap_or(u8::MAX),
                    _ => 0,
                },
                flags: (if n.is_named() { NAMED } else { 0 })
                    | (if n.has_error() { HAS_ERROR } else { 0 })
                    | (if n.is_missing() { MISSING } else { 0 }),
            });
            open.push(i);
        };
        push(&mut recs, &mut open, &cursor);
        loop {
            if cursor.goto_first_child() {
                push(&mut recs, &mut open, &cursor);
                continue;
            }
            loop {
                if let Some(done) = open.pop() {
                    let len = recs.len() as u32;
                    recs[done as usize].after = len;
                }
                if cursor.goto_next_sibling() {
                    push(&mut recs, &mut open, &cursor);
                    break;
                }
                if !cursor.goto_parent() {
                    // Back at `root`: close whatever is still open (only `root` itself).
                    while let Some(done) = open.pop() {
                        let len = recs.len() as u32;
                        recs[done as usize].after = len;
                    }
                    return Flat { recs };
                }
            }
        }
    }

    /// A smaller copy of this one: only the nodes that overlap one of `keep` (sorted, disjoint)
    /// keep their children; the others are leaves here. Their ancestors and siblings are all
    /// present, so parents, fields and byte ranges answer as in the full copy.
    pub fn keep_only(&self, keep: &[Range<usize>]) -> Flat {
        let wanted = |r: &Rec| {
            let (s, e) = (r.start as usize, r.end as usize);
            let i = keep.partition_point(|k| k.end <= s);
            keep.get(i)
                .is_some_and(|k| k.start < e || (s == e && k.start <= s))
        };
        let mut recs: Vec<Rec> = Vec::new();
        // (where the old subtree ends, its index in the copy)
        let mut open: Vec<(u32, u32)> = Vec::new();
        let mut i = 0u32;
        let n = self.recs.len() as u32;
        while i < n {
            while open.last().is_some_and(|&(end, _)| end <= i) {
                let (_, at) = open.pop().unwrap_or_default();
                recs[at as usize].after = recs.len() as u32;
            }
            let old = self.recs[i as usize];
            let at = recs.len() as u32;
            recs.push(Rec {
                parent: open.last().map_or(NONE, |&(_, p)| p),
                after: at + 1,
                ..old
            });
            if wanted(&old) {
                open.push((old.after, at));
                i += 1;
            } else {
                i = old.after;
            }
        }
        while let Some((_, at)) = open.pop() {
            recs[at as usize].after = recs.len() as u32;
        }
        Flat { recs }
    }

    pub fn root(&self) -> Node<'_> {
        Node { flat: self, i: 0 }
    }

    /// Bytes covered by ERROR nodes and missing tokens (outermost only, so nothing is counted
    /// twice).
    pub fn error_bytes(&self) -> usize {
        let mut total = 0;
        preorder(self.root(), usize::MAX, |node| {
            if node.is_error() || node.is_missing() {
                total += node.end_byte() - node.start_byte();
                return false;
            }
            node.has_error()
        });
        total
    }
}

/// A node of a `Flat` tree.
#[derive(Clone, Copy)]
pub struct Node<'t> {
    flat: &'t Flat,
    i: u32,
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.i == other.i && std::ptr::eq(self.flat, other.flat)
    }
}

impl Eq for Node<'_> {}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?}",
            parse::kind_name_of(self.rec().kind),
            self.byte_range()
        )
    }
}

impl<'t> Node<'t> {
    #[inline]
    fn rec(&self) -> &'t Rec {
        &self.flat.recs[self.i as usize]
    }

    #[inline]
    fn at(&self, i: u32) -> Node<'t> {
        Node { flat: self.flat, i }
    }

    #[inline]
    pub fn start_byte(&self) -> usize {
        self.rec().start as usize
    }

    #[inline]
    pub fn end_byte(&self) -> usize {
        self.rec().end as usize
    }

    #[inline]
    pub fn byte_range(&self) -> Range<usize> {
        self.start_byte()..self.end_byte()
    }

    #[inline]
    pub fn is_named(&self) -> bool {
        self.rec().flags & NAMED != 0
    }

    /// Is this node, or something under it, a syntax error or a missing token?
    #[inline]
    pub fn has_error(&self) -> bool {
        self.rec().flags & HAS_ERROR != 0
    }

    #[inline]
    pub fn is_error(&self) -> bool {
        self.rec().kind == u16::MAX
    }

    #[inline]
    pub fn is_missing(&self) -> bool {
        self.rec().flags & MISSING != 0
    }

    pub fn parent(&self) -> Option<Node<'t>> {
        let p = self.rec().parent;
        (p != NONE).then(|| self.at(p))
    }

    /// All children, anonymous ones too, in order.
    pub fn children(&self) -> impl Iterator<Item = Node<'t>> + 't {
        let flat = self.flat;
        let end = self.rec().after;
        let mut c = self.i + 1;
        std::iter::from_fn(move || {
            (c < end).then(|| {
                let n = Node { flat, i: c };
                c = flat.recs[c as usize].after;
                n
            })
        })
    }

    pub fn named_children(&self) -> impl Iterator<Item = Node<'t>> + 't {
        self.children().filter(|c| c.is_named())
    }

    pub fn child(&self, i: usize) -> Option<Node<'t>> {
        self.children().nth(i)
    }

    pub fn named_child(&self, i: usize) -> Option<Node<'t>> {
        self.named_children().nth(i)
    }

    pub fn named_child_count(&self) -> usize {
        self.named_children().count()
    }

    /// The children in field `name`.
    pub fn children_by_field_name(&self, name: &str) -> impl Iterator<Item = Node<'t>> + 't {
        let id = field_byte(name).unwrap_or(0);
        self.children()
            .filter(move |c| id != 0 && c.rec().field == id)
    }

    /// The smallest node that spans `start..end`, anonymous ones included.
    pub fn descendant_for_byte_range(&self, start: usize, end: usize) -> Option<Node<'t>> {
        if start > end || start < self.start_byte() || end > self.end_byte() {
            return None;
        }
        let mut node = *self;
        'down: loop {
            for c in node.children() {
                let (cs, ce) = (c.start_byte(), c.end_byte());
                if ce < end || (ce <= start && cs != ce) {
                    continue;
                }
                if start < cs {
                    break;
                }
                node = c;
                continue 'down;
            }
            return Some(node);
        }
    }
}

impl<'t> parse::NodeExt<'t> for Node<'t> {
    #[inline]
    fn kind_name(&self) -> &'static str {
        parse::kind_name_of(self.rec().kind)
    }

    fn field(&self, name: &str) -> Option<Self> {
        let id = field_byte(name)?;
        self.children().find(|c| c.rec().field == id)
    }
}

/// A field's number as stored here (the grammar has fewer than 255 fields; `u8::MAX` would
/// stand for any beyond, and no name maps to it).
fn field_byte(name: &str) -> Option<u8> {
    parse::field_id(name).and_then(|id| u8::try_from(id).ok().filter(|&b| b != u8::MAX))
}

/// Visit the subtree under `root` in pre-order, at most `limit` nodes; `f` returns whether to
/// descend into a node.
pub fn preorder<'t>(root: Node<'t>, limit: usize, mut f: impl FnMut(Node<'t>) -> bool) {
    let recs = &root.flat.recs;
    let end = root.rec().after;
    let mut i = root.i;
    let mut budget = limit;
    while i < end && budget > 0 {
        budget -= 1;
        let n = root.at(i);
        i = if f(n) { i + 1 } else { recs[i as usize].after };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::NodeExt;

    const SRC: &str = "__global__ void k(float *y, const float *x, int n) {\n  // a comment\n  for (int i = 0; i < n; ++i) { y[i] = x[i] > 0 ? x[i] : 0.0f; }\n  if (n) return;\n}\ntemplate <typename T> __device__ T sq(T v) { return v * v; }\nvoid bad() { int z = (1 + ; }\nint broken( { ;\n";

    #[test]
    fn the_copy_answers_as_the_tree_does() {
        let tree = parse::parse(SRC.as_bytes()).expect("parses");
        let flat = Flat::new(tree.root_node());
        let mut ts_nodes = Vec::new();
        parse::preorder(tree.root_node(), usize::MAX, |n| {
            ts_nodes.push(n);
            true
        });
        let mut flat_nodes = Vec::new();
        preorder(flat.root(), usize::MAX, |n| {
            flat_nodes.push(n);
            true
        });
        assert_eq!(ts_nodes.len(), flat_nodes.len());
        let fields = [
            "declarator",
            "body",
            "left",
            "right",
            "condition",
            "value",
            "type",
            "name",
        ];
        for (t, f) in ts_nodes.iter().zip(&flat_nodes) {
            assert_eq!(t.kind_name(), f.kind_name());
            assert_eq!(t.byte_range(), f.byte_range());
            assert_eq!(t.is_named(), f.is_named());
            assert_eq!(t.has_error(), f.has_error());
            assert_eq!(t.is_error(), f.is_error());
            assert_eq!(t.is_missing(), f.is_missing());
            assert_eq!(t.child_count(), f.children().count());
            assert_eq!(t.named_child_count(), f.named_child_count());
            assert_eq!(
                t.parent().map(|p| p.byte_range()),
                f.parent().map(|p| p.byte_range())
            );
            for name in fields {
                assert_eq!(
                    t.field(name).map(|c| (c.kind_name(), c.byte_range())),
                    f.field(name).map(|c| (c.kind_name(), c.byte_range())),
                    "field {name} of {f:?}"
                );
            }
            let d = tree
                .root_node()
                .descendant_for_byte_range(t.start_byte(), t.end_byte())
                .map(|d| (d.kind_name(), d.byte_range()));
            let e = flat
                .root()
                .descendant_for_byte_range(f.start_byte(), f.end_byte())
                .map(|d| (d.kind_name(), d.byte_range()));
            assert_eq!(d, e, "descendant for {f:?}");
        }
    }

    /// "kind range ^parent-range" of every node, in pre-order.
    fn outline(f: &Flat) -> Vec<String> {
        let mut v = Vec::new();
        preorder(f.root(), usize::MAX, |n| {
            let parent = n.parent().map(|p| p.byte_range());
            v.push(format!(
                "{} {:?} ^{parent:?}",
                n.kind_name(),
                n.byte_range()
            ));
            true
        });
        v
    }

    #[test]
    fn a_pruned_copy_is_the_walk_that_descends_only_into_kept_ranges() {
        let tree = parse::parse(SRC.as_bytes()).expect("parses");
        let full = Flat::new(tree.root_node());
        let kernel_end = SRC.find("}\ntemplate").expect("kernel") + 1;
        let (kernel, rest, none) = (0..kernel_end, kernel_end + 1..SRC.len(), 5..5);
        for keep in [vec![kernel], vec![rest], vec![], vec![none, 5..6]] {
            let overlaps = |n: Node| {
                let (s, e) = (n.start_byte(), n.end_byte());
                keep.iter()
                    .any(|k| (k.start < e && s < k.end) || (s == e && k.start <= s && s <= k.end))
            };
            let mut expected = Vec::new();
            preorder(full.root(), usize::MAX, |n| {
                let parent = n.parent().map(|p| p.byte_range());
                expected.push(format!(
                    "{} {:?} ^{parent:?}",
                    n.kind_name(),
                    n.byte_range()
                ));
                overlaps(n)
            });
            let pruned = full.keep_only(&keep);
            assert_eq!(outline(&pruned), expected, "keep {keep:?}");
            assert!(pruned.recs.len() < full.recs.len());
        }
    }

    #[test]
    fn counts_error_bytes() {
        let clean = parse::parse(b"int f() { return 1; }").expect("parses");
        assert_eq!(Flat::new(clean.root_node()).error_bytes(), 0);
        let broken = parse::parse(b"int f( { ]] return 1; }").expect("parses");
        assert!(Flat::new(broken.root_node()).error_bytes() > 0);
    }

    #[test]
    fn every_field_of_the_grammar_fits_a_byte() {
        let lang: tree_sitter::Language = tree_sitter_cuda::LANGUAGE.into();
        assert!(lang.field_count() < usize::from(u8::MAX));
    }

    #[test]
    fn a_walk_that_stops_descending_skips_the_subtree_and_the_budget_holds() {
        let tree = parse::parse(SRC.as_bytes()).expect("parses");
        let flat = Flat::new(tree.root_node());
        let kinds = |limit: usize| {
            let mut t = Vec::new();
            parse::preorder(tree.root_node(), limit, |n| {
                t.push(n.kind_name());
                n.kind_name() != "for_statement"
            });
            let mut f = Vec::new();
            preorder(flat.root(), limit, |n| {
                f.push(n.kind_name());
                n.kind_name() != "for_statement"
            });
            (t, f)
        };
        for limit in [0, 1, 7, 40, usize::MAX] {
            let (t, f) = kinds(limit);
            assert_eq!(t, f, "limit {limit}");
        }
        let (_, all) = kinds(usize::MAX);
        assert!(
            !all.contains(&"update_expression"),
            "the loop's subtree is skipped"
        );
        assert!(all.contains(&"if_statement"), "its siblings are not");
    }
}
