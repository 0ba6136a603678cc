//! The pipeline: discover → load → parse → analyze (parallel), then plan → render (parallel),
//! collected in path order so output never depends on the thread count.

use crate::analyze::{self, FileAnalysis, KernelDef};
use crate::catalog::Catalog;
use crate::model::{Finding, LaunchSite, MatchRef, Target};
use crate::report::{diff, text};
use crate::rewrite::project::ProjectFacts;
use crate::rewrite::{context_facts, file_facts, plan_file, PlanOptions};
use crate::source::{looks_binary, SourceFile};
use crate::walk::{self, Candidate};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// What to scan and how.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub target: Target,
    pub threads: usize,
    pub plan: PlanOptions,
    /// Files larger than this are skipped with a note.
    pub max_file_size: u64,
    pub render: RenderNeeds,
    /// include/exclude globs and per-rule severities from cuport.toml.
    pub config: crate::config::Config,
    /// Benchmark baseline: walk, read and parse exactly the same files, nothing else.
    pub parse_only: bool,
    /// Per-file parse time limit; a file that takes longer is skipped with a note.
    pub parse_timeout: Option<std::time::Duration>,
    /// Draw a progress line on stderr (only when it is a terminal).
    pub progress: bool,
}

/// Which per-file renderings the chosen output needs (rendered in the workers, in parallel).
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderNeeds {
    pub text: bool,
    pub diff: bool,
    pub new_content: bool,
    /// The JSON report's per-file fragments.
    pub json: bool,
    /// The change is "remove cuport's annotation lines" instead of the planned rewrites.
    pub strip_annotations: bool,
}

/// A finding with its position resolved and its fingerprint.
#[derive(Clone, Debug)]
pub struct FindingRecord {
    pub finding: Finding,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub fingerprint: String,
}

/// A kernel with its recognised pattern, suggestions and launch sites.
#[derive(Clone, Debug)]
pub struct KernelRecord {
    pub name: String,
    pub line: usize,
    pub pattern: String,
    pub confidence: f64,
    pub evidence: Vec<String>,
    /// The best verdict for another pattern (pattern id, confidence), if any.
    pub runner_up: Option<(String, f64)>,
    pub suggestions: Vec<(Target, Vec<String>)>,
    pub launches: Vec<LaunchSite>,
    pub params: Vec<(String, String)>,
}

/// Everything known about one scanned file.
#[derive(Debug, Default)]
pub struct FileRecord {
    pub rel: String,
    pub abs: PathBuf,
    pub language: &'static str,
    pub bytes: usize,
    pub parse_error_bytes: usize,
    pub findings: Vec<FindingRecord>,
    pub kernels: Vec<KernelRecord>,
    pub text: Vec<u8>,
    pub diff: Vec<u8>,
    pub new_content: Option<Vec<u8>>,
    /// This file's part of the JSON report, when the output needs it.
    pub json: Option<crate::report::json::Fragments>,
    /// Hash of the bytes as read, to detect changes before writing.
    pub original_hash: u64,
    pub edits: usize,
}

/// A one-line message about a file that was skipped or read with a caveat.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub path: String,
    pub message: String,
    /// An I/O problem (counts toward exit code 2), not just information.
    pub error: bool,
}

/// The result of a scan.
#[derive(Debug)]
pub struct ScanReport {
    pub root: PathBuf,
    pub target: Target,
    /// Per-rule severities from the configuration (every format with levels reads them).
    pub severity: std::collections::BTreeMap<String, crate::config::Severity>,
    pub files: Vec<FileRecord>,
    pub notes: Vec<Note>,
}

impl ScanReport {
    pub fn io_errors(&self) -> usize {
        self.notes.iter().filter(|n| n.error).count()
    }

    pub fn findings(&self) -> impl Iterator<Item = (&FileRecord, &FindingRecord)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |r| (f, r)))
    }
}

struct Loaded {
    file: SourceFile,
    fa: FileAnalysis,
}

enum LoadOutcome {
    Ok(Box<Loaded>),
    /// A file the prefilter ruled out, already finished: its bytes and line index are dropped at
    /// once instead of being held until the end (most files of a large codebase).
    Done(Box<FileRecord>),
    Skipped(Note),
}

