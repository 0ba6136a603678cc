//! tree-sitter parsing with one reused parser per thread, after blanking macros that break the grammar.

use aho_corasick::AhoCorasick;
use std::cell::RefCell;
use std::sync::OnceLock;
use tree_sitter::{Parser, Tree};

/// Specifier and brace-hiding macros that real CUDA code uses and the grammar cannot know.
/// Blanked with spaces (same length, so spans stay exact) outside preprocessor lines.
pub const BLANKED_MACROS: &[&str] = &[
    "CUTLASS_DEVICE",
    "CUTLASS_HOST_DEVICE",
    "CUTLASS_GLOBAL",
    "CUTLASS_PRAGMA_UNROLL",
    "CUTLASS_PRAGMA_NO_UNROLL",
    "CUTLASS_UNUSED",
    "CUTE_DEVICE",
    "CUTE_HOST_DEVICE",
    "CUTE_HOST",
    "CUTE_UNROLL",
    "CUTE_NO_UNROLL",
    "_CCCL_HOST_DEVICE",
    "_CCCL_DEVICE",
    "_CCCL_HOST",
    "_CCCL_FORCEINLINE",
    "_CCCL_VISIBILITY_HIDDEN",
    "CUB_NAMESPACE_BEGIN",
    "CUB_NAMESPACE_END",
    "CUB_RUNTIME_FUNCTION",
    "CUB_DEVICE_FUNC",
    "THRUST_NAMESPACE_BEGIN",
    "THRUST_NAMESPACE_END",
    "THRUST_HOST_DEVICE",
    "THRUST_DEVICE_FUNCTION",
    "C10_HOST_DEVICE",
    "C10_DEVICE",
    "C10_HOST",
    "C10_ALWAYS_INLINE",
    "C10_API",
    "TORCH_API",
    "TORCH_CUDA_CPP_API",
    "TORCH_CUDA_CU_API",
    "HOST_DEVICE",
    "HOST_DEVICE_INLINE",
    "DEVICE_INLINE",
    "FORCE_INLINE",
    "__forceinline",
    "HOSTDEVICE",
    "CUDA_CALLABLE",
    "CUDA_HOSTDEV",
    "CUDA_HOST_DEVICE",
    "MMCV_HOST_DEVICE",
    "QUALIFIERS",
    "__inline_hint__",
    // Ascend C qualifiers, so cuport reads Ascend C (its own scaffolds included).
    "__aicore__",
    "__gm__",
];

fn blank_matcher() -> &'static AhoCorasick {
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    M.get_or_init(|| AhoCorasick::new(BLANKED_MACROS).expect("static patterns"))
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Replace blanked macro names with spaces, whole words only and not on `#` lines.
/// Returns `None` when nothing needed blanking (the common case: no copy).
pub fn blank_macros(src: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    for m in blank_matcher().find_iter(src) {
        let (s, e) = (m.start(), m.end());
        if s > 0 && is_ident_byte(src[s - 1]) || e < src.len() && is_ident_byte(src[e]) {
            continue;
        }
        if on_directive_line(src, s) {
            continue;
        }
        let buf = out.get_or_insert_with(|| src.to_vec());
        buf[s..e].fill(b' ');
    }
    for r in qualifier_after_star(src) {
        if !on_directive_line(src, r.start) {
            out.get_or_insert_with(|| src.to_vec())[r].fill(b' ');
        }
    }
    out
}

