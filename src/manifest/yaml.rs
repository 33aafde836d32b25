//! YAML parsing into a tree of nodes that remember where they were written.
//!
//! This is the only module that names the YAML crate. Every node carries the
//! [`Span`] of its value (and, for mapping values, of its key) so that both syntax
//! errors and later semantic errors point at a file, line and column.
//!
//! The builder is bounded, since manifests may come from anyone who can open a pull
//! request: aliases may add at most [`MAX_ALIAS_NODES`] nodes and [`MAX_ALIAS_BYTES`]
//! bytes of text to a project (an [`AliasBudget`] shared by its files; a "billion
//! laughs" file stops at the first alias past the cap), collections nest at
//! most [`MAX_DEPTH`] deep (later stages walk the tree recursively), and tags
//! (`!!binary`, `!foo`) are reported rather than silently read as plain values.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::diagnostics::codes;

/// Most nodes that aliases (`*name`) may add to a file's tree, counting every node
/// of every expanded subtree.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// Most bytes of scalar text that aliases may add.
pub const MAX_ALIAS_BYTES: usize = 16 << 20;

/// What aliases may still add to a project's trees.
#[derive(Debug, Clone)]
pub struct AliasBudget {
    pub nodes: usize,
    pub bytes: usize,
}

impl Default for AliasBudget {
    fn default() -> AliasBudget {
        AliasBudget {
            nodes: MAX_ALIAS_NODES,
            bytes: MAX_ALIAS_BYTES,
        }
    }
}
/// Deepest nesting of collections (a scalar at the top level has depth 1).
pub const MAX_DEPTH: usize = 64;

/// A position in one source file: byte offset and length for snippets, plus the
/// 1-based line and column shown to users.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: usize,
    pub offset: usize,
    pub len: usize,
    pub line: usize,
    pub column: usize,
}

/// How a scalar was written; plain scalars are resolved to null/bool/number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ScalarStyle {
    Plain,
    Quoted,
    Block,
}

#[derive(Clone, Debug)]
pub enum Value {
    Scalar(String, ScalarStyle),
    /// Children are shared so that cloning a subtree (kept for messages) is cheap.
    Seq(Arc<Vec<Node>>),
    /// Entries in the order written.
    Map(Arc<Vec<(Node, Node)>>),
}

/// One YAML value and where it was written.
#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

impl Node {
    /// True for `~`, `null` and empty plain scalars.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s, ScalarStyle::Plain) if is_null_text(s))
    }

    /// The text of a scalar node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// A mapping's entry by key text.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A mapping's entry (key node and value node) by key text.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// A sequence's item by position.
    pub fn index(&self, i: usize) -> Option<&Node> {
        match &self.value {
            Value::Seq(items) => items.get(i),
            _ => None,
        }
    }

    /// Follows a path of mapping keys; `None` when any step is missing.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// A short description of the value's YAML type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(s, ScalarStyle::Plain) => {
                if is_null_text(s) {
                    "null"
                } else if parse_bool(s).is_some() {
                    "a boolean"
                } else if s.parse::<i64>().is_ok() || s.parse::<f64>().is_ok() {
                    "a number"
                } else {
                    "a string"
                }
            }
            Value::Scalar(..) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Applies `f` to every scalar string in the tree (values and keys).
    pub fn for_each_scalar_mut(&mut self, f: &mut dyn FnMut(&mut String, Span)) {
        let span = self.span;
        match &mut self.value {
            Value::Scalar(s, _) => f(s, span),
            Value::Seq(items) => Arc::make_mut(items)
                .iter_mut()
                .for_each(|n| n.for_each_scalar_mut(f)),
            Value::Map(entries) => {
                for (_, v) in Arc::make_mut(entries).iter_mut() {
                    v.for_each_scalar_mut(f);
                }
            }
        }
    }
}

