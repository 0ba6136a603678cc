//! What a rewrite depends on. A `direct` rule is applied only where renaming that one name keeps
//! the code compiling: not where the name is declared, not in another platform's code, not a
//! constant whose consumer stays CUDA, not a type whose overloads would collide. Each refusal is
//! a reason, and the finding is reported `guided` with it.

use super::project::Facts;
use crate::analyze::lexical;
use crate::analyze::FileAnalysis;
use crate::catalog::Catalog;
use crate::model::{ApiMatch, MatchContext, MatchRef, RuleKind, Site, Status, Target};
use crate::source::SourceFile;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// Why this file's code belongs to another platform, if it does: HIP and MUSA sources and the
/// CUDA-compatibility shims they carry are not CUDA code to port.
pub fn other_platform(file: &SourceFile, fa: &FileAnalysis) -> Option<&'static str> {
    let in_dir = |d: &str| {
        file.rel
            .split(['/', '\\'])
            .rev()
            .skip(1)
            .any(|c| c.eq_ignore_ascii_case(d))
    };
    let includes = |prefix: &str| fa.included.iter().any(|i| i.starts_with(prefix));
    if in_dir("hip") || includes("hip/") {
        Some("HIP")
    } else if in_dir("musa") || includes("musa") {
        Some("MUSA")
    } else {
        None
    }
}

