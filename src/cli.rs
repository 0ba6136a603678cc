//! Command-line interface definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "cuport",
    version,
    about = "Find CUDA touchpoints and port them to MindSpore/Ascend or PaddlePaddle",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files or directories and report every CUDA touchpoint.
    Scan(ScanArgs),
    /// Rewrite what can be rewritten mechanically (prints a diff; --write applies it).
    Fix(FixArgs),
    /// List the rules of the catalog.
    Rules(RulesArgs),
    /// Show one rule with its examples.
    Explain(ExplainArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    Mindspore,
    Paddle,
}

impl TargetArg {
    pub fn target(self) -> crate::model::Target {
        match self {
            TargetArg::Mindspore => crate::model::Target::MindSpore,
            TargetArg::Paddle => crate::model::Target::Paddle,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Diff,
    Json,
}

/// Options shared by commands that scan.
#[derive(Debug, Args, Clone)]
pub struct CommonArgs {
    /// Files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// The framework to port to.
    #[arg(long, value_enum, default_value = "mindspore")]
    pub target: TargetArg,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Extra rule directory (same TOML schema as rewrite-rules/); repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Skip files larger than this many bytes (reported, never silently).
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Only these rule ids (comma-separated; a prefix ending in `-` selects a family).
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Leave out these rule ids (comma-separated; prefixes ending in `-` allowed).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ScanFormat,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Apply the edits in place (atomically, per file).
    #[arg(long)]
    pub write: bool,
    /// With --write, keep the original next to each changed file with this suffix.
    #[arg(long, value_name = "SUFFIX")]
    pub backup: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only rules of this library.
    #[arg(long)]
    pub library: Option<String>,
    /// Show the equivalent on this target only.
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: RulesFormat,
    /// Extra rule directory; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id, e.g. RT-MALLOC.
    pub rule: String,
    /// Extra rule directory; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}
