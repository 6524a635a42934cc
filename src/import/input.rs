//! What an import reads: files with their paths, from a zip or from a folder (the command line
//! walks the folder; the browser reads the files the user picked). Caps are checked before
//! anything is expanded: the number of files, each file's size and the total, and a zip's
//! entries are read with those limits as they inflate (a zip bomb stops at the cap). Entry names
//! that leave the archive (`..`, absolute paths) are refused.

use std::io::Read;

use thiserror::Error;

/// The most files an import reads.
pub const MAX_FILES: usize = 2_000;
/// The largest file an import reads (bytes).
pub const MAX_FILE: usize = 8 * 1024 * 1024;
/// The most bytes an import reads in all.
pub const MAX_TOTAL: usize = 64 * 1024 * 1024;

/// One file of a deployment: its path (relative, `/`-separated) and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Path inside the folder or archive.
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Why the input as a whole cannot be read (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    /// Not a zip archive.
    #[error("not a zip archive: {0}")]
    NotAZip(String),
    /// Too many files.
    #[error("more than {MAX_FILES} files: import one deployment at a time")]
    TooManyFiles,
    /// One file too large.
    #[error("{0} is larger than {mib} MiB", mib = MAX_FILE / (1024 * 1024))]
    TooLarge(String),
    /// All files together too large.
    #[error("the files add up to more than {} MiB", MAX_TOTAL / (1024 * 1024))]
    TooMuch,
    /// An entry whose name leaves the archive.
    #[error("the archive entry {0:?} points outside the archive; the archive is refused")]
    Traversal(String),
    /// Nothing to read.
    #[error("no files")]
    Empty,
}

/// A relative path made of plain names, `/`-separated; `None` when it would leave its root.
pub fn clean_path(raw: &str) -> Option<String> {
    let raw = raw.replace('\\', "/");
    if raw.starts_with('/') || raw.contains(':') {
        return None;
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The files of a zip archive (directories skipped), within the caps.
pub fn from_zip(bytes: &[u8]) -> Result<Vec<File>, InputError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| InputError::NotAZip(e.to_string()))?;
    if archive.len() > MAX_FILES * 2 {
        return Err(InputError::TooManyFiles);
    }
    let mut files = Vec::new();
    let mut total = 0usize;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| InputError::NotAZip(e.to_string()))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| InputError::NotAZip(e.to_string()))?.to_string();
        let path = clean_path(&name).ok_or_else(|| InputError::Traversal(name.clone()))?;
        if files.len() >= MAX_FILES {
            return Err(InputError::TooManyFiles);
        }
        // Read at most one byte more than the cap: a declared size cannot be trusted.
        let mut content = Vec::new();
        (&mut entry)
            .take(MAX_FILE as u64 + 1)
            .read_to_end(&mut content)
            .map_err(|e| InputError::NotAZip(format!("{path}: {e}")))?;
        if content.len() > MAX_FILE {
            return Err(InputError::TooLarge(path));
        }
        total += content.len();
        if total > MAX_TOTAL {
            return Err(InputError::TooMuch);
        }
        files.push(File { path, bytes: content });
    }
    if files.is_empty() {
        return Err(InputError::Empty);
    }
    Ok(files)
}

/// Checks files gathered elsewhere (a folder, the browser's file list) against the caps.
pub fn checked(files: Vec<File>) -> Result<Vec<File>, InputError> {
    if files.is_empty() {
        return Err(InputError::Empty);
    }
    if files.len() > MAX_FILES {
        return Err(InputError::TooManyFiles);
    }
    let mut total = 0usize;
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let path = clean_path(&f.path).ok_or_else(|| InputError::Traversal(f.path.clone()))?;
        if f.bytes.len() > MAX_FILE {
            return Err(InputError::TooLarge(path));
        }
        total += f.bytes.len();
        if total > MAX_TOTAL {
            return Err(InputError::TooMuch);
        }
        out.push(File { path, bytes: f.bytes });
    }
    Ok(out)
}
