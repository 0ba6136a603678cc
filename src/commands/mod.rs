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
use crate::config::Config;
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

/// Options from the command line, falling back to the config file.
pub fn scan_options_with(c: &CommonArgs, render: RenderNeeds, cfg: &Config) -> ScanOptions {
    let threads = c
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let paths = if c.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        c.paths.clone()
    };
    let mut ignore = c.ignore.clone();
    ignore.extend(cfg.ignore.iter().cloned());
    ScanOptions {
        paths,
        target: c
            .target
            .map(|t| t.target())
            .or(cfg.target)
            .unwrap_or(crate::model::Target::MindSpore),
        threads,
        plan: PlanOptions {
            select: c.select.clone().or_else(|| cfg.select.clone()),
            ignore,
            annotate: false,
            project: None,
        },
        max_file_size: c.max_file_size.or(cfg.max_file_size).unwrap_or(16 << 20),
        render,
        config: cfg.clone(),
        parse_only: false,
        parse_timeout: (c.parse_timeout > 0)
            .then(|| std::time::Duration::from_millis(c.parse_timeout)),
        progress: true,
    }
}

/// Everything a scanning command needs: config, catalog (with config and CLI rule dirs), options.
pub struct Prepared {
    pub config: Config,
    pub catalog: Catalog,
    pub opts: ScanOptions,
}

/// Load cuport.toml (searched upward from the working directory) and the catalog; on any error print
/// the diagnostics and return `None` (the command exits 2 before scanning anything).
pub fn prepare(
    c: &CommonArgs,
    render: RenderNeeds,
    err: &mut dyn Write,
) -> std::io::Result<Option<Prepared>> {
    let Some(config) = load_config(err)? else {
        return Ok(None);
    };
    let mut dirs = config.rule_dirs.clone();
    dirs.extend(c.rule_dirs.iter().cloned());
    let Some(catalog) = load_catalog(&dirs, err)? else {
        return Ok(None);
    };
    let opts = scan_options_with(c, render, &config);
    Ok(Some(Prepared {
        config,
        catalog,
        opts,
    }))
}

/// The config file for this working directory, or an empty one; errors are printed.
pub fn load_config(err: &mut dyn Write) -> std::io::Result<Option<Config>> {
    let cwd = std::env::current_dir()?;
    match crate::config::discover(&cwd) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            let h = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
                .with_width(110);
            let mut s = String::new();
            let _ = h.render_report(&mut s, e.as_ref());
            err.write_all(s.as_bytes())?;
            writeln!(
                err,
                "cuport: error in the configuration file; nothing was scanned"
            )?;
            Ok(None)
        }
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
