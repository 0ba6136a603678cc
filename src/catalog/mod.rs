//! The rule catalog: TOML rule files compiled into rules and a hash index by CUDA name.

pub mod error;
pub mod schema;
pub mod template;

use crate::model::{RuleKind, Status, Target};
pub use error::{CatalogErrors, RuleFileError};
use schema::{RawFile, RawPattern, RawRule, RawTarget};
use std::collections::HashMap;
use std::path::Path;
pub use template::{Segment, Template};
use toml::Spanned;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// The equivalent of a rule on one target.
#[derive(Clone, Debug)]
pub struct TargetRule {
    pub api: String,
    pub status: Status,
    pub note: String,
    pub rewrite: Option<String>,
    pub template: Option<Template>,
    pub include: Option<String>,
}

/// A worked example: CUDA input and the expected fixed output per target.
#[derive(Clone, Debug)]
pub struct Example {
    pub cuda: String,
    pub mindspore: Option<String>,
    pub paddle: Option<String>,
}

impl Example {
    pub fn expected(&self, t: Target) -> Option<&str> {
        match t {
            Target::MindSpore => self.mindspore.as_deref(),
            Target::Paddle => self.paddle.as_deref(),
        }
    }
}

/// One compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub cuda: String,
    pub kind: RuleKind,
    pub library: String,
    pub category: String,
    pub params: Vec<String>,
    /// The argument count `params` fixes, when the rule declares it. A member-call rule matches
    /// only calls with that many arguments (`x.size(dim)`, not `v.size()`).
    pub arity: Option<usize>,
    pub effort: Option<f64>,
    pub mindspore: TargetRule,
    pub paddle: TargetRule,
    pub examples: Vec<Example>,
    /// The rule file it came from.
    pub file: String,
}

impl Rule {
    pub fn target(&self, t: Target) -> &TargetRule {
        match t {
            Target::MindSpore => &self.mindspore,
            Target::Paddle => &self.paddle,
        }
    }
}

/// A kernel pattern with the framework ops that replace it.
#[derive(Clone, Debug)]
pub struct KernelPattern {
    pub id: String,
    pub title: String,
    pub effort: f64,
    pub mindspore: Vec<String>,
    pub paddle: Vec<String>,
    pub note: String,
}

impl KernelPattern {
    pub fn ops(&self, t: Target) -> &[String] {
        match t {
            Target::MindSpore => &self.mindspore,
            Target::Paddle => &self.paddle,
        }
    }
}

/// All rules, indexed for constant-time lookup by the name found in code.
#[derive(Debug, Default)]
pub struct Catalog {
    pub rules: Vec<Rule>,
    pub patterns: Vec<KernelPattern>,
    /// Names matched on identifiers (functions, types, enums, macros, intrinsics).
    names: HashMap<String, usize>,
    /// Qualified names by their shorter qualified suffixes (`wmma::mma_sync` for
    /// `nvcuda::wmma::mma_sync`, as written after `using namespace nvcuda;`); `None` when ambiguous.
    suffixes: HashMap<String, Option<usize>>,
    methods: HashMap<String, usize>,
    headers: HashMap<String, usize>,
    launch: Option<usize>,
    by_id: HashMap<String, usize>,
}

/// A rule file to load: display name and contents.
pub struct RuleSource {
    pub name: String,
    /// Borrowed for the embedded files (no 1.6 MB copy at start-up), owned for user files.
    pub text: std::borrow::Cow<'static, str>,
}

impl Catalog {
    /// The catalog built into the binary.
    pub fn builtin() -> Result<Catalog, CatalogErrors> {
        Catalog::load(&builtin_sources())
    }

