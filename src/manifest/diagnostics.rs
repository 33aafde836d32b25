//! Problems found in a project, with stable codes and file:line:column labels.
//!
//! Loading collects every problem before giving up, so a user sees all of them at
//! once. [`Diagnostics`] renders them with miette: plain (no colour) through
//! `Display`, which is what snapshots and non-terminal output use, and optionally in
//! colour for terminals via [`Diagnostics::render`].
//!
//! Rendering never depends on how large the input is: miette pads labels with
//! `format!` widths (which panic past 65,535 columns) and wraps every message, so
//! snippets are shown from a copy of the file whose lines are cut at
//! [`MAX_SHOWN_LINE`] characters (labels moved accordingly), messages are cut at
//! [`MAX_SHOWN_TEXT`] characters, each report hands miette only the lines around
//! its labels (miette scans what it is given from the start, once per report), and
//! past [`MAX_RENDERED`] diagnostics the rest are only counted.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

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
    /// A manifest names a file by an absolute path.
    pub const PATH_ABSOLUTE: &str = "E-PATH-ABSOLUTE";
    /// A named file (or a manifest) resolves outside the project folder.
    pub const PATH_OUTSIDE_PROJECT: &str = "E-PATH-OUTSIDE-PROJECT";
    /// A named file is a FIFO, device, socket or folder.
    pub const PATH_NOT_FILE: &str = "E-PATH-NOT-FILE";
    /// A file is larger than its limit (`limits:` in floe.yaml, or the manifest cap).
    pub const FILE_TOO_LARGE: &str = "E-FILE-TOO-LARGE";
    /// A manifest is not UTF-8 (located at the first bad byte).
    pub const YAML_ENCODING: &str = "E-YAML-ENCODING";
    /// A YAML tag (`!!binary`, `!foo`): floe does not interpret tags.
    pub const YAML_TAG: &str = "E-YAML-TAG";
    /// Aliases expand to more nodes than the loader accepts.
    pub const YAML_ALIAS_LIMIT: &str = "E-YAML-ALIAS-LIMIT";
    /// Collections nest deeper than the loader accepts.
    pub const YAML_DEPTH_LIMIT: &str = "E-YAML-DEPTH-LIMIT";
    /// `${…}` that is unterminated or names something other than `var.NAME`.
    pub const VAR_SYNTAX: &str = "E-VAR-SYNTAX";
    /// Variable substitution grows a file past the loader's limit.
    pub const VAR_TOO_LARGE: &str = "E-VAR-TOO-LARGE";
    /// A credential names an environment variable not declared under `secrets:`.
    pub const SECRET_UNDECLARED: &str = "E-SECRET-UNDECLARED";
    /// A secret names a variable floe refuses to hand out (`SNOWFLAKE_*`, `FLOE_*`) or
    /// is not a valid variable name.
    pub const SECRET_RESERVED: &str = "E-SECRET-RESERVED";
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
        let mut shown = ShownSources::new(&self.sources);
        for d in self.items.iter().take(MAX_RENDERED) {
            let report = Report::new(d, &mut shown);
            if handler.render_report(&mut out, &report).is_err() {
                out.push_str(&format!("{}: {}\n", d.code, clip(&d.summary)));
            }
        }
        if let Some(rest) = self.items.get(MAX_RENDERED..).filter(|r| !r.is_empty()) {
            let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
            for d in rest {
                *by_code.entry(d.code).or_default() += 1;
            }
            let counts: Vec<String> = by_code.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
            out.push_str(&format!(
                "… and {} more not shown ({})\n",
                rest.len(),
                counts.join(", ")
            ));
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
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
    /// A secondary location in another file, shown as a note under the main report.
    note: bool,
}

impl Report {
    fn new(d: &Diagnostic, shown: &mut ShownSources) -> Report {
        let mut help = Vec::new();
        if let Some(e) = &d.expected {
            help.push(format!("expected {}", clip(e)));
        }
        if let Some(h) = &d.hint {
            help.push(clip(h));
        }
        let primary_file = d.labels.first().map(|l| l.span.file);
        let mut labels = Vec::new();
        let mut related = Vec::new();
        for l in &d.labels {
            let span = shown.span(l.span);
            let mut text = l.text.as_deref().map(clip);
            if shown.is_cut(l.span) {
                // The snippet's header counts columns of the cut line: say the real one.
                let at = format!("column {}", l.span.column);
                text = Some(match text {
                    Some(t) => format!("{at}: {t}"),
                    None => at,
                });
            }
            if Some(l.span.file) == primary_file {
                labels.push(LabeledSpan::new_with_span(text, span));
            } else {
                related.push(Report {
                    code: d.code,
                    summary: text.unwrap_or_else(|| "related location".into()),
                    help: None,
                    source: shown.excerpt(l.span.file, &[span]),
                    labels: vec![LabeledSpan::new_with_span(None, span)],
                    related: Vec::new(),
                    note: true,
                });
            }
        }
        let spans: Vec<SourceSpan> = labels.iter().map(|l| *l.inner()).collect();
        Report {
            code: d.code,
            summary: clip(&d.summary),
            help: (!help.is_empty()).then(|| help.join("\n")),
            source: primary_file.and_then(|f| shown.excerpt(f, &spans)),
            labels,
            related,
            note: false,
        }
    }
}

