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
    /// Write migration reports (json, markdown, html, sarif, junit, github, gitlab) in one run.
    Report(ReportArgs),
    /// Record today's touchpoints so later runs only fail on new ones.
    Baseline(BaselineArgs),
    /// Fast pre-commit check of the files given: exit 1 on new touchpoints.
    Check(CheckArgs),
    /// Write a starting point (Ascend C kernel or Paddle custom op) for a kernel with no framework op.
    Scaffold(ScaffoldArgs),
    /// Regenerate the rule reference under docs/rules (for maintainers).
    #[command(hide = true)]
    GenerateDocs {
        /// Output directory.
        #[arg(default_value = "docs/rules")]
        dir: PathBuf,
    },
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
    /// The framework to port to (default: from cuport.toml, else mindspore).
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Extra rule directory (same TOML schema as rewrite-rules/); repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Skip files larger than this many bytes (reported, never silently; default 16 MiB).
    #[arg(long)]
    pub max_file_size: Option<u64>,
    /// Skip a file whose parse takes longer than this many milliseconds (reported).
    #[arg(long, value_name = "MS", default_value_t = 20_000)]
    pub parse_timeout: u64,
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
    #[command(flatten)]
    pub gate: GateArgs,
    /// Benchmark baseline: walk, read and parse the same files, then stop (prints nothing).
    #[arg(long, hide = true)]
    pub parse_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail only on findings not in the baseline.
    New,
    /// Fail on any finding.
    Any,
    /// Never fail because of findings.
    Never,
}

/// Baseline comparison and the exit-code threshold.
#[derive(Debug, Args, Clone, Default)]
pub struct GateArgs {
    /// Findings recorded in this baseline file are "known".
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// What sets exit code 1 (default: `new` with a baseline, else `any`).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Json,
    Markdown,
    Html,
    Sarif,
    Junit,
    Github,
    Gitlab,
}

impl ReportFormat {
    /// The file name written for this format in --output-dir.
    pub fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Json => "cuport.json",
            ReportFormat::Markdown => "cuport.md",
            ReportFormat::Html => "cuport.html",
            ReportFormat::Sarif => "cuport.sarif",
            ReportFormat::Junit => "cuport.junit.xml",
            ReportFormat::Github => "cuport.github.txt",
            ReportFormat::Gitlab => "cuport.gitlab.json",
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Formats to write (comma-separated; default: `[report] formats` of cuport.toml, else markdown).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub format: Vec<ReportFormat>,
    /// Write one file per format here (stdout when a single format and no directory is given).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Append a data point to this JSON-lines history; the HTML report draws the trend from it.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    #[command(flatten)]
    pub gate: GateArgs,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Where to write the baseline.
    #[arg(long, default_value = ".cuport-baseline.json")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files to check (no directory walk).
    pub files: Vec<PathBuf>,
    /// The framework to port to (default: from cuport.toml, else mindspore).
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Extra rule directory; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub gate: GateArgs,
}

#[derive(Debug, Args)]
pub struct ScaffoldArgs {
    /// The kernel's name (a `__global__` function).
    pub kernel: String,
    /// Where to look for it (default: the current directory).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "mindspore")]
    pub target: TargetArg,
    /// Directory to write the scaffold into (default: ./cuport-scaffold/KERNEL).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
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
    /// Remove `// cuport[…]` annotation lines instead of adding rewrites.
    #[arg(long)]
    pub strip_annotations: bool,
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
