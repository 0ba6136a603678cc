//! The serde shape of a rule file, with byte spans kept for error messages.

use serde::Deserialize;
use toml::Spanned;

/// One TOML file of the catalog: rules, kernel patterns, or both.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default)]
    pub rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub pattern: Vec<Spanned<RawPattern>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    pub cuda: Spanned<String>,
    pub kind: Spanned<String>,
    pub library: Spanned<String>,
    pub category: Spanned<String>,
    #[serde(default)]
    pub params: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub effort: Option<Spanned<f64>>,
    pub mindspore: Spanned<RawTarget>,
    pub paddle: Spanned<RawTarget>,
    #[serde(default)]
    pub example: Vec<Spanned<RawExample>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub api: Spanned<String>,
    pub status: Spanned<String>,
    pub note: Spanned<String>,
    #[serde(default)]
    pub rewrite: Option<Spanned<String>>,
    #[serde(default)]
    pub include: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExample {
    pub cuda: Spanned<String>,
    #[serde(default)]
    pub mindspore: Option<Spanned<String>>,
    #[serde(default)]
    pub paddle: Option<Spanned<String>>,
}

/// A kernel pattern and the framework ops that replace it (`kernels.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPattern {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub effort: Spanned<f64>,
    pub mindspore: Spanned<Vec<String>>,
    pub paddle: Spanned<Vec<String>>,
    pub note: Spanned<String>,
}
