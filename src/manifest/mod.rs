//! Manifests: loading a project folder into a validated desired catalog.
//!
//! A project is a folder with `floe.yaml` (accounts, variables, targets) and YAML
//! files that each declare objects of one account. [`load`] reads them all, expands
//! `${var.NAME}`, lowers every object into the desired [`Catalog`], validates the
//! whole project (references, cross-account sharing rules, task graphs, cycles) and
//! returns either the [`Project`] or every problem found, as [`Diagnostics`].
//!
//! Module map: `yaml` (the only module that names the YAML crate: nodes with
//! positions), `de` (serde over those nodes), `raw` (the format, one file per kind),
//! `vars`, `names`, `lower`, `validate`, `sql_scan`, `diagnostics`, `schema`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{AccountName, Catalog, ObjectId};

pub mod de;
pub mod diagnostics;
pub mod lower;
pub mod names;
pub mod raw;
pub mod schema;
pub mod sql_scan;
pub mod validate;
pub mod vars;
pub mod yaml;

pub use diagnostics::{Diagnostic, Diagnostics, codes};

use diagnostics::{SourceMap, did_you_mean};
use lower::{Lowerer, de_diagnostic};
use yaml::{Node, SourceText};

/// Where an object is declared.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SourceLocation {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// Where a target's accounts live.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Target {
    /// The embedded emulator in one local file (relative paths are relative to the project).
    Emulator { path: PathBuf },
    /// Real Snowflake: each project account → a connection name in connections.toml.
    Snowflake {
        connections: BTreeMap<AccountName, String>,
    },
}

/// A loaded, validated project.
#[derive(Clone, Debug)]
pub struct Project {
    pub root: PathBuf,
    pub accounts: Vec<AccountName>,
    /// Named targets from floe.yaml; `local` (the emulator at `.floe/emulator.db`) always exists.
    pub targets: BTreeMap<String, Target>,
    pub default_target: String,
    pub desired: Catalog,
    pub sources: BTreeMap<ObjectId, SourceLocation>,
    /// Every local file the project reads besides its YAML (procedure and function
    /// body files, model artifacts): path relative to `root` → sha256 (hex) of the
    /// content read. The desired catalog names local files relative to `root` too.
    pub files: BTreeMap<PathBuf, String>,
}

/// The project file's name.
pub const PROJECT_FILE: &str = "floe.yaml";

/// Loads and validates the project in `dir`. `overrides` are `--var NAME=VALUE` pairs.
pub fn load(dir: &Path, overrides: &[(String, String)]) -> Result<Project, Diagnostics> {
    load_with_env(dir, overrides, vars::Variables::process_env())
}

/// [`load`] with an explicit source for `FLOE_VAR_*` values (tests pass their own).
pub fn load_with_env(
    dir: &Path,
    overrides: &[(String, String)],
    env: vars::EnvLookup,
) -> Result<Project, Diagnostics> {
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let result = load_inner(dir, overrides, env, &mut sources, &mut diags);
    let sources = Arc::new(sources);
    match result {
        Some(project) if diags.is_empty() => Ok(project),
        _ => Err(Diagnostics::new(diags, sources)),
    }
}

