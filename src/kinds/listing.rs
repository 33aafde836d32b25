//! Private listings (`CREATE EXTERNAL LISTING … SHARE … AS $$<manifest>$$`).
//!
//! Title, subtitle and description live in the YAML manifest: a change to them
//! rewrites the manifest (`ALTER LISTING … AS`); target changes use `ADD TARGETS` /
//! `REMOVE TARGETS`; publication is `PUBLISH`/`UNPUBLISH`. The attached share is
//! create-only, so changing it recreates the listing. The observed manifest comes
//! from DESCRIBE LISTING `manifest_yaml`.

use crate::diff::{Action, Change, Hazard};
use crate::model::{AccountRef, Ident, ListingSpec, ObjectId, ObjectKind, ObjectName, Spec};
use crate::sql;

use super::common::{self, Props, change, stmt};
use super::{Context, Query, Results, Scope};

pub fn normalize(spec: &ListingSpec, ctx: &Context) -> ListingSpec {
    let mut targets: Vec<AccountRef> = spec
        .targets
        .iter()
        .map(|a| common::resolve_account(a, ctx))
        .collect();
    targets.sort();
    targets.dedup();
    let text = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string());
    ListingSpec {
        share: spec.share.clone(),
        title: text(&spec.title),
        subtitle: text(&spec.subtitle),
        description: text(&spec.description),
        targets,
        // Listings are published unless declared as drafts (creation publishes them), so
        // an undeclared state still converges when a PUBLISH failed half-way.
        published: Some(spec.published.unwrap_or(true)),
        comment: spec.comment.clone(),
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn yaml_str(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

fn targets_yaml(targets: &[&AccountRef]) -> String {
    let accounts: Vec<String> = targets
        .iter()
        .map(|a| yaml_str(&common::account_text(a)))
        .collect();
    format!("targets:\n  accounts: [{}]", accounts.join(", "))
}

/// The listing manifest for `spec`, falling back to `observed` for fields the
/// manifest of the project does not declare.
pub fn manifest(spec: &ListingSpec, observed: Option<&ListingSpec>, name: &Ident) -> String {
    let pick = |d: &Option<String>, o: Option<&Option<String>>| {
        d.clone()
            .or_else(|| o.and_then(|o| o.clone()))
            .unwrap_or_default()
    };
    let title = {
        let t = pick(&spec.title, observed.map(|o| &o.title));
        if t.is_empty() {
            name.as_str().to_string()
        } else {
            t
        }
    };
    let mut out = format!("title: {}\n", yaml_str(&title));
    let subtitle = pick(&spec.subtitle, observed.map(|o| &o.subtitle));
    if !subtitle.is_empty() {
        out.push_str(&format!("subtitle: {}\n", yaml_str(&subtitle)));
    }
    let description = pick(&spec.description, observed.map(|o| &o.description));
    if !description.is_empty() {
        out.push_str(&format!("description: {}\n", yaml_str(&description)));
    }
    out.push_str("listing_terms:\n  type: \"OFFLINE\"\n");
    let targets: Vec<&AccountRef> = spec.targets.iter().collect();
    out.push_str(&targets_yaml(&targets));
    out
}

/// The listing is created as a draft (`PUBLISH = FALSE REVIEW = FALSE`: publishing
/// without review is refused at creation) and then published with `ALTER LISTING …
/// PUBLISH`, which a private, targeted listing accepts without review.
fn create_statements(id: &ObjectId, spec: &ListingSpec) -> Vec<crate::sql::Statement> {
    let mut sql = format!("CREATE EXTERNAL LISTING {}", id.name.sql());
    if let Some(share) = &spec.share {
        sql.push_str(&format!(" SHARE {}", share.sql()));
    }
    sql.push_str(&format!(
        " AS {} PUBLISH = FALSE REVIEW = FALSE",
        sql::body(&manifest(spec, None, &id.name.name)),
    ));
    sql.push_str(&common::comment_clause(&spec.comment));
    let mut out = vec![stmt(sql)];
    if spec.published.unwrap_or(true) {
        out.push(stmt(format!("ALTER LISTING {} PUBLISH", id.name.sql())));
    }
    out
}

fn targets_text(t: &[AccountRef]) -> Vec<String> {
    t.iter().map(common::account_text).collect()
}

pub fn create(id: &ObjectId, spec: &ListingSpec, _ctx: &Context) -> Change {
    let mut p = Props::default();
    p.declare("share", &spec.share, |s| s.sql());
    p.declare("title", &spec.title, common::show_str);
    p.declare("subtitle", &spec.subtitle, common::show_str);
    p.declare("description", &spec.description, common::show_str);
    p.push_list("targets", None, Some(&targets_text(&spec.targets)));
    p.declare("published", &spec.published, common::show_bool);
    p.declare("comment", &spec.comment, common::show_str);
    change(
        id,
        Action::Create,
        None,
        p,
        create_statements(id, spec),
        vec![],
    )
}

pub fn update(
    id: &ObjectId,
    desired: &ListingSpec,
    observed: &ListingSpec,
    _ctx: &Context,
) -> Option<Change> {
    let name = id.name.sql();
    let mut props = Props::default();
    if props.cmp("share", &desired.share, &observed.share, |s| s.sql()) {
        let mut statements = Vec::new();
        if observed.published == Some(true) {
            statements.push(stmt(format!("ALTER LISTING {name} UNPUBLISH")));
        }
        statements.push(stmt(format!("DROP LISTING IF EXISTS {name}")));
        statements.extend(create_statements(id, desired));
        return Some(change(
            id,
            Action::Replace,
            Some("the share of a listing is set when it is created".into()),
            props,
            statements,
            vec![Hazard::RecreatesObject],
        ));
    }
    let mut statements = Vec::new();
    let text_changed = [
        props.cmp("title", &desired.title, &observed.title, common::show_str),
        props.cmp(
            "subtitle",
            &desired.subtitle,
            &observed.subtitle,
            common::show_str,
        ),
        props.cmp(
            "description",
            &desired.description,
            &observed.description,
            common::show_str,
        ),
    ]
    .contains(&true);
    let added = common::missing_from(&desired.targets, &observed.targets);
    let removed = common::missing_from(&observed.targets, &desired.targets);
    if !added.is_empty() || !removed.is_empty() {
        props.push_list(
            "targets",
            Some(&targets_text(&observed.targets)),
            Some(&targets_text(&desired.targets)),
        );
    }
    if text_changed {
        statements.push(stmt(format!(
            "ALTER LISTING {name} AS {}",
            sql::body(&manifest(desired, Some(observed), &id.name.name))
        )));
    } else {
        if !added.is_empty() {
            statements.push(stmt(format!(
                "ALTER LISTING {name} ADD TARGETS {}",
                sql::body(&targets_yaml(&added))
            )));
        }
        if !removed.is_empty() {
            statements.push(stmt(format!(
                "ALTER LISTING {name} REMOVE TARGETS {}",
                sql::body(&targets_yaml(&removed))
            )));
        }
    }
    if props.cmp(
        "published",
        &desired.published,
        &observed.published,
        common::show_bool,
    ) {
        let verb = if desired.published == Some(true) {
            "PUBLISH"
        } else {
            "UNPUBLISH"
        };
        statements.push(stmt(format!("ALTER LISTING {name} {verb}")));
    }
    common::alter_comment(
        &mut props,
        &mut statements,
        &format!("LISTING {}", name),
        &desired.comment,
        &observed.comment,
    );
    common::altered(id, props, statements, vec![])
}

pub fn drop(id: &ObjectId, observed: &ListingSpec) -> Change {
    let name = id.name.sql();
    let mut statements = Vec::new();
    if observed.published == Some(true) {
        statements.push(stmt(format!("ALTER LISTING {name} UNPUBLISH")));
    }
    statements.push(stmt(format!("DROP LISTING IF EXISTS {name}")));
    change(id, Action::Drop, None, Props::default(), statements, vec![])
}

fn split_accounts(text: &str) -> Vec<AccountRef> {
    text.trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|a| a.trim().trim_matches('"').trim_matches('\'').trim())
        .filter(|a| !a.is_empty())
        .map(|a| AccountRef::Identifier(a.to_ascii_uppercase()))
        .collect()
}

pub fn parse_row(row: &crate::runtime::session::Row<'_>) -> Option<(ObjectName, ListingSpec)> {
    let name = ObjectName::account_level(Ident::from_stored(row.get("name")?));
    let spec = ListingSpec {
        share: None,
        title: common::clean(row.get("title")),
        subtitle: common::clean(row.get("subtitle")),
        description: None,
        targets: split_accounts(row.get("target_accounts").unwrap_or("")),
        published: row
            .get("state")
            .map(|s| s.eq_ignore_ascii_case("PUBLISHED")),
        comment: common::comment(row.get("comment")),
    };
    Some((name, spec))
}

/// Fills `spec` from DESCRIBE LISTING: the share and the manifest's fields.
pub fn apply_describe(spec: &mut ListingSpec, rows: &crate::runtime::session::Rows) {
    let Some(row) = rows.iter().next() else {
        return;
    };
    if let Some(share) = common::clean(row.get("share")) {
        let short = crate::model::split_dotted(&share).pop().unwrap_or_default();
        spec.share = Some(Ident::from_stored(short.trim_matches('"')));
    }
    if spec.description.is_none() {
        spec.description = common::clean(row.get("description"));
    }
    let Some(yaml) = row.get("manifest_yaml") else {
        return;
    };
    let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(yaml) else {
        return;
    };
    let text = |key: &str| {
        doc.get(key)
            .and_then(|v| v.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    spec.title = text("title").or(spec.title.take());
    spec.subtitle = text("subtitle").or(spec.subtitle.take());
    spec.description = text("description").or(spec.description.take());
    if let Some(accounts) = doc
        .get("targets")
        .and_then(|t| t.get("accounts"))
        .and_then(|a| a.as_sequence())
    {
        spec.targets = accounts
            .iter()
            .filter_map(|a| a.as_str())
            .map(|a| AccountRef::Identifier(a.trim().to_ascii_uppercase()))
            .collect();
    }
}

pub fn observe(results: &Results, scope: &Scope) -> Vec<(ObjectId, Spec)> {
    let mut out = Vec::new();
    for row in results.get(&Query::Show(ObjectKind::Listing)).iter() {
        let Some((name, mut spec)) = parse_row(&row) else {
            continue;
        };
        if !scope.is_declared(ObjectKind::Listing, &name) {
            continue;
        }
        apply_describe(
            &mut spec,
            results.get(&Query::DescribeListing(name.name.clone())),
        );
        out.push((
            ObjectId::new(scope.account(), ObjectKind::Listing, name),
            Spec::Listing(spec),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::testutil::*;

    #[test]
    fn parses_show_and_describe_listing() {
        let show = rows(
            &[
                "global_name",
                "name",
                "title",
                "subtitle",
                "profile",
                "created_on",
                "updated_on",
                "published_on",
                "state",
                "review_state",
                "comment",
                "owner",
                "owner_role_type",
                "regions",
                "target_accounts",
                "is_monetized",
            ],
            &[&[
                Some("GZ1234"),
                Some("CC_LISTING"),
                Some("Credit card data"),
                Some("Unscored"),
                Some(""),
                Some("t"),
                Some("t"),
                Some("t"),
                Some("PUBLISHED"),
                None,
                None,
                Some("ACCOUNTADMIN"),
                Some("ROLE"),
                None,
                Some("LOCALORG.PARTNER"),
                Some("false"),
            ]],
        );
        let describe = rows(
            &[
                "global_name",
                "name",
                "owner",
                "title",
                "subtitle",
                "description",
                "state",
                "share",
                "manifest_yaml",
            ],
            &[&[
                Some("GZ1234"),
                Some("CC_LISTING"),
                Some("ACCOUNTADMIN"),
                Some("Credit card data"),
                Some("Unscored"),
                Some("Customer profiles"),
                Some("PUBLISHED"),
                Some("DATA_SHARING_DEMO"),
                Some(
                    "title: \"Credit card data\"\nsubtitle: \"Unscored\"\ndescription: \"Customer profiles\"\nlisting_terms:\n  type: \"OFFLINE\"\ntargets:\n  accounts: [\"LOCALORG.PARTNER\"]\n",
                ),
            ]],
        );
        let mut results = Results::default();
        results.insert(Query::Show(ObjectKind::Listing), show);
        results.insert(Query::DescribeListing(ident("cc_listing")), describe);
        let c = ctx();
        let desired = crate::kinds::normalize_catalog(&sample(), &c);
        let found = observe(&results, &Scope::from_desired(&bank(), &desired));
        assert_eq!(found.len(), 1);
        let lid = &found[0].0;
        let Spec::Listing(observed) = &found[0].1 else {
            panic!()
        };
        assert_eq!(observed.share, Some(ident("data_sharing_demo")));
        assert_eq!(observed.published, Some(true));
        let Some(Spec::Listing(want)) = desired.get(lid) else {
            panic!()
        };
        assert!(update(lid, want, &normalize(observed, &c), &c).is_none());
    }
}
