//! Models of the model registry, deployed from artifacts uploaded to a stage.
//!
//! Each version's files go to `@<stage>/<MODEL>/<VERSION>/` with PUT (only files
//! whose MD5 differs from the stage's LIST output), then `CREATE MODEL … WITH
//! VERSION … FROM @…` or `ALTER MODEL … ADD VERSION … FROM @…`. Versions are
//! immutable: different artifacts under an existing version name are a
//! [`ConflictError`], reported by [`validate_against_observed`] before planning.

use std::collections::BTreeMap;

use crate::diff::{Action, Change, Hazard};
use crate::model::{
    Catalog, Ident, ModelSpec, ModelVersionSpec, ObjectId, ObjectKind, ObjectName, Spec,
};
use crate::sql::{self, Deferred, Statement};

use super::common::{self, Props, change, stmt};
use super::scope::schema_object_name;
use super::{Context, Query, Results, Scope};

/// A desired change that cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConflictError {
    #[error(
        "{model}: version {version} already exists with different artifacts ({files}): model versions are immutable — bump the version"
    )]
    ModelVersionChanged {
        model: ObjectId,
        version: String,
        files: String,
    },
}

pub fn normalize(spec: &ModelSpec, _ctx: &Context) -> ModelSpec {
    let mut versions: Vec<ModelVersionSpec> = spec
        .versions
        .iter()
        .map(|v| ModelVersionSpec {
            name: v.name.clone(),
            files: v
                .files
                .iter()
                .map(|(k, m)| {
                    (
                        k.trim_matches('/').to_string(),
                        m.trim().to_ascii_lowercase(),
                    )
                })
                .collect(),
            sources: v
                .sources
                .iter()
                .map(|(k, p)| (k.trim_matches('/').to_string(), p.clone()))
                .collect(),
        })
        .collect();
    versions.sort_by(|a, b| a.name.cmp(&b.name));
    versions.dedup_by(|a, b| a.name == b.name);
    ModelSpec {
        stage: spec.stage.clone(),
        versions,
        default_version: spec.default_version.clone(),
        comment: spec.comment.clone(),
    }
}

/// `@DB.S.STAGE/MODEL/VERSION/`
pub fn version_location(stage: &ObjectName, model: &ObjectName, version: &Ident) -> String {
    format!(
        "@{}/{}/{}/",
        stage.sql(),
        model.name.as_str(),
        version.as_str()
    )
}

fn put_statements(
    id: &ObjectId,
    spec: &ModelSpec,
    version: &ModelVersionSpec,
    uploaded: Option<&BTreeMap<String, String>>,
) -> Vec<Statement> {
    let mut out = Vec::new();
    for (file, md5) in &version.files {
        if uploaded.and_then(|u| u.get(file)) == Some(md5) {
            continue;
        }
        let Some(source) = version.sources.get(file) else {
            continue;
        };
        let folder = match file.rfind('/') {
            Some(i) => format!(
                "{}{}/",
                version_location(&spec.stage, &id.name, &version.name),
                &file[..i]
            ),
            None => version_location(&spec.stage, &id.name, &version.name),
        };
        let mut put = Statement::new("PUT ");
        put.push_deferred(Deferred::LocalFile {
            path: source.clone(),
        })
        .push(format!(" {folder} AUTO_COMPRESS = FALSE OVERWRITE = TRUE"));
        out.push(put);
    }
    out
}

fn show_files(v: &ModelVersionSpec) -> Vec<String> {
    v.files.iter().map(|(f, m)| format!("{f} ({m})")).collect()
}

pub fn create(id: &ObjectId, spec: &ModelSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.push("stage", None, Some(spec.stage.sql()));
    for v in &spec.versions {
        p.push_list(
            &format!("version {}", v.name.sql()),
            None,
            Some(&show_files(v)),
        );
    }
    p.declare("default_version", &spec.default_version, |v| v.sql());
    p.declare("comment", &spec.comment, common::show_str);
    // The first version created is the declared default when there is one.
    let mut order: Vec<&ModelVersionSpec> = spec.versions.iter().collect();
    if let Some(d) = &spec.default_version
        && let Some(i) = order.iter().position(|v| &v.name == d)
    {
        let first = order.remove(i);
        order.insert(0, first);
    }
    let name = id.name.sql();
    let mut statements = Vec::new();
    for (i, v) in order.iter().enumerate() {
        statements.extend(put_statements(id, spec, v, None));
        let location = version_location(&spec.stage, &id.name, &v.name);
        statements.push(stmt(if i == 0 {
            format!(
                "CREATE MODEL {name} WITH VERSION {} FROM {location}",
                v.name.sql()
            )
        } else {
            format!(
                "ALTER MODEL {name} ADD VERSION {} FROM {location}",
                v.name.sql()
            )
        }));
    }
    if let Some(c) = &spec.comment {
        statements.push(stmt(format!(
            "ALTER MODEL {name} SET COMMENT = {}",
            sql::literal(c)
        )));
    }
    let reason = if spec.versions.is_empty() {
        Some("a model needs at least one version".to_string())
    } else {
        None
    };
    change(id, Action::Create, reason, p, statements, vec![])
}

