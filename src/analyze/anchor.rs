//! Where headers that rewrites need are added: after the file's leading block of top-level
//! `#include`s — below `#pragma once` and an include guard's `#define`, never inside a conditional
//! block, never below code.

use crate::flat::{Flat, Node};
use crate::parse::NodeExt;

/// The byte offset to insert `#include` lines at, or `None` for the start of the file.
pub fn include_anchor(tree: &Flat, src: &[u8]) -> Option<usize> {
    let root = tree.root();
    let mut top: Vec<Node> = named_children(root)
        .into_iter()
        .filter(|n| n.kind_name() != "comment")
        .collect();
    let mut anchor = None;
    // A classic include guard wraps the whole file: look inside it, below its `#define`.
    if let [only] = top.as_slice() {
        if only.kind_name() == "preproc_ifdef" {
            let inner: Vec<Node> = named_children(*only)
                .into_iter()
                .filter(|n| n.kind_name() != "comment")
                .collect();
            if inner.first().is_some_and(|n| n.kind_name() == "identifier")
                && inner.get(1).is_some_and(|n| n.kind_name() == "preproc_def")
            {
                anchor = Some(line_end(src, inner[1].end_byte()));
                top = inner[2..].to_vec();
            }
        }
    }
    for n in top {
        match n.kind_name() {
            "preproc_include" => anchor = Some(line_end(src, n.end_byte())),
            // `#pragma once`, macros set before includes, conditional include blocks: keep going.
            "preproc_call" => {
                let once = std::str::from_utf8(&src[n.byte_range()])
                    .is_ok_and(|t| t.starts_with("#pragma") && t.contains("once"));
                if once && anchor.is_none() {
                    anchor = Some(line_end(src, n.end_byte()));
                }
            }
            "preproc_def" | "preproc_function_def" | "preproc_ifdef" | "preproc_if" => {}
            _ => break,
        }
    }
    anchor
}

fn named_children(n: Node) -> Vec<Node> {
    n.named_children().collect()
}

/// The offset just after the line holding `end - 1` (a directive's node may stop before its
/// newline).
fn line_end(src: &[u8], end: usize) -> usize {
    if src[..end].ends_with(b"\n") {
        return end;
    }
    src[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(src.len(), |p| end + p + 1)
}

#[cfg(test)]
mod tests {
    use super::include_anchor;

    fn at(src: &str) -> Option<String> {
        let tree = crate::parse::parse(src.as_bytes()).unwrap();
        let flat = crate::flat::Flat::new(tree.root_node());
        include_anchor(&flat, src.as_bytes()).map(|o| src[..o].to_string())
    }

    #[test]
    fn after_the_leading_includes_not_below_code() {
        let src = "#include <a.h>\n#include <b.h>\nint f();\n#include <late.h>\n";
        assert_eq!(at(src).unwrap(), "#include <a.h>\n#include <b.h>\n");
    }

    #[test]
    fn below_pragma_once_and_guards_never_inside_a_conditional() {
        assert_eq!(at("#pragma once\nint x;\n").unwrap(), "#pragma once\n");
        let guard = "#ifndef A_H\n#define A_H\nint x;\n#endif\n";
        assert_eq!(at(guard).unwrap(), "#ifndef A_H\n#define A_H\n");
        let cond = "#include <a.h>\n#ifdef X\n#include <x.h>\n#endif\nint y;\n";
        assert_eq!(at(cond).unwrap(), "#include <a.h>\n");
        assert_eq!(at("int y;\n"), None);
    }
}
