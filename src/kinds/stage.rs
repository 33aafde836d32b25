//! Stages, internal or external (URL). URL, credentials, storage integration, file
//! format and comment change in place; switching internal ↔ external or turning a
//! directory table off needs a replace. AWS keys are deferred secrets, never printed.

use crate::diff::{Action, Change, Hazard};
use crate::model::{Ident, ObjectId, ObjectKind, ObjectName, Spec, StageAuth, StageSpec};
use crate::sql::{self, Deferred, Statement};

use super::common::{self, Props, change, stmt};
use super::scope::schema_object_name;
use super::{Context, Query, Results, Scope};

pub fn normalize(spec: &StageSpec, _ctx: &Context) -> StageSpec {
    StageSpec {
        url: spec
            .url
            .as_ref()
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty()),
        auth: spec.auth.clone(),
        file_format: spec.file_format.clone(),
        directory_enabled: spec.directory_enabled,
        comment: spec.comment.clone(),
    }
}

/// How the authentication compares: by mechanism (keys cannot be read back).
fn auth_summary(auth: &Option<StageAuth>) -> Option<String> {
    auth.as_ref().map(|a| match a {
        StageAuth::StorageIntegration(i) => format!("storage integration {}", i.as_str()),
        StageAuth::AwsKeysFromEnv { .. } => "AWS keys".to_string(),
    })
}

fn push_auth(s: &mut Statement, auth: &StageAuth) {
    match auth {
        StageAuth::StorageIntegration(i) => {
            s.push(format!(" STORAGE_INTEGRATION = {}", i.sql()));
        }
        StageAuth::AwsKeysFromEnv {
            key_id_env,
            secret_key_env,
        } => {
            s.push(" CREDENTIALS = (AWS_KEY_ID = ");
            s.push_deferred(Deferred::SecretFromEnv {
                var: key_id_env.clone(),
            });
            s.push(" AWS_SECRET_KEY = ");
            s.push_deferred(Deferred::SecretFromEnv {
                var: secret_key_env.clone(),
            });
            s.push(")");
        }
    }
}

fn file_format_sql(name: &ObjectName) -> String {
    // The name as an identifier (not a string): quoted parts stay unambiguous.
    format!(" FILE_FORMAT = (FORMAT_NAME = {})", name.sql())
}

fn create_statement(id: &ObjectId, spec: &StageSpec, replace: bool) -> Statement {
    let verb = if replace {
        "CREATE OR REPLACE"
    } else {
        "CREATE"
    };
    let mut s = stmt(format!("{verb} STAGE {}", id.name.sql()));
    if let Some(url) = &spec.url {
        s.push(format!(" URL = {}", sql::literal(url)));
    }
    if let Some(auth) = &spec.auth {
        push_auth(&mut s, auth);
    }
    if let Some(ff) = &spec.file_format {
        s.push(file_format_sql(ff));
    }
    if let Some(dir) = spec.directory_enabled {
        s.push(format!(" DIRECTORY = (ENABLE = {})", common::bool_sql(dir)));
    }
    s.push(common::comment_clause(&spec.comment));
    s
}

fn declared(spec: &StageSpec) -> Props {
    let mut p = Props::default();
    p.declare("url", &spec.url, common::show_str);
    p.declare("auth", &auth_summary(&spec.auth), common::show_str);
    p.declare("file_format", &spec.file_format, |n| n.sql());
    p.declare(
        "directory_enabled",
        &spec.directory_enabled,
        common::show_bool,
    );
    p.declare("comment", &spec.comment, common::show_str);
    p
}

pub fn create(id: &ObjectId, spec: &StageSpec, _ctx: &Context) -> Change {
    change(
        id,
        Action::Create,
        None,
        declared(spec),
        vec![create_statement(id, spec, false)],
        vec![],
    )
}

