//! Planning: decide, per target, which matches become edits, how nested edits compose, and
//! which direct rules fall back to guided (with the reason).

use super::annotate;
use super::apply::{apply, Insertion};
use super::guard;
use super::project::{self, Facts, ProjectFacts};
use crate::analyze::lexical::{self, Token};
use crate::analyze::FileAnalysis;
use crate::catalog::{Catalog, Segment};
use crate::model::{
    ApiMatch, Finding, MatchContext, MatchRef, RuleKind, Status, Target, TargetFinding,
};
use crate::source::SourceFile;
use std::collections::BTreeSet;
use std::ops::Range;

/// Which rules take part.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Only these rule ids (or id prefixes ending in `-`), when given.
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    /// Write `// cuport[…]` annotations above findings.
    pub annotate: bool,
    /// What the other files of the project decided (see `project`).
    pub project: Option<std::sync::Arc<ProjectFacts>>,
}

impl PlanOptions {
    fn wants(&self, id: &str) -> bool {
        let hit = |list: &[String]| {
            list.iter()
                .any(|s| s == id || (s.ends_with('-') && id.starts_with(s.as_str())) || s == "ALL")
        };
        self.select.as_ref().is_none_or(|s| hit(s)) && !hit(&self.ignore)
    }
}

/// The result for one file.
#[derive(Debug, Default)]
pub struct FilePlan {
    /// Findings resolved on both targets, in source order.
    pub findings: Vec<Finding>,
    /// The rewritten file for the chosen target; `None` when nothing changes.
    pub output: Option<Vec<u8>>,
    /// Edits applied on the chosen target.
    pub edits: usize,
}

/// Deepest nesting of rewritten calls inside rewritten calls that is composed.
const MAX_NESTING: usize = 64;

#[derive(Debug)]
enum EditKind {
    Replace(Vec<u8>),
    Template,
    DeleteLine,
}

#[derive(Debug)]
struct Cand {
    m: usize,
    range: Range<usize>,
    kind: EditKind,
    /// Ranges that nested edits may sit in (template arguments, receiver, template args).
    slots: Vec<Range<usize>>,
    children: Vec<usize>,
}

/// Per-target outcome of one match.
#[derive(Clone, Debug)]
struct Outcome {
    status: Status,
    reason: Option<String>,
    applied: bool,
    replacement: Option<String>,
}

struct TargetPlan {
    outcomes: Vec<Option<Outcome>>,
    cands: Vec<Cand>,
    top: Vec<usize>,
    includes: Vec<String>,
}

/// The matches the options select, and each target's decisions on them.
fn plan_targets<'a>(
    file: &SourceFile,
    fa: &'a FileAnalysis,
    catalog: &Catalog,
    opts: &PlanOptions,
) -> (Vec<&'a ApiMatch>, Vec<(Target, TargetPlan)>) {
    let matches: Vec<&ApiMatch> = fa
        .matches
        .iter()
        .filter(|m| opts.wants(&match_id(catalog, m)))
        .collect();
    let plans = Target::ALL
        .into_iter()
        .map(|t| {
            let project = opts.project.as_ref().and_then(|p| p.get(t));
            (t, plan_target(file, fa, catalog, &matches, t, project))
        })
        .collect();
    (matches, plans)
}

fn facts_of(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    plans: &[(Target, TargetPlan)],
) -> ProjectFacts {
    ProjectFacts {
        by_target: plans
            .iter()
            .map(|(t, p)| {
                let applied = |i: usize| p.outcomes[i].as_ref().is_some_and(|o| o.applied);
                (*t, project::collect(file, fa, catalog, matches, applied))
            })
            .collect(),
    }
}

/// What this file's decisions mean for the rest of the project, without rendering anything
/// (the scan's rounds of project planning need only this).
pub fn file_facts(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    opts: &PlanOptions,
) -> ProjectFacts {
    let (matches, plans) = plan_targets(file, fa, catalog, opts);
    facts_of(file, fa, catalog, &matches, &plans)
}

