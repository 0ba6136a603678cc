//! What one file's rewrite decisions mean for the others: a type renamed at a declaration in a
//! header must agree with the calls that use the declared name in every file including it.
//!
//! The scan plans every file, collects these facts, and plans again with them until they stop
//! changing (each round only adds refusals, so it settles). Names are matched by spelling:
//! a project's functions and globals are one namespace as far as the linker is concerned.

use std::collections::{BTreeMap, BTreeSet};

use super::guard::{takes_cuda_values, wrapping_callee};
use crate::analyze::FileAnalysis;
use crate::catalog::Catalog;
use crate::model::{ApiMatch, MatchContext, MatchRef, RuleKind, Site, Status, Target};
use crate::source::SourceFile;

/// Project-wide facts for one target; each entry names the file that caused it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// (function, CUDA type) of parameters whose CUDA type stays
    /// (`void cublasCheck(cublasStatus_t)`) → (the type's library, where, the file).
    pub kept_params: BTreeMap<(String, String), (String, String, String)>,
    /// (function, library) of functions handed the result of a CUDA call that stays
    /// (`cublasCheck(cublasCreate(&h))`) → (where, the file).
    pub staying_into: BTreeMap<(String, String), (String, String)>,
    /// File-scope variables whose CUDA type stays.
    pub kept_globals: BTreeMap<String, String>,
    /// File-scope variables whose CUDA type is renamed.
    pub renamed_globals: BTreeSet<String>,
    /// Variables passed to a CUDA call that stays.
    pub passed_to_staying: BTreeMap<String, String>,
    /// (function, CUDA type) of functions called with a variable whose CUDA type stays
    /// (`scaling_kernel<<<…>>>(d_data, …)` with `cufftComplex *d_data` kept) → (where, the file):
    /// the function's parameter of that type must stay too.
    pub given_kept: BTreeMap<(String, String), (String, String)>,
    /// (function, CUDA type) of parameters whose type is renamed: a cast passed to the
    /// function may follow it.
    pub renamed_params: BTreeSet<(String, String)>,
    /// (macro, library) of function-like macros whose body hands a status to a CUDA function
    /// that stays and describes it (`#define CUDA_CHECK(e) … cudaGetErrorString(e)`): the calls
    /// given to the macro must keep returning the CUDA status type → (where, the file).
    pub status_consumers: BTreeMap<(String, String), (String, String)>,
    /// Names called in the body of each function-like macro (`#define CHECK(x) CHECK_GEN(x, …)`),
    /// so a macro that forwards to another one inherits what that one keeps.
    pub macro_callees: BTreeMap<String, BTreeSet<String>>,
}

impl Facts {
    fn merge(&mut self, other: Facts) {
        for (k, v) in other.kept_params {
            self.kept_params.entry(k).or_insert(v);
        }
        for (k, v) in other.staying_into {
            self.staying_into.entry(k).or_insert(v);
        }
        for (k, v) in other.kept_globals {
            self.kept_globals.entry(k).or_insert(v);
        }
        self.renamed_globals.extend(other.renamed_globals);
        for (k, v) in other.passed_to_staying {
            self.passed_to_staying.entry(k).or_insert(v);
        }
        self.renamed_params.extend(other.renamed_params);
        for (k, v) in other.given_kept {
            self.given_kept.entry(k).or_insert(v);
        }
        for (k, v) in other.status_consumers {
            self.status_consumers.entry(k).or_insert(v);
        }
        for (k, v) in other.macro_callees {
            self.macro_callees.entry(k).or_default().extend(v);
        }
    }

    /// `f` and the names its macro body calls, transitively (a few levels: macros that forward
    /// to macros).
    pub(crate) fn forwarded(&self, f: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::from([f.to_string()]);
        let mut frontier = vec![f.to_string()];
        for _ in 0..4 {
            let next: Vec<String> = frontier
                .iter()
                .filter_map(|g| self.macro_callees.get(g))
                .flatten()
                .filter(|n| seen.insert((*n).clone()))
                .cloned()
                .collect();
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        seen
    }
}

/// Facts for both targets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectFacts {
    pub by_target: BTreeMap<Target, Facts>,
}

