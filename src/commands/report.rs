//! `cuport report`: several report formats in one run.

use crate::cli::ReportArgs;
use crate::EXIT_ERROR;
use std::io::Write;

pub fn run(_a: &ReportArgs, _out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    writeln!(err, "cuport: error: `cuport report` is being built")?;
    Ok(EXIT_ERROR)
}