/// Run the pipeline.
pub fn scan(catalog: &Catalog, opts: &ScanOptions) -> ScanReport {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = walk::scan_root(&opts.paths, &cwd);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .stack_size(16 << 20)
        .build()
        .expect("thread pool");
    let (mut candidates, problems) = walk::discover(&opts.paths, &root, opts.threads);
    // include/exclude globs apply to what the walk found, never to files named explicitly.
    candidates.retain(|c| {
        opts.paths.iter().any(|p| p == &c.abs && p.is_file()) || opts.config.selects(&c.rel)
    });
    let mut notes: Vec<Note> = problems
        .into_iter()
        .map(|p| Note {
            path: p.path,
            message: p.message,
            error: true,
        })
        .collect();

    let progress = crate::progress::Progress::start(candidates.len(), opts.progress);
    let loaded: Vec<LoadOutcome> = pool.install(|| {
        candidates
            .par_iter()
            .map(|c| {
                let l = load_and_analyze(c, catalog, opts);
                progress.tick();
                l
            })
            .collect()
    });
    drop(progress);
    if opts.parse_only {
        return ScanReport {
            root,
            target: opts.target,
            severity: opts.config.severity.clone(),
            files: Vec::new(),
            notes,
        };
    }
    let mut files: Vec<Loaded> = Vec::new();
    // Finished records, and where each analyzed file goes between them (path order is kept).
    let mut done: Vec<Option<FileRecord>> = Vec::new();
    for l in loaded {
        match l {
            LoadOutcome::Ok(b) => {
                for s in b.fa.suppressions.iter().filter(|s| !s.used) {
                    let (line, _) = b.file.position(s.comment.start);
                    notes.push(Note {
                        path: b.file.rel.clone(),
                        message: format!(
                            "line {line}: unused suppression `{}`",
                            b.file.text(s.comment.clone()).trim()
                        ),
                        error: false,
                    });
                }
                files.push(*b);
                done.push(None);
            }
            LoadOutcome::Done(r) => done.push(Some(*r)),
            LoadOutcome::Skipped(n) => notes.push(n),
        }
    }

    let mut context = pool.install(|| read_context(&files, &candidates, &root, catalog, opts));
    lend_helpers(&pool, &mut files, &mut context);
    // Names declared anywhere in the scanned code (or the headers it includes) are the project's
    // own, never "unmapped".
    let declared: BTreeSet<String> = files
        .iter()
        .chain(&context)
        .flat_map(|f| f.fa.declared.iter().cloned())
        .collect();
    let launches = LaunchIndex {
        sites: files
            .iter()
            .flat_map(|f| analyze::launch_sites(&f.file, &f.fa))
            .collect(),
        definitions: files
            .iter()
            .flat_map(|f| {
                f.fa.kernels
                    .iter()
                    .map(|k| (f.file.rel.clone(), k.name.clone()))
            })
            .collect(),
    };

    for l in &mut files {
        l.fa.matches.retain(|m| {
            !matches!(m.what, MatchRef::Unmapped { .. }) || !declared.contains(&m.name)
        });
    }
    let project = pool.install(|| project_facts(&files, &context, catalog, opts));
    drop(context);
    let analyzed: Vec<FileRecord> = pool.install(|| {
        files
            .into_par_iter()
            .map(|l| finish(l, catalog, opts, &launches, &declared, &project))
            .collect()
    });
    let mut analyzed = analyzed.into_iter();
    let records = done
        .into_iter()
        .filter_map(|d| d.or_else(|| analyzed.next()))
        .collect();
    notes.sort();
    ScanReport {
        root,
        target: opts.target,
        severity: opts.config.severity.clone(),
        files: records,
        notes,
    }
}

