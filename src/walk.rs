//! Discovering the files to scan: .gitignore-aware, hidden files skipped, sorted.

use crate::source::is_source_ext;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file to scan: its path on disk and the path shown to users.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub rel: String,
    pub abs: PathBuf,
}

/// Something the walk could not read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkProblem {
    pub path: String,
    pub message: String,
}

/// The scan root: paths in output are relative to it.
pub fn scan_root(paths: &[PathBuf], cwd: &Path) -> PathBuf {
    match paths {
        [one] if one.is_dir() => one.clone(),
        _ => cwd.to_path_buf(),
    }
}

/// Path shown to users: relative to `root` when below it, `/`-separated.
pub fn display_path(path: &Path, root: &Path) -> String {
    let rel = path
        .strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Walk `paths` with `threads` threads. Directories are walked (honouring .gitignore, skipping hidden
/// entries); files named explicitly are taken whatever their extension.
pub fn discover(
    paths: &[PathBuf],
    root: &Path,
    threads: usize,
) -> (Vec<Candidate>, Vec<WalkProblem>) {
    let found = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    for p in paths {
        let meta = std::fs::metadata(p);
        match meta {
            Err(e) => {
                let what = if std::fs::symlink_metadata(p).is_ok() {
                    "dangling symlink"
                } else {
                    "cannot read"
                };
                problems.lock().unwrap().push(WalkProblem {
                    path: display_path(p, root),
                    message: format!("{what}: {e}"),
                });
            }
            Ok(m) if m.is_file() => found.lock().unwrap().push(Candidate {
                rel: display_path(p, root),
                abs: p.clone(),
            }),
            Ok(_) => {
                let walker = ignore::WalkBuilder::new(p)
                    .hidden(true)
                    .git_ignore(true)
                    .git_global(false)
                    .git_exclude(true)
                    .require_git(false)
                    .parents(true)
                    .follow_links(false)
                    .threads(threads.max(1))
                    .build_parallel();
                walker.run(|| {
                    let found = &found;
                    let problems = &problems;
                    Box::new(move |entry| {
                        match entry {
                            Ok(e) => {
                                let is_file = e.file_type().is_some_and(|t| t.is_file());
                                if is_file && is_source_ext(e.path()) {
                                    found.lock().unwrap().push(Candidate {
                                        rel: display_path(e.path(), root),
                                        abs: e.path().to_path_buf(),
                                    });
                                }
                            }
                            Err(err) => {
                                let path = match &err {
                                    ignore::Error::WithPath { path, .. } => {
                                        display_path(path, root)
                                    }
                                    _ => display_path(p, root),
                                };
                                problems.lock().unwrap().push(WalkProblem {
                                    path,
                                    message: err.to_string(),
                                });
                            }
                        }
                        ignore::WalkState::Continue
                    })
                });
            }
        }
    }
    let mut found = found.into_inner().unwrap();
    found.sort();
    found.dedup_by(|a, b| a.abs == b.abs);
    let mut problems = problems.into_inner().unwrap();
    problems.sort();
    (found, problems)
}
