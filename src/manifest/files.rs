//! The one gate for reading files from disk while loading a project.
//!
//! floe runs on machines that hold credentials, and reads manifests written by anyone
//! who can open a pull request. So every file it reads for a project (`floe.yaml`, the
//! account files, procedure and function `body_file`s, model artifacts) goes through
//! [`ProjectFiles::read_path`], which:
//!
//! - refuses absolute paths (paths are relative to the manifest that names them);
//! - resolves `..` and symlinks, and refuses anything that ends up outside the project
//!   folder (the folder of `floe.yaml`, itself resolved);
//! - refuses anything that is not a regular file (FIFOs, devices, sockets, folders)
//!   from its metadata, before opening it, so a FIFO cannot block the loader;
//! - reads at most `cap + 1` bytes, so an endless or oversized file is refused
//!   without being read whole.
//!
//! [`refusal`] turns a refusal into a located diagnostic with a stable code.
//! [`ProjectFiles::confine_new`] applies the same confinement to a file floe writes
//! (a target's emulator file).

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use super::diagnostics::{Diagnostic, codes};
use super::yaml::Span;

/// Default cap on a `body_file` (procedure and function bodies): 1 MiB.
pub const DEFAULT_BODY_FILE_BYTES: u64 = 1 << 20;
/// Default cap on one model artifact: 256 MiB.
pub const DEFAULT_ARTIFACT_BYTES: u64 = 256 << 20;
/// Cap on one manifest (`floe.yaml` or an account file): 8 MiB. Fixed, since it
/// guards the reading of `floe.yaml` itself. A loaded tree takes some 50 times the
/// size of its text, so these caps are what bound the loader's memory.
pub const MANIFEST_BYTES: u64 = 8 << 20;
/// Cap on all manifests of a project together: 32 MiB.
pub const MANIFESTS_TOTAL_BYTES: u64 = 32 << 20;

/// Size caps for files named by manifests (`limits:` in floe.yaml overrides them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub body_file_bytes: u64,
    pub artifact_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_file_bytes: DEFAULT_BODY_FILE_BYTES,
            artifact_bytes: DEFAULT_ARTIFACT_BYTES,
        }
    }
}

/// What a named file is used for: picks its cap and the code of "cannot be read".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileUse {
    Body,
    Artifact,
}

impl FileUse {
    pub fn cap(self, limits: &Limits) -> u64 {
        match self {
            FileUse::Body => limits.body_file_bytes,
            FileUse::Artifact => limits.artifact_bytes,
        }
    }
    fn limit_key(self) -> &'static str {
        match self {
            FileUse::Body => "body_file_bytes",
            FileUse::Artifact => "artifact_bytes",
        }
    }
    fn missing_code(self) -> &'static str {
        match self {
            FileUse::Body => codes::BODY_FILE_MISSING,
            FileUse::Artifact => codes::ARTIFACT_MISSING,
        }
    }
}

/// Why a file was not read. `path` is the path as written (never the resolved one).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("`{path}` is an absolute path")]
    Absolute { path: String },
    #[error("`{path}` resolves to a place outside the project folder")]
    Outside { path: String },
    #[error("`{path}` is {kind}, not a regular file")]
    NotRegular { path: String, kind: &'static str },
    #[error("`{path}` is larger than {cap} bytes")]
    TooLarge { path: String, cap: u64 },
    #[error("`{path}`: {}", io_reason(.source))]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A file that was read: where it really is (resolved, inside the project) and its size.
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub path: PathBuf,
    pub bytes: u64,
}

/// The project folder, resolved, that every read must stay inside.
#[derive(Debug, Clone)]
pub struct ProjectFiles {
    /// The folder as given (made absolute), for the lexical check of `..`.
    dir: PathBuf,
    /// The folder with symlinks resolved.
    root: PathBuf,
    pub limits: Limits,
}

impl ProjectFiles {
    /// The project folder `dir` (resolved through symlinks), with default limits.
    pub fn new(dir: &Path) -> std::io::Result<ProjectFiles> {
        Ok(ProjectFiles {
            dir: lexical(&std::path::absolute(dir)?),
            root: std::fs::canonicalize(dir)?,
            limits: Limits::default(),
        })
    }

