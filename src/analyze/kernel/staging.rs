//! Per-thread arrays that stage data between global memory and the arithmetic (vectorised
//! access): which array a copy call fills from which global buffer, and which it writes out.

use super::expr;
use super::facts::Facts;
use super::values::{Space, Values};
use crate::flat::Node;
use crate::parse::NodeExt;

/// Per-thread arrays that stage data between global memory and the arithmetic: filled by a call
/// given the array and a global address (`load_global(buf, x + off)`, `memcpy(buf, x + off, n)`)
/// or written out by one (`store_global(y + off, buf)`).
#[derive(Default)]
pub struct Staging<'t> {
    /// Arrays filled from global memory.
    pub ins: Vec<Staged<'t>>,
    /// Arrays written to global memory.
    pub outs: Vec<Staged<'t>>,
}

/// One staging call: the per-thread array, the global buffer and the offset it addresses.
pub struct Staged<'t> {
    pub array: &'t str,
    pub buffer: &'t str,
    pub offset: String,
    /// The address depends on loaded data (a row picked by an index read from memory).
    pub data_dependent: bool,
    /// The call, for evidence.
    pub call: usize,
}

impl<'t> Staging<'t> {
    pub fn find(f: &Facts<'t>, v: &Values) -> Staging<'t> {
        let src = f.src;
        let mut st = Staging::default();
        let local_array = |n: Node| {
            let n = expr::unparen(n);
            (n.kind_name() == "identifier")
                .then(|| src.text(n))
                .filter(|name| {
                    f.named(name)
                        .any(|l| l.array && !l.shared && !l.param && l.site.scope == 0)
                })
        };
        for (ci, c) in f
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.site.scope == 0)
        {
            let args = expr::args(c.site.node);
            let Some(ai) = args.iter().position(|a| local_array(*a).is_some()) else {
                continue;
            };
            let Some((pi, base)) = args.iter().enumerate().find_map(|(i, a)| {
                let b = v.base(f, *a)?;
                (i != ai && b.space == Space::Global).then_some((i, b))
            }) else {
                continue;
            };
            let array = local_array(args[ai]).unwrap_or_default();
            let name = c.name.to_ascii_lowercase();
            let store = if name.contains("store") || name.contains("write") {
                true
            } else if name.contains("load") || name.contains("read") {
                false
            } else {
                pi < ai
            };
            let entry = Staged {
                array,
                buffer: base.name,
                offset: base.offset,
                data_dependent: base.data_dependent,
                call: ci,
            };
            if store {
                st.outs.push(entry);
            } else {
                st.ins.push(entry);
            }
        }
        st
    }

    /// The key of an element of a staged-out array (`buf[j]` → offset of the global write, `j`).
    pub fn out_key(&self, f: &Facts, v: &Values, sub: Node) -> Option<String> {
        let name = f.src.text(expr::unparen(sub.field("argument")?));
        let s = self.outs.iter().find(|s| s.array == name)?;
        Some(format!("{}#{}", s.offset, v.index_key(f, sub)))
    }

    /// The global buffer and key of an element of a staged-in array.
    /// Rows gathered through loaded indices are not an elementwise input.
    pub fn in_key(&self, f: &Facts, v: &Values, sub: Node) -> Option<(&'t str, String)> {
        let name = f.src.text(expr::unparen(sub.field("argument")?));
        let s = self
            .ins
            .iter()
            .find(|s| s.array == name && !s.data_dependent)?;
        Some((s.buffer, format!("{}#{}", s.offset, v.index_key(f, sub))))
    }
}
