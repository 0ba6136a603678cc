//! `cuport scaffold`: a starting point for a kernel with no framework op.

use crate::cli::ScaffoldArgs;
use crate::EXIT_ERROR;
use std::io::Write;

pub fn run(_a: &ScaffoldArgs, _out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    writeln!(err, "cuport: error: `cuport scaffold` is being built")?;
    Ok(EXIT_ERROR)
}
