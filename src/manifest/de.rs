//! A serde `Deserializer` over [`Node`]s that keeps positions.
//!
//! Errors carry the span of the innermost node involved and the structured facts
//! (unknown field and the fields that were expected, unknown variant, missing field)
//! so diagnostics can suggest the closest valid spelling. [`Deferred`] lets a raw
//! type hold a child subtree un-parsed: containers are deserialized level by level,
//! so one bad object does not hide the problems of its siblings.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Unexpected, Visitor};

use super::yaml::{Node, ScalarStyle, Span, Value, is_null_text, parse_bool};

/// What went wrong while reading a value into a raw type.
#[derive(Debug, Clone, PartialEq)]
pub enum DeErrorKind {
    UnknownField {
        field: String,
        expected: Vec<&'static str>,
    },
    UnknownVariant {
        variant: String,
        expected: Vec<&'static str>,
    },
    MissingField(&'static str),
    DuplicateField(&'static str),
    InvalidType {
        found: String,
        expected: String,
    },
    InvalidValue {
        found: String,
        expected: String,
    },
    Custom(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    pub kind: DeErrorKind,
    pub span: Option<Span>,
}

impl DeError {
    fn at(mut self, span: Span) -> DeError {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DeErrorKind::UnknownField { field, .. } => write!(f, "unknown field `{field}`"),
            DeErrorKind::UnknownVariant { variant, .. } => write!(f, "unknown value `{variant}`"),
            DeErrorKind::MissingField(field) => write!(f, "missing field `{field}`"),
            DeErrorKind::DuplicateField(field) => write!(f, "field `{field}` is given twice"),
            DeErrorKind::InvalidType { found, expected } => {
                write!(f, "expected {expected}, found {found}")
            }
            DeErrorKind::InvalidValue { found, expected } => {
                write!(f, "invalid value {found}, expected {expected}")
            }
            DeErrorKind::Custom(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for DeError {}

fn unexpected_text(unexp: &Unexpected<'_>) -> String {
    match unexp {
        Unexpected::Unit => "null".to_string(),
        Unexpected::Map => "a mapping".to_string(),
        Unexpected::Seq => "a list".to_string(),
        Unexpected::Str(s) => format!("the string `{s}`"),
        other => other.to_string(),
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            kind: DeErrorKind::Custom(msg.to_string()),
            span: None,
        }
    }
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError {
            kind: DeErrorKind::InvalidType {
                found: unexpected_text(&unexp),
                expected: exp.to_string(),
            },
            span: None,
        }
    }
    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError {
            kind: DeErrorKind::InvalidValue {
                found: unexpected_text(&unexp),
                expected: exp.to_string(),
            },
            span: None,
        }
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        DeError {
            kind: DeErrorKind::UnknownField {
                field: field.to_string(),
                expected: expected.to_vec(),
            },
            span: None,
        }
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DeError {
            kind: DeErrorKind::UnknownVariant {
                variant: variant.to_string(),
                expected: expected.to_vec(),
            },
            span: None,
        }
    }
    fn missing_field(field: &'static str) -> Self {
        DeError {
            kind: DeErrorKind::MissingField(field),
            span: None,
        }
    }
    fn duplicate_field(field: &'static str) -> Self {
        DeError {
            kind: DeErrorKind::DuplicateField(field),
            span: None,
        }
    }
}

/// Reads a raw type from a node.
pub fn from_node<T: DeserializeOwned>(node: &Node) -> Result<T, DeError> {
    T::deserialize(NodeDe { node }).map_err(|e: DeError| e.at(node.span))
}

const DEFERRED: &str = "$floe::Deferred";

thread_local! {
    static DEFERRED_SLOT: RefCell<Option<Node>> = const { RefCell::new(None) };
}

/// A child value kept as its YAML node, read later with [`from_node`].
///
/// Its JSON Schema is the schema of `T`, so the published schema describes the
/// whole file while loading reads one object at a time.
#[derive(Clone, Debug)]
pub struct Deferred<T> {
    pub node: Node,
    marker: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Deferred<T> {
    pub fn parse(&self) -> Result<T, DeError> {
        from_node(&self.node)
    }
}

impl<'de, T> Deserialize<'de> for Deferred<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<fn() -> T>);
        impl<'de, T> Visitor<'de> for V<T> {
            type Value = Deferred<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a manifest value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                DEFERRED_SLOT
                    .with(|slot| slot.borrow_mut().take())
                    .map(|node| Deferred {
                        node,
                        marker: PhantomData,
                    })
                    .ok_or_else(|| {
                        E::custom("deferred values can only be read by the manifest loader")
                    })
            }
        }
        deserializer.deserialize_newtype_struct(DEFERRED, V(PhantomData))
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Deferred<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

struct NodeDe<'a> {
    node: &'a Node,
}

impl<'a> NodeDe<'a> {
    fn plain(&self) -> Option<&'a str> {
        match &self.node.value {
            Value::Scalar(s, ScalarStyle::Plain) => Some(s),
            _ => None,
        }
    }

    fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        let result = match &self.node.value {
            Value::Scalar(s, ScalarStyle::Plain) => {
                if is_null_text(s) {
                    visitor.visit_unit()
                } else if let Some(b) = parse_bool(s) {
                    visitor.visit_bool(b)
                } else if let Ok(i) = s.parse::<i64>() {
                    visitor.visit_i64(i)
                } else if let Ok(u) = s.parse::<u64>() {
                    visitor.visit_u64(u)
                } else if let Some(f) = parse_float(s) {
                    visitor.visit_f64(f)
                } else {
                    visitor.visit_str(s)
                }
            }
            Value::Scalar(s, _) => visitor.visit_str(s),
            Value::Seq(items) => visitor.visit_seq(SeqDe {
                items: items.iter(),
            }),
            Value::Map(entries) => visitor.visit_map(MapDe {
                entries: entries.iter(),
                value: None,
            }),
        };
        result.map_err(|e: DeError| e.at(span))
    }
}

fn parse_float(s: &str) -> Option<f64> {
    let looks_numeric = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if looks_numeric { s.parse().ok() } else { None }
}

macro_rules! int_method {
    ($method:ident, $ty:ty, $visit:ident) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.plain().and_then(|s| s.parse::<$ty>().ok()) {
                Some(v) => visitor.$visit(v).map_err(|e: DeError| e.at(self.node.span)),
                None => self.any(visitor),
            }
        }
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.plain().and_then(parse_bool) {
            Some(b) => visitor
                .visit_bool(b)
                .map_err(|e: DeError| e.at(self.node.span)),
            None => self.any(visitor),
        }
    }

    int_method!(deserialize_i8, i64, visit_i64);
    int_method!(deserialize_i16, i64, visit_i64);
    int_method!(deserialize_i32, i64, visit_i64);
    int_method!(deserialize_i64, i64, visit_i64);
    int_method!(deserialize_u8, u64, visit_u64);
    int_method!(deserialize_u16, u64, visit_u64);
    int_method!(deserialize_u32, u64, visit_u64);
    int_method!(deserialize_u64, u64, visit_u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.plain().and_then(parse_float) {
            Some(f) => visitor
                .visit_f64(f)
                .map_err(|e: DeError| e.at(self.node.span)),
            None => self.any(visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Scalar(s, style) if !(*style == ScalarStyle::Plain && is_null_text(s)) => {
                visitor
                    .visit_str(s)
                    .map_err(|e: DeError| e.at(self.node.span))
            }
            _ => self.any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor
                .visit_none()
                .map_err(|e: DeError| e.at(self.node.span))
        } else {
            let span = self.node.span;
            visitor.visit_some(self).map_err(|e: DeError| e.at(span))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let span = self.node.span;
        if name == DEFERRED {
            DEFERRED_SLOT.with(|slot| *slot.borrow_mut() = Some(self.node.clone()));
            visitor.visit_unit().map_err(|e: DeError| e.at(span))
        } else {
            visitor
                .visit_newtype_struct(self)
                .map_err(|e: DeError| e.at(span))
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            // `name:` with nothing after it is an object with every field defaulted.
            return visitor
                .visit_map(MapDe {
                    entries: [].iter(),
                    value: None,
                })
                .map_err(|e: DeError| e.at(self.node.span));
        }
        self.any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        // A derived struct visitor would also take a list, filling the fields by
        // position: `query_wh: [standard, x-small, 300]` must not be a warehouse.
        if let Value::Seq(_) = &self.node.value {
            let err: DeError = de::Error::invalid_type(Unexpected::Seq, &"a map of fields");
            return Err(err.at(self.node.span));
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.value {
            Value::Scalar(s, _) => visitor
                .visit_enum(s.as_str().into_deserializer())
                .map_err(|e: DeError| e.at(span)),
            Value::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                visitor
                    .visit_enum(EnumDe { key, value })
                    .map_err(|e: DeError| e.at(span))
            }
            _ => Err(DeError {
                kind: DeErrorKind::InvalidType {
                    found: self.node.type_name().to_string(),
                    expected: "a name or a mapping with exactly one key".to_string(),
                },
                span: Some(span),
            }),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqDe<'a> {
    items: std::slice::Iter<'a, Node>,
}

impl<'de> de::SeqAccess<'de> for SeqDe<'_> {
    type Error = DeError;
    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => seed
                .deserialize(NodeDe { node })
                .map(Some)
                .map_err(|e: DeError| e.at(node.span)),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
}

impl<'de> de::MapAccess<'de> for MapDe<'_> {
    type Error = DeError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(NodeDe { node: key })
                    .map(Some)
                    .map_err(|e: DeError| e.at(key.span))
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        match self.value.take() {
            Some(node) => seed
                .deserialize(NodeDe { node })
                .map_err(|e: DeError| e.at(node.span)),
            None => Err(de::Error::custom("value without a key")),
        }
    }
}

