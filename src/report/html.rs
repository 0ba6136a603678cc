//! HTML report: one self-contained page (inline CSS and SVG; no script, no external asset, no
//! network), readable with JavaScript disabled. Every piece of user text goes through [`esc`].

use super::history::Point;
use super::metrics::{hours, percent, weights_sentence, Area, Counts, Metrics, STATUSES};
use std::fmt::Write as _;

/// Rows shown in the directory and file tables.
const MAX_ROWS: usize = 50;

const COLORS: [&str; 4] = ["#2e7d32", "#1565c0", "#ef6c00", "#757575"];

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1000px;padding:1.5em;color:#1b1b1b;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.sub{color:#555;margin:0}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1.2em 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:9em}
.card .big{font-size:1.6em;font-weight:600}
table{border-collapse:collapse;margin:.6em 0;font-size:.93em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;overflow-wrap:anywhere}
svg text{font:12px system-ui,sans-serif;fill:#1b1b1b}
.legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:-.1em;border-radius:2px}
footer{margin-top:2em;color:#555;font-size:.88em}
@media print{body{max-width:none}}
";

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn legend(s: &mut String) {
    s.push_str("<p class=\"legend\">");
    for (st, c) in STATUSES.iter().zip(COLORS) {
        let _ = write!(s, "<span style=\"background:{c}\"></span>{st}");
    }
    s.push_str("</p>\n");
}

/// Horizontal stacked bars: one row per library, one segment per status.
fn library_chart(s: &mut String, m: &Metrics) {
    if m.by_library.is_empty() {
        s.push_str("<p>No CUDA touchpoints.</p>\n");
        return;
    }
    let (label_w, bar_w, row_h) = (170.0, 480.0, 26.0);
    let max = m
        .by_library
        .iter()
        .map(|(_, c)| c.total())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let height = m.by_library.len() as f64 * row_h + 8.0;
    legend(s);
    let _ = writeln!(
        s,
        "<svg id=\"chart-libraries\" width=\"760\" height=\"{height:.0}\" viewBox=\"0 0 760 {height:.0}\" role=\"img\" aria-label=\"CUDA touchpoints by library and status\">"
    );
    for (i, (lib, c)) in m.by_library.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 14.0,
            esc(lib)
        );
        let mut x = label_w;
        for (st, color) in STATUSES.iter().zip(COLORS) {
            let n = c.get(st);
            if n == 0 {
                continue;
            }
            let w = n as f64 / max * bar_w;
            let _ = writeln!(
                s,
                "<rect class=\"bar {st}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"18\" fill=\"{color}\"><title>{}: {n} {st}</title></rect>",
                esc(lib)
            );
            x += w;
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 6.0,
            y + 14.0,
            c.total()
        );
    }
    s.push_str("</svg>\n");
    s.push_str("<details><summary>Table</summary>\n<table id=\"table-libraries\"><thead><tr><th>library</th>");
    for st in STATUSES {
        let _ = write!(s, "<th class=\"n\">{st}</th>");
    }
    s.push_str("<th class=\"n\">total</th></tr></thead><tbody>\n");
    let row = |s: &mut String, name: &str, c: &Counts| {
        let _ = write!(s, "<tr><td>{}</td>", esc(name));
        for st in STATUSES {
            let _ = write!(s, "<td class=\"n\">{}</td>", c.get(st));
        }
        let _ = writeln!(s, "<td class=\"n\">{}</td></tr>", c.total());
    };
    for (lib, c) in &m.by_library {
        row(s, lib, c);
    }
    row(s, "total", &m.counts);
    s.push_str("</tbody></table></details>\n");
}

/// A table of areas with each row shaded by its share of the largest remaining effort.
fn area_table(s: &mut String, id: &str, what: &str, rows: &[Area]) {
    if rows.is_empty() {
        s.push_str("<p>No files.</p>\n");
        return;
    }
    let max = rows.iter().map(|a| a.hours).fold(0.0_f64, f64::max);
    let files_th = if what == "file" {
        ""
    } else {
        "<th class=\"n\">files</th>"
    };
    let _ = writeln!(
        s,
        "<table id=\"{id}\"><thead><tr><th>{what}</th>{files_th}<th class=\"n\">touchpoints</th><th class=\"n\">direct</th><th class=\"n\">guided</th><th class=\"n\">manual</th><th class=\"n\">unmapped</th><th class=\"n\">kernels</th><th class=\"n\">readiness</th><th class=\"n\">effort (h)</th></tr></thead><tbody>"
    );
    for a in rows.iter().take(MAX_ROWS) {
        let share = if max > 0.0 { a.hours / max } else { 0.0 };
        let files_td = if what == "file" {
            String::new()
        } else {
            format!("<td class=\"n\">{}</td>", a.files)
        };
        let _ = writeln!(
            s,
            "<tr style=\"background:rgba(239,108,0,{:.2})\"><td><code>{}</code></td>{files_td}<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            0.04 + 0.46 * share,
            esc(&a.path),
            a.counts.total(),
            a.counts.direct,
            a.counts.guided,
            a.counts.manual,
            a.counts.unmapped,
            a.kernels,
            percent(a.counts.readiness()),
            hours(a.hours)
        );
    }
    s.push_str("</tbody></table>\n");
    if rows.len() > MAX_ROWS {
        let _ = writeln!(s, "<p>… and {} more.</p>", rows.len() - MAX_ROWS);
    }
}

