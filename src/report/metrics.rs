//! Readiness, effort and the aggregates the human-facing reports show (Markdown, HTML, history).
//!
//! * **readiness** = touchpoints whose status on the target is `direct` or `guided`, divided by all
//!   touchpoints (unmapped names count as not ready); 100 % when there are none.
//! * **effort** (engineer-hours) = for each touchpoint, its rule's `effort` when the rule sets one,
//!   else the weight of its status on the target ([`DIRECT_HOURS`] …); plus, for each kernel, its
//!   pattern's `effort` from `kernels.toml`, [`CUSTOM_KERNEL_HOURS`] for a `custom` kernel and
//!   [`UNKNOWN_KERNEL_HOURS`] for one whose pattern was not recognised.

use crate::baseline::Progress;
use crate::catalog::Catalog;
use crate::model::{Status, Target};
use crate::scan::{FileRecord, FindingRecord, KernelRecord, ScanReport};
use std::collections::BTreeMap;

/// Hours per `direct` touchpoint: review of a mechanical rewrite.
pub const DIRECT_HOURS: f64 = 0.1;
/// Hours per `guided` touchpoint: an equivalent exists, arguments or semantics differ.
pub const GUIDED_HOURS: f64 = 0.5;
/// Hours per `manual` touchpoint: no equivalent, redesign needed.
pub const MANUAL_HOURS: f64 = 2.0;
/// Hours per unmapped name: research what it becomes, then port it.
pub const UNMAPPED_HOURS: f64 = 1.0;
/// Hours per kernel recognised as `custom` (no framework op: write an Ascend C kernel / custom op).
pub const CUSTOM_KERNEL_HOURS: f64 = 8.0;
/// Hours per kernel whose pattern was not recognised (or has no entry in kernels.toml).
pub const UNKNOWN_KERNEL_HOURS: f64 = 4.0;

/// The four columns every table uses, in order.
pub const STATUSES: [&str; 4] = ["direct", "guided", "manual", "unmapped"];

/// Touchpoints by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub direct: usize,
    pub guided: usize,
    pub manual: usize,
    pub unmapped: usize,
}

impl Counts {
    pub fn add(&mut self, status: &str) {
        match status {
            "direct" => self.direct += 1,
            "guided" => self.guided += 1,
            "manual" => self.manual += 1,
            _ => self.unmapped += 1,
        }
    }

    pub fn get(&self, status: &str) -> usize {
        match status {
            "direct" => self.direct,
            "guided" => self.guided,
            "manual" => self.manual,
            _ => self.unmapped,
        }
    }

    pub fn merge(&mut self, o: &Counts) {
        self.direct += o.direct;
        self.guided += o.guided;
        self.manual += o.manual;
        self.unmapped += o.unmapped;
    }

    pub fn total(&self) -> usize {
        self.direct + self.guided + self.manual + self.unmapped
    }

    /// Share (0..=1) with a `direct` or `guided` equivalent; 1 when there is nothing to port.
    pub fn readiness(&self) -> f64 {
        match self.total() {
            0 => 1.0,
            t => (self.direct + self.guided) as f64 / t as f64,
        }
    }
}

/// A file or directory and the work left in it.
#[derive(Clone, Debug, Default)]
pub struct Area {
    pub path: String,
    pub files: usize,
    pub counts: Counts,
    pub kernels: usize,
    pub hours: f64,
}

/// Kernels sharing one recognised pattern.
#[derive(Clone, Debug)]
pub struct PatternStat {
    pub pattern: String,
    /// (path, line, kernel name), in path/line order.
    pub kernels: Vec<(String, usize, String)>,
    pub hours_each: f64,
    pub hours: f64,
    /// Framework ops for the target (empty when nothing maps).
    pub suggestions: Vec<String>,
}