impl ProjectFacts {
    pub fn get(&self, t: Target) -> Option<&Facts> {
        self.by_target.get(&t)
    }

    pub fn merge(mut self, other: ProjectFacts) -> ProjectFacts {
        for (t, f) in other.by_target {
            self.by_target.entry(t).or_default().merge(f);
        }
        self
    }
}

/// This file's facts for target `t`, from which of its matches are rewritten (`applied(i)`).
pub fn collect(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    applied: impl Fn(usize) -> bool,
) -> Facts {
    let mut f = Facts::default();
    let whole = 0..file.bytes.len();
    let library = |i: usize| match matches[i].what {
        MatchRef::Rule(r) => catalog.rules[r].library.clone(),
        MatchRef::Unmapped { library } => library.to_string(),
    };
    let is_type = |i: usize| matches!(matches[i].what, MatchRef::Rule(r) if catalog.rules[r].kind == RuleKind::Type);
    let mut staying_calls: BTreeMap<(usize, usize), &str> = BTreeMap::new();
    // Variables declared here whose CUDA type stays: (name, where visible, type).
    let mut kept_vars: Vec<(&str, std::ops::Range<usize>, &str)> = Vec::new();
    for (i, m) in matches.iter().enumerate() {
        if is_type(i) && !applied(i) {
            match &m.site {
                Site::DeclaredType { vars, scope, .. } => kept_vars.extend(
                    vars.iter()
                        .map(|v| (v.as_str(), scope.clone(), m.name.as_str())),
                ),
                Site::Parameter { var, scope, .. } if !scope.is_empty() => {
                    kept_vars.push((var.as_str(), scope.clone(), m.name.as_str()))
                }
                _ => {}
            }
        }
        let place = |what: &str| format!("{what} in {}", file.rel);
        // A type in a function-like macro's body is the macro's "parameter type":
        // `#define CUBLAS_CHECK(e) { cublasStatus_t s = (e); … }`.
        let in_macro = (m.context == MatchContext::MacroBody && is_type(i))
            .then(|| fa.macro_at(m.name_range.start))
            .flatten()
            .filter(|d| d.function_like)
            .map(|d| &d.name);
        if let (Some(name), false) = (in_macro, applied(i)) {
            f.kept_params
                .entry((name.clone(), m.name.clone()))
                .or_insert_with(|| (library(i), place(&format!("`{name}`")), file.rel.clone()));
        }
        if let Some(d) = (m.context == MatchContext::MacroBody && !applied(i))
            .then(|| fa.macro_at(m.name_range.start))
            .flatten()
            .filter(|d| d.function_like && describes_status(catalog, m))
        {
            f.status_consumers
                .entry((d.name.clone(), library(i)))
                .or_insert_with(|| (format!("`{}` ({})", m.name, file.rel), file.rel.clone()));
        }
        // A member is also a "parameter" of its struct (building it hands it the value); it
        // stays a file-scope name for the global facts below too.
        if let Site::DeclaredType { owner, .. } = &m.site {
            if is_type(i) && !owner.is_empty() {
                if applied(i) {
                    f.renamed_params.insert((owner.clone(), m.name.clone()));
                } else {
                    f.kept_params
                        .entry((owner.clone(), m.name.clone()))
                        .or_insert_with(|| {
                            (
                                library(i),
                                place(&format!("a member of `{owner}`")),
                                file.rel.clone(),
                            )
                        });
                }
            }
        }
        match &m.site {
            Site::Parameter { function, .. } if is_type(i) && !applied(i) => {
                f.kept_params
                    .entry((function.clone(), m.name.clone()))
                    .or_insert_with(|| {
                        (
                            library(i),
                            place(&format!("`{function}`")),
                            file.rel.clone(),
                        )
                    });
            }
            Site::Parameter { function, .. } if is_type(i) => {
                f.renamed_params.insert((function.clone(), m.name.clone()));
            }
            Site::DeclaredType { vars, scope, .. } if is_type(i) && *scope == whole => {
                for v in vars {
                    if applied(i) {
                        f.renamed_globals.insert(v.clone());
                    } else {
                        f.kept_globals
                            .entry(v.clone())
                            .or_insert_with(|| format!("`{}`, {}", m.name, file.rel));
                    }
                }
            }
            _ => {}
        }
        let Some(call) = m.call.as_ref().filter(|_| !is_type(i) && !applied(i)) else {
            continue;
        };
        staying_calls.insert((call.range.start, call.range.end), m.name.as_str());
        if let Some(callee) = wrapping_callee(file, call.range.start) {
            f.staying_into
                .entry((callee, library(i)))
                .or_insert_with(|| (place(&format!("`{}(…)`", m.name)), file.rel.clone()));
        }
    }
    for d in fa.macros.iter().filter(|d| d.function_like) {
        let names = called_names(&file.text(d.range.clone()));
        if !names.is_empty() {
            f.macro_callees
                .entry(d.name.clone())
                .or_default()
                .extend(names);
        }
    }
    for u in &fa.arg_uses {
        let inside = |r: &std::ops::Range<usize>| r.start <= u.call.start && u.call.end <= r.end;
        // The innermost declaration of the name that sees the call.
        let Some((_, _, ty)) = kept_vars
            .iter()
            .filter(|(v, scope, _)| *v == u.var && inside(scope))
            .min_by_key(|(_, scope, _)| scope.len())
        else {
            continue;
        };
        f.given_kept
            .entry((u.callee.clone(), ty.to_string()))
            .or_insert_with(|| {
                (
                    format!("`{}` (a `{ty}` that stays) in {}", u.var, file.rel),
                    file.rel.clone(),
                )
            });
    }
    // Only names this file does not declare: its own variables are settled here (guard.rs).
    let local = super::guard::declared_vars(matches);
    for u in fa
        .arg_uses
        .iter()
        .filter(|u| !local.contains(u.var.as_str()))
    {
        if let Some(name) = staying_calls.get(&(u.call.start, u.call.end)) {
            f.passed_to_staying
                .entry(u.var.clone())
                .or_insert_with(|| format!("`{name}` in {}", file.rel));
        }
    }
    f
}