pub fn is_null_text(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A source file's text with a line index for turning markers into byte offsets.
///
/// Lookups take time independent of the line's length (a file may be one long line):
/// ASCII text maps columns to bytes directly; other text keeps the byte offset of
/// every [`CHECKPOINT`]-th character.
#[derive(Debug)]
pub struct SourceText {
    pub text: Arc<str>,
    line_starts: Vec<usize>,
    /// For non-ASCII text: the character index of each line start, and the byte
    /// offset of characters `0, CHECKPOINT, 2·CHECKPOINT, …`.
    char_index: Option<(Vec<usize>, Vec<usize>)>,
}

const CHECKPOINT: usize = 64;

impl SourceText {
    pub fn new(text: Arc<str>) -> SourceText {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let char_index = (!text.is_ascii()).then(|| {
            let mut line_chars = Vec::with_capacity(line_starts.len());
            let mut checkpoints = Vec::new();
            line_chars.push(0);
            for (n, (i, c)) in text.char_indices().enumerate() {
                if n % CHECKPOINT == 0 {
                    checkpoints.push(i);
                }
                if c == '\n' {
                    line_chars.push(n + 1);
                }
            }
            (line_chars, checkpoints)
        });
        SourceText {
            text,
            line_starts,
            char_index,
        }
    }

    /// Byte offset of a 1-based line and a 0-based character column.
    pub fn offset(&self, line: usize, char_col: usize) -> usize {
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let Some((line_chars, checkpoints)) = &self.char_index else {
            return start.saturating_add(char_col).min(self.text.len());
        };
        let Some(first) = line_chars.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let wanted = first + char_col;
        let Some(&from) = checkpoints.get(wanted / CHECKPOINT) else {
            return self.text.len();
        };
        self.text[from..]
            .char_indices()
            .nth(wanted % CHECKPOINT)
            .map(|(i, _)| from + i)
            .unwrap_or(self.text.len())
    }

    /// Byte offset where the line holding `offset` ends (its `\n`, or the end of text).
    fn line_end(&self, offset: usize) -> usize {
        let next = self.line_starts.partition_point(|&s| s <= offset);
        self.line_starts
            .get(next)
            .map(|s| s - 1)
            .unwrap_or(self.text.len())
    }

    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map(|t| t.chars().count())
            .unwrap_or(0)
            + 1;
        (line, column)
    }

    /// The span of `len` bytes at a byte offset.
    pub fn span_of_offset(&self, file: usize, offset: usize, len: usize) -> Span {
        let (line, column) = self.position(offset);
        Span {
            file,
            offset,
            len,
            line,
            column,
        }
    }

    /// The span of `len` bytes starting at a marker's position (clamped to the line).
    fn span_at(&self, file: usize, line: usize, char_col: usize, len: usize) -> Span {
        let offset = self.offset(line, char_col);
        let line_end = self.line_end(offset).max(offset);
        Span {
            file,
            offset,
            len: len
                .min(line_end - offset)
                .max(usize::from(offset < line_end)),
            line,
            column: char_col + 1,
        }
    }
}

/// A file the builder refuses: a syntax error, or a limit passed.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// `E-YAML-SYNTAX`, `E-YAML-ALIAS-LIMIT` or `E-YAML-DEPTH-LIMIT`.
    pub code: &'static str,
    pub message: String,
    pub span: Span,
}

/// A tag written on a node, e.g. `!!binary`.
#[derive(Debug, Clone)]
pub struct TagUse {
    /// The tag as written in its usual short form.
    pub tag: String,
    pub span: Span,
}

/// A mapping that holds the same key twice.
#[derive(Debug, Clone)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

/// The result of parsing one file: the root node (`None` for an empty file) and any
/// duplicate keys found.
pub struct Parsed {
    pub root: Option<Node>,
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Where a second document starts (`---`), if the file has more than one.
    pub extra_document: Option<Span>,
    /// Every tag written in the first document.
    pub tags: Vec<TagUse>,
}

/// Parses the first document of `source`, with an alias budget of its own.
pub fn parse(file: usize, source: &SourceText) -> Result<Parsed, SyntaxError> {
    parse_within(file, source, &mut AliasBudget::default())
}

/// Parses the first document of `source`, spending from `budget` for aliases.
pub fn parse_within(
    file: usize,
    source: &SourceText,
    budget: &mut AliasBudget,
) -> Result<Parsed, SyntaxError> {
    let mut builder = Builder {
        file,
        source,
        stack: Vec::new(),
        root: None,
        anchors: BTreeMap::new(),
        duplicate_keys: Vec::new(),
        documents: 0,
        extra_document: None,
        tags: Vec::new(),
        budget,
        refused: None,
    };
    // Events are pulled one at a time (the crate's own `load` recurses once per
    // nesting level, which a deep enough file turns into a stack overflow), and
    // reading stops at the first limit passed.
    let mut parser = Parser::new_from_str(&source.text);
    loop {
        match parser.next_token() {
            Ok((ev, mark)) => {
                let end = ev == Event::StreamEnd;
                builder.on_event(ev, mark);
                if let Some(e) = builder.refused {
                    return Err(e);
                }
                if end {
                    break;
                }
            }
            Err(e) => {
                let m = e.marker();
                return Err(SyntaxError {
                    code: codes::YAML_SYNTAX,
                    message: e.info().to_string(),
                    span: source.span_at(file, m.line(), m.col(), 1),
                });
            }
        }
    }
    Ok(Parsed {
        root: builder.root,
        duplicate_keys: builder.duplicate_keys,
        extra_document: builder.extra_document,
        tags: builder.tags,
    })
}