/// The facts of a file read only for context (a header the scanned files include, not itself
/// scanned): it is never rewritten, so every CUDA name in it stays.
pub fn context_facts(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    opts: &PlanOptions,
) -> ProjectFacts {
    let (matches, plans) = plan_targets(file, fa, catalog, opts);
    ProjectFacts {
        by_target: plans
            .iter()
            .map(|(t, _)| (*t, project::collect(file, fa, catalog, &matches, |_| false)))
            .collect(),
    }
}

pub fn plan_file(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    target: Target,
    opts: &PlanOptions,
) -> FilePlan {
    let (matches, plans) = plan_targets(file, fa, catalog, opts);

    let findings: Vec<Finding> = matches
        .iter()
        .enumerate()
        .map(|(i, m)| finding(catalog, m, i, &plans))
        .collect();

    let (_, chosen) = plans
        .iter()
        .find(|(t, _)| *t == target)
        .expect("both targets planned");
    let mut insertions: Vec<Insertion> = Vec::new();
    let eol = annotate::line_ending(&file.bytes);
    // Nothing goes before a UTF-8 byte-order mark.
    let bom = if file.bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let include_at = fa.include_at.unwrap_or(bom);
    for inc in &chosen.includes {
        insertions.push(Insertion {
            at: include_at,
            order: 0,
            text: format!("#include \"{inc}\"{eol}").into_bytes(),
        });
    }
    if opts.annotate {
        insertions.extend(annotate::annotations(file, fa, catalog, &findings, target));
    }
    for i in &mut insertions {
        i.at = i.at.max(bom);
    }
    let mut edits: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
    insertions.sort_by(|a, b| (a.at, a.order, &a.text).cmp(&(b.at, b.order, &b.text)));
    let inside = Inside {
        taken: std::cell::RefCell::new(vec![false; insertions.len()]),
        ins: &insertions,
    };
    for &c in &chosen.top {
        let cand = &chosen.cands[c];
        let range = match cand.kind {
            EditKind::DeleteLine => line_range(file, cand.range.start),
            _ => cand.range.clone(),
        };
        edits.push((
            range,
            render(file, catalog, &matches, chosen, c, target, &inside),
        ));
    }
    let taken = inside.taken.into_inner();
    let mut insertions: Vec<Insertion> = insertions
        .into_iter()
        .zip(taken)
        .filter_map(|(i, t)| (!t).then_some(i))
        .collect();
    // An annotation whose line starts inside a replaced range (a finding nested in a rewritten
    // multi-line call) goes above the line where that rewrite starts.
    for i in &mut insertions {
        if let Some((r, _)) = edits.iter().find(|(r, _)| r.start < i.at && i.at < r.end) {
            let li = file.line_index(r.start);
            i.at = file.line_start(li).max(bom);
            let line = file.line_bytes(li);
            let indent = &line[..line
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count()];
            let body = i
                .text
                .iter()
                .position(|&b| b != b' ' && b != b'\t')
                .unwrap_or(0);
            i.text = [indent, &i.text[body..]].concat();
        }
    }
    let edit_count = count_applied(chosen);
    let output = apply(&file.bytes, &edits, &mut insertions);
    FilePlan {
        findings,
        output: (output != file.bytes).then_some(output),
        edits: edit_count,
    }
}

fn count_applied(p: &TargetPlan) -> usize {
    p.outcomes.iter().flatten().filter(|o| o.applied).count()
}

fn match_id(catalog: &Catalog, m: &ApiMatch) -> String {
    match m.what {
        MatchRef::Rule(i) => catalog.rules[i].id.clone(),
        MatchRef::Unmapped { .. } => "unmapped".into(),
    }
}

