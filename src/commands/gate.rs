//! The exit-code decision shared by scan, check and report: baseline and `--fail-on`.

use crate::baseline::Baseline;
use crate::cli::{FailOn, GateArgs};
use crate::scan::ScanReport;
use std::collections::BTreeSet;

/// A loaded gate: which fingerprints are known, and when to fail.
pub struct Gate {
    pub baseline: Option<Baseline>,
    pub fail_on: FailOn,
}

impl Gate {
    /// `--baseline` wins; otherwise `default_baseline` (from config) if that file exists.
    pub fn load(
        args: &GateArgs,
        default_baseline: Option<&std::path::Path>,
    ) -> Result<Gate, String> {
        let path = args.baseline.clone().or_else(|| {
            default_baseline
                .filter(|p| p.exists())
                .map(|p| p.to_path_buf())
        });
        let baseline = path.map(|p| Baseline::load(&p)).transpose()?;
        let fail_on = args.fail_on.unwrap_or(if baseline.is_some() {
            FailOn::New
        } else {
            FailOn::Any
        });
        Ok(Gate { baseline, fail_on })
    }

    /// Fingerprints recorded in the baseline.
    pub fn known(&self) -> BTreeSet<String> {
        self.baseline
            .as_ref()
            .map(|b| b.fingerprints().into_iter().map(String::from).collect())
            .unwrap_or_default()
    }

    /// Number of findings not in the baseline.
    pub fn new_findings(&self, report: &ScanReport) -> usize {
        let known = self.known();
        report
            .findings()
            .filter(|(_, r)| !known.contains(&r.fingerprint))
            .count()
    }

    /// Should the run exit 1?
    pub fn fails(&self, report: &ScanReport) -> bool {
        match self.fail_on {
            FailOn::Never => false,
            FailOn::Any => report.findings().next().is_some(),
            FailOn::New => self.new_findings(report) > 0,
        }
    }
}

impl Gate {
    /// 2 when files could not be read, 1 when the gate fails (and `exit_zero` is off), else 0.
    pub fn exit_code(&self, report: &ScanReport, exit_zero: bool) -> i32 {
        if report.io_errors() > 0 {
            crate::EXIT_ERROR
        } else if self.fails(report) && !exit_zero {
            crate::EXIT_FINDINGS
        } else {
            crate::EXIT_CLEAN
        }
    }
}