/// Lines of touchpoints per status (and the total) over the history points of this target.
fn trend_chart(s: &mut String, points: &[&Point]) {
    let (w, h, left, right, top, bottom) = (760.0, 280.0, 56.0, 20.0, 16.0, 44.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let max = points
        .iter()
        .map(|p| p.touchpoints)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = points.len();
    let x = |i: usize| {
        if n < 2 {
            left + pw / 2.0
        } else {
            left + pw * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: usize| top + ph - v as f64 / max * ph;
    s.push_str("<p class=\"legend\"><span style=\"background:#1b1b1b\"></span>total");
    for (st, c) in STATUSES.iter().zip(COLORS) {
        let _ = write!(s, "<span style=\"background:{c}\"></span>{st}");
    }
    s.push_str("</p>\n");
    let _ = writeln!(
        s,
        "<svg id=\"chart-trend\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-label=\"Touchpoints over time\">"
    );
    for v in [0, (max as usize).div_ceil(2), max as usize] {
        let _ = writeln!(
            s,
            "<line x1=\"{left:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            left + pw,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0
        );
    }
    let mut series: Vec<(&str, &str, Vec<usize>)> = vec![(
        "total",
        "#1b1b1b",
        points.iter().map(|p| p.touchpoints).collect(),
    )];
    for (st, c) in STATUSES.iter().zip(COLORS) {
        series.push((st, c, points.iter().map(|p| p.count(st)).collect()));
    }
    for (name, color, vals) in &series {
        let pts: Vec<String> = vals
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let width = if *name == "total" { 2.5 } else { 1.5 };
        let _ = writeln!(
            s,
            "<polyline class=\"trend {name}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\" points=\"{}\"/>",
            pts.join(" ")
        );
    }
    for (i, p) in points.iter().enumerate() {
        let commit = p
            .commit
            .as_deref()
            .map(|c| &c[..c.len().min(12)])
            .unwrap_or("");
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#1b1b1b\"><title>{} {}: {} touchpoints, readiness {}, {} h</title></circle>",
            x(i),
            y(p.touchpoints),
            esc(&p.time),
            esc(commit),
            p.touchpoints,
            percent(p.readiness),
            hours(p.effort_hours)
        );
    }
    let date = |p: &Point| esc(p.time.get(..10).unwrap_or(&p.time));
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = writeln!(
            s,
            "<text x=\"{left:.1}\" y=\"{:.1}\">{}</text>",
            h - 14.0,
            date(first)
        );
        if n > 1 {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                left + pw,
                h - 14.0,
                date(last)
            );
        }
    }
    s.push_str("</svg>\n");
    s.push_str("<details><summary>Data points</summary>\n<table id=\"table-history\"><thead><tr><th>time (UTC)</th><th>commit</th><th class=\"n\">touchpoints</th>");
    for st in STATUSES {
        let _ = write!(s, "<th class=\"n\">{st}</th>");
    }
    s.push_str(
        "<th class=\"n\">readiness</th><th class=\"n\">effort (h)</th></tr></thead><tbody>\n",
    );
    for p in points.iter().rev().take(MAX_ROWS) {
        let _ = write!(
            s,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td>",
            esc(&p.time),
            esc(p.commit.as_deref().unwrap_or("")),
            p.touchpoints
        );
        for st in STATUSES {
            let _ = write!(s, "<td class=\"n\">{}</td>", p.count(st));
        }
        let _ = writeln!(
            s,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            percent(p.readiness),
            hours(p.effort_hours)
        );
    }
    s.push_str("</tbody></table></details>\n");
}

