//! `report --history FILE.jsonl`: one JSON object per line and per run, so the HTML report can draw
//! the trend. The only place a report holds a timestamp.

use super::metrics::{Metrics, STATUSES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// One data point.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Point {
    /// UTC, RFC 3339 (`2026-01-31T12:00:00Z`).
    pub time: String,
    /// `git rev-parse HEAD` of the scan root, when it is inside a git work tree.
    pub commit: Option<String>,
    pub target: String,
    pub files: usize,
    pub touchpoints: usize,
    /// Touchpoints by status: direct, guided, manual, unmapped.
    pub by_status: BTreeMap<String, usize>,
    #[serde(default)]
    pub kernels: usize,
    /// Share of touchpoints with a direct or guided equivalent (0..=1).
    #[serde(default)]
    pub readiness: f64,
    #[serde(default)]
    pub effort_hours: f64,
}

impl Point {
    pub fn count(&self, status: &str) -> usize {
        self.by_status.get(status).copied().unwrap_or(0)
    }
}

/// The data point for this run, stamped now (or at `$SOURCE_DATE_EPOCH` when set).
pub fn point(m: &Metrics, root: &Path) -> Point {
    Point {
        time: rfc3339(now_secs()),
        commit: git_head(root),
        target: m.target.as_str().to_string(),
        files: m.files,
        touchpoints: m.counts.total(),
        by_status: STATUSES
            .iter()
            .map(|s| (s.to_string(), m.counts.get(s)))
            .collect(),
        kernels: m.kernels,
        readiness: (m.readiness * 10_000.0).round() / 10_000.0,
        effort_hours: (m.hours * 10.0).round() / 10.0,
    }
}

/// Read every point of a history file (none when it does not exist yet). Lines that are not a
/// data point are returned as warnings, never silently dropped.
pub fn load(path: &Path) -> std::io::Result<(Vec<Point>, Vec<String>)> {
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let mut points = Vec::new();
    let mut warnings = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Point>(line) {
            Ok(p) => points.push(p),
            Err(e) => warnings.push(format!(
                "{}:{}: not a history data point, ignored: {e}",
                path.display(),
                i + 1
            )),
        }
    }
    Ok((points, warnings))
}

/// Append one line to the history file, creating it (and ending a previous unterminated line).
pub fn append(path: &Path, p: &Point) -> std::io::Result<()> {
    let needs_newline = std::fs::read(path)
        .map(|b| !b.is_empty() && !b.ends_with(b"\n"))
        .unwrap_or(false);
    let mut line = serde_json::to_string(p).map_err(std::io::Error::other)?;
    line.push('\n');
    if needs_newline {
        line.insert(0, '\n');
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(line.as_bytes())
}

/// `git rev-parse HEAD` in `dir`, when git is installed and `dir` is inside a repository.
pub fn git_head(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--verify", "-q", "HEAD"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let head = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !head.is_empty()).then_some(head)
}

fn now_secs() -> i64 {
    if let Some(s) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return s;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }
}