fn finding(catalog: &Catalog, m: &ApiMatch, i: usize, plans: &[(Target, TargetPlan)]) -> Finding {
    match m.what {
        MatchRef::Rule(ri) => {
            let rule = &catalog.rules[ri];
            let targets = plans
                .iter()
                .map(|(t, p)| {
                    let tr = rule.target(*t);
                    let o = p.outcomes[i].clone().expect("rule matches have outcomes");
                    let note = match &o.reason {
                        Some(r) => format!("{} (not rewritten here: {r})", tr.note),
                        None => tr.note.clone(),
                    };
                    (
                        *t,
                        TargetFinding {
                            api: tr.api.clone(),
                            status: o.status,
                            note,
                            replacement: o.replacement,
                        },
                    )
                })
                .collect();
            Finding {
                rule: rule.id.clone(),
                rule_index: Some(ri),
                cuda: m.name.clone(),
                kind: rule.kind.as_str().into(),
                library: rule.library.clone(),
                category: rule.category.clone(),
                span: m.span.clone(),
                name_range: m.name_range.clone(),
                targets,
            }
        }
        MatchRef::Unmapped { library } => Finding {
            rule: "unmapped".into(),
            rule_index: None,
            cuda: m.name.clone(),
            kind: "unmapped".into(),
            library: library.into(),
            category: "unmapped".into(),
            span: m.span.clone(),
            name_range: m.name_range.clone(),
            targets: Vec::new(),
        },
    }
}

fn plan_target(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    t: Target,
    project: Option<&Facts>,
) -> TargetPlan {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; matches.len()];
    let mut cands: Vec<Cand> = Vec::new();
    let mut headers: Vec<usize> = Vec::new();
    let rewritten_call = |i: usize| {
        let m = matches[i];
        let MatchRef::Rule(ri) = m.what else {
            return false;
        };
        let tr = catalog.rules[ri].target(t);
        tr.status == Status::Direct
            && match &tr.template {
                Some(tpl) => template_blocker(m, tpl, catalog.rules[ri].params.len()).is_none(),
                None => true,
            }
    };
    let blocked = guard::blockers(file, fa, catalog, matches, t, project, rewritten_call);

    for (i, m) in matches.iter().enumerate() {
        let MatchRef::Rule(ri) = m.what else { continue };
        let rule = &catalog.rules[ri];
        let tr = rule.target(t);
        let mut out = Outcome {
            status: tr.status,
            reason: None,
            applied: false,
            replacement: None,
        };
        if let (Status::Direct, Some(reason)) = (tr.status, &blocked[i]) {
            out.status = Status::Guided;
            out.reason = Some(reason.clone());
        } else if tr.status == Status::Direct {
            if rule.kind == RuleKind::Header {
                headers.push(i);
            } else if let Some(tpl) = &tr.template {
                match template_blocker(m, tpl, rule.params.len()) {
                    None => {
                        let call = m.call.as_ref().expect("checked by template_blocker");
                        let mut slots: Vec<Range<usize>> = call.args.clone();
                        slots.extend(call.recv.clone());
                        slots.extend(call.targs.clone());
                        cands.push(Cand {
                            m: i,
                            range: call.range.clone(),
                            kind: EditKind::Template,
                            slots,
                            children: Vec::new(),
                        });
                    }
                    Some(reason) => {
                        out.status = Status::Guided;
                        out.reason = Some(reason);
                    }
                }
            } else {
                cands.push(Cand {
                    m: i,
                    range: m.name_range.clone(),
                    kind: EditKind::Replace(tr.api.clone().into_bytes()),
                    slots: Vec::new(),
                    children: Vec::new(),
                });
            }
        }
        outcomes[i] = Some(out);
    }

    let top = nest(&mut cands, &mut outcomes, catalog, matches);

    // Headers: swap only when nothing else of that library is left unconverted in the file.
    let mut included: BTreeSet<String> = fa.included.clone();
    let mut includes: Vec<String> = Vec::new();
    let mut top = top;
    for &h in &headers {
        let m = matches[h];
        let MatchRef::Rule(ri) = m.what else { continue };
        let rule = &catalog.rules[ri];
        let remaining = matches
            .iter()
            .enumerate()
            .filter(|(j, o)| {
                let lib = match o.what {
                    MatchRef::Rule(r) => catalog.rules[r].library.as_str(),
                    MatchRef::Unmapped { library } => library,
                };
                lib == rule.library
                    && !matches!(o.what, MatchRef::Rule(r) if catalog.rules[r].kind == RuleKind::Header)
                    && !outcomes[*j].as_ref().is_some_and(|x| x.applied)
            })
            .count();
        let api = rule.target(t).api.clone();
        let out = outcomes[h].as_mut().expect("rule outcome");
        if remaining > 0 {
            out.status = Status::Guided;
            out.reason = Some(format!(
                "other {} touchpoints in this file still need it; swap it once they are ported",
                rule.library
            ));
            if !included.contains(&api) {
                included.insert(api.clone());
                includes.push(api);
            }
            continue;
        }
        if m.context != MatchContext::Code {
            out.status = Status::Guided;
            out.reason = Some("the #include sits in a region that did not parse".into());
            continue;
        }
        let kind = if included.contains(&api) {
            EditKind::DeleteLine
        } else {
            included.insert(api.clone());
            // Keep the include's own delimiters: <…> stays <…>, "…" stays "…".
            let original = &file.bytes[m.name_range.clone()];
            let text = if original.starts_with(b"<") {
                format!("<{api}>")
            } else {
                format!("\"{api}\"")
            };
            EditKind::Replace(text.into_bytes())
        };
        out.applied = true;
        out.replacement = Some(api.clone());
        cands.push(Cand {
            m: h,
            range: m.name_range.clone(),
            kind,
            slots: Vec::new(),
            children: Vec::new(),
        });
        top.push(cands.len() - 1);
    }

    // Headers the applied rewrites need.
    for c in &cands {
        if !outcomes[c.m].as_ref().is_some_and(|o| o.applied) {
            continue;
        }
        if let MatchRef::Rule(ri) = matches[c.m].what {
            if catalog.rules[ri].kind == RuleKind::Header {
                continue;
            }
            if let Some(inc) = &catalog.rules[ri].target(t).include {
                if !included.contains(inc) {
                    included.insert(inc.clone());
                    includes.push(inc.clone());
                }
            }
        }
    }

    let mut plan = TargetPlan {
        outcomes,
        cands,
        top,
        includes,
    };
    // Replacement text for every applied edit, for JSON/SARIF.
    for c in 0..plan.cands.len() {
        let m = plan.cands[c].m;
        if plan.outcomes[m]
            .as_ref()
            .is_some_and(|o| o.applied && o.replacement.is_none())
        {
            let text = render(file, catalog, matches, &plan, c, t, &Inside::none());
            if let Some(o) = plan.outcomes[m].as_mut() {
                o.replacement = Some(String::from_utf8_lossy(&text).into_owned());
            }
        }
    }
    plan
}

