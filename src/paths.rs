//! Paths relative to a project folder.
//!
//! Saved plans name every local path relative to something that travels with them
//! (the project folder, or the plan file's folder), never as an absolute path of the
//! machine that made them: a plan made in one checkout applies in another. These
//! helpers work lexically (no file system access), so they give the same answer for
//! files that do not exist yet.

use std::path::{Component, Path, PathBuf};

/// `path` with `.` removed and `..` folded into the component before it, where
/// there is one (`a/./b/../c` → `a/c`; a leading `..` stays).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// The path that leads from the folder `base` to `target`, both made absolute
/// against the working directory first: `relative("/p", "/p/a/b")` = `a/b`,
/// `relative("/p/x", "/p/a")` = `../a`, `relative("/p", "/p")` = `.`.
pub fn relative(base: &Path, target: &Path) -> PathBuf {
    let absolute = |p: &Path| normalize(&std::path::absolute(p).unwrap_or_else(|_| p.into()));
    let (base, target) = (absolute(base), absolute(target));
    let base: Vec<Component<'_>> = base.components().collect();
    let target: Vec<Component<'_>> = target.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for component in &target[common..] {
        out.push(component);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// True when `path` is relative and stays inside the folder it is relative to
/// (no root, no prefix, no `..` after normalizing).
pub fn stays_inside(path: &Path) -> bool {
    normalize(path)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_folds_dots() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../a/../b")), PathBuf::from("../b"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
    }

    #[test]
    fn relative_paths_lead_from_base_to_target() {
        assert_eq!(
            relative(Path::new("/p"), Path::new("/p/a/b")),
            PathBuf::from("a/b")
        );
        assert_eq!(
            relative(Path::new("/p/x"), Path::new("/p/a")),
            PathBuf::from("../a")
        );
        assert_eq!(
            relative(Path::new("/p"), Path::new("/p")),
            PathBuf::from(".")
        );
        assert_eq!(
            relative(Path::new("/p/./q/.."), Path::new("/p/m/../n")),
            PathBuf::from("n")
        );
        let here = std::env::current_dir().unwrap();
        assert_eq!(relative(&here, Path::new("sub/f")), PathBuf::from("sub/f"));
    }

    #[test]
    fn only_relative_paths_without_parent_steps_stay_inside() {
        assert!(stays_inside(Path::new("a/b.json")));
        assert!(stays_inside(Path::new("a/../b.json")));
        assert!(!stays_inside(Path::new("../b.json")));
        assert!(!stays_inside(Path::new("/etc/passwd")));
        assert!(!stays_inside(Path::new("a/../../b")));
    }
}