    /// The resolved project folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads a file a manifest names: `rel` is relative to `base` (the folder of the
    /// manifest). Returns the content, refusing what [`ProjectFiles::read_path`] refuses.
    pub fn read_named(
        &self,
        base: &Path,
        rel: &str,
        cap: u64,
    ) -> Result<(ReadFile, Vec<u8>), FileError> {
        let mut bytes = Vec::new();
        let file =
            self.stream_named(base, rel, cap, &mut |chunk| bytes.extend_from_slice(chunk))?;
        Ok((file, bytes))
    }

    /// Like [`ProjectFiles::read_named`], handing the content to `sink` in chunks
    /// (so a large artifact can be hashed without holding it in memory).
    pub fn stream_named(
        &self,
        base: &Path,
        rel: &str,
        cap: u64,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<ReadFile, FileError> {
        if Path::new(rel).is_absolute() {
            return Err(FileError::Absolute {
                path: rel.to_string(),
            });
        }
        self.read_path(&base.join(rel), rel, cap, sink)
    }

    /// A file that floe will create or write (the emulator's file), `rel` to `base`:
    /// refused when absolute, when `..` climbs out of the project, or when the part of
    /// it that exists resolves (through symlinks) outside the project.
    pub fn confine_new(&self, base: &Path, rel: &str) -> Result<PathBuf, FileError> {
        let outside = || FileError::Outside {
            path: rel.to_string(),
        };
        if Path::new(rel).is_absolute() {
            return Err(FileError::Absolute {
                path: rel.to_string(),
            });
        }
        let path = base.join(rel);
        let mut existing = lexical(&std::path::absolute(&path).map_err(|_| outside())?);
        if !existing.starts_with(&self.dir) {
            return Err(outside());
        }
        loop {
            if let Ok(resolved) = std::fs::canonicalize(&existing) {
                if !resolved.starts_with(&self.root) {
                    return Err(outside());
                }
                return Ok(path);
            }
            if !existing.pop() {
                return Ok(path);
            }
        }
    }

    /// The gate: resolves `path`, checks it is a regular file inside the project and
    /// at most `cap` bytes, and streams it to `sink`. `shown` is how messages name it.
    pub fn read_path(
        &self,
        path: &Path,
        shown: &str,
        cap: u64,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<ReadFile, FileError> {
        let unreadable = |source| FileError::Unreadable {
            path: shown.to_string(),
            source,
        };
        let outside = || FileError::Outside {
            path: shown.to_string(),
        };
        // `..` that climbs out is refused before anything outside is looked at.
        let absolute = std::path::absolute(path).map_err(unreadable)?;
        if !lexical(&absolute).starts_with(&self.dir) {
            return Err(outside());
        }
        let resolved = std::fs::canonicalize(path).map_err(unreadable)?;
        // `resolved` has no symlinks left, so this is the file itself; nothing is opened yet.
        let meta = std::fs::symlink_metadata(&resolved).map_err(unreadable)?;
        check_regular(&meta.file_type(), shown)?;
        if !resolved.starts_with(&self.root) {
            return Err(outside());
        }
        if meta.len() > cap {
            return Err(FileError::TooLarge {
                path: shown.to_string(),
                cap,
            });
        }
        // Non-blocking and not following a link, in case the file was swapped since the
        // check; the opened handle is checked again.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(&resolved)
            .map_err(unreadable)?;
        let meta = file.metadata().map_err(unreadable)?;
        check_regular(&meta.file_type(), shown)?;
        let mut reader = file.take(cap.saturating_add(1));
        let mut buf = vec![0u8; 64 * 1024];
        let mut total: u64 = 0;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(unreadable(e)),
            };
            total += n as u64;
            if total > cap {
                return Err(FileError::TooLarge {
                    path: shown.to_string(),
                    cap,
                });
            }
            sink(&buf[..n]);
        }
        Ok(ReadFile {
            path: resolved,
            bytes: total,
        })
    }
}

/// `path` with `.` and `..` folded away without looking at the disk.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

fn check_regular(kind: &std::fs::FileType, shown: &str) -> Result<(), FileError> {
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    };
    Err(FileError::NotRegular {
        path: shown.to_string(),
        kind: what,
    })
}