/// Upper-case names between a `*` and a declarator (`const T * GGML_RESTRICT p`): no C++
/// expression has a name right after another there, so it is a project's qualifier macro
/// (`__restrict__`, an address space), whatever it is called.
fn qualifier_after_star(src: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let skip_ws = |mut i: usize| {
        while i < src.len() && matches!(src[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    for (star, _) in src.iter().enumerate().filter(|(_, &b)| b == b'*') {
        let start = skip_ws(star + 1);
        let mut end = start;
        while end < src.len() && is_ident_byte(src[end]) {
            end += 1;
        }
        let name = &src[start..end];
        let upper = name.len() >= 3
            && name[0].is_ascii_uppercase()
            && name
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
        if !upper || end == start {
            continue;
        }
        let next = skip_ws(end);
        let declarator = next > end
            && next < src.len()
            && (src[next].is_ascii_alphabetic() || src[next] == b'_');
        if declarator {
            found.push(start..end);
        }
    }
    found
}

fn on_directive_line(src: &[u8], at: usize) -> bool {
    let line_start = src[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    src[line_start..at]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'#')
        || (line_start >= 2 && src[..line_start - 1].ends_with(b"\\"))
}

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parse bytes with this thread's CUDA parser.
pub fn parse(src: &[u8]) -> Option<Tree> {
    parse_within(src, None)
}

/// Parse, giving up (returning `None`) once `limit` has passed.
pub fn parse_within(src: &[u8], limit: Option<std::time::Duration>) -> Option<Tree> {
    let blanked = blank_macros(src);
    let text = blanked.as_deref().unwrap_or(src);
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(new_parser);
        parser.reset();
        let len = text.len();
        let mut input = |i: usize, _| if i < len { &text[i..] } else { &[][..] };
        match limit {
            None => parser.parse_with_options(&mut input, None, None),
            Some(limit) => {
                let deadline = std::time::Instant::now() + limit;
                // Returning true from the progress callback cancels the parse.
                let mut past_deadline =
                    |_: &tree_sitter::ParseState| std::time::Instant::now() > deadline;
                let options =
                    tree_sitter::ParseOptions::new().progress_callback(&mut past_deadline);
                parser.parse_with_options(&mut input, None, Some(options))
            }
        }
    })
}

/// Parse `src` as if it started at byte `base` of a longer document (nothing before it exists),
/// so its nodes' offsets are `base` on; rows start at 0. `None` if `base + src.len()` does not
/// fit tree-sitter's 32-bit offsets.
pub fn parse_shifted(src: &[u8], base: usize) -> Option<Tree> {
    base.checked_add(src.len())
        .filter(|&end| end < u32::MAX as usize)?;
    let blanked = blank_macros(src);
    let text = blanked.as_deref().unwrap_or(src);
    let last_line = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let rows = text.iter().filter(|&&b| b == b'\n').count();
    let included = [tree_sitter::Range {
        start_byte: base,
        end_byte: base + text.len(),
        start_point: tree_sitter::Point::new(0, 0),
        end_point: tree_sitter::Point::new(rows, text.len() - last_line),
    }];
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(new_parser);
        parser.reset();
        parser.set_included_ranges(&included).ok()?;
        let mut input = |i: usize, _| match i.checked_sub(base) {
            Some(at) if at < text.len() => &text[at..],
            _ => &[][..],
        };
        let tree = parser.parse_with_options(&mut input, None, None);
        // Back to whole documents for the next parse on this thread.
        parser.set_included_ranges(&[]).ok()?;
        tree
    })
}

/// Node kinds and fields by number. tree-sitter's `Node::kind` measures and UTF-8-checks a C
/// string on every call and `child_by_field_name` compares the name against every field of the
/// grammar; the analyzers ask both for nearly every node, so they read these tables instead.
struct GrammarTables {
    kinds: Vec<&'static str>,
    fields: std::collections::HashMap<&'static str, u16>,
}

fn grammar_tables() -> &'static GrammarTables {
    static TABLES: OnceLock<GrammarTables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let lang: tree_sitter::Language = tree_sitter_cuda::LANGUAGE.into();
        let kinds = (0..lang.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| lang.node_kind_for_id(id))
                    .unwrap_or("")
            })
            .collect();
        let fields = (1..=lang.field_count())
            .filter_map(|id| {
                let id = u16::try_from(id).ok()?;
                Some((lang.field_name_for_id(id)?, id))
            })
            .collect();
        GrammarTables { kinds, fields }
    })
}

/// The name of a node kind by its number, as `Node::kind` gives it (`ERROR` for errors).
pub fn kind_name_of(id: u16) -> &'static str {
    match grammar_tables().kinds.get(usize::from(id)) {
        Some(k) => k,
        None if id == u16::MAX => "ERROR",
        None => "",
    }
}

/// The grammar's number for a field name.
pub fn field_id(name: &str) -> Option<u16> {
    grammar_tables().fields.get(name).copied()
}