/// Most diagnostics rendered in full; the rest are counted by code.
pub const MAX_RENDERED: usize = 200;
/// Longest line (in characters) shown in a snippet; the rest becomes `…`.
pub const MAX_SHOWN_LINE: usize = 200;
/// Longest message (summary, label, help) shown, in characters.
pub const MAX_SHOWN_TEXT: usize = 500;

/// `text`, cut at [`MAX_SHOWN_TEXT`] characters.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_TEXT) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The sources as shown in snippets, built on first use for each file.
struct ShownSources<'a> {
    sources: &'a SourceMap,
    files: Vec<Option<Shown>>,
}

/// A file as shown: its text with long lines cut, and where each line starts in the
/// original and in the copy (`None` when no line is cut and the text is shown as is).
struct Shown {
    text: Arc<str>,
    /// Byte offsets of the shown text's lines.
    line_starts: Vec<usize>,
    lines: Option<Vec<ShownLine>>,
}

struct ShownLine {
    /// Byte offset of the line in the original text.
    start: usize,
    /// Byte offset of the line in the shown text.
    shown_start: usize,
    /// Bytes of the line kept (before any `…`).
    kept: usize,
    cut: bool,
}

impl Shown {
    fn new(text: &Arc<str>) -> Shown {
        let long =
            |line: &str| line.len() > MAX_SHOWN_LINE && line.chars().nth(MAX_SHOWN_LINE).is_some();
        if !text.split('\n').any(long) {
            return Shown {
                line_starts: line_starts(text),
                text: text.clone(),
                lines: None,
            };
        }
        let mut out = String::new();
        let mut lines = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let cut_at = body.char_indices().nth(MAX_SHOWN_LINE).map(|(i, _)| i);
            let kept = cut_at.unwrap_or(body.len());
            lines.push(ShownLine {
                start,
                shown_start: out.len(),
                kept,
                cut: cut_at.is_some(),
            });
            out.push_str(&body[..kept]);
            if cut_at.is_some() {
                out.push('…');
            }
            if line.ends_with('\n') {
                out.push('\n');
            }
            start += line.len();
        }
        Shown {
            line_starts: line_starts(&out),
            text: Arc::from(out),
            lines: Some(lines),
        }
    }

    /// The whole lines holding `from..to` (shown offsets), with a few lines around.
    fn window(&self, from: usize, to: usize) -> (usize, usize, usize) {
        const AROUND: usize = 3;
        let line_of = |o: usize| self.line_starts.partition_point(|&s| s <= o).max(1) - 1;
        let first = line_of(from).saturating_sub(AROUND);
        let last = line_of(to) + AROUND + 1;
        let start = self.line_starts[first];
        let end = self
            .line_starts
            .get(last)
            .copied()
            .unwrap_or(self.text.len());
        (start, end, first)
    }

    /// Where an original byte offset is shown; past a cut, the `…`.
    fn offset(&self, offset: usize) -> usize {
        let Some(lines) = &self.lines else {
            return offset.min(self.text.len());
        };
        let i = lines.partition_point(|l| l.start <= offset).max(1) - 1;
        let line = &lines[i];
        line.shown_start + (offset - line.start).min(line.kept)
    }

    /// A span of the original text, as shown (at least the `…` when it starts past a cut).
    fn span(&self, span: Span) -> SourceSpan {
        let start = self.offset(span.offset);
        let mut end = self.offset(span.offset.saturating_add(span.len)).max(start);
        if end == start
            && span.len > 0
            && let Some(lines) = &self.lines
        {
            let i = lines.partition_point(|l| l.start <= span.offset).max(1) - 1;
            if lines[i].cut && start == lines[i].shown_start + lines[i].kept {
                end = start + '…'.len_utf8();
            }
        }
        SourceSpan::new(start.into(), end - start)
    }
}