/// How big a subtree is once aliases are expanded: its node count, bytes of scalar
/// text and height.
#[derive(Clone, Copy, Default)]
struct Extent {
    nodes: usize,
    bytes: usize,
    height: usize,
}

impl Extent {
    fn leaf(bytes: usize) -> Extent {
        Extent {
            nodes: 1,
            bytes,
            height: 1,
        }
    }
    fn add_child(&mut self, child: Extent) {
        self.nodes = self.nodes.saturating_add(child.nodes);
        self.bytes = self.bytes.saturating_add(child.bytes);
        self.height = self.height.max(child.height);
    }
    /// A collection with these children: one more node, one level higher.
    fn collection(self) -> Extent {
        Extent {
            nodes: self.nodes.saturating_add(1),
            bytes: self.bytes,
            height: self.height + 1,
        }
    }
}

enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        items: Vec<Node>,
        children: Extent,
    },
    Map {
        span: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        /// Index of `entries` by key text, so duplicate keys are found in constant time.
        keys: HashMap<String, usize>,
        children: Extent,
    },
}

impl Frame {
    fn children(&mut self) -> &mut Extent {
        match self {
            Frame::Seq { children, .. } | Frame::Map { children, .. } => children,
        }
    }
}

struct Builder<'a> {
    file: usize,
    source: &'a SourceText,
    budget: &'a mut AliasBudget,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: BTreeMap<usize, (Node, Extent)>,
    duplicate_keys: Vec<DuplicateKey>,
    documents: usize,
    extra_document: Option<Span>,
    tags: Vec<TagUse>,
    /// Set when a limit is passed; every later event is ignored.
    refused: Option<SyntaxError>,
}

/// A tag in its usual short form (`!!binary`, `!foo`, `!<tag:…>`).
fn tag_text(tag: &Tag) -> String {
    match tag.handle.as_str() {
        "tag:yaml.org,2002:" | "!!" => format!("!!{}", tag.suffix),
        "!" => format!("!{}", tag.suffix),
        handle => format!("!<{handle}{}>", tag.suffix),
    }
}