/// Per match (same order as `matches`), why its direct rewrite must not be applied here.
/// `rewritten_call(i)` says whether match `i`'s own call would be rewritten, before this guard.
pub fn blockers(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    t: Target,
    project: Option<&Facts>,
    rewritten_call: impl Fn(usize) -> bool,
) -> Vec<Option<String>> {
    let platform = other_platform(file, fa);
    let collisions = overload_collisions(fa, catalog, matches, t);
    let mut out: Vec<Option<String>> = vec![None; matches.len()];
    let local_vars = declared_vars(matches);
    if let Some(p) = project {
        super::project::refusals(file, fa, catalog, matches, t, p, &local_vars, &mut out);
    }
    let uncalled: std::cell::OnceCell<BTreeSet<String>> = std::cell::OnceCell::new();
    for (i, m) in matches.iter().enumerate() {
        let MatchRef::Rule(ri) = m.what else { continue };
        if catalog.rules[ri].target(t).status != Status::Direct || out[i].is_some() {
            continue;
        }
        if let Some(p) = platform {
            out[i] = Some(format!(
                "this file is {p} code (or a {p} shim), not CUDA to port"
            ));
        } else if let Some(h) =
            cpp_only_include(file, catalog.rules[ri].target(t).include.as_deref())
        {
            out[i] = Some(format!(
                "this is a C file, and {h} is C++ only (it includes <cstdint> and declares with `using`)"
            ));
        } else if m.site == Site::Misparsed {
            out[i] = Some(
                "the statement parses as a function declaration (a macro call without `;`?), so its arguments are not known"
                    .into(),
            );
        } else if m.site == Site::Declaration {
            out[i] = Some("the name is declared or defined here; only uses are renamed".into());
        } else if let Some(name) = (catalog.rules[ri].kind == RuleKind::Enum
            && m.context == MatchContext::MacroBody)
            .then(|| fa.macro_at(m.name_range.start))
            .flatten()
            .filter(|d| !d.function_like)
            .map(|d| &d.name)
        {
            // `#define CUBLAS_LOWP CUDA_R_16BF`: where CUBLAS_LOWP is used decides the type.
            out[i] = Some(format!(
                "it is the value of the macro `{name}`, and the calls it is used in decide its type"
            ));
        } else if catalog.rules[ri].kind == RuleKind::Function && !called(file, m) {
            // `GET_PROC(cuCtxDestroy)` pastes the name into `tcuCtxDestroy`; `&cudaFree` as a
            // deleter has CUDA's signature. Only calls have the arguments a rewrite is checked on.
            out[i] = Some(
                "the function is named here without being called (a function pointer or a macro argument); only calls are rewritten"
                    .into(),
            );
        } else if let Some(f) = match &m.site {
            Site::ReturnType { function, .. } | Site::Parameter { function, .. }
                if catalog.rules[ri].kind == RuleKind::Type
                    && uncalled
                        .get_or_init(|| uncalled_names(file))
                        .contains(function.rsplit("::").next().unwrap_or_default()) =>
            {
                Some(function)
            }
            _ => None,
        } {
            // `cufftCallbackLoadC p = windowing_callback;`: the pointer's type fixes the signature.
            out[i] = Some(format!(
                "`{f}` is taken as a function pointer here, and the pointer's type keeps the CUDA signature"
            ));
        } else if let Site::Parameter { function: f, .. } = &m.site {
            if collisions.contains(&(f.as_str(), m.name.as_str())) {
                out[i] = Some(format!(
                    "`{f}` is overloaded on CUDA types that all become {}: renaming this one too would make the overloads collide",
                    catalog.rules[ri].target(t).api
                ));
            }
        }
    }
    callback_bodies(catalog, matches, &mut out);
    receivers(file, catalog, matches, t, &mut out);
    nested(catalog, matches, t, &mut out);
    variable_types(
        file,
        fa,
        catalog,
        matches,
        t,
        project,
        &rewritten_call,
        &mut out,
    );
    // Calls that will be rewritten: a constant passed to one of them goes with it.
    let rewritten = rewritten_calls(catalog, matches, t, &rewritten_call, &out);
    // Types renamed in this file, by where they stand (for `T x = CONSTANT;`).
    let renamed_types: Vec<Range<usize>> = matches
        .iter()
        .enumerate()
        .filter(|(i, m)| out[*i].is_none() && is_direct_type(catalog, m, t))
        .map(|(_, m)| m.name_range.clone())
        .collect();
    // Variables whose declared type is renamed (`v = CONSTANT;` then stays consistent).
    let renamed_vars: BTreeSet<&str> = matches
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            out[*i].is_none()
                && matches!(m.what, MatchRef::Rule(r) if catalog.rules[r].target(t).status == Status::Direct)
        })
        .flat_map(|(_, m)| match &m.site {
            Site::DeclaredType { vars, .. } => vars.iter().map(String::as_str).collect(),
            Site::Parameter { var, .. } => vec![var.as_str()],
            _ => Vec::new(),
        })
        .collect();
    // A global of another file whose type is renamed there.
    let renamed_elsewhere = |var: &str| {
        project.is_some_and(|p| p.renamed_globals.contains(var)) && !local_vars.contains(var)
    };
    for (i, m) in matches.iter().enumerate() {
        let MatchRef::Rule(ri) = m.what else { continue };
        let rule = &catalog.rules[ri];
        if out[i].is_some() || rule.target(t).status != Status::Direct {
            continue;
        }
        if rule.kind == RuleKind::Type {
            // A call of the project's own function takes the cast when the function's
            // parameter of that type is renamed everywhere (project facts), never otherwise.
            out[i] = match &m.site {
                Site::Argument(call)
                    if !rewritten.contains(&(call.start, call.end))
                        && !project.is_some_and(|p| {
                            let key = (callee_text(file, call), m.name.clone());
                            p.renamed_params.contains(&key)
                                && !p.kept_params.contains_key(&key)
                                && !p.given_kept.contains_key(&key)
                        }) =>
                {
                    Some("it is a cast passed to a call that keeps the CUDA type here".into())
                }
                _ => None,
            };
            continue;
        }
        if rule.kind != RuleKind::Enum {
            continue;
        }
        out[i] = match &m.site {
            Site::Argument(call) if !rewritten.contains(&(call.start, call.end)) => Some(
                "the call it is passed to stays CUDA here, and would not accept the new constant"
                    .into(),
            ),
            Site::Compared(other)
                if {
                    let var = String::from_utf8_lossy(&file.bytes[other.clone()]);
                    let var = var.trim();
                    local_vars.contains(var) && !renamed_vars.contains(var)
                } =>
            {
                Some(format!(
                    "it is compared with `{}`, whose CUDA type stays here",
                    String::from_utf8_lossy(&file.bytes[other.clone()]).trim()
                ))
            }
            Site::Compared(other) => matches
                .iter()
                .enumerate()
                .find(|(j, o)| {
                    other.start <= o.span.start
                        && o.span.end <= other.end
                        && o.call.is_some()
                        && (out[*j].is_some()
                            || !rewritten.contains(&o.call.as_ref().map_or((0, 0), |c| {
                                (c.range.start, c.range.end)
                            })))
                })
                .map(|(_, o)| format!("it is compared with `{}(…)`, which stays CUDA here", o.name)),
            Site::Assigned(var)
                if !renamed_vars.contains(var.as_str()) && !renamed_elsewhere(var) =>
            {
                Some(format!(
                    "it is assigned to `{var}`, whose type is not known to be ported here"
                ))
            }
            Site::Initializer(ty) => {
                let text = String::from_utf8_lossy(&file.bytes[ty.clone()]);
                let plain = text.split_whitespace().all(|w| {
                    matches!(
                        w,
                        "auto" | "const" | "int" | "unsigned" | "signed" | "long" | "short"
                            | "char" | "size_t" | "int32_t" | "uint32_t" | "int64_t"
                            | "uint64_t"
                    )
                });
                let renamed = renamed_types
                    .iter()
                    .any(|r| ty.start <= r.start && r.end <= ty.end);
                (!plain && !renamed).then(|| {
                    format!("it initialises a `{}` that stays CUDA here", text.trim())
                })
            }
            Site::Value => Some(
                "its value is assigned or returned where the destination's type is not known to be ported"
                    .into(),
            ),
            _ => None,
        };
    }
    macro_bodies(fa, catalog, matches, t, &rewritten_call, &mut out);
    out
}