    /// Compile rule files; every error in every file is reported, none stops the others being checked.
    pub fn load(sources: &[RuleSource]) -> Result<Catalog, CatalogErrors> {
        let mut cat = Catalog::default();
        let mut errors = Vec::new();
        // Where each id / name was first defined, for duplicate reports.
        let mut seen_ids: HashMap<String, String> = HashMap::new();
        let mut seen_names: HashMap<(RuleKind, String), String> = HashMap::new();
        // Deserializing and compiling are most of the start-up cost of a short run (`cuport check`)
        // and each file is independent: do them on every core, then merge in file order so that
        // duplicate detection and error order stay deterministic.
        let compiled: Vec<Result<CompiledFile, Box<RuleFileError>>> = {
            use rayon::prelude::*;
            sources.par_iter().map(compile_file).collect()
        };
        for (src, file) in sources.iter().zip(compiled) {
            let file = match file {
                Ok(f) => f,
                Err(e) => {
                    errors.push(*e);
                    continue;
                }
            };
            for rule in file.rules {
                match rule {
                    Ok(r) => {
                        if let Some(prev) = seen_ids.get(&r.0.id) {
                            errors.push(RuleFileError::new(
                                &src.name,
                                &src.text,
                                r.1.clone(),
                                format!("duplicate rule id `{}` (first defined in {prev})", r.0.id),
                            ));
                            continue;
                        }
                        let key = (name_class(r.0.kind), r.0.cuda.clone());
                        if let Some(prev) = seen_names.get(&key) {
                            errors.push(RuleFileError::new(
                                &src.name,
                                &src.text,
                                r.2.clone(),
                                format!(
                                    "`{}` already has a rule ({prev}); one rule per CUDA name",
                                    r.0.cuda
                                ),
                            ));
                            continue;
                        }
                        seen_ids.insert(r.0.id.clone(), src.name.clone());
                        seen_names.insert(key, format!("{} in {}", r.0.id, src.name));
                        cat.push(r.0);
                    }
                    Err(mut e) => errors.append(&mut e),
                }
            }
            for pat in file.patterns {
                match pat {
                    Ok(p) => {
                        if cat.patterns.iter().any(|q| q.id == p.id) {
                            errors.push(RuleFileError::new(
                                &src.name,
                                &src.text,
                                0..0,
                                format!("duplicate kernel pattern `{}`", p.id),
                            ));
                        } else {
                            cat.patterns.push(p);
                        }
                    }
                    Err(e) => errors.push(*e),
                }
            }
        }
        if errors.is_empty() {
            Ok(cat)
        } else {
            Err(CatalogErrors { errors })
        }
    }

    fn push(&mut self, rule: Rule) {
        let idx = self.rules.len();
        let key = normalize_name(&rule.cuda);
        match rule.kind {
            RuleKind::Method => self.methods.insert(key, idx),
            RuleKind::Header => self.headers.insert(key, idx),
            RuleKind::Launch => self.launch.replace(idx),
            _ => {
                let mut rest = key.as_str();
                while let Some((_, tail)) = rest.split_once("::") {
                    if tail.contains("::") {
                        self.suffixes
                            .entry(tail.to_string())
                            .and_modify(|e| *e = None)
                            .or_insert(Some(idx));
                    }
                    rest = tail;
                }
                self.names.insert(key, idx)
            }
        };
        self.by_id.insert(rule.id.clone(), idx);
        self.rules.push(rule);
    }

    /// A rule for an identifier or qualified name found in code.
    pub fn lookup_name(&self, name: &str) -> Option<usize> {
        self.names
            .get(name)
            .copied()
            .or_else(|| self.suffixes.get(name).copied().flatten())
    }

    pub fn lookup_method(&self, name: &str) -> Option<usize> {
        self.methods.get(name).copied()
    }

    pub fn lookup_header(&self, path: &str) -> Option<usize> {
        self.headers.get(path).copied()
    }

    pub fn launch_rule(&self) -> Option<usize> {
        self.launch
    }

    pub fn by_id(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    pub fn pattern(&self, id: &str) -> Option<&KernelPattern> {
        self.patterns.iter().find(|p| p.id == id)
    }

    /// Every name an identifier may match, for the prefilter.
    pub fn identifier_names(&self) -> impl Iterator<Item = &str> {
        self.names
            .keys()
            .chain(self.methods.keys())
            .map(|s| s.as_str())
    }
}

/// The embedded rule files.
pub fn builtin_sources() -> Vec<RuleSource> {
    EMBEDDED
        .iter()
        .map(|(name, text)| RuleSource {
            name: format!("rewrite-rules/{name}"),
            text: std::borrow::Cow::Borrowed(text),
        })
        .collect()
}

/// Read every `*.toml` in a user rule directory, sorted by name.
pub fn read_rule_dir(dir: &Path) -> std::io::Result<Vec<RuleSource>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: rule file is not valid UTF-8", p.display()),
                )
            })?;
            Ok(RuleSource {
                name: p.display().to_string(),
                text: text.into(),
            })
        })
        .collect()
}

