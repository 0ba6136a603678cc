//! One module per subcommand; each returns an exit code or an I/O error on its output.

pub mod baseline;
pub mod check;
pub mod fix;
pub mod gate;
pub mod report;
pub mod rules;
pub mod scaffold;
pub mod scan;

use crate::catalog::{read_rule_dir, Catalog, RuleSource};
use crate::cli::CommonArgs;
use crate::rewrite::PlanOptions;
use crate::scan::{RenderNeeds, ScanOptions};
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::io::Write;
use std::path::PathBuf;

/// Load the built-in catalog plus user rule directories; on error, print every diagnostic.
pub fn load_catalog(dirs: &[PathBuf], err: &mut dyn Write) -> std::io::Result<Option<Catalog>> {
    let mut sources: Vec<RuleSource> = crate::catalog::builtin_sources();
    for d in dirs {
        match read_rule_dir(d) {
            Ok(mut s) => sources.append(&mut s),
            Err(e) => {
                writeln!(err, "cuport: error: rule directory {}: {e}", d.display())?;
                return Ok(None);
            }
        }
    }
    match Catalog::load(&sources) {
        Ok(c) => Ok(Some(c)),
        Err(errors) => {
            let h = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
                .with_width(110);
            for e in &errors.errors {
                let mut s = String::new();
                let _ = h.render_report(&mut s, e);
                err.write_all(s.as_bytes())?;
            }
            writeln!(
                err,
                "cuport: {} error(s) in rule files; nothing was scanned",
                errors.errors.len()
            )?;
            Ok(None)
        }
    }
}

pub fn scan_options(c: &CommonArgs, render: RenderNeeds) -> ScanOptions {
    let threads = c
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let paths = if c.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        c.paths.clone()
    };
    ScanOptions {
        paths,
        target: c.target.target(),
        threads,
        plan: PlanOptions {
            select: c.select.clone(),
            ignore: c.ignore.clone(),
            annotate: false,
        },
        max_file_size: c.max_file_size,
        render,
    }
}

/// Print the notes about skipped or unreadable files, one line each.
pub fn print_notes(report: &crate::scan::ScanReport, err: &mut dyn Write) -> std::io::Result<()> {
    for n in &report.notes {
        let level = if n.error { "error" } else { "note" };
        writeln!(err, "cuport: {level}: {}: {}", n.path, n.message)?;
    }
    Ok(())
}
