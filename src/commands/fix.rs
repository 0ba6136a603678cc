//! `cuport fix`: the annotated diff of every mechanical rewrite, or `--write` to apply it in place.

use super::print_notes;
use crate::atomic_write::replace_file;
use crate::cli::FixArgs;
use crate::scan::{scan, RenderNeeds};
use crate::{EXIT_CLEAN, EXIT_ERROR};
use std::io::Write;

pub fn run(a: &FixArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let render = RenderNeeds {
        text: false,
        diff: !a.write,
        new_content: a.write,
        json: false,
        strip_annotations: a.strip_annotations,
    };
    let Some(super::Prepared {
        catalog, mut opts, ..
    }) = super::prepare(&a.common, render, err)?
    else {
        return Ok(EXIT_ERROR);
    };
    opts.plan.annotate = !a.strip_annotations;
    let report = scan(&catalog, &opts);
    print_notes(&report, err)?;
    let mut failures = report.io_errors();
    if !a.write {
        for f in &report.files {
            out.write_all(&f.diff)?;
        }
        out.flush()?;
        return Ok(if failures > 0 { EXIT_ERROR } else { EXIT_CLEAN });
    }
    let (mut changed, mut edits) = (0usize, 0usize);
    for f in &report.files {
        let Some(new) = &f.new_content else { continue };
        match replace_file(&f.abs, f.original_hash, new, a.backup.as_deref()) {
            Ok(()) => {
                changed += 1;
                if !a.strip_annotations {
                    edits += f.edits;
                }
            }
            Err(e) => {
                failures += 1;
                writeln!(err, "cuport: error: {}: {e}", f.rel)?;
            }
        }
    }
    writeln!(
        out,
        "cuport: {changed} file(s) changed, {edits} edit(s) applied for {}, {failures} file(s) not written",
        report.target
    )?;
    Ok(if failures > 0 { EXIT_ERROR } else { EXIT_CLEAN })
}
