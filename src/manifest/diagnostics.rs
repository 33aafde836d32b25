//! Problems found in a project, with stable codes and file:line:column labels.
//!
//! Loading collects every problem before giving up, so a user sees all of them at
//! once. [`Diagnostics`] renders them with miette: plain (no colour) through
//! `Display`, which is what snapshots and non-terminal output use, and optionally in
//! colour for terminals via [`Diagnostics::render`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::yaml::{SourceText, Span};

/// Stable diagnostic codes. They are part of floe's interface: scripts and docs may
/// refer to them, so they never change meaning.
pub mod codes {
    pub const IO: &str = "E-IO";
    pub const PROJECT_MISSING: &str = "E-PROJECT-MISSING";
    pub const YAML_SYNTAX: &str = "E-YAML-SYNTAX";
    pub const YAML_DUPLICATE_KEY: &str = "E-YAML-DUPLICATE-KEY";
    pub const TYPE_MISMATCH: &str = "E-TYPE-MISMATCH";
    pub const FIELD_UNKNOWN: &str = "E-FIELD-UNKNOWN";
    pub const FIELD_MISSING: &str = "E-FIELD-MISSING";
    pub const FIELD_CONFLICT: &str = "E-FIELD-CONFLICT";
    pub const VALUE_INVALID: &str = "E-VALUE-INVALID";
    /// A number outside its property's documented range (or beyond 64 bits).
    pub const VALUE_RANGE: &str = "E-VALUE-RANGE";
    /// A data type Snowflake refuses: parameters out of range, or a malformed type.
    pub const DATA_TYPE: &str = "E-DATA-TYPE";
    /// A task schedule Snowflake refuses: cron fields, time zone or interval.
    pub const SCHEDULE: &str = "E-SCHEDULE";
    /// A task that names itself in `after`.
    pub const TASK_SELF_PREDECESSOR: &str = "E-TASK-SELF-PREDECESSOR";
    /// An external stage URL that is empty or has no bucket/container.
    pub const STAGE_URL: &str = "E-STAGE-URL";
    /// A Python runtime version Snowflake does not run.
    pub const RUNTIME_VERSION: &str = "E-RUNTIME-VERSION";
    /// A grant on an object that another project account declares.
    pub const GRANT_OTHER_ACCOUNT: &str = "E-GRANT-OTHER-ACCOUNT";
    pub const IDENT_INVALID: &str = "E-IDENT-INVALID";
    pub const ACCOUNT_UNKNOWN: &str = "E-ACCOUNT-UNKNOWN";
    pub const DUPLICATE: &str = "E-DUPLICATE";
    pub const REF_UNKNOWN: &str = "E-REF-UNKNOWN";
    pub const CYCLE: &str = "E-CYCLE";
    pub const VAR_UNDEFINED: &str = "E-VAR-UNDEFINED";
    pub const TARGET_INVALID: &str = "E-TARGET-INVALID";
    pub const MOUNTED_CONTENTS: &str = "E-MOUNTED-CONTENTS";
    pub const STREAM_CHANGE_TRACKING: &str = "E-STREAM-CHANGE-TRACKING";
    pub const SHARE_FOREIGN_OBJECT: &str = "E-SHARE-FOREIGN-OBJECT";
    pub const SHARE_NOT_GRANTED: &str = "E-SHARE-NOT-GRANTED";
    pub const SHARE_MOUNTED_DATABASE: &str = "E-SHARE-MOUNTED-DATABASE";
    pub const LISTING_TARGET: &str = "E-LISTING-TARGET";
    pub const CONSUMER_NOT_TARGETED: &str = "E-CONSUMER-NOT-TARGETED";
    pub const TASK_ROOT: &str = "E-TASK-ROOT";
    pub const TASK_CHILD_SCHEDULE: &str = "E-TASK-CHILD-SCHEDULE";
    pub const TASK_AFTER_SCOPE: &str = "E-TASK-AFTER-SCOPE";
    pub const TASK_PREDECESSORS: &str = "E-TASK-PREDECESSORS";
    pub const SQL_FROM_STRING: &str = "E-SQL-FROM-STRING";
    pub const BODY_FILE_MISSING: &str = "E-BODY-FILE-MISSING";
    pub const BODY_FILE_ENCODING: &str = "E-BODY-FILE-ENCODING";
    pub const BODY_CONFLICT: &str = "E-BODY-CONFLICT";
    pub const ARTIFACT_MISSING: &str = "E-ARTIFACT-MISSING";
    pub const PRIVILEGE_INVALID: &str = "E-PRIVILEGE-INVALID";
}

/// A location with an optional message shown under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
}

/// One problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Stable code, e.g. `E-REF-UNKNOWN`.
    pub code: &'static str,
    /// One line saying what is wrong.
    pub summary: String,
    /// What floe expected instead.
    pub expected: Option<String>,
    /// How to fix it, e.g. "did you mean `QUERY_WH`?".
    pub hint: Option<String>,
    /// Where; the first label is the primary location.
    pub labels: Vec<Label>,
}

impl Diagnostic {
    pub fn new(code: &'static str, summary: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            summary: summary.into(),
            expected: None,
            hint: None,
            labels: Vec::new(),
        }
    }
    pub fn at(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }
    pub fn at_span(mut self, span: Span) -> Diagnostic {
        self.labels.push(Label { span, text: None });
        self
    }
    pub fn expected(mut self, expected: impl Into<String>) -> Diagnostic {
        self.expected = Some(expected.into());
        self
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
    pub fn maybe_hint(mut self, hint: Option<String>) -> Diagnostic {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }
}