/// Why a template cannot be applied to this match, if it cannot.
fn template_blocker(m: &ApiMatch, tpl: &crate::catalog::Template, arity: usize) -> Option<String> {
    match m.context {
        // A #define body is not parsed: only a call recovered from its tokens can take a template.
        MatchContext::MacroBody if m.call.is_none() => {
            return Some("it sits inside a #define body".into())
        }
        MatchContext::MacroBody => {}
        MatchContext::ParseError => return Some("it sits in a region that did not parse".into()),
        MatchContext::Code => {}
    }
    let Some(call) = &m.call else {
        return Some("not a call, so the template cannot be applied".into());
    };
    if let Some(r) = &call.unsafe_reason {
        return Some(r.clone());
    }
    if tpl.uses_args() && call.args.len() != arity {
        return Some(format!(
            "the call has {} argument(s), the rewrite expects {arity}",
            call.args.len()
        ));
    }
    if tpl.uses(&Segment::Targs) && call.targs.is_none() {
        return Some("the call has no template argument to carry over".into());
    }
    if tpl.uses(&Segment::Recv) && call.recv.is_none() {
        return Some("the call has no receiver".into());
    }
    None
}

/// Arrange candidate edits into a forest: nested edits inside template slots become children;
/// edits that partly overlap, or sit inside a rewrite outside its slots, are dropped with a reason.
fn nest(
    cands: &mut [Cand],
    outcomes: &mut [Option<Outcome>],
    catalog: &Catalog,
    matches: &[&ApiMatch],
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by_key(|&c| (cands[c].range.start, std::cmp::Reverse(cands[c].range.end)));
    let mut top = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for c in order {
        let (start, end) = (cands[c].range.start, cands[c].range.end);
        while stack.last().is_some_and(|&s| cands[s].range.end <= start) {
            stack.pop();
        }
        let parent = stack.last().copied();
        let accepted = match parent {
            None => {
                top.push(c);
                true
            }
            Some(p) => {
                let inside_slot = cands[p]
                    .slots
                    .iter()
                    .any(|s| s.start <= start && end <= s.end);
                if end <= cands[p].range.end && inside_slot && stack.len() < MAX_NESTING {
                    cands[p].children.push(c);
                    true
                } else {
                    let other = match_id(catalog, matches[cands[p].m]);
                    let why = if stack.len() >= MAX_NESTING {
                        "rewrites are nested too deeply".to_string()
                    } else {
                        format!("it overlaps the rewrite of {other}")
                    };
                    if let Some(o) = outcomes[cands[c].m].as_mut() {
                        o.status = Status::Guided;
                        o.reason = Some(why);
                    }
                    false
                }
            }
        };
        if accepted {
            if let Some(o) = outcomes[cands[c].m].as_mut() {
                o.applied = true;
            }
            stack.push(c);
        }
    }
    top
}

