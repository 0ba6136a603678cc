//! Loading a file's bytes and mapping byte offsets to lines and columns.

use std::path::{Path, PathBuf};

/// The source languages cuport reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Cuda,
    Cpp,
    C,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Cuda => "cuda",
            Language::Cpp => "cpp",
            Language::C => "c",
        }
    }

    /// Guess from the extension; anything unknown (a file named explicitly) is read as CUDA.
    pub fn from_path(p: &Path) -> Language {
        match p.extension().and_then(|e| e.to_str()) {
            Some("cu" | "cuh") => Language::Cuda,
            Some("c") => Language::C,
            Some(_) | None => {
                if is_source_ext(p) {
                    Language::Cpp
                } else {
                    Language::Cuda
                }
            }
        }
    }
}

/// Extensions picked up when walking a directory.
pub const SOURCE_EXTENSIONS: &[&str] = &[
    "cu", "cuh", "cpp", "cc", "cxx", "c", "h", "hpp", "hxx", "inl",
];

pub fn is_source_ext(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e))
}

/// One file's contents, as read.
pub struct SourceFile {
    /// Path shown to users (relative to the scan root).
    pub rel: String,
    /// Path on disk.
    pub abs: PathBuf,
    pub bytes: Vec<u8>,
    pub language: Language,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(rel: String, abs: PathBuf, bytes: Vec<u8>) -> SourceFile {
        let language = Language::from_path(&abs);
        let mut line_starts = vec![0];
        line_starts.extend(memchr_iter(b'\n', &bytes).map(|i| i + 1));
        SourceFile {
            rel,
            abs,
            bytes,
            language,
            line_starts,
        }
    }

    /// 0-based line index containing `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// 1-based (line, column); the column counts characters, decoding invalid bytes one each.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let li = self.line_index(offset);
        let start = self.line_starts[li];
        let col = char_count(&self.bytes[start..offset]);
        (li + 1, col + 1)
    }

    pub fn line_start(&self, line_index: usize) -> usize {
        self.line_starts[line_index]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The bytes of a 0-based line, without its line ending.
    pub fn line_bytes(&self, line_index: usize) -> &[u8] {
        let start = self.line_starts[line_index];
        let end = self
            .line_starts
            .get(line_index + 1)
            .map(|&e| e - 1)
            .unwrap_or(self.bytes.len());
        let line = &self.bytes[start..end.max(start)];
        line.strip_suffix(b"\r").unwrap_or(line)
    }

    pub fn text(&self, r: std::ops::Range<usize>) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes[r])
    }

    pub fn is_utf8(&self) -> bool {
        std::str::from_utf8(&self.bytes).is_ok()
    }
}

fn memchr_iter(needle: u8, hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    hay.iter()
        .enumerate()
        .filter(move |(_, &b)| b == needle)
        .map(|(i, _)| i)
}

/// Number of characters, counting each invalid byte as one.
fn char_count(bytes: &[u8]) -> usize {
    let mut n = 0;
    for chunk in bytes.utf8_chunks() {
        n += chunk.valid().chars().count() + chunk.invalid().len();
    }
    n
}

/// Does this look like a binary file (a NUL byte near the start)?
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|&b| b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let f = SourceFile::new(
            "a".into(),
            "a.cu".into(),
            "ab\nçx y\r\nz".as_bytes().to_vec(),
        );
        assert_eq!(f.position(0), (1, 1));
        assert_eq!(f.position(3), (2, 1));
        // 'x' sits after a 2-byte character.
        assert_eq!(f.position(5), (2, 2));
        assert_eq!(f.line_bytes(1), "çx y".as_bytes());
        assert_eq!(f.position(f.bytes.len()), (3, 2));
    }
}