/// A `#define` body is rewritten whole or not at all: in
/// `auto s = static_cast<cudaError_t>(call); … cudaGetErrorString(s)` renaming the type while the
/// call (whose template cannot be applied in an unparsed body) stays breaks every use.
fn macro_bodies(
    fa: &FileAnalysis,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    t: Target,
    rewritten_call: &impl Fn(usize) -> bool,
    out: &mut [Option<String>],
) {
    let direct = |i: usize| matches!(matches[i].what, MatchRef::Rule(r) if catalog.rules[r].target(t).status == Status::Direct);
    let mut bodies: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, m) in matches.iter().enumerate() {
        let body = (m.context == MatchContext::MacroBody)
            .then(|| fa.macro_at(m.name_range.start))
            .flatten();
        if let Some(d) = body {
            bodies.entry(d.range.start).or_default().push(i);
        }
    }
    for members in bodies.values() {
        // What stays: not direct, refused, or a template rule (an unparsed body has no call to
        // fill a template from).
        let stays = members.iter().find(|&&i| {
            !direct(i)
                || out[i].is_some()
                || (matches[i].call.is_some() && !rewritten_call(i))
                || (matches[i].call.is_none()
                    && matches!(matches[i].what, MatchRef::Rule(r) if catalog.rules[r].target(t).template.is_some()))
        });
        let Some(&kept) = stays else { continue };
        for &i in members {
            if out[i].is_none() && direct(i) && i != kept {
                out[i] = Some(format!(
                    "`{}` in the same #define body stays CUDA, and a body is rewritten whole or not at all",
                    matches[kept].name
                ));
            }
        }
    }
}

/// The function whose first argument starts at `at`: `cublasCheck` in
/// `cublasCheck(cublasCreate(&h))` (also when `cublasCheck` is a macro, which is not parsed).
pub(crate) fn wrapping_callee(file: &SourceFile, at: usize) -> Option<String> {
    let before = &file.bytes[..at];
    let open = before.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if before[open] != b'(' {
        return None;
    }
    let end = before[..open]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())?
        + 1;
    let start = before[..end]
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b':'))
        .map_or(0, |p| p + 1);
    (start < end).then(|| String::from_utf8_lossy(&before[start..end]).into_owned())
}

/// The header a rewrite adds, when it cannot be included from this C file: ops-blas's public
/// headers are C++ (hicann/ops-blas include/cann_ops_blas.h, cann_ops_blasLt.h).
fn cpp_only_include<'a>(file: &SourceFile, include: Option<&'a str>) -> Option<&'a str> {
    const CPP_ONLY: [&str; 2] = ["cann_ops_blas.h", "cann_ops_blasLt.h"];
    include.filter(|h| file.language == crate::source::Language::C && CPP_ONLY.contains(h))
}

/// Whether a function name is called here: a parsed call, or (in a `#define` body, which is not
/// parsed) the name followed by `(`.
fn called(file: &SourceFile, m: &ApiMatch) -> bool {
    m.call.is_some()
        || file.bytes[m.name_range.end..]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'(')
}

/// Every variable and parameter this file declares with a CUDA type.
pub(crate) fn declared_vars<'m>(matches: &[&'m ApiMatch]) -> BTreeSet<&'m str> {
    matches
        .iter()
        .flat_map(|m| match &m.site {
            Site::DeclaredType { vars, .. } => vars.iter().map(String::as_str).collect(),
            Site::Parameter { var, .. } => vec![var.as_str()],
            _ => Vec::new(),
        })
        .collect()
}