pub fn update(
    id: &ObjectId,
    desired: &StageSpec,
    observed: &StageSpec,
    _ctx: &Context,
) -> Option<Change> {
    let mut props = Props::default();
    let name = id.name.sql();
    let internal_now = observed.url.is_none();
    let internal_wanted = desired.url.is_none();
    let dir_off =
        desired.directory_enabled == Some(false) && observed.directory_enabled == Some(true);
    let mechanism = |a: &Option<StageAuth>| {
        a.as_ref()
            .map(|a| matches!(a, StageAuth::StorageIntegration(_)))
    };
    let auth_switch = matches!(
        (mechanism(&desired.auth), mechanism(&observed.auth)),
        (Some(d), Some(o)) if d != o
    );
    let reason = if internal_now != internal_wanted {
        Some("a stage cannot switch between internal and external in place")
    } else if dir_off {
        Some("a directory table cannot be turned off in place")
    } else if auth_switch {
        Some("a stage cannot switch between credentials and a storage integration in place")
    } else {
        None
    };
    if let Some(reason) = reason {
        props.cmp("url", &desired.url, &observed.url, common::show_str);
        props.cmp(
            "auth",
            &auth_summary(&desired.auth),
            &auth_summary(&observed.auth),
            common::show_str,
        );
        if dir_off {
            props.push_typed("directory_enabled", Some(true.into()), Some(false.into()));
        }
        let mut hazards = vec![Hazard::RecreatesObject, Hazard::LosesGrants];
        if internal_now {
            hazards.push(Hazard::DropsData);
        }
        return Some(change(
            id,
            Action::Replace,
            Some(reason.into()),
            props,
            vec![create_statement(id, desired, true)],
            hazards,
        ));
    }
    let mut statements = Vec::new();
    if props.cmp("url", &desired.url, &observed.url, common::show_str) {
        statements.push(stmt(format!(
            "ALTER STAGE {name} SET URL = {}",
            sql::literal(desired.url.as_deref().unwrap_or(""))
        )));
    }
    if props.cmp(
        "auth",
        &auth_summary(&desired.auth),
        &auth_summary(&observed.auth),
        common::show_str,
    ) && let Some(auth) = &desired.auth
    {
        let mut s = stmt(format!("ALTER STAGE {name} SET"));
        push_auth(&mut s, auth);
        statements.push(s);
    }
    if props.cmp(
        "file_format",
        &desired.file_format,
        &observed.file_format,
        |n| n.sql(),
    ) && let Some(ff) = &desired.file_format
    {
        statements.push(stmt(format!(
            "ALTER STAGE {name} SET{}",
            file_format_sql(ff)
        )));
    }
    let observed_dir = Some(observed.directory_enabled.unwrap_or(false));
    if props.cmp(
        "directory_enabled",
        &desired.directory_enabled,
        &observed_dir,
        common::show_bool,
    ) {
        statements.push(stmt(format!(
            "ALTER STAGE {name} SET DIRECTORY = (ENABLE = TRUE)"
        )));
    }
    common::alter_comment(
        &mut props,
        &mut statements,
        &format!("STAGE {}", name),
        &desired.comment,
        &observed.comment,
    );
    common::altered(id, props, statements, vec![])
}

