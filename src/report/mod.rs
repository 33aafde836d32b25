//! Rendering plans and reports for people and machines.
//!
//! A [`Plan`](crate::plan::Plan) is first turned into the versioned [`PlanView`]
//! (`view`), the one structure every format reads: JSON (the promise to automation),
//! text (terminal), markdown (pull-request comments) and SQL (the scripts). Every
//! renderer is a pure function of the view, so identical inputs give byte-identical
//! output.

pub mod apply;
pub mod drift;
pub mod markdown;
pub mod sql;
pub mod text;
pub mod view;

pub use view::{FORMAT_VERSION, PlanContext, PlanView, json, plan_hash, plan_schema};

/// The plan formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text { colour: bool },
    Json,
    Markdown,
    Sql,
}

/// Renders a plan in one format.
pub fn render(plan: &crate::plan::Plan, context: &PlanContext, format: Format) -> String {
    render_view(&PlanView::new(plan, context), format)
}

/// Renders a plan view in one format.
pub fn render_view(view: &PlanView, format: Format) -> String {
    match format {
        Format::Text { colour } => text::render(view, text::Style { colour }),
        Format::Json => json(view),
        Format::Markdown => markdown::render(view),
        Format::Sql => sql::render(view),
    }
}