/// Refusals that follow from the other files' decisions: a parameter type that another
/// declaration of the function keeps, or that receives a call staying CUDA in another file; a
/// global whose type must stay because another file passes it to a call that stays; and the
/// converse for calls here (a global kept elsewhere, a function keeping a CUDA parameter type
/// of the call's library). Entries this file contributed are left to the in-file checks, which
/// give better reasons.
#[allow(clippy::too_many_arguments)]
pub(crate) fn refusals(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    t: Target,
    p: &Facts,
    local_vars: &BTreeSet<&str>,
    out: &mut [Option<String>],
) {
    let whole = 0..file.bytes.len();
    // Functions defined more than once here (overloads): another overload may take the value.
    let overloaded = super::guard::overloads(matches, false);
    for (i, m) in matches.iter().enumerate() {
        let MatchRef::Rule(ri) = m.what else { continue };
        let rule = &catalog.rules[ri];
        if rule.target(t).status != Status::Direct {
            continue;
        }
        let lib = rule.library.as_str();
        let in_macro = (m.context == MatchContext::MacroBody && rule.kind == RuleKind::Type)
            .then(|| fa.macro_at(m.name_range.start))
            .flatten()
            .filter(|d| d.function_like)
            .map(|d| &d.name);
        if let Some(name) = in_macro {
            out[i] = p
                .staying_into
                .get(&(name.clone(), lib.to_string()))
                .filter(|_| !takes_cuda_values(catalog, m, t))
                .map(|(w, _)| format!("the macro `{name}` is given {w}, which stays CUDA"));
            continue;
        }
        out[i] = match &m.site {
            Site::Parameter { function: f, .. } if rule.kind == RuleKind::Type => p
                .staying_into
                .get(&(f.clone(), lib.to_string()))
                .filter(|(_, from)| *from != file.rel && !takes_cuda_values(catalog, m, t))
                .map(|(w, _)| format!("`{f}` receives the result of {w}, which stays CUDA"))
                .or_else(|| {
                    p.given_kept
                        .get(&(f.clone(), m.name.clone()))
                        .filter(|_| {
                            !takes_cuda_values(catalog, m, t) && !overloaded.contains(f.as_str())
                        })
                        .map(|(w, _)| format!("`{f}` is called with {w}"))
                })
                .or_else(|| {
                    p.kept_params
                        .get(&(f.clone(), m.name.clone()))
                        .filter(|(_, _, from)| *from != file.rel)
                        .map(|(_, w, _)| {
                            format!("{w} keeps `{}`, and its declarations must agree", m.name)
                        })
                }),
            Site::DeclaredType { vars, scope, .. }
                if rule.kind == RuleKind::Type && *scope == whole =>
            {
                vars.iter().find_map(|v| {
                    p.passed_to_staying
                        .get(v)
                        .map(|w| format!("`{v}` is passed to {w}, which stays CUDA"))
                })
            }
            _ => None,
        };
        if out[i].is_some() || rule.kind == RuleKind::Type {
            continue;
        }
        let Some(call) = &m.call else { continue };
        let kept_global = fa
            .arg_uses
            .iter()
            .filter(|u| u.call == call.range && !local_vars.contains(u.var.as_str()))
            .find_map(|u| {
                p.kept_globals
                    .get(&u.var)
                    .map(|w| format!("`{}` keeps its CUDA type ({w})", u.var))
            });
        let into_kept = wrapping_callee(file, call.range.start).and_then(|f| {
            let reached = p.forwarded(&f);
            p.kept_params
                .iter()
                .find(|((func, _), (l, _, _))| reached.contains(func) && l == lib)
                .map(|((_, ty), (_, w, _))| {
                    format!("{w} takes a `{ty}` that stays CUDA, and the rewritten call's result would not fit")
                })
                .or_else(|| {
                    reached.iter().find_map(|g| {
                        p.status_consumers.get(&(g.clone(), lib.to_string())).map(|(w, _)| {
                            format!("`{f}` hands the result to {w}, which stays CUDA and takes the CUDA status type")
                        })
                    })
                })
        });
        out[i] = kept_global.or(into_kept);
    }
}

