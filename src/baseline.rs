//! Baselines: the touchpoints a codebase had when it was recorded, by fingerprint, so CI and
//! pre-commit fail only on new CUDA code.

use crate::scan::ScanReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// One recorded touchpoint.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    pub cuda: String,
    /// Where it was when recorded (for people; matching uses the fingerprint).
    pub line: usize,
}

/// The baseline file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub schema_version: u32,
    pub tool: String,
    pub findings: Vec<Entry>,
}

impl Baseline {
    pub fn from_report(report: &ScanReport) -> Baseline {
        let mut findings: Vec<Entry> = report
            .findings()
            .map(|(f, r)| Entry {
                fingerprint: r.fingerprint.clone(),
                rule: r.finding.rule.clone(),
                path: f.rel.clone(),
                cuda: r.finding.cuda.clone(),
                line: r.line,
            })
            .collect();
        findings.sort();
        Baseline {
            schema_version: 1,
            tool: format!("cuport {}", env!("CARGO_PKG_VERSION")),
            findings,
        }
    }

    pub fn fingerprints(&self) -> BTreeSet<&str> {
        self.findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect()
    }

    pub fn load(path: &Path) -> Result<Baseline, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
        let b: Baseline = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a cuport baseline: {e}", path.display()))?;
        if b.schema_version != 1 {
            return Err(format!(
                "{}: baseline schema_version {} is not supported (expected 1)",
                path.display(),
                b.schema_version
            ));
        }
        Ok(b)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("serializable");
        s.push('\n');
        s
    }
}

/// How a report compares with a baseline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Findings in the baseline that are gone now (migrated away).
    pub migrated: usize,
    /// Findings in both.
    pub remaining: usize,
    /// Findings not in the baseline.
    pub new: usize,
}

pub fn progress(report: &ScanReport, baseline: &Baseline) -> Progress {
    let known = baseline.fingerprints();
    let now: BTreeSet<&str> = report
        .findings()
        .map(|(_, r)| r.fingerprint.as_str())
        .collect();
    let remaining = now.iter().filter(|f| known.contains(*f)).count();
    Progress {
        migrated: known.len() - remaining,
        remaining,
        new: now.len() - remaining,
    }
}