/// A type rule whose target is a plain integer (`typedef int aclError;` in acl_base_rt.h): a
/// variable or parameter of it still accepts the CUDA enum a call that stays CUDA returns, since
/// unscoped enums convert to int (the reverse does not hold).
pub(crate) fn takes_cuda_values(catalog: &Catalog, m: &ApiMatch, t: Target) -> bool {
    const INTEGER_TYPES: [&str; 1] = ["aclError"];
    matches!(m.what, MatchRef::Rule(r) if catalog.rules[r].kind == RuleKind::Type
        && INTEGER_TYPES.contains(&catalog.rules[r].target(t).api.as_str()))
}

/// A type rule that is `direct` on the target (renamed unless refused).
fn is_direct_type(catalog: &Catalog, m: &ApiMatch, t: Target) -> bool {
    matches!(m.what, MatchRef::Rule(r) if catalog.rules[r].kind == RuleKind::Type
        && catalog.rules[r].target(t).status == Status::Direct)
}

/// The call ranges that will be rewritten, given the refusals so far.
fn rewritten_calls(
    catalog: &Catalog,
    matches: &[&ApiMatch],
    t: Target,
    rewritten_call: &impl Fn(usize) -> bool,
    out: &[Option<String>],
) -> BTreeSet<(usize, usize)> {
    matches
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            out[*i].is_none()
                && m.call.is_some()
                && rewritten_call(*i)
                && matches!(m.what, MatchRef::Rule(r) if catalog.rules[r].target(t).status == Status::Direct)
        })
        .filter_map(|(_, m)| m.call.as_ref().map(|c| (c.range.start, c.range.end)))
        .collect()
}