impl PatternStat {
    /// What replaces kernels of this pattern, each op name formatted by `code` and comma-joined.
    pub fn equivalent(&self, code: impl Fn(&str) -> String) -> String {
        if self.pattern == "unknown" {
            "pattern not recognised: port by hand".to_string()
        } else if self.suggestions.is_empty() {
            "none: write a custom op".to_string()
        } else {
            self.suggestions
                .iter()
                .map(|o| code(o))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// A CUDA-looking name with no rule yet.
#[derive(Clone, Debug)]
pub struct UnmappedName {
    pub name: String,
    pub library: String,
    pub count: usize,
    /// First occurrence (path, line).
    pub first: (String, usize),
}

/// Everything the human-facing reports show, computed once.
#[derive(Clone, Debug)]
pub struct Metrics {
    pub target: Target,
    pub files: usize,
    pub counts: Counts,
    /// Per library, most touchpoints first (ties by name).
    pub by_library: Vec<(String, Counts)>,
    pub readiness: f64,
    /// Total effort: touchpoints plus kernels.
    pub hours: f64,
    pub finding_hours: f64,
    pub kernel_hours: f64,
    /// Effort of touchpoints per status, in [`STATUSES`] order.
    pub hours_by_status: [f64; 4],
    pub kernels: usize,
    pub parse_error_bytes: usize,
    /// Files, most remaining work first (ties by path).
    pub by_file: Vec<Area>,
    /// Directories (the directory a file sits in; `.` for the scan root), most work first.
    pub by_dir: Vec<Area>,
    /// Kernel patterns, most kernels first (ties by pattern).
    pub patterns: Vec<PatternStat>,
    /// Unmapped names, most occurrences first (ties by name).
    pub unmapped: Vec<UnmappedName>,
    /// Progress since a baseline, when one was given.
    pub progress: Option<Progress>,
}

/// `direct`, `guided`, `manual`, or `unmapped` for a touchpoint on `target`.
pub fn status_of(r: &FindingRecord, target: Target) -> &'static str {
    match r.finding.target(target) {
        Some(t) => t.status.as_str(),
        None => "unmapped",
    }
}

/// The default weight of a status.
pub fn status_hours(status: &str) -> f64 {
    match Status::parse(status) {
        Some(Status::Direct) => DIRECT_HOURS,
        Some(Status::Guided) => GUIDED_HOURS,
        Some(Status::Manual) => MANUAL_HOURS,
        None => UNMAPPED_HOURS,
    }
}

/// Engineer-hours for one touchpoint: the rule's own `effort`, else its status weight.
pub fn finding_hours(catalog: &Catalog, r: &FindingRecord, target: Target) -> f64 {
    r.finding
        .rule_index
        .and_then(|i| catalog.rules.get(i))
        .and_then(|rule| rule.effort)
        .unwrap_or_else(|| status_hours(status_of(r, target)))
}

/// Engineer-hours for one kernel: its pattern's `effort`, else the custom / unknown weight.
pub fn kernel_hours(catalog: &Catalog, k: &KernelRecord) -> f64 {
    match catalog.pattern(&k.pattern) {
        Some(p) => p.effort,
        None if k.pattern == "custom" => CUSTOM_KERNEL_HOURS,
        None => UNKNOWN_KERNEL_HOURS,
    }
}

/// The directory a report path sits in (`.` for the root).
pub fn parent_dir(rel: &str) -> String {
    match rel.rfind('/') {
        Some(i) if i > 0 => rel[..i].to_string(),
        _ => ".".to_string(),
    }
}

fn file_area(catalog: &Catalog, f: &FileRecord, target: Target) -> Area {
    let mut a = Area {
        path: f.rel.clone(),
        files: 1,
        kernels: f.kernels.len(),
        ..Area::default()
    };
    for r in &f.findings {
        a.counts.add(status_of(r, target));
        a.hours += finding_hours(catalog, r, target);
    }
    a.hours += f
        .kernels
        .iter()
        .map(|k| kernel_hours(catalog, k))
        .sum::<f64>();
    a
}

fn by_work(a: &Area, b: &Area) -> std::cmp::Ordering {
    b.hours
        .total_cmp(&a.hours)
        .then(b.counts.total().cmp(&a.counts.total()))
        .then(a.path.cmp(&b.path))
}

/// Compute every aggregate for `report` (its own target).
pub fn compute(report: &ScanReport, catalog: &Catalog) -> Metrics {
    let target = report.target;
    let mut counts = Counts::default();
    let mut libs: BTreeMap<String, Counts> = BTreeMap::new();
    let mut hours_by_status = [0.0; 4];
    let mut finding_total = 0.0;
    let mut unmapped: BTreeMap<String, UnmappedName> = BTreeMap::new();
    for (f, r) in report.findings() {
        let s = status_of(r, target);
        counts.add(s);
        libs.entry(r.finding.library.clone()).or_default().add(s);
        let h = finding_hours(catalog, r, target);
        finding_total += h;
        let i = STATUSES.iter().position(|x| *x == s).unwrap_or(3);
        hours_by_status[i] += h;
        if s == "unmapped" {
            unmapped
                .entry(r.finding.cuda.clone())
                .or_insert_with(|| UnmappedName {
                    name: r.finding.cuda.clone(),
                    library: r.finding.library.clone(),
                    count: 0,
                    first: (f.rel.clone(), r.line),
                })
                .count += 1;
        }
    }
    let mut by_library: Vec<(String, Counts)> = libs.into_iter().collect();
    by_library.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then(a.0.cmp(&b.0)));

    let mut by_file: Vec<Area> = report
        .files
        .iter()
        .map(|f| file_area(catalog, f, target))
        .collect();
    let mut dirs: BTreeMap<String, Area> = BTreeMap::new();
    for a in &by_file {
        let d = parent_dir(&a.path);
        let e = dirs.entry(d.clone()).or_insert_with(|| Area {
            path: d,
            ..Area::default()
        });
        e.files += 1;
        e.kernels += a.kernels;
        e.hours += a.hours;
        e.counts.merge(&a.counts);
    }
    let mut by_dir: Vec<Area> = dirs.into_values().collect();
    by_file.sort_by(by_work);
    by_dir.sort_by(by_work);

    let mut pats: BTreeMap<String, PatternStat> = BTreeMap::new();
    let mut kernel_total = 0.0;
    let mut kernels = 0;
    for f in &report.files {
        for k in &f.kernels {
            kernels += 1;
            let h = kernel_hours(catalog, k);
            kernel_total += h;
            let p = pats
                .entry(k.pattern.clone())
                .or_insert_with(|| PatternStat {
                    pattern: k.pattern.clone(),
                    kernels: Vec::new(),
                    hours_each: h,
                    hours: 0.0,
                    suggestions: catalog
                        .pattern(&k.pattern)
                        .map(|p| p.ops(target).to_vec())
                        .unwrap_or_default(),
                });
            p.kernels.push((f.rel.clone(), k.line, k.name.clone()));
            p.hours += h;
        }
    }
    let mut patterns: Vec<PatternStat> = pats.into_values().collect();
    patterns.sort_by(|a, b| {
        b.kernels
            .len()
            .cmp(&a.kernels.len())
            .then(a.pattern.cmp(&b.pattern))
    });
    let mut unmapped: Vec<UnmappedName> = unmapped.into_values().collect();
    unmapped.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));

    Metrics {
        target,
        files: report.files.len(),
        readiness: counts.readiness(),
        counts,
        by_library,
        hours: finding_total + kernel_total,
        finding_hours: finding_total,
        kernel_hours: kernel_total,
        hours_by_status,
        kernels,
        parse_error_bytes: report.files.iter().map(|f| f.parse_error_bytes).sum(),
        by_file,
        by_dir,
        patterns,
        unmapped,
        progress: None,
    }
}

/// `99.1 %`-style percentage with one decimal.
pub fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

/// Hours with one decimal.
pub fn hours(h: f64) -> String {
    format!("{h:.1}")
}

/// One sentence stating how effort is estimated (shown under the reports).
pub fn weights_sentence() -> String {
    format!(
        "Effort per touchpoint: the rule's own effort when it sets one, else direct {DIRECT_HOURS} h, \
         guided {GUIDED_HOURS} h, manual {MANUAL_HOURS} h, unmapped {UNMAPPED_HOURS} h; per kernel: \
         its pattern's effort from kernels.toml, custom {CUSTOM_KERNEL_HOURS} h, unrecognised \
         {UNKNOWN_KERNEL_HOURS} h."
    )
}