/// Qualified names are matched without spaces and without a leading `::`.
pub fn normalize_name(s: &str) -> String {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    t.strip_prefix("::").map(str::to_string).unwrap_or(t)
}

/// Headers, methods and launches live in their own index; everything else shares one.
fn name_class(k: RuleKind) -> RuleKind {
    match k {
        RuleKind::Method | RuleKind::Header | RuleKind::Launch => k,
        _ => RuleKind::Function,
    }
}

type Compiled = (Rule, std::ops::Range<usize>, std::ops::Range<usize>);

/// One rule file, each of its rules and patterns compiled on its own (errors kept per item).
struct CompiledFile {
    rules: Vec<Result<Compiled, Vec<RuleFileError>>>,
    patterns: Vec<Result<KernelPattern, Box<RuleFileError>>>,
}

/// Deserialize and compile one file; a TOML error stops only that file.
fn compile_file(src: &RuleSource) -> Result<CompiledFile, Box<RuleFileError>> {
    let raw: RawFile = toml::from_str(&src.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Box::new(RuleFileError::new(
            &src.name,
            &src.text,
            span,
            e.message().to_string(),
        ))
    })?;
    Ok(CompiledFile {
        rules: raw
            .rule
            .into_iter()
            .map(|r| compile_rule(r.into_inner(), src))
            .collect(),
        patterns: raw
            .pattern
            .into_iter()
            .map(|p| compile_pattern(p.into_inner(), src))
            .collect(),
    })
}

fn compile_rule(raw: RawRule, src: &RuleSource) -> Result<Compiled, Vec<RuleFileError>> {
    let mut errs = Vec::new();
    let err = |span: std::ops::Range<usize>, msg: String| {
        RuleFileError::new(&src.name, &src.text, span, msg)
    };

    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty() {
        errs.push(err(raw.id.span(), "`id` must not be empty".into()));
    } else if !id
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        errs.push(
            err(
                raw.id.span(),
                format!("rule id `{id}` must be UPPER-KEBAB-CASE"),
            )
            .with_help("ids are stable names such as RT-MALLOC"),
        );
    }
    for (field, value) in [
        ("cuda", &raw.cuda),
        ("library", &raw.library),
        ("category", &raw.category),
    ] {
        if value.get_ref().trim().is_empty() {
            errs.push(err(value.span(), format!("`{field}` must not be empty")));
        }
    }
    let kind = RuleKind::parse(raw.kind.get_ref()).unwrap_or_else(|| {
        errs.push(
            err(
                raw.kind.span(),
                format!("unknown kind `{}`", raw.kind.get_ref()),
            )
            .with_help("kinds: function, type, enum, macro, header, method, launch, intrinsic"),
        );
        RuleKind::Function
    });
    let params: Vec<String> = raw
        .params
        .as_ref()
        .map(|p| p.get_ref().clone())
        .unwrap_or_default();
    if let Some(p) = &raw.params {
        for (i, name) in p.get_ref().iter().enumerate() {
            if name.is_empty() || p.get_ref()[..i].contains(name) {
                errs.push(err(
                    p.span(),
                    format!("parameter name `{name}` is empty or repeated"),
                ));
            }
        }
    }
    if let Some(e) = &raw.effort {
        if !(e.get_ref().is_finite() && *e.get_ref() >= 0.0) {
            errs.push(err(
                e.span(),
                "`effort` must be a non-negative number of hours".into(),
            ));
        }
    }
    let ms = compile_target(&raw.mindspore, &params, src, &mut errs);
    let pd = compile_target(&raw.paddle, &params, src, &mut errs);
    let examples = raw
        .example
        .into_iter()
        .map(|e| {
            let e = e.into_inner();
            Example {
                cuda: e.cuda.into_inner(),
                mindspore: e.mindspore.map(Spanned::into_inner),
                paddle: e.paddle.map(Spanned::into_inner),
            }
        })
        .collect();
    if !errs.is_empty() {
        return Err(errs);
    }
    let id_span = raw.id.span();
    let cuda_span = raw.cuda.span();
    Ok((
        Rule {
            id,
            cuda: normalize_name(raw.cuda.get_ref()),
            kind,
            library: raw.library.into_inner(),
            category: raw.category.into_inner(),
            arity: raw.params.as_ref().map(|p| p.get_ref().len()),
            params,
            effort: raw.effort.map(Spanned::into_inner),
            mindspore: ms.unwrap(),
            paddle: pd.unwrap(),
            examples,
            file: src.name.clone(),
        },
        id_span,
        cuda_span,
    ))
}

