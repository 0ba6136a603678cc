//! Rewrite templates: `aclrtMemcpy({dst}, {count}, {src}, {count}, {kind})` parsed once into segments.

/// One piece of a compiled template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    /// Argument N, with nested rewrites applied.
    Arg(usize),
    /// Argument N with one identifier renamed token-wise.
    ArgRenamed {
        index: usize,
        from: String,
        to: String,
    },
    /// Argument N passed where `void **` is expected (`&p` with `float *p`): cast unless it
    /// already is `(void **)…`.
    ArgVoidPtrPtr(usize),
    /// The receiver of a method call.
    Recv,
    /// The member operator (`.` / `->`).
    Op,
    /// Template arguments of a method call, without `<>`.
    Targs,
}

/// A compiled rewrite template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub segments: Vec<Segment>,
}

impl Template {
    /// Does the template need the call's arguments (so the argument count must match)?
    pub fn uses_args(&self) -> bool {
        self.segments.iter().any(|s| {
            matches!(
                s,
                Segment::Arg(_) | Segment::ArgRenamed { .. } | Segment::ArgVoidPtrPtr(_)
            )
        })
    }

    pub fn uses(&self, seg: &Segment) -> bool {
        self.segments.contains(seg)
    }
}

/// A template error: the message and the byte range inside the template text.
#[derive(Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub range: std::ops::Range<usize>,
}

/// Parse `text`; `params` names the arguments usable as `{name}`.
pub fn parse(text: &str, params: &[String]) -> Result<Template, TemplateError> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                let close = text[i..].find('}').map(|o| i + o).ok_or(TemplateError {
                    message: "unclosed `{` in template".into(),
                    range: i..text.len(),
                })?;
                let inner = &text[i + 1..close];
                let seg = placeholder(inner, params).map_err(|message| TemplateError {
                    message,
                    range: i..close + 1,
                })?;
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(seg);
                i = close + 1;
            }
            b'}' => {
                return Err(TemplateError {
                    message: "stray `}` in template".into(),
                    range: i..i + 1,
                })
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                literal.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(Template { segments })
}

fn placeholder(inner: &str, params: &[String]) -> Result<Segment, String> {
    let (head, filter) = match inner.split_once('|') {
        Some((h, f)) => (h.trim(), Some(f.trim())),
        None => (inner.trim(), None),
    };
    let base = match head {
        "recv" => Segment::Recv,
        "op" => Segment::Op,
        "targs" => Segment::Targs,
        _ => Segment::Arg(arg_index(head, params)?),
    };
    match filter {
        None => Ok(base),
        Some(f) => {
            let Segment::Arg(index) = base else {
                return Err(format!("filter `{f}` applies only to arguments"));
            };
            if f == "void_pp" {
                return Ok(Segment::ArgVoidPtrPtr(index));
            }
            let spec = f
                .strip_prefix("rename:")
                .ok_or_else(|| format!("unknown filter `{f}` (known: void_pp, rename:FROM=TO)"))?;
            let (from, to) = spec
                .split_once('=')
                .ok_or_else(|| format!("`{f}`: write rename:FROM=TO"))?;
            let ident = |s: &str| {
                !s.is_empty()
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !s.starts_with(|c: char| c.is_ascii_digit())
            };
            if !ident(from) || !ident(to) {
                return Err(format!("`{f}`: FROM and TO must be identifiers"));
            }
            Ok(Segment::ArgRenamed {
                index,
                from: from.into(),
                to: to.into(),
            })
        }
    }
}

fn arg_index(head: &str, params: &[String]) -> Result<usize, String> {
    if let Ok(n) = head.parse::<usize>() {
        if n < params.len() {
            return Ok(n);
        }
        return Err(if params.is_empty() {
            format!("`{{{n}}}` uses an argument but the rule declares no `params`")
        } else {
            format!(
                "`{{{n}}}` is out of range: `params` declares {} argument(s)",
                params.len()
            )
        });
    }
    params.iter().position(|p| p == head).ok_or_else(|| {
        if params.is_empty() {
            format!("unknown placeholder `{{{head}}}`: the rule declares no `params` (known: recv, op, targs)")
        } else {
            format!(
                "unknown placeholder `{{{head}}}` (params: {}; also recv, op, targs)",
                params.join(", ")
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn named_and_positional_placeholders() {
        let t = parse("f({b}, {0}, X)", &p(&["a", "b"])).unwrap();
        assert_eq!(
            t.segments,
            vec![
                Segment::Literal("f(".into()),
                Segment::Arg(1),
                Segment::Literal(", ".into()),
                Segment::Arg(0),
                Segment::Literal(", X)".into()),
            ]
        );
    }

    #[test]
    fn unknown_placeholder_points_at_it() {
        let e = parse("f({dst}, {nope})", &p(&["dst"])).unwrap_err();
        assert_eq!(e.range, 9..15);
        assert!(e.message.contains("nope"), "{}", e.message);
    }

    #[test]
    fn rename_filter() {
        let t = parse("M(({body|rename:scalar_t=data_t}))", &p(&["body"])).unwrap();
        assert!(t.uses(&Segment::ArgRenamed {
            index: 0,
            from: "scalar_t".into(),
            to: "data_t".into()
        }));
    }

    #[test]
    fn void_pp_filter() {
        let t = parse("aclrtMalloc({p|void_pp}, {n})", &p(&["p", "n"])).unwrap();
        assert!(t.uses(&Segment::ArgVoidPtrPtr(0)));
        assert!(parse("f({p|nope})", &p(&["p"])).is_err());
    }

    #[test]
    fn out_of_range_and_unclosed() {
        assert!(parse("f({2})", &p(&["a"])).is_err());
        assert!(parse("f({0", &p(&["a"])).is_err());
        assert!(parse("f(})", &p(&["a"])).is_err());
    }
}