pub fn drop(id: &ObjectId, observed: &StageSpec) -> Change {
    let sql = format!("DROP STAGE IF EXISTS {}", id.name.sql());
    let mut hazards = vec![Hazard::LosesGrants];
    if observed.url.is_none() {
        hazards.push(Hazard::DropsData);
    }
    change(
        id,
        Action::Drop,
        None,
        Props::default(),
        vec![stmt(sql)],
        hazards,
    )
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, StageSpec)> {
    let name = schema_object_name(row)?;
    let auth = match (
        common::clean(row.get("storage_integration")),
        common::parse_bool(row.get("has_credentials")),
    ) {
        (Some(i), _) => Some(StageAuth::StorageIntegration(Ident::from_stored(i))),
        (None, Some(true)) => Some(StageAuth::AwsKeysFromEnv {
            key_id_env: String::new(),
            secret_key_env: String::new(),
        }),
        _ => None,
    };
    let spec = StageSpec {
        url: common::clean(row.get("url")),
        auth,
        file_format: None,
        directory_enabled: Some(common::parse_bool(row.get("directory_enabled")).unwrap_or(false)),
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

/// The named file format from DESCRIBE STAGE rows (`STAGE_FILE_FORMAT`/`FORMAT_NAME`).
pub fn parse_describe(
    rows: &crate::runtime::session::Rows,
    stage: &ObjectName,
) -> Option<ObjectName> {
    for row in rows.iter() {
        let parent = row.get("parent_property").unwrap_or("");
        let property = row.get("property").unwrap_or("");
        if parent.eq_ignore_ascii_case("STAGE_FILE_FORMAT")
            && property.eq_ignore_ascii_case("FORMAT_NAME")
        {
            let value = common::clean(row.get("property_value"))?;
            let parsed = ObjectName::parse(&value).ok()?;
            // An unqualified format name resolves in the stage's schema.
            return Some(
                match (
                    &parsed.database,
                    &parsed.schema,
                    &stage.database,
                    &stage.schema,
                ) {
                    (None, None, Some(db), Some(s)) => {
                        ObjectName::in_schema(db.clone(), s.clone(), parsed.name)
                    }
                    (Some(s), None, Some(db), _) => {
                        ObjectName::in_schema(db.clone(), s.clone(), parsed.name)
                    }
                    _ => parsed,
                },
            );
        }
    }
    None
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let mut out = Vec::new();
    for row in results.get(&Query::Show(ObjectKind::Stage)).iter() {
        let Some((name, mut spec)) = parse_row(&row) else {
            continue;
        };
        if !scope.manages(&name) {
            continue;
        }
        if scope.stages_with_format.contains(&name) {
            spec.file_format =
                parse_describe(results.get(&Query::DescribeStage(name.clone())), &name);
        }
        out.push((
            ObjectId::new(scope.account(), ObjectKind::Stage, name),
            Spec::Stage(spec),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn parses_show_stages_and_describe_format_name() {
        let r = rows(
            &[
                "created_on",
                "name",
                "database_name",
                "schema_name",
                "url",
                "has_credentials",
                "has_encryption_key",
                "owner",
                "comment",
                "region",
                "type",
                "cloud",
                "notification_channel",
                "storage_integration",
                "endpoint",
                "owner_role_type",
                "directory_enabled",
            ],
            &[&[
                Some("t"),
                Some("RAW"),
                Some("DB"),
                Some("S"),
                Some("s3://bucket/cc/"),
                Some("Y"),
                Some("N"),
                Some("SYSADMIN"),
                Some(""),
                Some("us-west-2"),
                Some("EXTERNAL"),
                Some("AWS"),
                None,
                None,
                None,
                Some("ROLE"),
                Some("N"),
            ]],
        );
        let (name, spec) = parse_row(&r.iter().next().unwrap()).unwrap();
        assert_eq!(spec.url.as_deref(), Some("s3://bucket/cc/"));
        assert!(matches!(spec.auth, Some(StageAuth::AwsKeysFromEnv { .. })));
        assert_eq!(spec.directory_enabled, Some(false));
        let d = rows(
            &[
                "parent_property",
                "property",
                "property_type",
                "property_value",
                "property_default",
            ],
            &[
                &[
                    Some("STAGE_FILE_FORMAT"),
                    Some("FORMAT_NAME"),
                    Some("String"),
                    Some("CSV_FF"),
                    Some(""),
                ],
                &[
                    Some("DIRECTORY"),
                    Some("ENABLE"),
                    Some("Boolean"),
                    Some("false"),
                    Some("false"),
                ],
            ],
        );
        assert_eq!(
            parse_describe(&d, &name).map(|n| n.sql()),
            Some("DB.S.CSV_FF".to_string())
        );
    }

    #[test]
    fn internal_to_external_is_a_replace_that_drops_files() {
        let sid = id(&bank(), ObjectKind::Stage, "db.s.st");
        let desired = StageSpec {
            url: Some("s3://b/".into()),
            ..Default::default()
        };
        let observed = StageSpec {
            directory_enabled: Some(false),
            comment: Some(String::new()),
            ..Default::default()
        };
        let c = update(&sid, &desired, &observed, &ctx()).unwrap();
        assert_eq!(c.action, Action::Replace);
        assert!(c.hazards.contains(&Hazard::DropsData));
        assert_eq!(c.properties[0].name, "url");
        // Keys → storage integration is a replace too; a new URL is not.
        let keys = StageSpec {
            url: Some("s3://b/".into()),
            auth: Some(StageAuth::AwsKeysFromEnv {
                key_id_env: String::new(),
                secret_key_env: String::new(),
            }),
            directory_enabled: Some(false),
            comment: Some(String::new()),
            file_format: None,
        };
        let integration = StageSpec {
            auth: Some(StageAuth::StorageIntegration(ident("s3_int"))),
            ..keys.clone()
        };
        let c = update(&sid, &integration, &keys, &ctx()).unwrap();
        assert_eq!(c.action, Action::Replace);
        assert!(!c.hazards.contains(&Hazard::DropsData));
        let moved = StageSpec {
            url: Some("s3://other/".into()),
            ..keys.clone()
        };
        let c = update(&sid, &moved, &keys, &ctx()).unwrap();
        assert_eq!(
            c.statements[0].to_string(),
            "ALTER STAGE DB.S.ST SET URL = 's3://other/'"
        );
    }
}