impl Builder<'_> {
    fn span(&self, mark: Marker, len: usize) -> Span {
        self.source.span_at(self.file, mark.line(), mark.col(), len)
    }

    /// A flow collection (`[…]`, `{…}`) spans its brackets (on its first line); a block
    /// collection is shown at its first entry.
    fn collection_span(&self, start: Span, end: Marker, first: Option<Span>) -> Span {
        let text = &self.source.text;
        let opener = text.as_bytes().get(start.offset).copied();
        if matches!(opener, Some(b'[') | Some(b'{')) {
            let end_offset = self.source.offset(end.line(), end.col());
            let line_end = self.source.line_end(start.offset);
            let stop = (end_offset + 1).min(line_end).max(start.offset + 1);
            Span {
                len: stop - start.offset,
                ..start
            }
        } else {
            first.unwrap_or(start)
        }
    }

    fn push_node(&mut self, node: Node, extent: Extent) {
        if let Some(frame) = self.stack.last_mut() {
            frame.children().add_child(extent);
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                keys,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if let Some(text) = key.as_str() {
                        match keys.get(text) {
                            Some(&i) => self.duplicate_keys.push(DuplicateKey {
                                key: text.to_string(),
                                first: entries[i].0.span,
                                second: key.span,
                            }),
                            None => {
                                keys.insert(text.to_string(), entries.len());
                            }
                        }
                    }
                    entries.push((key, node));
                }
            },
        }
    }

    fn finish(&mut self, node: Node, anchor: usize, extent: Extent) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), extent));
        }
        self.push_node(node, extent);
    }

    fn refuse(&mut self, code: &'static str, message: String, span: Span) {
        self.refused = Some(SyntaxError {
            code,
            message,
            span,
        });
    }

    /// Records a tag; floe reads no tags, so each one is reported.
    fn tag(&mut self, tag: Option<Tag>, mark: Marker) {
        if let Some(tag) = tag {
            let tag = tag_text(&tag);
            let span = self.tag_span(&tag, mark);
            self.tags.push(TagUse { tag, span });
        }
    }

    /// Where a tag is written: the parser marks the tagged value, so the tag is
    /// looked for just before it (falling back to the value).
    fn tag_span(&self, tag: &str, mark: Marker) -> Span {
        let at = self.span(mark, 1);
        let text = &self.source.text;
        let mut from = at.offset.saturating_sub(1024);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        match text[from..at.offset].rfind(tag) {
            Some(i) => self.source.span_of_offset(self.file, from + i, tag.len()),
            None => at,
        }
    }

    /// Refuses a collection that would open deeper than [`MAX_DEPTH`].
    fn too_deep(&mut self, mark: Marker) -> bool {
        if self.stack.len() < MAX_DEPTH {
            return false;
        }
        let span = self.span(mark, 1);
        self.refuse(
            codes::YAML_DEPTH_LIMIT,
            format!("collections nest more than {MAX_DEPTH} levels deep here"),
            span,
        );
        true
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.refused.is_some() {
            return;
        }
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents == 2 {
                    self.extra_document = Some(self.span(mark, 3));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if self.documents > 1 {
                    return;
                }
                self.tag(tag, mark);
                let (style, len) = match style {
                    TScalarStyle::Plain => (ScalarStyle::Plain, text.len().max(1)),
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                        (ScalarStyle::Quoted, text.len() + 2)
                    }
                    TScalarStyle::Literal | TScalarStyle::Folded => (ScalarStyle::Block, 1),
                };
                let extent = Extent::leaf(text.len());
                let node = Node {
                    span: self.span(mark, len),
                    value: Value::Scalar(text, style),
                };
                self.finish(node, anchor, extent);
            }
            Event::Alias(id) => {
                if self.documents > 1 {
                    return;
                }
                let span = self.span(mark, 1);
                let extent = match self.anchors.get(&id) {
                    Some((_, extent)) => *extent,
                    None => Extent::leaf(0),
                };
                if extent.nodes > self.budget.nodes || extent.bytes > self.budget.bytes {
                    self.refuse(
                        codes::YAML_ALIAS_LIMIT,
                        format!(
                            "aliases expand past {MAX_ALIAS_NODES} nodes or {MAX_ALIAS_BYTES} bytes (in the whole project) here"
                        ),
                        span,
                    );
                    return;
                }
                self.budget.nodes -= extent.nodes;
                self.budget.bytes -= extent.bytes;
                if self.stack.len() + extent.height > MAX_DEPTH {
                    self.refuse(
                        codes::YAML_DEPTH_LIMIT,
                        format!("this alias nests collections more than {MAX_DEPTH} levels deep"),
                        span,
                    );
                    return;
                }
                let value = match self.anchors.get(&id) {
                    Some((n, _)) => n.value.clone(),
                    None => Value::Scalar(String::new(), ScalarStyle::Plain),
                };
                self.push_node(Node { span, value }, extent);
            }
            Event::SequenceStart(anchor, tag) => {
                if self.documents > 1 || self.too_deep(mark) {
                    return;
                }
                self.tag(tag, mark);
                let span = self.span(mark, 1);
                self.stack.push(Frame::Seq {
                    span,
                    anchor,
                    items: Vec::new(),
                    children: Extent::default(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                if self.documents > 1 || self.too_deep(mark) {
                    return;
                }
                self.tag(tag, mark);
                let span = self.span(mark, 1);
                self.stack.push(Frame::Map {
                    span,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                    keys: HashMap::new(),
                    children: Extent::default(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if self.documents > 1 {
                    return;
                }
                match self.stack.pop() {
                    Some(Frame::Seq {
                        span,
                        anchor,
                        items,
                        children,
                    }) => {
                        let first = items.first().map(|n| n.span);
                        let span = self.collection_span(span, mark, first);
                        self.finish(
                            Node {
                                span,
                                value: Value::Seq(Arc::new(items)),
                            },
                            anchor,
                            children.collection(),
                        )
                    }
                    Some(Frame::Map {
                        span,
                        anchor,
                        entries,
                        children,
                        ..
                    }) => {
                        let first = entries.first().map(|(k, _)| k.span);
                        let span = self.collection_span(span, mark, first);
                        self.finish(
                            Node {
                                span,
                                value: Value::Map(Arc::new(entries)),
                            },
                            anchor,
                            children.collection(),
                        )
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Parsed {
        let src = SourceText::new(Arc::from(text));
        match parse(0, &src) {
            Ok(p) => p,
            Err(e) => panic!("syntax error: {}", e.message),
        }
    }

    #[test]
    fn spans_are_one_based_lines_and_columns() {
        let p = parse_str("a:\n  bb: 1\n  cc: [x, 'y']\n");
        let root = p.root.unwrap();
        let (k, v) = root.get("a").unwrap().entry("cc").unwrap();
        assert_eq!((k.span.line, k.span.column), (3, 3));
        assert_eq!(v.span.line, 3);
        match &v.value {
            Value::Seq(items) => {
                assert_eq!(items[1].span.column, 11);
                assert_eq!(items[1].as_str(), Some("y"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let p = parse_str("a: 1\nb: 2\na: 3\n");
        assert_eq!(p.duplicate_keys.len(), 1);
        assert_eq!(p.duplicate_keys[0].first.line, 1);
        assert_eq!(p.duplicate_keys[0].second.line, 3);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let src = SourceText::new(Arc::from("a: [1, 2\nb: 3\n"));
        let err = parse(0, &src).err().unwrap();
        assert!(err.span.line >= 2, "{err:?}");
    }

    #[test]
    fn a_second_document_is_noticed() {
        let p = parse_str("a: 1\n---\nb: 2\n");
        assert_eq!(p.extra_document.map(|s| s.line), Some(2));
        assert!(p.root.unwrap().get("b").is_none());
        assert!(parse_str("---\na: 1\n").extra_document.is_none());
    }

    #[test]
    fn tags_are_recorded_where_written() {
        let p = parse_str("a: !!binary aGk=\nb: !foo\n  c: 1\n");
        let tags: Vec<(String, usize, usize)> = p
            .tags
            .iter()
            .map(|t| (t.tag.clone(), t.span.line, t.span.column))
            .collect();
        assert_eq!(
            tags,
            [("!!binary".to_string(), 1, 4), ("!foo".to_string(), 2, 4)]
        );
    }

    #[test]
    fn aliases_and_nesting_are_capped() {
        let refuse = |text: &str| {
            let src = SourceText::new(Arc::from(text));
            parse(0, &src).err().map(|e| (e.code, e.span.line))
        };
        // Each level multiplies by ten: `l4` (line 5) passes 100,000 nodes.
        let mut laughs = String::from("l0: &l0 [a, a, a, a, a, a, a, a, a]\n");
        for i in 1..8 {
            let refs = vec![format!("*l{}", i - 1); 10].join(", ");
            laughs.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
        }
        assert_eq!(refuse(&laughs), Some((codes::YAML_ALIAS_LIMIT, 5)));
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(refuse(&deep).map(|r| r.0), Some(codes::YAML_DEPTH_LIMIT));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(refuse(&ok), None);
        // An alias cannot carry a deep anchor deeper than the cap.
        let half = MAX_DEPTH / 2 + 1;
        let nested = format!(
            "a: &x {}{}\nb: {}*x{}\n",
            "[".repeat(half),
            "]".repeat(half),
            "[".repeat(half),
            "]".repeat(half)
        );
        assert_eq!(refuse(&nested).map(|r| r.0), Some(codes::YAML_DEPTH_LIMIT));
    }

    #[test]
    fn offsets_are_exact_far_along_non_ascii_lines() {
        let line = "é".repeat(1_000);
        let src = SourceText::new(Arc::from(format!("x\n{line}\n")));
        assert_eq!(src.offset(2, 0), 2);
        assert_eq!(src.offset(2, 777), 2 + 777 * 2);
        assert_eq!(src.offset(3, 0), 2 + 2_000 + 1);
        assert_eq!(src.offset(9, 0), src.text.len());
        let ascii = SourceText::new(Arc::from("ab\ncd\n"));
        assert_eq!(ascii.offset(2, 1), 4);
        assert_eq!(ascii.offset(2, 99), 6);
    }

    #[test]
    fn byte_offsets_handle_multibyte_text() {
        let src = SourceText::new(Arc::from("a: é\nbb: x\n"));
        assert_eq!(src.offset(2, 4), "a: é\nbb: ".len());
    }
}
