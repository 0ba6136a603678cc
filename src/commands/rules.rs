//! `cuport rules` and `cuport explain`: browsing the catalog.

use super::load_catalog;
use crate::catalog::Rule;
use crate::cli::{ExplainArgs, RulesArgs, RulesFormat};
use crate::model::Target;
use crate::{EXIT_CLEAN, EXIT_ERROR};
use serde_json::json;
use std::io::Write;

fn targets(t: Option<crate::cli::TargetArg>) -> Vec<Target> {
    match t {
        Some(t) => vec![t.target()],
        None => Target::ALL.to_vec(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn list(a: &RulesArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let Some(catalog) = load_catalog(&a.rule_dirs, err)? else {
        return Ok(EXIT_ERROR);
    };
    let mut rules: Vec<&Rule> = catalog
        .rules
        .iter()
        .filter(|r| a.library.as_deref().is_none_or(|l| r.library == l))
        .collect();
    rules.sort_by(|x, y| x.id.cmp(&y.id));
    let ts = targets(a.target);
    match a.format {
        RulesFormat::Json => {
            let v: Vec<_> = rules
                .iter()
                .map(|r| {
                    let mut t = serde_json::Map::new();
                    for &tg in &ts {
                        let tr = r.target(tg);
                        t.insert(
                            tg.as_str().into(),
                            json!({"api": tr.api, "status": tr.status.as_str(), "note": tr.note,
                                   "rewrite": tr.rewrite, "include": tr.include}),
                        );
                    }
                    json!({"id": r.id, "cuda": r.cuda, "kind": r.kind.as_str(), "library": r.library,
                           "category": r.category, "targets": t})
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)?;
        }
        RulesFormat::Csv => {
            let mut head = vec!["id", "cuda", "kind", "library", "category"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>();
            for t in &ts {
                head.push(format!("{t}_api"));
                head.push(format!("{t}_status"));
            }
            writeln!(out, "{}", head.join(","))?;
            for r in &rules {
                let mut row = vec![
                    r.id.clone(),
                    r.cuda.clone(),
                    r.kind.as_str().into(),
                    r.library.clone(),
                    r.category.clone(),
                ];
                for &t in &ts {
                    row.push(r.target(t).api.clone());
                    row.push(r.target(t).status.as_str().into());
                }
                let row: Vec<String> = row.iter().map(|s| csv_field(s)).collect();
                writeln!(out, "{}", row.join(","))?;
            }
        }
        RulesFormat::Table => {
            let idw = rules.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
            let cw = rules
                .iter()
                .map(|r| r.cuda.len())
                .max()
                .unwrap_or(4)
                .clamp(4, 48);
            let mut head = format!(
                "{:idw$}  {:cw$}  {:9}  {:14}",
                "ID", "CUDA", "KIND", "LIBRARY"
            );
            for t in &ts {
                head.push_str(&format!(
                    "  {:44}",
                    format!("{} (status)", t.as_str().to_uppercase())
                ));
            }
            writeln!(out, "{}", head.trim_end())?;
            for r in &rules {
                let mut line = format!(
                    "{:idw$}  {:cw$}  {:9}  {:14}",
                    r.id,
                    r.cuda,
                    r.kind.as_str(),
                    r.library
                );
                for &t in &ts {
                    let tr = r.target(t);
                    let api = if tr.api.is_empty() {
                        "—"
                    } else {
                        tr.api.as_str()
                    };
                    line.push_str(&format!(
                        "  {:44}",
                        format!("{api} ({})", tr.status.as_str())
                    ));
                }
                writeln!(out, "{}", line.trim_end())?;
            }
            writeln!(out, "{} rule(s)", rules.len())?;
        }
    }
    Ok(EXIT_CLEAN)
}

pub fn explain(a: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    let Some(catalog) = load_catalog(&a.rule_dirs, err)? else {
        return Ok(EXIT_ERROR);
    };
    let Some(r) = catalog.by_id(&a.rule.to_uppercase()) else {
        writeln!(
            err,
            "cuport: error: no rule with id `{}` (see `cuport rules`)",
            a.rule
        )?;
        return Ok(EXIT_ERROR);
    };
    out.write_all(explain_text(r).as_bytes())?;
    Ok(EXIT_CLEAN)
}

/// A rule as Markdown, for `cuport explain` and the generated docs.
pub fn explain_text(r: &Rule) -> String {
    let mut s = format!("# {} — `{}`\n\n", r.id, r.cuda);
    s.push_str(&format!(
        "kind: {} · library: {} · category: {} · defined in {}\n",
        r.kind.as_str(),
        r.library,
        r.category,
        r.file
    ));
    if !r.params.is_empty() {
        s.push_str(&format!("arguments: {}\n", r.params.join(", ")));
    }
    for t in Target::ALL {
        let tr = r.target(t);
        s.push_str(&format!("\n## {t}: {}\n\n", tr.status.as_str()));
        if !tr.api.is_empty() {
            s.push_str(&format!("equivalent: `{}`\n", tr.api));
        }
        if let Some(rw) = &tr.rewrite {
            s.push_str(&format!("rewrite: `{rw}`\n"));
        }
        if let Some(inc) = &tr.include {
            s.push_str(&format!("include: `{inc}`\n"));
        }
        s.push_str(&format!("{}\n", tr.note));
    }
    if !r.examples.is_empty() {
        s.push_str("\n## examples\n");
        for e in &r.examples {
            s.push_str(&format!("\n```cuda\n{}\n```\n", e.cuda));
            for t in Target::ALL {
                if let Some(x) = e.expected(t) {
                    s.push_str(&format!("{t}:\n```cpp\n{x}\n```\n"));
                }
            }
        }
    }
    s
}

/// Write the generated reference into `dir`.
pub fn generate_docs(
    dir: &std::path::Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let Some(catalog) = load_catalog(&[], err)? else {
        return Ok(EXIT_ERROR);
    };
    std::fs::create_dir_all(dir)?;
    let pages = crate::docs::render(&catalog);
    for (name, text) in &pages {
        std::fs::write(dir.join(name), text)?;
    }
    writeln!(
        out,
        "cuport: wrote {} page(s) to {}",
        pages.len(),
        dir.display()
    )?;
    Ok(EXIT_CLEAN)
}