/// A variable's type and the calls it meets must move together: a type is renamed only where
/// its variables are initialised by, and passed to, calls that are rewritten too (or that do not
/// care: not CUDA, not a function of this file taking a CUDA type); a call is rewritten only where
/// the variables it is passed do not keep a CUDA type. Refusing one can refuse another, so this
/// repeats until nothing changes (it only ever refuses, so it ends).
#[allow(clippy::too_many_arguments)]
fn variable_types(
    file: &SourceFile,
    fa: &FileAnalysis,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    t: Target,
    project: Option<&Facts>,
    rewritten_call: &impl Fn(usize) -> bool,
    out: &mut [Option<String>],
) {
    let is_kind = |m: &ApiMatch, k: RuleKind| matches!(m.what, MatchRef::Rule(r) if catalog.rules[r].kind == k);
    let direct = |m: &ApiMatch| matches!(m.what, MatchRef::Rule(r) if catalog.rules[r].target(t).status == Status::Direct);
    let rule_library = |m: &ApiMatch| match m.what {
        MatchRef::Rule(r) => Some(catalog.rules[r].library.as_str()),
        MatchRef::Unmapped { .. } => None,
    };
    // CUDA calls by their range.
    let cuda_calls: BTreeSet<(usize, usize)> = matches
        .iter()
        .filter(|m| !is_kind(m, RuleKind::Type))
        .filter_map(|m| m.call.as_ref().map(|c| (c.range.start, c.range.end)))
        .collect();
    // Functions of this file declared more than once with CUDA parameter types (overloads).
    let overloaded = overloads(matches, true);
    // Variables whose CUDA type stayed in the previous round (name, scope, CUDA type).
    let mut kept_before: Vec<(String, Range<usize>, String)> = Vec::new();
    for _round in 0..8 {
        let mut changed = false;
        let rewritten = rewritten_calls(catalog, matches, t, rewritten_call, out);
        let stays = |r: &Range<usize>| {
            cuda_calls.contains(&(r.start, r.end)) && !rewritten.contains(&(r.start, r.end))
        };
        // Functions of this file whose parameters keep a CUDA type.
        let cuda_params: BTreeSet<&str> = matches
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match &m.site {
                Site::Parameter { function, .. } if out[i].is_some() || !direct(m) => {
                    Some(function.as_str())
                }
                // A member whose type stays: building the struct takes that type.
                Site::DeclaredType { owner, .. }
                    if !owner.is_empty() && (out[i].is_some() || !direct(m)) =>
                {
                    Some(owner.as_str())
                }
                _ => None,
            })
            .collect();
        // Calls that stay CUDA passed straight to a function: `cublasCheck(cublasCreate(&h))`
        // (callee, the call that stays).
        let results_into: Vec<(String, &str)> = matches
            .iter()
            .filter_map(|m| m.call.as_ref().filter(|c| stays(&c.range)).map(|c| (m, c)))
            .filter_map(|(m, c)| wrapping_callee(file, c.range.start).map(|f| (f, m.name.as_str())))
            .collect();
        // Variables whose declared CUDA type stays, and those whose type is renamed.
        let mut kept: Vec<(String, Range<usize>, &str)> = Vec::new();
        for (i, m) in matches.iter().enumerate() {
            let param;
            let (vars, init_calls, scope): (&[String], &[Range<usize>], &Range<usize>) =
                match &m.site {
                    Site::DeclaredType {
                        vars,
                        init_calls,
                        scope,
                        ..
                    } => (vars, init_calls, scope),
                    Site::Parameter { var, scope, .. } => {
                        param = [var.clone()];
                        (&param, &[], scope)
                    }
                    _ => continue,
                };
            if out[i].is_none() && direct(m) {
                let callback = match &m.site {
                    Site::Parameter { function, .. } => fa
                        .arg_uses
                        .iter()
                        .find(|u| u.var == *function && stays(&u.call)),
                    _ => None,
                };
                let takes_cuda = takes_cuda_values(catalog, m, t);
                let result = match &m.site {
                    Site::Parameter { function, .. } if !takes_cuda => {
                        results_into.iter().find(|(callee, _)| callee == function)
                    }
                    _ => None,
                };
                // `k<<<…>>>(d)` / `f(d)` with `d` keeping the CUDA type this parameter had.
                // Locals only (a member or global of the same name may be another variable),
                // and not for overloads (another overload may take the argument).
                let kept_arg = match &m.site {
                    Site::Parameter { function, .. } if !overloaded.contains(function.as_str()) => {
                        fa.arg_uses.iter().find(|u| {
                            u.callee == *function
                                && kept_before.iter().any(|(v, scope, ty)| {
                                    *v == u.var
                                        && *ty == m.name
                                        && *scope != (0..file.bytes.len())
                                        && scope.start <= u.call.start
                                        && u.call.end <= scope.end
                                })
                        })
                    }
                    _ => None,
                };
                let why = kept_arg
                    .map(|u| format!("`{}` is called with `{}`, whose CUDA type stays", u.callee, u.var))
                    .or_else(|| {
                        init_calls
                            .iter()
                            .find(|c| !takes_cuda && stays(c))
                            .map(|_| "it holds the result of a call that stays CUDA here".to_string())
                    })
                    .or_else(|| {
                        result.map(|(callee, inner)| {
                            format!("`{callee}` receives the result of `{inner}(…)`, which stays CUDA here")
                        })
                    })
                    .or_else(|| {
                        callback.map(|u| {
                            format!(
                                "`{}` is passed as a callback to `{}`, which stays CUDA here",
                                u.var, u.callee
                            )
                        })
                    })
                    .or_else(|| {
                        fa.arg_uses
                            .iter()
                            .find(|u| {
                                vars.contains(&u.var)
                                    && scope.start <= u.call.start
                                    && u.call.end <= scope.end
                                    && (stays(&u.call)
                                        || cuda_params.contains(u.callee.as_str())
                                        || project.is_some_and(|p| {
                                            p.kept_params
                                                .contains_key(&(u.callee.clone(), m.name.clone()))
                                                || status_macro(p, &u.callee, rule_library(m))
                                        }))
                            })
                            .map(|u| {
                                format!(
                                    "`{}` is passed to `{}`, which stays CUDA here",
                                    u.var, u.callee
                                )
                            })
                    });
                if let Some(why) = why {
                    out[i] = Some(why);
                    changed = true;
                }
            }
            if out[i].is_some() || !direct(m) {
                for v in vars {
                    kept.push((v.clone(), scope.clone(), m.name.as_str()));
                }
            }
        }
        // Calls whose result initialises a declaration whose CUDA type stays
        // (`cudaError_t err = cudaDeviceSynchronize();` with `err` kept).
        let kept_inits: Vec<(Range<usize>, &str)> = matches
            .iter()
            .enumerate()
            .filter(|(j, o)| out[*j].is_some() || !direct(o))
            .filter_map(|(_, o)| match &o.site {
                Site::DeclaredType { init_calls, .. } if is_kind(o, RuleKind::Type) => {
                    Some(init_calls.iter().map(move |c| (c.clone(), o.name.as_str())))
                }
                _ => None,
            })
            .flatten()
            .collect();
        for (i, m) in matches.iter().enumerate() {
            if out[i].is_some() || !direct(m) || is_kind(m, RuleKind::Type) {
                continue;
            }
            let Some(call) = &m.call else { continue };
            if let Some((_, ty)) = kept_inits.iter().find(|(r, _)| *r == call.range) {
                out[i] = Some(format!(
                    "its result initialises a `{ty}` that stays CUDA here"
                ));
                changed = true;
                continue;
            }
            let why = fa
                .arg_uses
                .iter()
                .filter(|u| u.call == call.range)
                .find_map(|u| {
                    kept.iter()
                        .find(|(v, scope, _)| {
                            *v == u.var && scope.start <= u.call.start && u.call.end <= scope.end
                        })
                        .map(|(_, _, ty)| (u, ty))
                })
                .map(|(u, ty)| format!("`{}` keeps its CUDA type `{ty}` here", u.var));
            if let Some(why) = why {
                out[i] = Some(why);
                changed = true;
            }
        }
        // `aclDataType f() { … return CUDA_C_16F; }`: a type that receives a constant staying
        // CUDA stays too.
        for i in 0..matches.len() {
            let m = matches[i];
            if out[i].is_some() || !direct(m) || !is_kind(m, RuleKind::Type) {
                continue;
            }
            let receives = matches.iter().enumerate().find(|(j, o)| {
                is_kind(o, RuleKind::Enum)
                    && (out[*j].is_some() || !direct(o))
                    && matches!(&o.site, Site::Initializer(ty)
                        if ty.start <= m.name_range.start && m.name_range.end <= ty.end)
            });
            if let Some((_, o)) = receives {
                out[i] = Some(format!("it receives `{}`, which stays CUDA here", o.name));
                changed = true;
            }
        }
        let now: Vec<(String, Range<usize>, String)> = kept
            .iter()
            .map(|(v, scope, ty)| (v.clone(), scope.clone(), ty.to_string()))
            .collect();
        if now != kept_before {
            kept_before = now;
            changed = true;
        }
        if !changed {
            break;
        }
    }
}