fn load_inner(
    dir: &Path,
    overrides: &[(String, String)],
    env: vars::EnvLookup,
    sources: &mut SourceMap,
    diags: &mut Vec<diagnostics::Diagnostic>,
) -> Option<Project> {
    let project_path = dir.join(PROJECT_FILE);
    if !project_path.is_file() {
        diags.push(
            Diagnostic::new(codes::PROJECT_MISSING, format!("no {PROJECT_FILE} in `{}`", dir.display()))
                .hint("a floe project is a folder with floe.yaml (accounts, variables, targets) and account files"),
        );
        return None;
    }
    let (project_node, _) = read_yaml(dir, &project_path, sources, diags)?;
    let project_file = match de::from_node::<raw::ProjectFile>(&project_node) {
        Ok(p) => p,
        Err(e) => {
            let target_error =
                matches!(&e.kind, de::DeErrorKind::Custom(m) if m.contains("TargetRaw"));
            let d = if target_error {
                Diagnostic::new(codes::TARGET_INVALID, "invalid target in floe.yaml")
                    .at(e.span.unwrap_or(project_node.span), "not a target")
                    .expected("`{ emulator: PATH }` or a map of account → `{ connection: NAME }`")
            } else {
                de_diagnostic(e, project_node.span, "floe.yaml")
            };
            diags.push(d);
            return None;
        }
    };

    let mut accounts = BTreeSet::new();
    for name in project_file.accounts.keys() {
        let key_span = project_node
            .get("accounts")
            .and_then(|a| a.entry(name))
            .map(|(k, _)| k.span)
            .unwrap_or(project_node.span);
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            diags.push(
                Diagnostic::new(
                    codes::IDENT_INVALID,
                    format!("invalid account name `{name}`"),
                )
                .at(key_span, "not a project account name")
                .expected("a lower-case name of letters, digits and `_` (e.g. `bank`)"),
            );
        }
        accounts.insert(AccountName::new(name));
    }
    if accounts.is_empty() {
        diags.push(
            Diagnostic::new(codes::VALUE_INVALID, "floe.yaml declares no accounts")
                .at(
                    project_node
                        .get("accounts")
                        .map(|n| n.span)
                        .unwrap_or(project_node.span),
                    "no accounts",
                )
                .expected("at least one account under `accounts:`"),
        );
    }

    let root = dir.to_path_buf();
    let (targets, default_target) = targets(&root, &project_file, &project_node, &accounts, diags);

    let file_vars = project_file
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect();
    let variables = vars::Variables::new(overrides, file_vars, env);

    let mut files = Vec::new();
    collect_yaml_files(dir, dir, &mut files, diags);
    files.sort();
    let mut lowerer = Lowerer::new(&accounts);
    let mut incomplete = false;
    for path in &files {
        let Some((mut node, _)) = read_yaml(dir, path, sources, diags) else {
            incomplete = true;
            continue;
        };
        let var_diags = variables.substitute(&mut node);
        if !var_diags.is_empty() {
            diags.extend(var_diags);
            incomplete = true;
            continue;
        }
        let file_dir = path.parent().unwrap_or(dir);
        lowerer.file(&node, file_dir);
    }
    let lowered = lowerer.out;
    let incomplete = incomplete || lowered.incomplete;
    diags.extend(lowered.diags);

    let mut desired = Catalog::new();
    let mut object_sources = BTreeMap::new();
    for (id, d) in &lowered.objects {
        desired.insert(id.clone(), d.spec.clone());
        if let Some(file) = sources.get(d.span.file) {
            object_sources.insert(
                id.clone(),
                SourceLocation {
                    file: file.path.clone(),
                    line: d.span.line,
                    column: d.span.column,
                },
            );
        }
    }
    desired.authoritative = lowered.authoritative;
    relative_model_sources(&mut desired, &root);
    let files = lowered
        .files
        .iter()
        .map(|(path, sha)| (crate::paths::relative(&root, path), sha.clone()))
        .collect();
    if !incomplete {
        diags.extend(
            validate::Validator::new(&lowered.objects, &desired, sources, &lowered.invalid).run(),
        );
    }

    Some(Project {
        root,
        accounts: accounts.into_iter().collect(),
        targets,
        default_target,
        desired,
        sources: object_sources,
        files,
    })
}

/// Model artifacts are named relative to the project root in the desired catalog
/// (uploads resolve them against the project folder apply runs from).
fn relative_model_sources(desired: &mut Catalog, root: &Path) {
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for spec in desired.objects.values_mut() {
        if let crate::model::Spec::Model(model) = spec {
            for version in &mut model.versions {
                for source in version.sources.values_mut() {
                    if source.is_absolute() {
                        *source = crate::paths::relative(&canonical_root, source);
                    }
                }
            }
        }
    }
}

/// Reads and parses one YAML file, registering it for diagnostics.
fn read_yaml(
    root: &Path,
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Node, usize)> {
    let display = path
        .strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/");
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                diags.push(
                    Diagnostic::new(codes::IO, format!("`{display}` is not UTF-8 text"))
                        .hint("manifests must be saved as UTF-8"),
                );
                return None;
            }
        },
        Err(e) => {
            diags.push(Diagnostic::new(
                codes::IO,
                format!("cannot read `{display}`: {e}"),
            ));
            return None;
        }
    };
    let text: Arc<str> = Arc::from(text);
    let file = sources.add(display.clone(), path.to_path_buf(), text.clone());
    let source = SourceText::new(text);
    match yaml::parse(file, &source) {
        Ok(parsed) => {
            if let Some(span) = parsed.extra_document {
                diags.push(
                    Diagnostic::new(codes::YAML_SYNTAX, format!("`{display}` holds more than one YAML document"))
                        .at(span, "a second document starts here")
                        .hint("floe reads one document per file: move these objects to a file of their own"),
                );
            }
            for dup in &parsed.duplicate_keys {
                diags.push(
                    Diagnostic::new(
                        codes::YAML_DUPLICATE_KEY,
                        format!("key `{}` appears twice in the same mapping", dup.key),
                    )
                    .at(dup.second, "repeated here")
                    .at(dup.first, "first here"),
                );
            }
            let node = parsed.root.unwrap_or(Node {
                span: source.span_of_offset(file, 0, 0),
                value: yaml::Value::Map(Arc::new(Vec::new())),
            });
            Some((node, file))
        }
        Err(e) => {
            diags.push(
                Diagnostic::new(
                    codes::YAML_SYNTAX,
                    format!("YAML syntax error in `{display}`"),
                )
                .at(e.span, e.message),
            );
            None
        }
    }
}