/// The bytes that replace candidate `c`.
/// Annotation lines that fall inside a rewritten call: the renderer places them in the copied
/// argument text, exactly where a later run would annotate the same code.
struct Inside<'i> {
    ins: &'i [Insertion],
    taken: std::cell::RefCell<Vec<bool>>,
}

impl Inside<'_> {
    fn none() -> Inside<'static> {
        Inside {
            ins: &[],
            taken: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Copy `src[a..b]`, splicing in the insertions that start inside it.
    fn copy(&self, out: &mut Vec<u8>, src: &[u8], a: usize, b: usize) {
        let mut pos = a;
        for (i, ins) in self.ins.iter().enumerate() {
            if ins.at > a && ins.at < b && !self.taken.borrow()[i] {
                out.extend_from_slice(&src[pos..ins.at]);
                out.extend_from_slice(&ins.text);
                pos = ins.at;
                self.taken.borrow_mut()[i] = true;
            }
        }
        out.extend_from_slice(&src[pos..b]);
    }
}

fn render(
    file: &SourceFile,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    plan: &TargetPlan,
    c: usize,
    t: Target,
    inside: &Inside,
) -> Vec<u8> {
    let cand = &plan.cands[c];
    match &cand.kind {
        EditKind::Replace(text) => text.clone(),
        EditKind::DeleteLine => Vec::new(),
        EditKind::Template => {
            let m = matches[cand.m];
            let MatchRef::Rule(ri) = m.what else {
                return file.bytes[cand.range.clone()].to_vec();
            };
            let tpl = catalog.rules[ri]
                .target(t)
                .template
                .as_ref()
                .expect("template candidates have templates");
            let call = m.call.as_ref().expect("template candidates are calls");
            let slot = |r: &Range<usize>| -> Vec<u8> {
                let mut out = Vec::new();
                let mut pos = r.start;
                let mut kids: Vec<usize> = cand
                    .children
                    .iter()
                    .copied()
                    .filter(|&k| {
                        plan.cands[k].range.start >= r.start && plan.cands[k].range.end <= r.end
                    })
                    .collect();
                kids.sort_by_key(|&k| plan.cands[k].range.start);
                for k in kids {
                    let kr = &plan.cands[k].range;
                    inside.copy(&mut out, &file.bytes, pos, kr.start);
                    out.extend(render(file, catalog, matches, plan, k, t, inside));
                    pos = kr.end;
                }
                inside.copy(&mut out, &file.bytes, pos, r.end);
                out
            };
            let mut out = Vec::new();
            for seg in &tpl.segments {
                match seg {
                    Segment::Literal(s) => out.extend_from_slice(s.as_bytes()),
                    Segment::Arg(i) => out.extend(slot(&call.args[*i])),
                    Segment::ArgVoidPtrPtr(index) => out.extend(void_pp(&slot(&call.args[*index]))),
                    Segment::ArgRenamed { index, from, to } => {
                        out.extend(rename_ident(&slot(&call.args[*index]), from, to))
                    }
                    Segment::Recv => out.extend(call.recv.as_ref().map(&slot).unwrap_or_default()),
                    Segment::Op => out.extend(
                        call.op
                            .as_ref()
                            .map(|r| file.bytes[r.clone()].to_vec())
                            .unwrap_or_else(|| b".".to_vec()),
                    ),
                    Segment::Targs => {
                        out.extend(call.targs.as_ref().map(&slot).unwrap_or_default())
                    }
                }
            }
            out
        }
    }
}

