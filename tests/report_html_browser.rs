//! The HTML report in a real browser: headless Chromium, with no network, renders the page; the
//! charts and tables must be in the DOM it built, and a screenshot must come out. Chromium's
//! `--dump-dom` and `--screenshot` need JavaScript themselves (they print nothing with
//! `--blink-settings=scriptEnabled=false`), so "readable without JavaScript" is shown instead by
//! the page having no script and no event handler at all: what renders here renders without it.
//! Skips (with a message) only when Chromium is not installed; `.ci/run` installs it.

mod common;
use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Run Chromium headless on `page` with `extra` arguments; returns stdout. Never hangs the suite.
fn headless(bin: &Path, profile: &Path, page: &Path, extra: &[&str]) -> String {
    let url = format!("file://{}", page.display());
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            // No network: any external asset would fail to load.
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// The part of `dom` from the element with `id` to the end of that element.
fn element<'a>(dom: &'a str, id: &str, close: &str) -> &'a str {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id} in the rendered DOM"));
    let rest = &dom[start..];
    &rest[..rest.find(close).unwrap_or(rest.len())]
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let Some(bin) = chromium() else {
        println!("SKIPPED the_html_report_renders_in_headless_chromium: chromium is not installed (.ci/run installs it)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("demo");
    copy_tree(&repo().join("fixtures/demo"), &project);
    // Two history points, so the trend is a line.
    for (i, epoch) in ["1767225600", "1767312000"].iter().enumerate() {
        if i == 1 {
            let p = project.join("src/vector_ops.cu");
            let s = fs::read_to_string(&p)
                .unwrap()
                .replace("  cudaFree(d_out);\n", "");
            fs::write(p, s).unwrap();
        }
        let o = Command::new(env!("CARGO_BIN_EXE_cuport"))
            .args([
                "report",
                "--format",
                "html",
                "--history",
                "../history.jsonl",
                "--output-dir",
                "../out",
                "--fail-on",
                "never",
            ])
            .current_dir(&project)
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let page = tmp.path().join("out/cuport.html");
    let profile = tmp.path().join("profile");

    let dom = headless(&bin, &profile, &page, &["--dump-dom"]);
    assert!(
        dom.contains("<h1>cuport report: CUDA → mindspore</h1>"),
        "{dom}"
    );

    let bars = element(&dom, "chart-libraries", "</svg>");
    assert!(
        bars.matches("<rect").count() >= 5,
        "bar chart has bars: {bars}"
    );
    for lib in ["cuda-runtime", "cublas", "nccl", "torch-ext"] {
        assert!(bars.contains(&format!(">{lib}</text>")), "bar for {lib}");
    }

    let dirs = element(&dom, "table-directories", "</table>");
    assert_eq!(dirs.matches("<tr style=\"background:").count(), 3, "{dirs}");
    for d in [
        "<code>src</code>",
        "<code>ext</code>",
        "<code>include</code>",
    ] {
        assert!(dirs.contains(d), "{d} row");
    }
    element(&dom, "table-files", "</table>");
    element(&dom, "table-kernels", "</table>");

    let trend = element(&dom, "chart-trend", "</svg>");
    assert_eq!(trend.matches("<polyline").count(), 5, "total + 4 statuses");
    assert_eq!(trend.matches("<circle").count(), 2, "one point per run");
    assert!(!dom.contains("<script"), "no script");
    let raw = fs::read_to_string(&page).unwrap();
    for attr in [
        " onload=",
        " onclick=",
        " onerror=",
        " onmouseover=",
        "javascript:",
    ] {
        assert!(
            !raw.contains(attr),
            "the page must not depend on script: {attr}"
        );
    }

    // And it paints: a screenshot of real size.
    let shot = tmp.path().join("shot.png");
    headless(
        &bin,
        &profile,
        &page,
        &[
            "--window-size=1100,1800",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = fs::read(&shot).expect("chromium wrote a screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(
        png.len() > 20_000,
        "screenshot of a rendered page, not a blank one"
    );
}
