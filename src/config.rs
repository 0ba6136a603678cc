//! `cuport.toml` (or `[tool.cuport]` in `pyproject.toml`), found by searching upward from the
//! working directory. Command-line flags override it.

use crate::catalog::RuleFileError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The settings a config file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub target: Option<Spanned<String>>,
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule severity: error, warning, note, or off.
    #[serde(default)]
    pub severity: BTreeMap<String, Spanned<String>>,
    /// Extra rule directories, relative to the config file.
    #[serde(default)]
    pub rules: Vec<String>,
    pub baseline: Option<String>,
    pub max_file_size: Option<u64>,
    pub report: Option<RawReport>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawReport {
    #[serde(default)]
    pub formats: Vec<Spanned<String>>,
    pub output_dir: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Pyproject {
    tool: Option<PyTool>,
}

#[derive(Debug, Deserialize)]
struct PyTool {
    cuport: Option<RawConfig>,
}

/// A loaded configuration, paths resolved against the config file's directory.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// The file it came from (None: no config found).
    pub file: Option<PathBuf>,
    pub target: Option<crate::model::Target>,
    pub include: Option<globset::GlobSet>,
    pub exclude: Option<globset::GlobSet>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub rule_dirs: Vec<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub max_file_size: Option<u64>,
    pub report_formats: Vec<String>,
    pub report_dir: Option<PathBuf>,
}

/// A configured severity for a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Note,
    Off,
}

impl Severity {
    /// The level a finding is reported at in every format that has levels: the one configured for
    /// its rule, else by the work it means (a direct rewrite is a note, guided work a warning,
    /// a manual redesign an error; `unmapped` a warning).
    pub fn of(configured: &BTreeMap<String, Severity>, rule: &str, status: &str) -> Severity {
        configured.get(rule).copied().unwrap_or(match status {
            "direct" => Severity::Note,
            "manual" => Severity::Error,
            _ => Severity::Warning,
        })
    }
}

const REPORT_FORMATS: &[&str] = &[
    "json", "markdown", "html", "sarif", "junit", "github", "gitlab",
];

/// Find the nearest config above `start`: a `cuport.toml`, or a `pyproject.toml` with `[tool.cuport]`.
pub fn discover(start: &Path) -> Result<Config, Box<RuleFileError>> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let c = d.join("cuport.toml");
        if c.is_file() {
            return load(&c, false);
        }
        let p = d.join("pyproject.toml");
        if p.is_file() {
            if let Ok(text) = std::fs::read_to_string(&p) {
                if text.contains("[tool.cuport") {
                    return load(&p, true);
                }
            }
        }
        dir = d.parent();
    }
    Ok(Config::default())
}

/// Load one config file.
pub fn load(path: &Path, pyproject: bool) -> Result<Config, Box<RuleFileError>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Box::new(RuleFileError::new(
            &name,
            "",
            0..0,
            format!("cannot read config: {e}"),
        ))
    })?;
    let err = |span: std::ops::Range<usize>, msg: String| {
        Box::new(RuleFileError::new(&name, &text, span, msg))
    };
    let raw: RawConfig = if pyproject {
        let p: Pyproject = toml::from_str(&text)
            .map_err(|e| err(e.span().unwrap_or(0..0), e.message().to_string()))?;
        p.tool.and_then(|t| t.cuport).unwrap_or_default()
    } else {
        toml::from_str(&text).map_err(|e| err(e.span().unwrap_or(0..0), e.message().to_string()))?
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut cfg = Config {
        file: Some(path.to_path_buf()),
        select: raw.select,
        ignore: raw.ignore,
        max_file_size: raw.max_file_size,
        rule_dirs: raw.rules.iter().map(|r| base.join(r)).collect(),
        baseline: raw.baseline.map(|b| base.join(b)),
        ..Config::default()
    };
    if let Some(t) = &raw.target {
        cfg.target = Some(crate::model::Target::parse(t.get_ref()).ok_or_else(|| {
            err(
                t.span(),
                format!("unknown target `{}` (mindspore or paddle)", t.get_ref()),
            )
        })?);
    }
    cfg.include = globs(&raw.include, &err)?;
    cfg.exclude = globs(&raw.exclude, &err)?;
    for (rule, sev) in &raw.severity {
        let s = match sev.get_ref().as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "note" => Severity::Note,
            "off" => Severity::Off,
            other => {
                return Err(err(
                    sev.span(),
                    format!("unknown severity `{other}` (error, warning, note, off)"),
                ))
            }
        };
        if s == Severity::Off {
            cfg.ignore.push(rule.clone());
        }
        cfg.severity.insert(rule.clone(), s);
    }
    if let Some(r) = raw.report {
        for f in &r.formats {
            if !REPORT_FORMATS.contains(&f.get_ref().as_str()) {
                return Err(err(
                    f.span(),
                    format!("unknown report format `{}`", f.get_ref()),
                ));
            }
            cfg.report_formats.push(f.get_ref().clone());
        }
        cfg.report_dir = r.output_dir.map(|d| base.join(d));
    }
    Ok(cfg)
}

fn globs(
    list: &[Spanned<String>],
    err: &dyn Fn(std::ops::Range<usize>, String) -> Box<RuleFileError>,
) -> Result<Option<globset::GlobSet>, Box<RuleFileError>> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in list {
        let glob = globset::GlobBuilder::new(g.get_ref())
            .literal_separator(false)
            .build()
            .map_err(|e| err(g.span(), format!("invalid glob: {e}")))?;
        b.add(glob);
    }
    Ok(Some(b.build().map_err(|e| {
        err(0..0, format!("invalid glob set: {e}"))
    })?))
}

impl Config {
    /// Is a path (relative to the scan root) selected by include/exclude?
    pub fn selects(&self, rel: &str) -> bool {
        self.include.as_ref().is_none_or(|g| g.is_match(rel))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(rel))
    }
}