/// An argument where `void **` is expected: `&p` becomes `(void **)&p`, anything else
/// `(void **)(…)`, and an argument that already is a `void **` cast is kept.
fn void_pp(arg: &[u8]) -> Vec<u8> {
    let squeezed: Vec<u8> = arg
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if squeezed.starts_with(b"(void**)") || squeezed.starts_with(b"reinterpret_cast<void**>") {
        return arg.to_vec();
    }
    let simple = arg.starts_with(b"&")
        && arg[1..].iter().all(|&b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'>' || b == b'-'
        });
    if simple {
        [b"(void **)".as_slice(), arg].concat()
    } else {
        [b"(void **)(".as_slice(), arg, b")"].concat()
    }
}

/// Replace identifier `from` by `to`, token-wise (never inside comments, strings or longer names).
fn rename_ident(text: &[u8], from: &str, to: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut pos = 0;
    for tok in lexical::scan(text, 0..text.len()) {
        if let Token::Name(r) = tok {
            // Qualified chains are scanned whole; rename each segment that equals `from`.
            let mut seg_start = r.start;
            let chain = &text[r.clone()];
            let mut i = 0;
            while i <= chain.len() {
                let at_end = i == chain.len();
                if at_end || !(chain[i].is_ascii_alphanumeric() || chain[i] == b'_') {
                    let seg = &text[seg_start..r.start + i];
                    if seg == from.as_bytes() {
                        out.extend_from_slice(&text[pos..seg_start]);
                        out.extend_from_slice(to.as_bytes());
                        pos = r.start + i;
                    }
                    seg_start = r.start + i + 1;
                }
                i += 1;
            }
        }
    }
    out.extend_from_slice(&text[pos..]);
    out
}

/// The whole line holding `offset`, including its line ending.
fn line_range(file: &SourceFile, offset: usize) -> Range<usize> {
    let li = file.line_index(offset);
    let start = file.line_start(li);
    let end = if li + 1 < file.line_count() {
        file.line_start(li + 1)
    } else {
        file.bytes.len()
    };
    start..end
}

#[cfg(test)]
mod tests {
    use super::{rename_ident, void_pp};

    #[test]
    fn void_pp_casts_once() {
        let s = |b: &[u8]| String::from_utf8(void_pp(b)).unwrap();
        assert_eq!(s(b"&d_in"), "(void **)&d_in");
        assert_eq!(s(b"&s->buf"), "(void **)&s->buf");
        assert_eq!(s(b"(void **)&p"), "(void **)&p");
        assert_eq!(
            s(b"reinterpret_cast<void **>(&p)"),
            "reinterpret_cast<void **>(&p)"
        );
        assert_eq!(s(b"&bufs[i]"), "(void **)(&bufs[i])");
        assert_eq!(s(b"pp"), "(void **)(pp)");
    }

    #[test]
    fn rename_is_token_wise() {
        let src =
            b"[&]{ k<scalar_t>(x.data<scalar_t>()); scalar_tt y; /* scalar_t */ \"scalar_t\"; }";
        let out = rename_ident(src, "scalar_t", "data_t");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[&]{ k<data_t>(x.data<data_t>()); scalar_tt y; /* scalar_t */ \"scalar_t\"; }"
        );
    }
}