fn compile_target(
    raw: &Spanned<RawTarget>,
    params: &[String],
    src: &RuleSource,
    errs: &mut Vec<RuleFileError>,
) -> Option<TargetRule> {
    let t = raw.get_ref();
    let before = errs.len();
    let err = |span: std::ops::Range<usize>, msg: String| {
        RuleFileError::new(&src.name, &src.text, span, msg)
    };
    let status = Status::parse(t.status.get_ref());
    if status.is_none() {
        errs.push(
            err(
                t.status.span(),
                format!("unknown status `{}`", t.status.get_ref()),
            )
            .with_help("statuses: direct, guided, manual"),
        );
    }
    if t.note.get_ref().trim().is_empty() {
        errs.push(err(t.note.span(), "`note` must not be empty".into()));
    }
    if t.api.get_ref().trim().is_empty() && status != Some(Status::Manual) {
        errs.push(err(
            t.api.span(),
            "`api` may be empty only when status is \"manual\"".into(),
        ));
    }
    if status == Some(Status::Direct) && t.api.get_ref().trim().is_empty() {
        errs.push(err(t.api.span(), "a direct rule needs an `api`".into()));
    }
    let mut template = None;
    if let Some(rw) = &t.rewrite {
        if status != Some(Status::Direct) {
            errs.push(err(
                rw.span(),
                "`rewrite` is only used with status \"direct\"".into(),
            ));
        }
        match template::parse(rw.get_ref(), params) {
            Ok(tpl) => template = Some(tpl),
            Err(e) => {
                // Point inside the quoted string: +1 skips the opening quote.
                let base = rw.span().start + 1;
                errs.push(err(base + e.range.start..base + e.range.end, e.message));
            }
        }
    }
    if let Some(inc) = &t.include {
        if inc.get_ref().trim().is_empty() || inc.get_ref().contains(['<', '>', '"']) {
            errs.push(err(
                inc.span(),
                "`include` is a header path without quotes or brackets, e.g. acl/acl.h".into(),
            ));
        }
    }
    if errs.len() > before {
        return None;
    }
    Some(TargetRule {
        api: t.api.get_ref().trim().to_string(),
        status: status?,
        note: t.note.get_ref().trim().to_string(),
        rewrite: t.rewrite.as_ref().map(|r| r.get_ref().clone()),
        template,
        include: t.include.as_ref().map(|i| i.get_ref().clone()),
    })
}

fn compile_pattern(raw: RawPattern, src: &RuleSource) -> Result<KernelPattern, Box<RuleFileError>> {
    let err = |span: std::ops::Range<usize>, msg: &str| {
        Box::new(RuleFileError::new(&src.name, &src.text, span, msg))
    };
    if raw.id.get_ref().trim().is_empty() {
        return Err(err(raw.id.span(), "`id` must not be empty"));
    }
    if !(raw.effort.get_ref().is_finite() && *raw.effort.get_ref() >= 0.0) {
        return Err(err(
            raw.effort.span(),
            "`effort` must be a non-negative number of hours",
        ));
    }
    for list in [&raw.mindspore, &raw.paddle] {
        if list.get_ref().iter().any(|s| s.trim().is_empty()) {
            return Err(err(list.span(), "op names must not be empty"));
        }
    }
    Ok(KernelPattern {
        id: raw.id.into_inner(),
        title: raw.title.into_inner(),
        effort: raw.effort.into_inner(),
        mindspore: raw.mindspore.into_inner(),
        paddle: raw.paddle.into_inner(),
        note: raw.note.into_inner(),
    })
}