/// Every `*.yaml`/`*.yml` under `dir` except floe.yaml at the root, skipping hidden
/// folders (`.floe/`, `.git/`, …).
fn collect_yaml_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<PathBuf>,
    diags: &mut Vec<Diagnostic>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(Diagnostic::new(
                codes::IO,
                format!("cannot list `{}`: {e}", dir.display()),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_yaml_files(root, &path, out, diags);
        } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
            && !(dir == root && name == PROJECT_FILE)
        {
            out.push(path);
        }
    }
}

fn targets(
    root: &Path,
    file: &raw::ProjectFile,
    node: &Node,
    accounts: &BTreeSet<AccountName>,
    diags: &mut Vec<Diagnostic>,
) -> (BTreeMap<String, Target>, String) {
    let mut targets = BTreeMap::new();
    targets.insert(
        "local".to_string(),
        Target::Emulator {
            path: root.join(".floe").join("emulator.db"),
        },
    );
    for (name, raw) in &file.targets {
        let span = node
            .get("targets")
            .and_then(|t| t.entry(name))
            .map(|(k, _)| k.span)
            .unwrap_or(node.span);
        let target = match raw {
            raw::TargetRaw::Emulator(e) => Target::Emulator {
                path: root.join(&e.emulator),
            },
            raw::TargetRaw::Snowflake(map) => {
                let mut connections = BTreeMap::new();
                for (acct, conn) in map {
                    let a = AccountName::new(acct);
                    if !accounts.contains(&a) {
                        let known: Vec<&str> = accounts.iter().map(|a| a.as_str()).collect();
                        diags.push(
                            Diagnostic::new(codes::ACCOUNT_UNKNOWN, format!("target `{name}` names account `{acct}`, which is not a project account"))
                                .at(span, "unknown account in target")
                                .maybe_hint(did_you_mean(acct, known.iter().copied())),
                        );
                    }
                    connections.insert(a, conn.connection.clone());
                }
                for a in accounts {
                    if !connections.contains_key(a) {
                        diags.push(
                            Diagnostic::new(
                                codes::TARGET_INVALID,
                                format!("target `{name}` has no connection for account `{a}`"),
                            )
                            .at(span, "incomplete target")
                            .expected(format!("`{a}: {{ connection: NAME }}`")),
                        );
                    }
                }
                Target::Snowflake { connections }
            }
        };
        targets.insert(name.clone(), target);
    }
    let default_target = file
        .default_target
        .clone()
        .unwrap_or_else(|| "local".to_string());
    if !targets.contains_key(&default_target) {
        let names: Vec<&str> = targets.keys().map(|s| s.as_str()).collect();
        diags.push(
            Diagnostic::new(
                codes::TARGET_INVALID,
                format!("default target `{default_target}` is not defined"),
            )
            .at(
                node.get("default_target")
                    .map(|n| n.span)
                    .unwrap_or(node.span),
                "unknown target",
            )
            .maybe_hint(did_you_mean(&default_target, names.iter().copied())),
        );
    }
    (targets, default_target)
}

/// Counts of objects per account and kind, for summaries.
pub fn summary(
    project: &Project,
) -> BTreeMap<AccountName, BTreeMap<crate::model::ObjectKind, usize>> {
    let mut out: BTreeMap<AccountName, BTreeMap<crate::model::ObjectKind, usize>> = BTreeMap::new();
    for a in &project.accounts {
        out.entry(a.clone()).or_default();
    }
    for id in project.desired.objects.keys() {
        *out.entry(id.account.clone())
            .or_default()
            .entry(id.kind)
            .or_default() += 1;
    }
    out
}