/// Words for an I/O error in a message.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "file not found".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// The diagnostic for a file a manifest names at `span` that was not read.
/// `subject` names it in the summary, e.g. "the body file of procedure `P`".
pub fn refusal(err: &FileError, span: Span, used_for: FileUse, subject: &str) -> Diagnostic {
    const RELATIVE: &str = "paths are relative to the manifest file that names them";
    match err {
        FileError::Absolute { .. } => {
            Diagnostic::new(codes::PATH_ABSOLUTE, format!("{subject} is an absolute path"))
                .at(span, err.to_string())
                .hint(format!(
                    "{RELATIVE}; floe reads only files inside the project folder"
                ))
        }
        FileError::Outside { .. } => Diagnostic::new(
            codes::PATH_OUTSIDE_PROJECT,
            format!("{subject} is outside the project folder"),
        )
        .at(span, err.to_string())
        .hint("floe reads only files inside the project folder (the folder of floe.yaml), after resolving `..` and symlinks: move the file into the project"),
        FileError::NotRegular { .. } => Diagnostic::new(
            codes::PATH_NOT_FILE,
            format!("{subject} is not a regular file"),
        )
        .at(span, err.to_string())
        .hint("name a regular file inside the project folder"),
        FileError::TooLarge { cap, .. } => Diagnostic::new(
            codes::FILE_TOO_LARGE,
            format!("{subject} is larger than the limit of {cap} bytes"),
        )
        .at(span, err.to_string())
        .hint(format!(
            "if the file is meant to be this large, raise `limits: {{ {}: BYTES }}` in floe.yaml",
            used_for.limit_key()
        )),
        FileError::Unreadable { .. } => {
            Diagnostic::new(used_for.missing_code(), format!("{subject} cannot be read"))
                .at(span, err.to_string())
                .hint(RELATIVE)
        }
    }
}

/// The diagnostic for a manifest (floe.yaml or an account file) that was not read.
/// It has no location: the file itself is the problem.
pub fn manifest_refusal(err: &FileError) -> Diagnostic {
    match err {
        FileError::Absolute { .. } => Diagnostic::new(codes::PATH_ABSOLUTE, err.to_string()),
        FileError::Outside { .. } => Diagnostic::new(codes::PATH_OUTSIDE_PROJECT, err.to_string())
            .hint("a manifest that is a symlink must point inside the project folder"),
        FileError::NotRegular { .. } => Diagnostic::new(codes::PATH_NOT_FILE, err.to_string())
            .hint("every `*.yaml` file in the project folder is read as a manifest: remove or rename this one"),
        FileError::TooLarge { .. } => Diagnostic::new(codes::FILE_TOO_LARGE, err.to_string())
            .hint("split the manifest into several files"),
        FileError::Unreadable { .. } => {
            Diagnostic::new(codes::IO, format!("cannot read {err}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (tempfile::TempDir, ProjectFiles) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("proj/sub")).unwrap();
        std::fs::write(dir.path().join("proj/sub/body.py"), "print(1)\n").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "password").unwrap();
        let files = ProjectFiles::new(&dir.path().join("proj")).unwrap();
        (dir, files)
    }

    #[test]
    fn reads_a_file_inside_the_project() {
        let (dir, files) = project();
        let base = dir.path().join("proj/sub");
        let (read, bytes) = files.read_named(&base, "body.py", 100).unwrap();
        assert_eq!(bytes, b"print(1)\n");
        assert_eq!(read.bytes, 9);
        // `..` that stays inside is fine.
        assert!(files.read_named(&base, "../sub/body.py", 100).is_ok());
    }

    #[test]
    fn refuses_escapes_absolute_paths_and_links_out() {
        let (dir, files) = project();
        let base = dir.path().join("proj/sub");
        assert!(matches!(
            files.read_named(&base, "../../secret.txt", 100),
            Err(FileError::Outside { .. })
        ));
        let abs = dir.path().join("proj/sub/body.py");
        assert!(matches!(
            files.read_named(&base, abs.to_str().unwrap(), 100),
            Err(FileError::Absolute { .. })
        ));
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), base.join("link.py")).unwrap();
        assert!(matches!(
            files.read_named(&base, "link.py", 100),
            Err(FileError::Outside { .. })
        ));
    }

    #[test]
    fn refuses_folders_and_oversized_files() {
        let (dir, files) = project();
        let base = dir.path().join("proj");
        assert!(matches!(
            files.read_named(&base, "sub", 100),
            Err(FileError::NotRegular {
                kind: "a folder",
                ..
            })
        ));
        assert!(matches!(
            files.read_named(&base, "sub/body.py", 8),
            Err(FileError::TooLarge { cap: 8, .. })
        ));
        assert!(files.read_named(&base, "sub/body.py", 9).is_ok());
        assert!(matches!(
            files.read_named(&base, "sub/nope.py", 9),
            Err(FileError::Unreadable { .. })
        ));
    }
}