/// Fast, table-driven versions of `Node::kind` and `Node::child_by_field_name` (same results).
pub trait NodeExt<'t>: Sized {
    /// The node's kind, as `Node::kind` returns it.
    fn kind_name(&self) -> &'static str;
    /// The child in field `name`, as `Node::child_by_field_name` returns it.
    fn field(&self, name: &str) -> Option<Self>;
}

impl<'t> NodeExt<'t> for tree_sitter::Node<'t> {
    #[inline]
    fn kind_name(&self) -> &'static str {
        grammar_tables()
            .kinds
            .get(usize::from(self.kind_id()))
            .copied()
            .unwrap_or_else(|| self.kind())
    }

    #[inline]
    fn field(&self, name: &str) -> Option<Self> {
        let id = *grammar_tables().fields.get(name)?;
        self.child_by_field_id(id)
    }
}

pub fn new_parser() -> Parser {
    let mut p = Parser::new();
    p.set_language(&tree_sitter_cuda::LANGUAGE.into())
        .expect("the CUDA grammar matches the tree-sitter version");
    p
}

/// Visit the subtree under `root` in pre-order, iteratively (no recursion, so 10,000-deep input
/// cannot overflow the stack), at most `limit` nodes. `f` returns whether to descend into a node.
/// The analyses walk `crate::flat` copies; this walk of tree-sitter's own tree is what the tests
/// check the copies against.
#[cfg(test)]
pub fn preorder<'t>(
    root: tree_sitter::Node<'t>,
    limit: usize,
    mut f: impl FnMut(tree_sitter::Node<'t>) -> bool,
) {
    let mut cursor = root.walk();
    let mut budget = limit;
    let mut descend = true;
    loop {
        if descend {
            if budget == 0 {
                return;
            }
            budget -= 1;
            if f(cursor.node()) && cursor.goto_first_child() {
                continue;
            }
        }
        if cursor.node() == root {
            return;
        }
        if cursor.goto_next_sibling() {
            descend = true;
        } else if cursor.goto_parent() {
            descend = false;
            if cursor.node() == root {
                return;
            }
        } else {
            return;
        }
    }
}

#[cfg(test)]
mod qualifier_tests {
    use super::blank_macros;

    #[test]
    fn an_upper_case_name_between_a_star_and_a_declarator_is_a_qualifier() {
        let src = b"const float * MY_RESTRICT p = q;\nint y = a * B;\nx = a * NUM + b;\n#define R * MY_RESTRICT v\n";
        let out = blank_macros(src).expect("blanked");
        let text = String::from_utf8(out).unwrap();
        let blank = " ".repeat("MY_RESTRICT".len());
        assert!(
            text.starts_with(&format!("const float * {blank} p = q;\n")),
            "{text}"
        );
        assert!(
            text.contains("int y = a * B;\nx = a * NUM + b;\n#define R * MY_RESTRICT v"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanking_keeps_length_and_skips_defines() {
        let src =
            b"#define CUTLASS_DEVICE __device__\nCUTLASS_DEVICE void f();\nint CUTLASS_DEVICEX;";
        let out = blank_macros(src).unwrap();
        assert_eq!(out.len(), src.len());
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("#define CUTLASS_DEVICE __device__\n"));
        assert!(s.contains("\n               void f();"));
        assert!(s.ends_with("int CUTLASS_DEVICEX;"));
    }

    #[test]
    fn table_lookups_agree_with_tree_sitter_on_every_node_and_field() {
        let src = std::fs::read("fixtures/kernels/reductions.cu").unwrap();
        let tree = parse(&src).unwrap();
        let lang: tree_sitter::Language = tree_sitter_cuda::LANGUAGE.into();
        let names: Vec<&str> = (1..=lang.field_count())
            .filter_map(|id| lang.field_name_for_id(id as u16))
            .collect();
        assert!(names.contains(&"declarator"));
        let mut nodes = 0;
        preorder(tree.root_node(), usize::MAX, |n| {
            nodes += 1;
            assert_eq!(n.kind_name(), n.kind());
            for f in &names {
                assert_eq!(n.field(f), n.child_by_field_name(f), "{f} of {}", n.kind());
            }
            true
        });
        assert!(nodes > 500, "{nodes}");
        assert_eq!(tree.root_node().field("no_such_field"), None);
    }
}