/// A CUDA function that takes a status and describes it (`cudaGetErrorString`,
/// `cublasGetStatusName`): a status handed to it must keep the CUDA type.
fn describes_status(catalog: &Catalog, m: &ApiMatch) -> bool {
    matches!(m.what, MatchRef::Rule(r) if {
        let rule = &catalog.rules[r];
        rule.kind == RuleKind::Function
            && rule.category == "error"
            && (m.name.ends_with("String") || m.name.ends_with("Name"))
    })
}

/// The identifiers followed by `(` in a `#define`'s body (after its name and parameters).
fn called_names(directive: &str) -> BTreeSet<String> {
    let b = directive.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    // Past `#define NAME(params)`.
    let Some(open) = directive.find('(') else {
        return BTreeSet::new();
    };
    let Some(close) = directive[open..].find(')') else {
        return BTreeSet::new();
    };
    let mut names = BTreeSet::new();
    let mut i = open + close + 1;
    while i < b.len() {
        if !ident(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && ident(b[i]) {
            i += 1;
        }
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'\\') {
            j += 1;
        }
        if j < b.len() && b[j] == b'(' && !b[start].is_ascii_digit() {
            names.insert(directive[start..i].to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::called_names;

    #[test]
    fn macro_bodies_name_what_they_call() {
        let d = "#define CHECK(e) CHECK_GEN(e, cudaSuccess, \\\n  describe) ; log (x) 1(2)";
        let got: Vec<String> = called_names(d).into_iter().collect();
        assert_eq!(got, ["CHECK_GEN", "log"]);
    }
}