/// The whole page. `history` holds every data point read (all targets); only this target's are drawn.
pub fn render(m: &Metrics, history: Option<&[Point]>) -> String {
    let mut s = String::new();
    let title = format!("cuport report: CUDA → {}", m.target);
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        esc(&title)
    );
    let _ = writeln!(
        s,
        "<header><h1>{}</h1><p class=\"sub\">cuport {}</p></header>",
        esc(&title),
        env!("CARGO_PKG_VERSION")
    );
    s.push_str("<section id=\"summary\" class=\"cards\">\n");
    let cards = [
        (percent(m.readiness), "readiness"),
        (format!("{} h", hours(m.hours)), "estimated effort"),
        (m.counts.total().to_string(), "touchpoints"),
        (m.files.to_string(), "files scanned"),
        (m.kernels.to_string(), "kernels"),
        (m.unmapped.len().to_string(), "unmapped names"),
    ];
    for (v, label) in cards {
        let _ = writeln!(
            s,
            "<div class=\"card\"><div class=\"big\">{}</div><div>{label}</div></div>",
            esc(&v)
        );
    }
    s.push_str("</section>\n");
    let _ = writeln!(
        s,
        "<p>{} of {} touchpoints have a direct or guided equivalent on {}; {} h of the effort is touchpoints, {} h kernels.</p>",
        m.counts.direct + m.counts.guided,
        m.counts.total(),
        m.target,
        hours(m.finding_hours),
        hours(m.kernel_hours)
    );
    if let Some(p) = &m.progress {
        let _ = writeln!(
            s,
            "<section id=\"progress\"><h2>Progress since the baseline</h2>\n<table id=\"table-progress\"><thead><tr><th class=\"n\">migrated away</th><th class=\"n\">remaining</th><th class=\"n\">new</th></tr></thead><tbody><tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></tbody></table></section>",
            p.migrated, p.remaining, p.new
        );
    }
    s.push_str("<section id=\"libraries\"><h2>Touchpoints by library and status</h2>\n");
    library_chart(&mut s, m);
    s.push_str("</section>\n<section id=\"directories\"><h2>Remaining work by directory</h2>\n");
    area_table(&mut s, "table-directories", "directory", &m.by_dir);
    s.push_str("</section>\n<section id=\"files\"><h2>Files with the most remaining work</h2>\n");
    area_table(&mut s, "table-files", "file", &m.by_file);
    s.push_str("</section>\n<section id=\"kernels\"><h2>Kernels by pattern</h2>\n");
    if m.patterns.is_empty() {
        s.push_str("<p>No <code>__global__</code> kernels.</p>\n");
    } else {
        let _ = writeln!(
            s,
            "<table id=\"table-kernels\"><thead><tr><th>pattern</th><th class=\"n\">kernels</th><th class=\"n\">effort (h)</th><th>{} equivalent</th><th>where</th></tr></thead><tbody>",
            m.target
        );
        for p in &m.patterns {
            let ops = p.equivalent(|o| format!("<code>{}</code>", esc(o)));
            let ks: Vec<String> = p
                .kernels
                .iter()
                .take(MAX_ROWS)
                .map(|(path, line, name)| {
                    format!("<code>{}</code> ({}:{line})", esc(name), esc(path))
                })
                .collect();
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{ops}</td><td>{}</td></tr>",
                esc(&p.pattern),
                p.kernels.len(),
                hours(p.hours),
                ks.join("<br>")
            );
        }
        s.push_str("</tbody></table>\n");
    }
    s.push_str("</section>\n<section id=\"unmapped\"><h2>Unmapped names</h2>\n");
    if m.unmapped.is_empty() {
        s.push_str("<p>None: every CUDA name found has a rule.</p>\n");
    } else {
        s.push_str("<table id=\"table-unmapped\"><thead><tr><th>name</th><th>library</th><th class=\"n\">occurrences</th><th>first seen</th></tr></thead><tbody>\n");
        for u in m.unmapped.iter().take(MAX_ROWS * 2) {
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td>{}:{}</td></tr>",
                esc(&u.name),
                esc(&u.library),
                u.count,
                esc(&u.first.0),
                u.first.1
            );
        }
        s.push_str("</tbody></table>\n");
    }
    s.push_str("</section>\n<section id=\"trend\"><h2>Trend</h2>\n");
    let target = m.target.as_str();
    let points: Vec<&Point> = history
        .unwrap_or_default()
        .iter()
        .filter(|p| p.target == target)
        .collect();
    if points.is_empty() {
        s.push_str("<p>No history yet: run <code>cuport report --history cuport-history.jsonl</code> in CI to record a data point per run.</p>\n");
    } else {
        trend_chart(&mut s, &points);
    }
    let _ = writeln!(
        s,
        "</section>\n<footer><p>Readiness: share of touchpoints whose status on {} is direct or guided. {}</p></footer>\n</body>\n</html>",
        m.target,
        esc(&weights_sentence())
    );
    s
}