pub fn update(
    id: &ObjectId,
    desired: &ModelSpec,
    observed: &ModelSpec,
    _ctx: &Context,
) -> Option<Change> {
    let name = id.name.sql();
    let mut p = Props::default();
    let mut statements = Vec::new();
    let have: BTreeMap<&Ident, &ModelVersionSpec> =
        observed.versions.iter().map(|v| (&v.name, v)).collect();
    for v in &desired.versions {
        if have.contains_key(&v.name) {
            continue;
        }
        p.push_list(
            &format!("version {}", v.name.sql()),
            None,
            Some(&show_files(v)),
        );
        statements.extend(put_statements(id, desired, v, None));
        statements.push(stmt(format!(
            "ALTER MODEL {name} ADD VERSION {} FROM {}",
            v.name.sql(),
            version_location(&desired.stage, &id.name, &v.name)
        )));
    }
    if p.cmp(
        "default_version",
        &desired.default_version,
        &observed.default_version,
        |v| v.sql(),
    ) && let Some(d) = &desired.default_version
    {
        statements.push(stmt(format!(
            "ALTER MODEL {name} SET DEFAULT_VERSION = {}",
            d.sql()
        )));
    }
    common::alter_comment(
        &mut p,
        &mut statements,
        &format!("MODEL {}", name),
        &desired.comment,
        &observed.comment,
    );
    common::altered(id, p, statements, vec![])
}

pub fn drop(id: &ObjectId, _observed: &ModelSpec) -> Change {
    let sql = format!("DROP MODEL IF EXISTS {}", id.name.sql());
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        vec![Hazard::DropsData, Hazard::LosesGrants],
    )
}

/// Desired model versions whose artifacts differ from an existing version's.
pub fn validate_against_observed(desired: &Catalog, observed: &Catalog) -> Vec<ConflictError> {
    let mut out = Vec::new();
    for (id, spec) in desired.of_kind(ObjectKind::Model) {
        let (Spec::Model(d), Some(Spec::Model(o))) = (spec, observed.get(id)) else {
            continue;
        };
        for v in &d.versions {
            let Some(existing) = o.versions.iter().find(|x| x.name == v.name) else {
                continue;
            };
            if existing.files.is_empty() {
                // Nothing listed on the stage: nothing to compare against.
                continue;
            }
            let mut differing: Vec<String> = v
                .files
                .iter()
                .filter(|(f, m)| {
                    existing.files.get(*f).map(|x| x.to_ascii_lowercase())
                        != Some(m.to_ascii_lowercase())
                })
                .map(|(f, _)| f.clone())
                .collect();
            differing.extend(
                existing
                    .files
                    .keys()
                    .filter(|f| !v.files.contains_key(*f))
                    .cloned(),
            );
            differing.sort();
            differing.dedup();
            if !differing.is_empty() {
                out.push(ConflictError::ModelVersionChanged {
                    model: id.clone(),
                    version: v.name.sql(),
                    files: differing.join(", "),
                });
            }
        }
    }
    out
}

/// SHOW VERSIONS IN MODEL → version names.
pub fn parse_versions(rows: &crate::runtime::session::Rows) -> Vec<Ident> {
    rows.iter()
        .filter_map(|r| r.get("name").map(Ident::from_stored))
        .collect()
}