fn load_and_analyze(c: &Candidate, catalog: &Catalog, opts: &ScanOptions) -> LoadOutcome {
    let (max_size, parse_only) = (opts.max_file_size, opts.parse_only);
    let skip = |message: String, error: bool| {
        LoadOutcome::Skipped(Note {
            path: c.rel.clone(),
            message,
            error,
        })
    };
    match std::fs::metadata(&c.abs) {
        Ok(m) if m.len() > max_size => {
            return skip(
                format!(
                    "skipped: {} bytes is over the --max-file-size limit of {max_size}",
                    m.len()
                ),
                false,
            )
        }
        Ok(m) if m.is_dir() => return skip("skipped: a directory, not a file".into(), false),
        Ok(_) => {}
        Err(e) => return skip(format!("cannot read: {e}"), true),
    }
    let bytes = match std::fs::read(&c.abs) {
        Ok(b) => b,
        Err(e) => return skip(format!("cannot read: {e}"), true),
    };
    // UTF-16 first: its text is full of NUL bytes but it is not a binary file.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return skip(
            "skipped: UTF-16 text is not supported; convert it to UTF-8".into(),
            false,
        );
    }
    if looks_binary(&bytes) {
        return skip("skipped: binary file (contains NUL bytes)".into(), false);
    }
    let file = SourceFile::new(c.rel.clone(), c.abs.clone(), bytes);
    // Files that cannot hold a touchpoint are not parsed (reported with 0 parse-error bytes).
    if !parse_only && !analyze::prefilter::might_match(&file.bytes, catalog) {
        let quiet = Loaded {
            file,
            fa: FileAnalysis::default(),
        };
        // Finished now, by the same code as every other file (so --strip-annotations still sees
        // it: annotation comments are invisible to the prefilter). With no match and no kernel,
        // launch sites and names declared elsewhere cannot matter.
        let none = LaunchIndex::default();
        let record = finish(
            quiet,
            catalog,
            opts,
            &none,
            &BTreeSet::new(),
            &Arc::new(ProjectFacts::default()),
        );
        return LoadOutcome::Done(Box::new(record));
    }
    let Some(tree) = crate::parse::parse_within(&file.bytes, opts.parse_timeout) else {
        let limit = opts.parse_timeout.map_or(0, |d| d.as_millis());
        return skip(
            format!("skipped: parsing took longer than the --parse-timeout of {limit} ms"),
            false,
        );
    };
    if parse_only {
        return LoadOutcome::Ok(Box::new(Loaded {
            file,
            fa: FileAnalysis::default(),
        }));
    }
    let fa = analyze::analyze(&file, &tree, catalog);
    LoadOutcome::Ok(Box::new(Loaded { file, fa }))
}

/// The headers the scanned files include (`#include "…"`, found next to the includer, and what
/// those include in turn) that the walk did not bring: read for their facts only.
fn read_context(
    files: &[Loaded],
    candidates: &[Candidate],
    root: &std::path::Path,
    catalog: &Catalog,
    opts: &ScanOptions,
) -> Vec<Loaded> {
    let mut known: BTreeSet<PathBuf> = candidates
        .iter()
        .map(|c| crate::context::normalized(&c.abs))
        .collect();
    let mut budget = crate::context::MAX_HEADERS;
    let mut context: Vec<Loaded> = Vec::new();
    let mut next = crate::context::unscanned(
        files
            .iter()
            .map(|l| (l.file.abs.as_path(), l.fa.local_includes.as_slice())),
        &mut known,
        &mut budget,
        root,
    );
    while !next.is_empty() {
        // Files that hold a CUDA name give facts; the others are only followed to what they
        // include (unreadable ones are dropped).
        let loaded: Vec<(Option<Loaded>, PathBuf, Vec<String>)> = next
            .par_iter()
            .map(|c| match load_and_analyze(c, catalog, opts) {
                LoadOutcome::Ok(l) => {
                    let includes = l.fa.local_includes.clone();
                    (Some(*l), c.abs.clone(), includes)
                }
                _ => {
                    let bytes = std::fs::read(&c.abs).unwrap_or_default();
                    (None, c.abs.clone(), crate::context::quoted_includes(&bytes))
                }
            })
            .collect();
        next = crate::context::unscanned(
            loaded
                .iter()
                .map(|(_, p, inc)| (p.as_path(), inc.as_slice())),
            &mut known,
            &mut budget,
            root,
        );
        context.extend(loaded.into_iter().filter_map(|(l, _, _)| l));
    }
    context
}

/// Kernels that call `__device__` helpers of other files (scanned or included) are read again
/// with those helpers (`kernel::helpers`).
fn lend_helpers(pool: &rayon::ThreadPool, files: &mut [Loaded], context: &mut [Loaded]) {
    use crate::analyze::kernel::helpers::HelperIndex;
    let lent: Vec<_> = {
        let index = HelperIndex::build(
            files
                .iter()
                .chain(context.iter())
                .map(|l| (&l.file, &l.fa))
                .collect(),
        );
        let loans: Vec<_> = pool.install(|| {
            files
                .par_iter()
                .map(|l| index.loan(&l.file, &l.fa))
                .collect()
        });
        let library = index.library(&loans);
        pool.install(|| {
            files
                .par_iter()
                .zip(&loans)
                .map(|(l, loan)| index.lend(&l.file, &l.fa, loan, &library))
                .collect()
        })
    };
    for (l, summaries) in files.iter_mut().zip(lent) {
        for (i, s) in summaries {
            l.fa.kernels[i].summary = s;
        }
    }
    for l in files.iter_mut().chain(context) {
        l.fa.kernel_tree = None;
    }
}

