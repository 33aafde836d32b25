//! YAML parsing into a tree of nodes that remember where they were written.
//!
//! This is the only module that names the YAML crate. Every node carries the
//! [`Span`] of its value (and, for mapping values, of its key) so that both syntax
//! errors and later semantic errors point at a file, line and column.

use std::collections::BTreeMap;
use std::sync::Arc;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

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
#[derive(Debug)]
pub struct SourceText {
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceText {
    pub fn new(text: Arc<str>) -> SourceText {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceText { text, line_starts }
    }

    /// Byte offset of a 1-based line and a 0-based character column.
    pub fn offset(&self, line: usize, char_col: usize) -> usize {
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(char_col)
            .map(|(i, _)| start + i)
            .unwrap_or_else(|| start + rest.len())
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
        let line_end = self.text[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(self.text.len());
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

/// A YAML syntax error.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
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
}

/// Parses the first document of `source`.
pub fn parse(file: usize, source: &SourceText) -> Result<Parsed, SyntaxError> {
    let mut builder = Builder {
        file,
        source,
        stack: Vec::new(),
        root: None,
        anchors: BTreeMap::new(),
        duplicate_keys: Vec::new(),
        documents: 0,
    };
    let mut parser = Parser::new_from_str(&source.text);
    if let Err(e) = parser.load(&mut builder, false) {
        let m = e.marker();
        return Err(SyntaxError {
            message: e.info().to_string(),
            span: source.span_at(file, m.line(), m.col(), 1),
        });
    }
    Ok(Parsed {
        root: builder.root,
        duplicate_keys: builder.duplicate_keys,
    })
}

enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        span: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
    },
}

struct Builder<'a> {
    file: usize,
    source: &'a SourceText,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: BTreeMap<usize, Node>,
    duplicate_keys: Vec<DuplicateKey>,
    documents: usize,
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
            let line_end = text[start.offset..]
                .find('\n')
                .map(|i| start.offset + i)
                .unwrap_or(text.len());
            let stop = (end_offset + 1).min(line_end).max(start.offset + 1);
            Span {
                len: stop - start.offset,
                ..start
            }
        } else {
            first.unwrap_or(start)
        }
    }

    fn push_node(&mut self, node: Node) {
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
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if let Some(text) = key.as_str()
                        && let Some((first, _)) =
                            entries.iter().find(|(k, _)| k.as_str() == Some(text))
                    {
                        self.duplicate_keys.push(DuplicateKey {
                            key: text.to_string(),
                            first: first.span,
                            second: key.span,
                        });
                    }
                    entries.push((key, node));
                }
            },
        }
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.push_node(node);
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::DocumentStart => self.documents += 1,
            Event::Scalar(text, style, anchor, _tag) => {
                if self.documents > 1 {
                    return;
                }
                let (style, len) = match style {
                    TScalarStyle::Plain => (ScalarStyle::Plain, text.len().max(1)),
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                        (ScalarStyle::Quoted, text.len() + 2)
                    }
                    TScalarStyle::Literal | TScalarStyle::Folded => (ScalarStyle::Block, 1),
                };
                let node = Node {
                    span: self.span(mark, len),
                    value: Value::Scalar(text, style),
                };
                self.finish(node, anchor);
            }
            Event::Alias(id) => {
                if self.documents > 1 {
                    return;
                }
                let span = self.span(mark, 1);
                let node = match self.anchors.get(&id) {
                    Some(n) => Node {
                        span,
                        value: n.value.clone(),
                    },
                    None => Node {
                        span,
                        value: Value::Scalar(String::new(), ScalarStyle::Plain),
                    },
                };
                self.push_node(node);
            }
            Event::SequenceStart(anchor, _) => {
                if self.documents > 1 {
                    return;
                }
                let span = self.span(mark, 1);
                self.stack.push(Frame::Seq {
                    span,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                if self.documents > 1 {
                    return;
                }
                let span = self.span(mark, 1);
                self.stack.push(Frame::Map {
                    span,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
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
                    }) => {
                        let first = items.first().map(|n| n.span);
                        let span = self.collection_span(span, mark, first);
                        self.finish(
                            Node {
                                span,
                                value: Value::Seq(Arc::new(items)),
                            },
                            anchor,
                        )
                    }
                    Some(Frame::Map {
                        span,
                        anchor,
                        entries,
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
    fn byte_offsets_handle_multibyte_text() {
        let src = SourceText::new(Arc::from("a: é\nbb: x\n"));
        assert_eq!(src.offset(2, 4), "a: é\nbb: ".len());
    }
}
