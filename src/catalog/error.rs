//! Rule-file errors as miette diagnostics that underline the exact span in the TOML.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::ops::Range;

/// One problem in one rule file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}: {message}")]
#[diagnostic(code(cuport::rule_file))]
pub struct RuleFileError {
    pub file: String,
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl RuleFileError {
    pub fn new(file: &str, text: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let message = message.into();
        let span = clamp(span, text.len());
        RuleFileError {
            file: file.to_string(),
            label: message.clone(),
            message,
            src: NamedSource::new(file, text.to_string()),
            span: span.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

fn clamp(span: Range<usize>, len: usize) -> Range<usize> {
    let start = span.start.min(len);
    start..span.end.clamp(start, len)
}

/// Every error found while loading a set of rule files.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{} error(s) in rule files", errors.len())]
pub struct CatalogErrors {
    #[related]
    pub errors: Vec<RuleFileError>,
}
