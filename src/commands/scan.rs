//! `cuport scan`: report every touchpoint as diagnostics, an annotated diff, or JSON.

use super::print_notes;
use crate::cli::{ScanArgs, ScanFormat};
use crate::report::{json, text};
use crate::scan::{scan, RenderNeeds};
use crate::{EXIT_CLEAN, EXIT_ERROR};
use std::io::Write;

pub fn run(a: &ScanArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let render = RenderNeeds {
        text: a.format == ScanFormat::Text,
        diff: a.format == ScanFormat::Diff,
        new_content: false,
        json: a.format == ScanFormat::Json,
        strip_annotations: false,
    };
    let Some(super::Prepared {
        config,
        catalog,
        mut opts,
    }) = super::prepare(&a.common, render, err)?
    else {
        return Ok(EXIT_ERROR);
    };
    if a.parse_only {
        opts.parse_only = true;
        let report = scan(&catalog, &opts);
        print_notes(&report, err)?;
        return Ok(EXIT_CLEAN);
    }
    let gate = match super::gate::Gate::load(&a.gate, config.baseline.as_deref()) {
        Ok(g) => g,
        Err(e) => {
            writeln!(err, "cuport: error: {e}")?;
            return Ok(EXIT_ERROR);
        }
    };
    let report = scan(&catalog, &opts);
    print_notes(&report, err)?;
    match a.format {
        ScanFormat::Text => {
            for f in &report.files {
                out.write_all(&f.text)?;
            }
            out.write_all(text::summary_line(&report).as_bytes())?;
        }
        ScanFormat::Diff => {
            for f in &report.files {
                out.write_all(&f.diff)?;
            }
        }
        ScanFormat::Json => json::write(&report, out)?,
    }
    out.flush()?;
    Ok(gate.exit_code(&report, a.exit_zero))
}