/// LIST @stage rows (`name` = `<stage>/<MODEL>/<VERSION>/<file>`, `md5`) →
/// (model, version) → file → md5.
pub fn parse_list(
    rows: &crate::runtime::session::Rows,
) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let mut out: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for row in rows.iter() {
        let (Some(name), Some(md5)) = (row.get("name"), row.get("md5")) else {
            continue;
        };
        let parts: Vec<&str> = name.splitn(4, '/').collect();
        if let [_, model, version, file] = parts.as_slice() {
            out.entry((model.to_string(), version.to_string()))
                .or_default()
                .insert(
                    file.to_string(),
                    md5.trim().trim_matches('"').to_ascii_lowercase(),
                );
        }
    }
    out
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let mut out = Vec::new();
    for row in results.get(&Query::Show(ObjectKind::Model)).iter() {
        let Some(name) = schema_object_name(&row) else {
            continue;
        };
        if !scope.manages(&name) {
            continue;
        }
        let stage = scope.model_stages.get(&name).cloned();
        let mut versions: Vec<Ident> =
            parse_versions(results.get(&Query::ModelVersions(name.clone())));
        if versions.is_empty() {
            let listed: Vec<String> = row
                .get("versions")
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or_default();
            versions = listed.into_iter().map(Ident::from_stored).collect();
        }
        let files = stage
            .as_ref()
            .map(|s| parse_list(results.get(&Query::ListStage(s.clone()))))
            .unwrap_or_default();
        let spec = ModelSpec {
            stage: stage.unwrap_or_else(|| name.clone()),
            versions: versions
                .into_iter()
                .map(|v| {
                    let key = (name.name.as_str().to_string(), v.as_str().to_string());
                    ModelVersionSpec {
                        files: files.get(&key).cloned().unwrap_or_default(),
                        name: v,
                        sources: BTreeMap::new(),
                    }
                })
                .collect(),
            default_version: common::clean(row.get("default_version_name")).map(Ident::from_stored),
            comment: common::comment(row.get("comment")),
        };
        out.push((
            ObjectId::new(scope.account(), ObjectKind::Model, name),
            Spec::Model(spec),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn observes_models_versions_and_stage_files() {
        let show = rows(
            &[
                "created_on",
                "name",
                "model_type",
                "database_name",
                "schema_name",
                "owner",
                "comment",
                "versions",
                "default_version_name",
                "aliases",
            ],
            &[&[
                Some("t"),
                Some("CC_MODEL"),
                Some("USER_MODEL"),
                Some("SCORING"),
                Some("ML"),
                Some("SYSADMIN"),
                None,
                Some("[\"V1\"]"),
                Some("V1"),
                Some("{}"),
            ]],
        );
        let versions = rows(
            &[
                "created_on",
                "name",
                "aliases",
                "database_name",
                "schema_name",
                "model_name",
                "is_default_version",
                "functions",
                "metadata",
                "user_data",
                "comment",
            ],
            &[&[
                Some("t"),
                Some("V1"),
                Some("[\"DEFAULT\",\"FIRST\",\"LAST\"]"),
                Some("SCORING"),
                Some("ML"),
                Some("CC_MODEL"),
                Some("true"),
                Some("[\"PREDICT\"]"),
                Some("{}"),
                Some("{}"),
                None,
            ]],
        );
        let list = rows(
            &["name", "size", "md5", "last_modified"],
            &[
                &[
                    Some("models/CC_MODEL/V1/model.pkl"),
                    Some("1"),
                    Some("0cc175b9c0f1b6a831c399e269772661"),
                    Some("t"),
                ],
                &[
                    Some("models/OTHER/V1/model.pkl"),
                    Some("1"),
                    Some("ffff"),
                    Some("t"),
                ],
            ],
        );
        let mut results = Results::default();
        results.insert(Query::Show(ObjectKind::Model), show);
        results.insert(Query::ModelVersions(name("scoring.ml.cc_model")), versions);
        results.insert(Query::ListStage(name("scoring.ml.models")), list);
        let desired = sample();
        let found = observe(&results, &Scope::from_desired(&partner(), &desired));
        assert_eq!(found.len(), 1);
        let Spec::Model(m) = &found[0].1 else {
            panic!()
        };
        assert_eq!(m.versions.len(), 1);
        assert_eq!(
            m.versions[0].files.get("model.pkl").map(String::as_str),
            Some("0cc175b9c0f1b6a831c399e269772661")
        );
        let mut observed = Catalog::new();
        observed.insert(found[0].0.clone(), found[0].1.clone());
        assert!(validate_against_observed(&desired, &observed).is_empty());
        let c = ctx();
        let Some(Spec::Model(want)) = desired.get(&found[0].0) else {
            panic!()
        };
        assert!(update(&found[0].0, &normalize(want, &c), &normalize(m, &c), &c).is_none());
    }
}
