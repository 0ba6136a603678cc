//! cuport: finds CUDA touchpoints in C/C++/CUDA code and suggests (or applies) the MindSpore/Ascend
//! or PaddlePaddle equivalent. `run` is the whole program; `main` only calls it.

pub mod analyze;
pub mod atomic_write;
pub mod baseline;
pub mod catalog;
pub mod cli;
mod commands;
pub mod config;
pub mod context;
pub mod docs;
pub mod flat;
pub mod model;
pub mod parse;
pub mod progress;
pub mod report;
pub mod rewrite;
pub mod scaffold;
pub mod scan;
pub mod source;
pub mod walk;

use clap::Parser;
use std::ffi::OsString;
use std::io::Write;

/// Exit code: nothing to report.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code: findings (or a threshold missed).
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage, I/O or rule-file error.
pub const EXIT_ERROR: i32 = 2;

/// Run cuport with `args` (including the program name); returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = err.write_all(text.as_bytes());
                return code;
            }
            // --help / --version: a closed pipe is fine, any other failed write is an error.
            return match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(w) if w.kind() != std::io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(err, "cuport: error: {w}");
                    EXIT_ERROR
                }
                _ => code,
            };
        }
    };
    let result = match cli.command {
        cli::Command::Scan(a) => commands::scan::run(&a, out, err),
        cli::Command::Fix(a) => commands::fix::run(&a, out, err),
        cli::Command::Rules(a) => commands::rules::list(&a, out, err),
        cli::Command::Explain(a) => commands::rules::explain(&a, out, err),
        cli::Command::Report(a) => commands::report::run(&a, out, err),
        cli::Command::Baseline(a) => commands::baseline::run(&a, out, err),
        cli::Command::Check(a) => commands::check::run(&a, out, err),
        cli::Command::Scaffold(a) => commands::scaffold::run(&a, out, err),
        cli::Command::GenerateDocs { dir } => commands::rules::generate_docs(&dir, out, err),
    };
    // Flush here, not on drop, so a full disk or closed pipe is reported like any other write error.
    match result.and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        // A closed pipe (`cuport scan | head`) ends the run quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            let _ = writeln!(err, "cuport: error: {e}");
            EXIT_ERROR
        }
    }
}
