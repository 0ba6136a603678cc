//! Replacing a file's contents so that it is always either entirely old or entirely new.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("changed since it was read; not written (run cuport again)")]
    Changed,
    #[error("cannot read it again before writing: {0}")]
    Reread(std::io::Error),
    #[error("read-only file; not written")]
    ReadOnly,
    #[error("cannot write the backup {0}: {1}")]
    Backup(String, std::io::Error),
    #[error("cannot write: {0}")]
    Io(std::io::Error),
}

/// Write `new` over `path` if its current contents still hash to `expected_hash`.
/// Symlinks are resolved and their target written; permissions are kept.
pub fn replace_file(
    path: &Path,
    expected_hash: u64,
    new: &[u8],
    backup_suffix: Option<&str>,
) -> Result<(), WriteError> {
    let target = fs::canonicalize(path).map_err(WriteError::Reread)?;
    let current = fs::read(&target).map_err(WriteError::Reread)?;
    if crate::scan::fnv1a(&current) != expected_hash {
        return Err(WriteError::Changed);
    }
    let meta = fs::metadata(&target).map_err(WriteError::Reread)?;
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    if let Some(suffix) = backup_suffix {
        let mut b = target.clone().into_os_string();
        b.push(suffix);
        let backup = PathBuf::from(b);
        write_atomic(&backup, &current, &meta.permissions())
            .map_err(|e| WriteError::Backup(backup.display().to_string(), e))?;
    }
    write_atomic(&target, new, &meta.permissions()).map_err(WriteError::Io)
}

/// Write to a temporary file in the same directory, then rename it over `target`.
fn write_atomic(target: &Path, bytes: &[u8], perms: &fs::Permissions) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut n = 0u32;
    let (tmp_path, mut tmp) = loop {
        let candidate = dir.join(format!(".{name}.cuport-{}-{n}.tmp", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => break (candidate, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        tmp.write_all(bytes)?;
        tmp.sync_all()?;
        fs::set_permissions(&tmp_path, perms.clone())?;
        drop(tmp);
        fs::rename(&tmp_path, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    result
}