impl<'a> ShownSources<'a> {
    fn new(sources: &'a SourceMap) -> ShownSources<'a> {
        ShownSources {
            sources,
            files: Vec::new(),
        }
    }

    fn get(&mut self, file: usize) -> Option<&Shown> {
        let source = self.sources.get(file)?;
        if self.files.len() <= file {
            self.files.resize_with(file + 1, || None);
        }
        Some(self.files[file].get_or_insert_with(|| Shown::new(&source.text.text)))
    }

    fn span(&mut self, span: Span) -> SourceSpan {
        match self.get(span.file) {
            Some(shown) => shown.span(span),
            None => SourceSpan::new(0.into(), 0),
        }
    }

    /// True when the span starts past the cut of a long line.
    fn is_cut(&mut self, span: Span) -> bool {
        let Some(Shown {
            lines: Some(lines), ..
        }) = self.get(span.file)
        else {
            return false;
        };
        let i = lines.partition_point(|l| l.start <= span.offset).max(1) - 1;
        lines[i].cut && span.offset - lines[i].start > lines[i].kept
    }

    /// The lines of `file` around `spans`, for one report.
    fn excerpt(&mut self, file: usize, spans: &[SourceSpan]) -> Option<Excerpt> {
        let name = clip(&self.sources.get(file)?.display);
        let shown = self.get(file)?;
        let from = spans.iter().map(|s| s.offset()).min().unwrap_or(0);
        let to = spans
            .iter()
            .map(|s| s.offset() + s.len())
            .max()
            .unwrap_or(0);
        let (start, end, first_line) = shown.window(from, to);
        Some(Excerpt {
            name,
            text: shown.text.clone(),
            start,
            end,
            first_line,
        })
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    starts
}

/// Some whole lines of a shown file: what miette reads for one report. Offsets and
/// line numbers are those of the whole file.
struct Excerpt {
    name: String,
    text: Arc<str>,
    start: usize,
    end: usize,
    /// 0-based line number of `start`.
    first_line: usize,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = span
            .offset()
            .checked_sub(self.start)
            .ok_or(MietteError::OutOfBounds)?;
        let window: &'a str = &self.text[self.start..self.end];
        let inner = window.read_span(
            &SourceSpan::new(local.into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.start).into(),
                inner.span().len(),
            ),
            inner.line() + self.first_line,
            inner.column(),
            // miette's own sources count lines from the start of the file; labels
            // in one file are merged into one snippet by comparing these counts.
            inner.line_count() + self.first_line,
        )))
    }
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

    fn one_file(text: String) -> Arc<SourceMap> {
        let mut sources = SourceMap::default();
        sources.add(
            "bank.yaml".into(),
            PathBuf::from("bank.yaml"),
            Arc::from(text),
        );
        Arc::new(sources)
    }

    #[test]
    fn labels_far_along_a_long_line_render_without_panicking() {
        let name = "n".repeat(70_000);
        let text = format!("account: bank\nwarehouses: {{ {name}: x }}\n");
        let offset = text.find(&name).unwrap() + 69_000;
        let sources = one_file(text);
        let span = sources
            .get(0)
            .unwrap()
            .text
            .span_of_offset(0, offset, 1_000);
        let d = Diagnostic::new(codes::IDENT_INVALID, format!("invalid name `{name}`"))
            .at(span, format!("`{name}` is too long"))
            .hint(name.clone());
        let rendered = Diagnostics::new(vec![d], sources).to_string();
        assert!(rendered.contains("column 69015"), "{rendered}");
        assert!(rendered.contains("[bank.yaml:2:"), "{rendered}");
        assert!(rendered.len() < 5_000, "{} bytes", rendered.len());
    }

    #[test]
    fn short_lines_are_shown_as_written() {
        let sources = one_file("a: 1\nb: 2\n".to_string());
        let span = sources.get(0).unwrap().text.span_of_offset(0, 8, 1);
        let d = Diagnostic::new(codes::VALUE_INVALID, "bad").at(span, "here");
        let rendered = Diagnostics::new(vec![d], sources).to_string();
        assert!(rendered.contains(" 2 │ b: 2"), "{rendered}");
        assert!(!rendered.contains('…'), "{rendered}");
    }

    #[test]
    fn past_the_rendering_cap_diagnostics_are_counted() {
        let text: String = (0..MAX_RENDERED + 50)
            .map(|i| format!("k{i}: v\n"))
            .collect();
        let sources = one_file(text.clone());
        let file = &sources.get(0).unwrap().text;
        let items = (0..MAX_RENDERED + 50)
            .map(|i| {
                let offset = text.find(&format!("k{i}:")).unwrap();
                let code = if i % 2 == 0 {
                    codes::VALUE_INVALID
                } else {
                    codes::DUPLICATE
                };
                Diagnostic::new(code, format!("bad {i}"))
                    .at(file.span_of_offset(0, offset, 2), "here")
            })
            .collect();
        let rendered = Diagnostics::new(items, sources.clone()).to_string();
        assert_eq!(rendered.matches("× bad").count(), MAX_RENDERED);
        assert!(
            rendered.contains("… and 50 more not shown (E-DUPLICATE ×25, E-VALUE-INVALID ×25)"),
            "{rendered}"
        );
        let total = format!("{} problems found\n", MAX_RENDERED + 50);
        assert!(rendered.ends_with(&total), "{rendered}");
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "é".repeat(MAX_SHOWN_TEXT + 10);
        let cut = clip(&long);
        assert_eq!(cut.chars().count(), MAX_SHOWN_TEXT + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(clip("short"), "short");
    }

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