/// The files a project was read from, so diagnostics can show snippets.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown in messages (relative to the project folder).
    pub display: String,
    pub path: PathBuf,
    pub text: SourceText,
}

impl SourceMap {
    pub fn add(&mut self, display: String, path: PathBuf, text: Arc<str>) -> usize {
        self.files.push(SourceFile {
            display,
            path,
            text: SourceText::new(text),
        });
        self.files.len() - 1
    }
    pub fn get(&self, id: usize) -> Option<&SourceFile> {
        self.files.get(id)
    }
}

/// Every problem found while loading a project (never empty when returned as an error).
#[derive(Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    sources: Arc<SourceMap>,
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|d| (d.code, &d.summary)))
            .finish()
    }
}

impl Diagnostics {
    /// Sorts by file, position and code so output does not depend on discovery order.
    pub fn new(mut items: Vec<Diagnostic>, sources: Arc<SourceMap>) -> Diagnostics {
        let key = |d: &Diagnostic| {
            let primary = d.labels.first().map(|l| {
                let name = sources
                    .get(l.span.file)
                    .map(|f| f.display.clone())
                    .unwrap_or_default();
                (name, l.span.offset)
            });
            (primary, d.code, d.summary.clone())
        };
        items.sort_by_cached_key(key);
        items.dedup();
        Diagnostics { items, sources }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The codes of every diagnostic, in output order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.items.iter().map(|d| d.code).collect()
    }

    /// `file:line:column` of a diagnostic's primary label.
    pub fn location(&self, d: &Diagnostic) -> Option<String> {
        let l = d.labels.first()?;
        self.locate(l.span)
            .map(|(file, line, column)| format!("{file}:{line}:{column}"))
    }

    /// The file (as shown in messages, relative to the project), line and column of a span.
    pub fn locate(&self, span: Span) -> Option<(String, usize, usize)> {
        let f = self.sources.get(span.file)?;
        Some((f.display.clone(), span.line, span.column))
    }

    /// Renders every diagnostic; `color` selects ANSI colours (for terminals).
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false)
            .with_context_lines(1);
        let mut out = String::new();
        for d in &self.items {
            let report = Report::new(d, &self.sources);
            if handler.render_report(&mut out, &report).is_err() {
                out.push_str(&format!("{}: {}\n", d.code, d.summary));
            }
        }
        let n = self.items.len();
        out.push_str(&format!(
            "{n} problem{} found\n",
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

impl miette::Diagnostic for Diagnostics {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("E-MANIFEST"))
    }
}

/// One diagnostic, adapted to miette: labels in the primary file are shown on its
/// snippet; labels in other files become related reports with their own snippet.
struct Report {
    code: &'static str,
    summary: String,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
    /// A secondary location in another file, shown as a note under the main report.
    note: bool,
}

impl Report {
    fn new(d: &Diagnostic, sources: &SourceMap) -> Report {
        let mut help = Vec::new();
        if let Some(e) = &d.expected {
            help.push(format!("expected {e}"));
        }
        if let Some(h) = &d.hint {
            help.push(h.clone());
        }
        let primary_file = d.labels.first().map(|l| l.span.file);
        let mut labels = Vec::new();
        let mut related = Vec::new();
        for l in &d.labels {
            let span = SourceSpan::new(l.span.offset.into(), l.span.len);
            if Some(l.span.file) == primary_file {
                labels.push(LabeledSpan::new_with_span(l.text.clone(), span));
            } else {
                related.push(Report {
                    code: d.code,
                    summary: l.text.clone().unwrap_or_else(|| "related location".into()),
                    help: None,
                    source: named_source(sources, l.span.file),
                    labels: vec![LabeledSpan::new_with_span(None, span)],
                    related: Vec::new(),
                    note: true,
                });
            }
        }
        Report {
            code: d.code,
            summary: d.summary.clone(),
            help: (!help.is_empty()).then(|| help.join("\n")),
            source: primary_file.and_then(|f| named_source(sources, f)),
            labels,
            related,
            note: false,
        }
    }
}

fn named_source(sources: &SourceMap, file: usize) -> Option<NamedSource<Arc<str>>> {
    sources
        .get(file)
        .map(|f| NamedSource::new(&f.display, f.text.text.clone()))
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.summary)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.note {
            None
        } else {
            Some(Box::new(self.code))
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.note.then_some(miette::Severity::Advice)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// The closest candidate to `wanted` (case-insensitive Jaro-Winkler), if close enough.
pub fn suggest<'a, I>(wanted: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted_upper = wanted.to_ascii_uppercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&wanted_upper, &c.to_ascii_uppercase());
        if score >= 0.8 && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// "did you mean `X`?" for the closest candidate.
pub fn did_you_mean<'a, I>(wanted: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    suggest(wanted, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_pick_the_closest_name() {
        let names = [
            "QUICKSTART_CC_DEFAULT_UNSCORED_DATA",
            "QUICKSTART_CC_DEFAULT_TRAINING_DATA",
        ];
        assert_eq!(
            suggest("quickstart_cc_default_uncscored_data", names).as_deref(),
            Some("QUICKSTART_CC_DEFAULT_UNSCORED_DATA")
        );
        assert_eq!(suggest("zzz", names), None);
    }
}
