//! `cuport check FILE…`: the pre-commit fast path. No walk; one line per new finding.

use super::gate::Gate;
use super::{load_catalog, print_notes};
use crate::cli::CheckArgs;
use crate::rewrite::PlanOptions;
use crate::scan::{scan, RenderNeeds, ScanOptions};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use std::io::Write;

pub fn run(a: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    if a.files.is_empty() {
        return Ok(EXIT_CLEAN);
    }
    let Some(catalog) = load_catalog(&a.rule_dirs, err)? else {
        return Ok(EXIT_ERROR);
    };
    let gate = match Gate::load(&a.gate, Some(std::path::Path::new(".cuport-baseline.json"))) {
        Ok(g) => g,
        Err(e) => {
            writeln!(err, "cuport: error: {e}")?;
            return Ok(EXIT_ERROR);
        }
    };
    let opts = ScanOptions {
        paths: a.files.clone(),
        target: a.target.target(),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        plan: PlanOptions::default(),
        max_file_size: 16 << 20,
        render: RenderNeeds::default(),
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
    Ok(if report.io_errors() > 0 {
        EXIT_ERROR
    } else if gate.fails(&report) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