/// A member-call rewrite (`x.dim()` → `x.shape().size()`, `x.data_ptr<T>()` → `x.data<T>()`) is
/// right only on the target's own tensor: the receiver must be declared in this file with a type
/// that is renamed to it. On a user struct with a `dim()`, or on an `at::Tensor` kept under
/// Paddle's PyTorch-compat layer (which has `data_ptr`, not `data`), the call must not change.
fn receivers(
    file: &SourceFile,
    catalog: &Catalog,
    matches: &[&ApiMatch],
    t: Target,
    out: &mut [Option<String>],
) {
    // Variables whose declared type is renamed here, with where they are visible.
    let renamed: Vec<(&str, &Range<usize>)> = matches
        .iter()
        .enumerate()
        .filter(|(i, m)| out[*i].is_none() && is_direct_type(catalog, m, t))
        .flat_map(|(_, m)| match &m.site {
            Site::DeclaredType { vars, scope, .. } => {
                vars.iter().map(|v| (v.as_str(), scope)).collect()
            }
            Site::Parameter { var, scope, .. } => vec![(var.as_str(), scope)],
            _ => Vec::new(),
        })
        .collect();
    for (i, m) in matches.iter().enumerate() {
        let MatchRef::Rule(ri) = m.what else { continue };
        if out[i].is_some()
            || catalog.rules[ri].kind != RuleKind::Method
            || catalog.rules[ri].target(t).status != Status::Direct
        {
            continue;
        }
        let Some(recv) = m.call.as_ref().and_then(|c| c.recv.clone()) else {
            continue;
        };
        let name = String::from_utf8_lossy(&file.bytes[recv.clone()])
            .trim()
            .to_string();
        let known = renamed
            .iter()
            .any(|(v, scope)| *v == name && scope.start <= recv.start && recv.end <= scope.end);
        if !known {
            out[i] = Some(format!(
                "`{name}` is not declared here with a tensor type that becomes the target's tensor"
            ));
        }
    }
}