struct EnumDe<'a> {
    key: &'a Node,
    value: &'a Node,
}

impl<'de, 'a> de::EnumAccess<'de> for EnumDe<'a> {
    type Error = DeError;
    type Variant = NodeDe<'a>;
    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, NodeDe<'a>), DeError> {
        let v = seed
            .deserialize(NodeDe { node: self.key })
            .map_err(|e: DeError| e.at(self.key.span))?;
        Ok((v, NodeDe { node: self.value }))
    }
}

impl<'de> de::VariantAccess<'de> for NodeDe<'_> {
    type Error = DeError;
    fn unit_variant(self) -> Result<(), DeError> {
        if self.node.is_null() {
            Ok(())
        } else {
            Err(DeError {
                kind: DeErrorKind::InvalidType {
                    found: self.node.type_name().to_string(),
                    expected: "nothing".to_string(),
                },
                span: Some(self.node.span),
            })
        }
    }
    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DeError> {
        let span = self.node.span;
        seed.deserialize(self).map_err(|e: DeError| e.at(span))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::yaml::{SourceText, parse};
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Wh {
        size: Option<String>,
        auto_suspend: Option<u64>,
        auto_resume: Option<bool>,
        children: Option<Vec<Deferred<Wh>>>,
    }

    fn node(text: &str) -> Node {
        let src = SourceText::new(Arc::from(text));
        parse(0, &src).ok().and_then(|p| p.root).unwrap()
    }

    #[test]
    fn reads_typed_values() {
        let n = node("size: xsmall\nauto_suspend: 300\nauto_resume: true\n");
        let wh: Wh = from_node(&n).unwrap();
        assert_eq!(wh.size.as_deref(), Some("xsmall"));
        assert_eq!(wh.auto_suspend, Some(300));
        assert_eq!(wh.auto_resume, Some(true));
    }

    #[test]
    fn unknown_field_points_at_the_key() {
        let n = node("size: xsmall\n  \nauto_suspnd: 300\n");
        let err = from_node::<Wh>(&n).unwrap_err();
        match &err.kind {
            DeErrorKind::UnknownField { field, expected } => {
                assert_eq!(field, "auto_suspnd");
                assert!(expected.contains(&"auto_suspend"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.span.map(|s| (s.line, s.column)), Some((3, 1)));
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let n = node("size: xsmall\nauto_suspend: soon\n");
        let err = from_node::<Wh>(&n).unwrap_err();
        assert!(
            matches!(err.kind, DeErrorKind::InvalidType { .. }),
            "{err:?}"
        );
        assert_eq!(err.span.map(|s| (s.line, s.column)), Some((2, 15)));
    }

    #[test]
    fn a_list_is_not_read_as_fields_by_position() {
        let n = node("wh: [xsmall, 300, true]\n");
        #[derive(Deserialize, Debug)]
        struct Outer {
            #[allow(dead_code)]
            wh: Wh,
        }
        let err = from_node::<Outer>(&n).unwrap_err();
        assert!(
            matches!(&err.kind, DeErrorKind::InvalidType { expected, .. } if expected == "a map of fields"),
            "{err:?}"
        );
        assert_eq!(err.span.map(|s| (s.line, s.column)), Some((1, 5)));
    }

    #[test]
    fn deferred_children_are_read_later() {
        let n = node("children:\n  - size: small\n  - bogus: 1\n");
        let wh: Wh = from_node(&n).unwrap();
        let children = wh.children.unwrap();
        assert!(children[0].parse().is_ok());
        let err = children[1].parse().unwrap_err();
        assert_eq!(err.span.map(|s| s.line), Some(3));
    }
}