/// Every launch site, and which files define a kernel of each name.
#[derive(Default)]
struct LaunchIndex {
    sites: Vec<LaunchSite>,
    /// (path, kernel name): a launch in a file that defines that name belongs to that file's kernel
    /// (two files may each have their own `static __global__ void fill`).
    definitions: BTreeSet<(String, String)>,
}

/// Rounds of planning the whole project until what each file's decisions mean for the others
/// stops changing (`rewrite::project`). Each round only adds refusals, so a few rounds settle.
/// Context headers (read, not scanned) take part with every CUDA name kept.
fn project_facts(
    files: &[Loaded],
    context: &[Loaded],
    catalog: &Catalog,
    opts: &ScanOptions,
) -> Arc<ProjectFacts> {
    let mut facts = Arc::new(ProjectFacts::default());
    let base = context
        .par_iter()
        .map(|l| context_facts(&l.file, &l.fa, catalog, &opts.plan))
        .reduce(ProjectFacts::default, ProjectFacts::merge);
    for _round in 0..4 {
        let mut plan_opts = opts.plan.clone();
        plan_opts.project = Some(facts.clone());
        let next = files
            .par_iter()
            .map(|l| file_facts(&l.file, &l.fa, catalog, &plan_opts))
            .reduce(ProjectFacts::default, ProjectFacts::merge)
            .merge(base.clone());
        if next == *facts {
            break;
        }
        facts = Arc::new(next);
    }
    facts
}

fn finish(
    l: Loaded,
    catalog: &Catalog,
    opts: &ScanOptions,
    launches: &LaunchIndex,
    declared: &BTreeSet<String>,
    project: &Arc<ProjectFacts>,
) -> FileRecord {
    let Loaded { file, fa } = l;
    let mut plan_opts = opts.plan.clone();
    plan_opts.project = Some(project.clone());
    plan_opts.annotate = plan_opts.annotate || opts.render.diff;
    let plan = plan_file(&file, &fa, catalog, opts.target, &plan_opts);
    let findings = records_for(&file, &plan.findings);
    let kernels = fa
        .kernels
        .iter()
        .map(|k| kernel_record(&file, k, catalog, launches))
        .collect();
    let mut rec = FileRecord {
        rel: file.rel.clone(),
        abs: file.abs.clone(),
        language: file.language.as_str(),
        bytes: file.bytes.len(),
        parse_error_bytes: fa.parse_error_bytes,
        findings,
        kernels,
        original_hash: fnv1a(&file.bytes),
        edits: plan.edits,
        ..FileRecord::default()
    };
    if opts.render.json {
        rec.json = Some(crate::report::json::fragments(&rec));
    }
    if opts.render.text {
        rec.text = text::render_file(&file, &rec, catalog, opts.target, &opts.config.severity);
    }
    let output = if opts.render.strip_annotations {
        crate::rewrite::annotate::strip(&file.bytes)
    } else if opts.render.diff || opts.render.new_content {
        plan.output.map(|first| {
            converge(
                catalog,
                &file,
                first,
                opts.target,
                &plan_opts,
                Some(declared),
            )
        })
    } else {
        plan.output
    };
    if let Some(new) = &output {
        if opts.render.diff {
            rec.diff = diff::unified(&file.rel, &file.bytes, new);
        }
    }
    if opts.render.new_content {
        rec.new_content = output;
    }
    rec
}