/// A call of one library is rewritten together with that library's touchpoints inside its
/// arguments, or not at all: `AT_DISPATCH_…(x.scalar_type(), …)` must not become
/// `PD_DISPATCH_…(x.scalar_type(), …)` when `x.scalar_type()` cannot change. Likewise a call
/// that is renamed must not keep a CUDA constant in its arguments: in
/// `aclblasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, …)` the constant has
/// no Ascend value, and the CUDA one means another attribute.
fn nested(catalog: &Catalog, matches: &[&ApiMatch], t: Target, out: &mut [Option<String>]) {
    let library = |m: &ApiMatch| match m.what {
        MatchRef::Rule(r) => Some(catalog.rules[r].library.as_str()),
        MatchRef::Unmapped { .. } => None,
    };
    // A constant that stays as it is: an enum rule that is not direct here, or a CUDA-looking
    // ALL_CAPS name with no rule.
    let kept_constant = |m: &ApiMatch| match m.what {
        MatchRef::Rule(r) => {
            catalog.rules[r].kind == RuleKind::Enum
                && catalog.rules[r].target(t).status != Status::Direct
        }
        MatchRef::Unmapped { .. } => {
            m.call.is_none()
                && m.name.chars().any(|c| c.is_ascii_uppercase())
                && !m.name.chars().any(|c| c.is_ascii_lowercase())
        }
    };
    let starts: Vec<usize> = matches.iter().map(|m| m.name_range.start).collect();
    let sorted = starts.windows(2).all(|w| w[0] <= w[1]);
    loop {
        let mut changed = false;
        for (i, m) in matches.iter().enumerate() {
            let Some(call) = m.call.as_ref().filter(|_| out[i].is_none()) else {
                continue;
            };
            let Some(args) = call.args.first().zip(call.args.last()) else {
                continue;
            };
            let inside = args.0.start..args.1.end;
            let within =
                |o: &ApiMatch| inside.start <= o.name_range.start && o.name_range.end <= inside.end;
            // Matches are in source order: only those starting inside the arguments.
            let (from, to) = if sorted {
                (
                    starts.partition_point(|&s| s < inside.start),
                    starts.partition_point(|&s| s < inside.end),
                )
            } else {
                (0, matches.len())
            };
            let refused = (from..to).map(|j| (j, matches[j])).find(|(j, o)| {
                *j != i && out[*j].is_some() && library(o) == library(m) && within(o)
            });
            let kept = || {
                (from..to)
                    .map(|j| matches[j])
                    .find(|o| within(o) && kept_constant(o))
            };
            if let Some((_, o)) = refused {
                out[i] = Some(format!(
                    "`{}` inside its arguments cannot be rewritten here, and the two go together",
                    o.name
                ));
                changed = true;
            } else if let Some(o) = kept() {
                out[i] = Some(format!(
                    "`{}` among its arguments has no direct {t} form and stays CUDA; the renamed call would not accept it",
                    o.name
                ));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Overloads on CUDA types that one target type replaces (`f(cudaError_t)` and `f(CUresult)`
/// both becoming `f(aclError)`): per function and target type, the first CUDA type (in source
/// order) is renamed and the others are refused, so the overloads stay distinct; none is when an
/// overload already takes the target type. Returns the
/// refused (function, CUDA type) pairs.
fn overload_collisions<'m>(
    fa: &FileAnalysis,
    catalog: &Catalog,
    matches: &[&'m ApiMatch],
    t: Target,
) -> BTreeSet<(&'m str, &'m str)> {
    let mut first: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let mut refused = BTreeSet::new();
    for m in matches {
        let (Site::Parameter { function: f, .. }, MatchRef::Rule(ri)) = (&m.site, &m.what) else {
            continue;
        };
        let tr = catalog.rules[*ri].target(t);
        if tr.status != Status::Direct {
            continue;
        }
        // An overload that already takes the target type (ported by hand, or by an earlier pass).
        let taken = fa.param_types.contains(&(f.clone(), tr.api.clone()));
        let kept = *first
            .entry((f.as_str(), tr.api.as_str()))
            .or_insert(m.name.as_str());
        if taken || kept != m.name {
            refused.insert((f.as_str(), m.name.as_str()));
        }
    }
    refused
}

/// The callee of a call as written: `f` in `f(x)`, `k` in `k<<<g, b>>>(x)`.
fn callee_text(file: &SourceFile, call: &Range<usize>) -> String {
    let text = String::from_utf8_lossy(&file.bytes[call.clone()]);
    let end = text.find(['(', '<']).unwrap_or(text.len());
    text[..end].split_whitespace().collect()
}

/// The names the file mentions other than where they are called or defined (`p = name;`,
/// `register(&name)`), comments and strings skipped: for a function, a use as a pointer.
fn uncalled_names(file: &SourceFile) -> BTreeSet<String> {
    let b = &file.bytes;
    lexical::scan(b, 0..b.len())
        .into_iter()
        .filter_map(|t| match t {
            lexical::Token::Name(r) => Some(r),
            lexical::Token::Launch(_) => None,
        })
        // Only a value stored, returned or whose address is taken: `p = f;`, `p = &f;`, `{&f}`,
        // `return f<T>;`. A name passed to a macro (`GET_PROC(cuInit, …)`) may be pasted into
        // another name.
        .filter(|r| {
            let next = b[after_template_args(b, r.end)..]
                .iter()
                .find(|c| !c.is_ascii_whitespace());
            let before = b[..r.start].trim_ascii_end();
            let prev = before.last().copied();
            let prev2 = before.len().checked_sub(2).map(|i| b[i]);
            let stored = prev == Some(b'=') && !matches!(prev2, Some(b'=' | b'<' | b'>' | b'!'));
            let address = prev == Some(b'&') && prev2 != Some(b'&');
            let returned = before.ends_with(b"return")
                && before
                    .len()
                    .checked_sub(7)
                    .is_none_or(|i| !(b[i].is_ascii_alphanumeric() || b[i] == b'_'));
            matches!(next, Some(b';' | b',' | b')' | b'}')) && (stored || address || returned)
        })
        .map(|r| {
            let text = String::from_utf8_lossy(&b[r]);
            text.rsplit("::").next().unwrap_or_default().to_string()
        })
        .collect()
}

/// Does `callee` (or a macro it forwards to) hand its argument to a status-describing CUDA call
/// of `library` that stays (`CUDA_CHECK(err)` with `err` a `cudaError_t`)?
fn status_macro(p: &super::project::Facts, callee: &str, library: Option<&str>) -> bool {
    let Some(lib) = library else { return false };
    p.forwarded(callee).iter().any(|g| {
        p.status_consumers
            .contains_key(&(g.clone(), lib.to_string()))
    })
}

/// Past `<…>` (balanced) right after a name at `at`, else `at`: `f<float, 4>` names `f`.
fn after_template_args(b: &[u8], at: usize) -> usize {
    let start = at
        + b[at..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
    if b.get(start) != Some(&b'<') {
        return at;
    }
    let mut depth = 0usize;
    for (i, &c) in b[start..].iter().enumerate().take(256) {
        match c {
            b'<' => depth += 1,
            b'>' => {
                depth -= 1;
                if depth == 0 {
                    return start + i + 1;
                }
            }
            b';' | b'{' | b'}' => return at,
            _ => {}
        }
    }
    at
}

/// A function whose CUDA return type stays because it is taken as a callback keeps that type
/// in its body too: what it returns must still be of it.
fn callback_bodies(catalog: &Catalog, matches: &[&ApiMatch], out: &mut [Option<String>]) {
    let kept: Vec<(&str, &str, Range<usize>)> = matches
        .iter()
        .enumerate()
        .filter_map(|(i, m)| match &m.site {
            Site::ReturnType { function, scope } if out[i].is_some() => {
                Some((function.as_str(), m.name.as_str(), scope.clone()))
            }
            _ => None,
        })
        .collect();
    for (i, m) in matches.iter().enumerate() {
        if out[i].is_some()
            || !matches!(m.what, MatchRef::Rule(r) if catalog.rules[r].kind == RuleKind::Type)
        {
            continue;
        }
        if let Some((f, _, _)) = kept.iter().find(|(_, ty, scope)| {
            *ty == m.name && scope.start <= m.name_range.start && m.name_range.end <= scope.end
        }) {
            out[i] = Some(format!("it is inside `{f}`, whose CUDA return type stays"));
        }
    }
}

/// Functions with CUDA-typed parameters declared in more than one place here (by the ranges of
/// their parameter scopes): overloads, one of which may take a value the others do not.
/// `prototypes`: whether a prototype (an empty scope) counts as a declaration of its own.
pub(crate) fn overloads<'m>(matches: &[&'m ApiMatch], prototypes: bool) -> BTreeSet<&'m str> {
    let mut seen: BTreeMap<&str, BTreeSet<(usize, usize)>> = BTreeMap::new();
    for m in matches {
        if let Site::Parameter {
            function, scope, ..
        } = &m.site
        {
            if prototypes || !scope.is_empty() {
                seen.entry(function.as_str())
                    .or_default()
                    .insert((scope.start, scope.end));
            }
        }
    }
    seen.into_iter()
        .filter(|(_, scopes)| scopes.len() > 1)
        .map(|(f, _)| f)
        .collect()
}
