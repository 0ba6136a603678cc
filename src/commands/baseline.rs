//! `cuport baseline`: record today's touchpoints.

use super::print_notes;
use crate::baseline::Baseline;
use crate::cli::BaselineArgs;
use crate::scan::{scan, RenderNeeds};
use crate::{EXIT_CLEAN, EXIT_ERROR};
use std::io::Write;

pub fn run(a: &BaselineArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let Some(super::Prepared { catalog, opts, .. }) =
        super::prepare(&a.common, RenderNeeds::default(), err)?
    else {
        return Ok(EXIT_ERROR);
    };
    let report = scan(&catalog, &opts);
    print_notes(&report, err)?;
    if report.io_errors() > 0 {
        writeln!(
            err,
            "cuport: error: some files could not be read; baseline not written"
        )?;
        return Ok(EXIT_ERROR);
    }
    let b = Baseline::from_report(&report);
    if let Err(e) = std::fs::write(&a.output, b.to_json()) {
        writeln!(err, "cuport: error: {}: {e}", a.output.display())?;
        return Ok(EXIT_ERROR);
    }
    writeln!(
        out,
        "cuport: baseline of {} touchpoint(s) in {} file(s) written to {}",
        b.findings.len(),
        report.files.len(),
        a.output.display()
    )?;
    Ok(EXIT_CLEAN)
}
