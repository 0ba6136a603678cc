//! `cuport report`: several report formats in one run — one file per format in `--output-dir`, or
//! one format on stdout — plus progress since a baseline and an optional history data point.

use super::gate::Gate;
use super::print_notes;
use crate::cli::{ReportArgs, ReportFormat};
use crate::report::{github, gitlab, history, html, json, junit, markdown, metrics, sarif};
use crate::scan::{scan, RenderNeeds};
use crate::EXIT_ERROR;
use std::io::Write;
use std::path::PathBuf;

pub fn run(a: &ReportArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let Some(super::Prepared {
        config,
        catalog,
        mut opts,
    }) = super::prepare(&a.common, RenderNeeds::default(), err)?
    else {
        return Ok(EXIT_ERROR);
    };
    let gate = match Gate::load(&a.gate, config.baseline.as_deref()) {
        Ok(g) => g,
        Err(e) => {
            writeln!(err, "cuport: error: {e}")?;
            return Ok(EXIT_ERROR);
        }
    };
    // Each format once, in the order given.
    // Formats: the flag, else `[report] formats` of cuport.toml, else markdown.
    let requested: Vec<ReportFormat> = if !a.format.is_empty() {
        a.format.clone()
    } else if !config.report_formats.is_empty() {
        config
            .report_formats
            .iter()
            .filter_map(|f| <ReportFormat as clap::ValueEnum>::from_str(f, true).ok())
            .collect()
    } else {
        vec![ReportFormat::Markdown]
    };
    let mut formats: Vec<ReportFormat> = Vec::new();
    for f in &requested {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    let output_dir = a.output_dir.clone().or_else(|| config.report_dir.clone());
    let to_stdout = output_dir.is_none() && formats.len() == 1;
    let dir = output_dir.unwrap_or_else(|| PathBuf::from("."));

    // Earlier history points are read before scanning, so a bad file fails fast.
    let mut points = match &a.history {
        Some(h) => match history::load(h) {
            Ok((p, warnings)) => {
                for w in warnings {
                    writeln!(err, "cuport: warning: {w}")?;
                }
                Some(p)
            }
            Err(e) => {
                writeln!(
                    err,
                    "cuport: error: {}: cannot read history: {e}",
                    h.display()
                )?;
                return Ok(EXIT_ERROR);
            }
        },
        None => None,
    };

    opts.render = RenderNeeds {
        new_content: formats.contains(&ReportFormat::Sarif),
        json: formats.contains(&ReportFormat::Json),
        ..RenderNeeds::default()
    };
    let report = scan(&catalog, &opts);
    print_notes(&report, err)?;
    let mut m = metrics::compute(&report, &catalog);
    m.progress = gate
        .baseline
        .as_ref()
        .map(|b| crate::baseline::progress(&report, b));
    let known = gate.baseline.as_ref().map(|_| gate.known());

    let point = a.history.as_ref().map(|_| history::point(&m, &report.root));
    if let (Some(p), Some(all)) = (&point, points.as_mut()) {
        all.push(p.clone());
    }

    if !to_stdout {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            writeln!(err, "cuport: error: {}: {e}", dir.display())?;
            return Ok(EXIT_ERROR);
        }
    }
    for f in &formats {
        let mut buf: Vec<u8> = Vec::new();
        match f {
            ReportFormat::Json => json::write(&report, &mut buf)?,
            ReportFormat::Markdown => buf = markdown::render(&m).into_bytes(),
            ReportFormat::Html => buf = html::render(&m, points.as_deref()).into_bytes(),
            ReportFormat::Sarif => sarif::write(&report, &catalog, known.as_ref(), &mut buf)?,
            ReportFormat::Junit => buf = junit::render(&report, &m).into_bytes(),
            ReportFormat::Github => buf = github::render(&report).into_bytes(),
            ReportFormat::Gitlab => gitlab::write(&report, &mut buf)?,
        }
        if to_stdout {
            out.write_all(&buf)?;
            continue;
        }
        let path = dir.join(f.file_name());
        if let Err(e) = std::fs::write(&path, &buf) {
            writeln!(err, "cuport: error: {}: {e}", path.display())?;
            return Ok(EXIT_ERROR);
        }
        writeln!(err, "cuport: wrote {}", path.display())?;
    }
    out.flush()?;

    if let (Some(h), Some(p)) = (&a.history, &point) {
        if let Err(e) = history::append(h, p) {
            writeln!(
                err,
                "cuport: error: {}: cannot append history: {e}",
                h.display()
            )?;
            return Ok(EXIT_ERROR);
        }
    }
    if !to_stdout {
        let mut line = format!(
            "cuport: {} file(s), {} touchpoint(s) for {}: readiness {}, effort ≈ {} h",
            m.files,
            m.counts.total(),
            m.target,
            metrics::percent(m.readiness),
            metrics::hours(m.hours)
        );
        if let Some(p) = &m.progress {
            line.push_str(&format!(
                "; since the baseline {} migrated away, {} remaining, {} new",
                p.migrated, p.remaining, p.new
            ));
        }
        writeln!(err, "{line}")?;
    }
    Ok(gate.exit_code(&report, false))
}
