//! `cuport check FILE…`: the pre-commit fast path. No walk; one line per new finding.

use super::gate::Gate;
use super::{load_catalog, print_notes};
use crate::cli::CheckArgs;
use crate::rewrite::PlanOptions;
use crate::scan::{scan, RenderNeeds, ScanOptions};
use crate::{EXIT_CLEAN, EXIT_ERROR};
use std::io::Write;

pub fn run(a: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    if a.files.is_empty() {
        return Ok(EXIT_CLEAN);
    }
    let Some(config) = super::load_config(err)? else {
        return Ok(EXIT_ERROR);
    };
    let mut dirs = config.rule_dirs.clone();
    dirs.extend(a.rule_dirs.iter().cloned());
    let Some(catalog) = load_catalog(&dirs, err)? else {
        return Ok(EXIT_ERROR);
    };
    let default_baseline = config
        .baseline
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(".cuport-baseline.json"));
    let gate = match Gate::load(&a.gate, Some(&default_baseline)) {
        Ok(g) => g,
        Err(e) => {
            writeln!(err, "cuport: error: {e}")?;
            return Ok(EXIT_ERROR);
        }
    };
    let opts = ScanOptions {
        paths: a.files.clone(),
        target: a
            .target
            .map(|t| t.target())
            .or(config.target)
            .unwrap_or(crate::model::Target::MindSpore),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        plan: PlanOptions {
            select: config.select.clone(),
            ignore: config.ignore.clone(),
            annotate: false,
            project: None,
        },
        max_file_size: config.max_file_size.unwrap_or(16 << 20),
        render: RenderNeeds::default(),
        config: config.clone(),
        parse_only: false,
        parse_timeout: Some(std::time::Duration::from_secs(20)),
        progress: false,
    };
    let report = scan(&catalog, &opts);
    print_notes(&report, err)?;
    let known = gate.known();
    let mut new = 0;
    for (f, r) in report.findings() {
        if known.contains(&r.fingerprint) {
            continue;
        }
        new += 1;
        let what = match r.finding.target(report.target) {
            Some(t) if t.api.is_empty() => format!("{} ({})", t.status.as_str(), report.target),
            Some(t) => format!("{} → {} ({})", t.status.as_str(), t.api, report.target),
            None => "no rule yet".to_string(),
        };
        writeln!(
            out,
            "{}:{}:{}: {} {}: {}",
            f.rel, r.line, r.column, r.finding.rule, r.finding.cuda, what
        )?;
    }
    if new > 0 {
        writeln!(out, "cuport: {new} new CUDA touchpoint(s)")?;
    }
    Ok(gate.exit_code(&report, false))
}
