//! One apply at a time per emulator file.
//!
//! Two applies that observe the same emulator file at once would both plan the same
//! creates and the second would fail half-way ("already exists"). An apply on an
//! emulator target therefore holds an exclusive advisory lock on `<file>.lock` from
//! before it observes until it has applied (std's `File::lock`: `flock` on Unix,
//! `LockFileEx` on Windows; released when the process ends, even on a crash). A
//! second apply waits for it, up to a timeout, then fails naming the file.
//!
//! Real Snowflake accounts have no such file: there, what runs applies one at a
//! time is the CI workflow's `concurrency:` group.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting apply tries the lock again.
const POLL: Duration = Duration::from_millis(50);

/// Held for the whole observe → apply; the lock is released when it is dropped.
#[derive(Debug)]
pub struct ApplyLock {
    _file: File,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another apply on {db} still holds {lock} after {waited:?}; try again when it has finished (or raise --lock-timeout)"
    )]
    Timeout {
        db: PathBuf,
        lock: PathBuf,
        waited: Duration,
    },
    #[error("cannot lock {lock}: {source}")]
    Io {
        lock: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The lock file of an emulator file: `<file>.lock` beside it.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the apply lock of the emulator file `db`, waiting up to `timeout`.
/// `waiting` is called once, when the lock is held by someone else.
pub fn lock_emulator(
    db: &Path,
    timeout: Duration,
    waiting: impl FnOnce(&Path),
) -> Result<ApplyLock, LockError> {
    let lock = lock_path(db);
    let io = |source| LockError::Io {
        lock: lock.clone(),
        source,
    };
    if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(io)?;
    let started = Instant::now();
    let mut waiting = Some(waiting);
    loop {
        match file.try_lock() {
            Ok(()) => {
                return Ok(ApplyLock {
                    _file: file,
                    path: lock,
                });
            }
            Err(TryLockError::WouldBlock) => {
                if let Some(notify) = waiting.take() {
                    notify(db);
                }
                let waited = started.elapsed();
                if waited >= timeout {
                    return Err(LockError::Timeout {
                        db: db.to_path_buf(),
                        lock,
                        waited,
                    });
                }
                std::thread::sleep(POLL.min(timeout - waited));
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_second_lock_waits_then_times_out_and_succeeds_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(".floe/emulator.db");
        let first = lock_emulator(&db, Duration::ZERO, |_| panic!("free")).unwrap();
        assert!(first.path.ends_with(".floe/emulator.db.lock"));
        let told = AtomicBool::new(false);
        let error = lock_emulator(&db, Duration::from_millis(120), |_| {
            told.store(true, Ordering::SeqCst)
        })
        .unwrap_err();
        assert!(told.load(Ordering::SeqCst), "the waiter is told it waits");
        assert!(
            error.to_string().contains("another apply on")
                && error.to_string().contains("emulator.db"),
            "{error}"
        );
        let released = std::thread::scope(|s| {
            let waiter = s.spawn(|| lock_emulator(&db, Duration::from_secs(10), |_| {}));
            std::thread::sleep(Duration::from_millis(100));
            drop(first);
            waiter.join().unwrap()
        });
        assert!(released.is_ok(), "{released:?}");
    }
}
