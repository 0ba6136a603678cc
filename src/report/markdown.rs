//! Markdown report: for `$GITHUB_STEP_SUMMARY`, merge-request notes and PR comments.
//! Tables are capped so a huge codebase still fits a step summary (1 MiB).

use super::metrics::{hours, percent, weights_sentence, Area, Metrics, STATUSES};
use std::fmt::Write as _;

/// Rows shown per ranking table.
pub const TOP: usize = 15;

/// Escape text for a table cell or a line: no HTML, no table breaks, no stray emphasis.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => o.push_str("\\|"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '*' | '_' | '`' | '[' | ']' | '\\' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// Inline code that survives any content (backticks inside are replaced).
fn code(s: &str) -> String {
    format!(
        "`{}`",
        s.replace('`', "'").replace('|', "\\|").replace('\n', " ")
    )
}

fn area_table(s: &mut String, title: &str, rows: &[Area], what: &str) {
    let _ = writeln!(s, "### {title}\n");
    if rows.is_empty() {
        let _ = writeln!(s, "None.\n");
        return;
    }
    let _ = writeln!(
        s,
        "| {what} | touchpoints | direct | guided | manual | unmapped | kernels | effort (h) |"
    );
    let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|--:|--:|");
    for a in rows.iter().take(TOP) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            code(&a.path),
            a.counts.total(),
            a.counts.direct,
            a.counts.guided,
            a.counts.manual,
            a.counts.unmapped,
            a.kernels,
            hours(a.hours)
        );
    }
    if rows.len() > TOP {
        let _ = writeln!(s, "\n… and {} more.", rows.len() - TOP);
    }
    s.push('\n');
}

/// The whole report as Markdown.
pub fn render(m: &Metrics) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# cuport report: CUDA → {}\n", m.target);
    let _ = writeln!(
        s,
        "**Readiness {}** ({} of {} touchpoints have a direct or guided equivalent) · \
         **Effort ≈ {} h** ({} h touchpoints, {} h kernels) · {} file(s) scanned · {} kernel(s)\n",
        percent(m.readiness),
        m.counts.direct + m.counts.guided,
        m.counts.total(),
        hours(m.hours),
        hours(m.finding_hours),
        hours(m.kernel_hours),
        m.files,
        m.kernels
    );
    if m.parse_error_bytes > 0 {
        let _ = writeln!(
            s,
            "{} byte(s) did not parse; touchpoints there were still found token by token.\n",
            m.parse_error_bytes
        );
    }
    if let Some(p) = &m.progress {
        let _ = writeln!(s, "## Progress since the baseline\n");
        let _ = writeln!(s, "| migrated away | remaining | new |");
        let _ = writeln!(s, "|--:|--:|--:|");
        let _ = writeln!(s, "| {} | {} | {} |\n", p.migrated, p.remaining, p.new);
    }

    let _ = writeln!(s, "## Touchpoints by library and status\n");
    if m.by_library.is_empty() {
        let _ = writeln!(s, "No CUDA touchpoints.\n");
    } else {
        let _ = writeln!(
            s,
            "| library | direct | guided | manual | unmapped | total |"
        );
        let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|");
        for (lib, c) in &m.by_library {
            let _ = write!(s, "| {} |", esc(lib));
            for st in STATUSES {
                let _ = write!(s, " {} |", c.get(st));
            }
            let _ = writeln!(s, " {} |", c.total());
        }
        let _ = write!(s, "| **total** |");
        for st in STATUSES {
            let _ = write!(s, " **{}** |", m.counts.get(st));
        }
        let _ = writeln!(s, " **{}** |\n", m.counts.total());
    }

    let _ = writeln!(s, "## Most remaining work\n");
    area_table(&mut s, "Files", &m.by_file, "file");
    area_table(&mut s, "Directories", &m.by_dir, "directory");

    let _ = writeln!(s, "## Kernels by pattern\n");
    if m.patterns.is_empty() {
        let _ = writeln!(s, "No `__global__` kernels.\n");
    } else {
        let _ = writeln!(
            s,
            "| pattern | kernels | effort (h) | {} equivalent | where |",
            m.target
        );
        let _ = writeln!(s, "|---|--:|--:|---|---|");
        for p in &m.patterns {
            let ops = p.equivalent(code);
            let mut wher: Vec<String> = p
                .kernels
                .iter()
                .take(5)
                .map(|(path, line, name)| {
                    format!("{} ({})", code(name), code(&format!("{path}:{line}")))
                })
                .collect();
            if p.kernels.len() > 5 {
                wher.push(format!("… {} more", p.kernels.len() - 5));
            }
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                code(&p.pattern),
                p.kernels.len(),
                hours(p.hours),
                ops,
                wher.join(", ")
            );
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## Unmapped names\n");
    if m.unmapped.is_empty() {
        let _ = writeln!(s, "None: every CUDA name found has a rule.\n");
    } else {
        let _ = writeln!(s, "| name | library | occurrences | first seen |");
        let _ = writeln!(s, "|---|---|--:|---|");
        for u in m.unmapped.iter().take(TOP * 2) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                code(&u.name),
                esc(&u.library),
                u.count,
                code(&format!("{}:{}", u.first.0, u.first.1))
            );
        }
        if m.unmapped.len() > TOP * 2 {
            let _ = writeln!(s, "\n… and {} more.", m.unmapped.len() - TOP * 2);
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "<sub>Readiness: share of touchpoints whose status on {} is direct or guided. {}</sub>",
        m.target,
        weights_sentence()
    );
    s
}
