//! Kernel summaries: what each `__global__` function computes (filled in by recognition).

use super::FileAnalysis;
use crate::source::SourceFile;

/// The recognised pattern of a kernel, with the reasons.
#[derive(Clone, Debug, Default)]
pub struct KernelSummary {
    /// Pattern id from `kernels.toml`, `custom`, or `unknown` before recognition.
    pub pattern: String,
    pub confidence: f64,
    pub evidence: Vec<String>,
}

/// Summarize every kernel of a file.
pub fn summarize_all(_file: &SourceFile, _tree: &tree_sitter::Tree, fa: &mut FileAnalysis) {
    for k in &mut fa.kernels {
        k.summary = KernelSummary {
            pattern: "unknown".into(),
            confidence: 0.0,
            evidence: Vec::new(),
        };
    }
}
