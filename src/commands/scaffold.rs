//! `cuport scaffold KERNEL [PATH…] --target mindspore|paddle [--out DIR]`: a starting point for a
//! kernel with no framework op. Finds the kernel like `scan` does, then writes the target's files.

use crate::cli::{CommonArgs, ScaffoldArgs};
use crate::scan::{scan, KernelRecord, RenderNeeds};
use crate::source::SourceFile;
use crate::{EXIT_CLEAN, EXIT_ERROR};
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;

/// Scan options as `cuport scan PATH…` would build them (config file and defaults included).
#[derive(Parser)]
struct Paths {
    #[command(flatten)]
    common: CommonArgs,
}

pub fn run(a: &ScaffoldArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let mut argv: Vec<std::ffi::OsString> = vec!["cuport".into()];
    argv.extend(a.paths.iter().map(|p| p.as_os_str().to_owned()));
    let common = match Paths::try_parse_from(argv) {
        Ok(p) => p.common,
        Err(e) => {
            writeln!(err, "cuport: error: {e}")?;
            return Ok(EXIT_ERROR);
        }
    };
    let Some(prepared) = super::prepare(&common, RenderNeeds::default(), err)? else {
        return Ok(EXIT_ERROR);
    };
    let report = scan(&prepared.catalog, &prepared.opts);
    for n in report.notes.iter().filter(|n| n.error) {
        writeln!(err, "cuport: error: {}: {}", n.path, n.message)?;
    }
    let found: Vec<(&crate::scan::FileRecord, &KernelRecord)> = report
        .files
        .iter()
        .flat_map(|f| {
            f.kernels
                .iter()
                .filter(|k| k.name == a.kernel)
                .map(move |k| (f, k))
        })
        .collect();
    let (f, record) = match found.as_slice() {
        [one] => *one,
        [] => {
            let mut names: Vec<&str> = report
                .files
                .iter()
                .flat_map(|f| f.kernels.iter().map(|k| k.name.as_str()))
                .collect();
            names.sort_unstable();
            names.dedup();
            let q = a.kernel.to_lowercase();
            let close: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| n.to_lowercase().contains(&q) || q.contains(&n.to_lowercase()))
                .collect();
            writeln!(
                err,
                "cuport: error: no __global__ kernel named `{}` in {}",
                a.kernel,
                shown_paths(&a.paths)
            )?;
            let list = if close.is_empty() { &names } else { &close };
            if list.is_empty() {
                writeln!(err, "  (no kernels found there)")?;
            } else {
                writeln!(
                    err,
                    "  kernels found: {}",
                    list.iter().take(40).copied().collect::<Vec<_>>().join(", ")
                )?;
            }
            return Ok(EXIT_ERROR);
        }
        many => {
            writeln!(
                err,
                "cuport: error: kernel `{}` is defined {} times; pass the file that defines the one you want:",
                a.kernel,
                many.len()
            )?;
            for (f, k) in many {
                writeln!(err, "  {}:{}", f.rel, k.line)?;
            }
            return Ok(EXIT_ERROR);
        }
    };
    // Re-read the one defining file for the definition's text and the parameter uses.
    let bytes = std::fs::read(&f.abs)?;
    let file = SourceFile::new(f.rel.clone(), f.abs.clone(), bytes);
    let Some(tree) = crate::parse::parse(&file.bytes) else {
        writeln!(
            err,
            "cuport: error: {}: the parser gave up on this file",
            f.rel
        )?;
        return Ok(EXIT_ERROR);
    };
    let fa = crate::analyze::analyze(&file, &tree, &prepared.catalog);
    let Some(k) = fa
        .kernels
        .iter()
        .find(|k| k.name == record.name && file.position(k.name_offset).0 == record.line)
    else {
        writeln!(
            err,
            "cuport: error: {} changed while reading it; run again",
            f.rel
        )?;
        return Ok(EXIT_ERROR);
    };
    let launches = record
        .launches
        .iter()
        .map(|l| (l.path.clone(), l.line, l.config.clone()))
        .collect();
    let spec = crate::scaffold::spec(&file, &tree, &fa, k, record.suggestions.clone(), launches);
    let target = a.target.target();
    let files = crate::scaffold::generate(&spec, target);
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("cuport-scaffold").join(&a.kernel));
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|g| dir.join(&g.name))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() {
        writeln!(
            err,
            "cuport: error: refusing to overwrite existing file(s):"
        )?;
        for p in &existing {
            writeln!(err, "  {}", p.display())?;
        }
        writeln!(err, "  (remove them or pass --out DIR)")?;
        return Ok(EXIT_ERROR);
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        writeln!(err, "cuport: error: cannot create {}: {e}", dir.display())?;
        return Ok(EXIT_ERROR);
    }
    for g in &files {
        let p = dir.join(&g.name);
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
            .and_then(|mut h| h.write_all(g.contents.as_bytes()));
        if let Err(e) = written {
            writeln!(err, "cuport: error: cannot write {}: {e}", p.display())?;
            return Ok(EXIT_ERROR);
        }
    }
    let what = if spec.pattern == "custom" {
        "custom pattern".to_string()
    } else {
        format!(
            "looks like {}: prefer the suggested {} ops (see the header comments)",
            spec.pattern,
            target.as_str()
        )
    };
    writeln!(
        out,
        "cuport: scaffold for `{}` ({}:{}, {what}) for {} in {}:",
        spec.name,
        spec.path,
        spec.line,
        target.as_str(),
        dir.display()
    )?;
    for g in &files {
        writeln!(out, "  {}", dir.join(&g.name).display())?;
    }
    Ok(EXIT_CLEAN)
}

fn shown_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        ".".to_string()
    } else {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