fn kernel_record(
    file: &SourceFile,
    k: &KernelDef,
    catalog: &Catalog,
    launches: &LaunchIndex,
) -> KernelRecord {
    let s = &k.summary;
    let suggestions = match catalog.pattern(&s.pattern) {
        Some(p) => Target::ALL
            .iter()
            .map(|&t| (t, p.ops(t).to_vec()))
            .collect(),
        None => Vec::new(),
    };
    // Launches of this kernel: same file first, then elsewhere, each in path/line order.
    let mut ks: Vec<LaunchSite> = launches
        .sites
        .iter()
        .filter(|l| l.kernel == k.name)
        .filter(|l| {
            l.path == file.rel
                || !launches
                    .definitions
                    .contains(&(l.path.clone(), k.name.clone()))
        })
        .cloned()
        .collect();
    ks.sort_by(|a, b| {
        ((a.path != file.rel), &a.path, a.line).cmp(&((b.path != file.rel), &b.path, b.line))
    });
    KernelRecord {
        name: k.name.clone(),
        line: file.position(k.name_offset).0,
        pattern: s.pattern.clone(),
        confidence: s.confidence,
        evidence: s.evidence.clone(),
        runner_up: s.runner_up.clone(),
        suggestions,
        launches: ks,
        params: k.params.clone(),
    }
}

/// Resolve positions and fingerprints. A fingerprint hashes the path, rule, the matched text and the
/// text of its line (whitespace removed), plus an occurrence counter — so it survives line shifts
/// and reformatting of other lines.
fn records_for(file: &SourceFile, findings: &[Finding]) -> Vec<FindingRecord> {
    let mut seen: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    findings
        .iter()
        .map(|f| {
            let (line, column) = file.position(f.span.start);
            let (end_line, end_column) = file.position(f.span.end);
            let squeeze = |b: &[u8]| -> Vec<u8> {
                b.iter()
                    .copied()
                    .filter(|c| !c.is_ascii_whitespace())
                    .collect()
            };
            let mut key = Vec::new();
            key.extend_from_slice(file.rel.as_bytes());
            key.push(0);
            key.extend_from_slice(f.rule.as_bytes());
            key.push(0);
            key.extend_from_slice(f.cuda.as_bytes());
            key.push(0);
            key.extend(squeeze(file.line_bytes(line - 1)));
            let base = fnv1a(&key);
            let n = seen.entry(base).or_insert(0);
            *n += 1;
            let fingerprint = format!(
                "{:016x}",
                fnv1a(&[base.to_le_bytes(), (*n as u64).to_le_bytes()].concat())
            );
            FindingRecord {
                finding: f.clone(),
                line,
                column,
                end_line,
                end_column,
                fingerprint,
            }
        })
        .collect()
}

/// 64-bit FNV-1a: stable across platforms and releases (unlike std's hasher).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Analyze and plan in-memory source, as a scan would one file (rule examples, tests, fuzzing).
pub fn plan_source(
    catalog: &Catalog,
    rel: &str,
    bytes: Vec<u8>,
    target: Target,
    opts: &PlanOptions,
) -> crate::rewrite::FilePlan {
    let file = SourceFile::new(rel.to_string(), PathBuf::from(rel), bytes);
    let Some(tree) = crate::parse::parse(&file.bytes) else {
        return crate::rewrite::FilePlan::default();
    };
    let fa = analyze::analyze(&file, &tree, catalog);
    let mut plan = plan_file(&file, &fa, catalog, target, opts);
    plan.output = plan
        .output
        .map(|first| converge(catalog, &file, first, target, opts, None));
    plan
}

/// Re-plan rewritten text until it stops changing, as ruff does with its fixes: a rewrite can
/// produce code another rule annotates (Paddle's PADDLE_ENFORCE_GPU_SUCCESS(cudaGetLastError())
/// for C10_CUDA_KERNEL_LAUNCH_CHECK()), and the user must get the settled file in one run.
fn converge(
    catalog: &Catalog,
    original: &SourceFile,
    first: Vec<u8>,
    target: Target,
    opts: &PlanOptions,
    declared: Option<&BTreeSet<String>>,
) -> Vec<u8> {
    let mut current = first;
    for _ in 0..4 {
        let file = SourceFile::new(original.rel.clone(), original.abs.clone(), current);
        let Some(tree) = crate::parse::parse(&file.bytes) else {
            return file.bytes;
        };
        let mut fa = analyze::analyze(&file, &tree, catalog);
        if let Some(d) = declared {
            fa.matches
                .retain(|m| !matches!(m.what, MatchRef::Unmapped { .. }) || !d.contains(&m.name));
        }
        match plan_file(&file, &fa, catalog, target, opts).output {
            Some(next) => current = next,
            None => return file.bytes,
        }
    }
    current
}
