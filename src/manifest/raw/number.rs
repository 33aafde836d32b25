//! Whole numbers as written, including those too large for any machine integer.
//!
//! A numeric property is read into [`WholeNumber`] rather than `u32`/`u64`, so that
//! `auto_suspend: 9223372036854775808` is not a deserialization error without a range
//! (or a silent wrap) but a value that lowering reports against the property's
//! documented range, at the value's line and column.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, de};

/// A whole number written in a manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WholeNumber {
    /// Fits a signed 64-bit integer.
    Fits(i64),
    /// Larger than any signed 64-bit integer.
    TooLarge,
    /// Smaller than any signed 64-bit integer.
    TooSmall,
}

impl WholeNumber {
    /// The value when it lies in `min..=max`.
    pub fn within(self, min: i64, max: i64) -> Option<i64> {
        match self {
            WholeNumber::Fits(v) if (min..=max).contains(&v) => Some(v),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = WholeNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<WholeNumber, E> {
                Ok(WholeNumber::Fits(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WholeNumber, E> {
                Ok(i64::try_from(v).map_or(WholeNumber::TooLarge, WholeNumber::Fits))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<WholeNumber, E> {
                // Plain scalars beyond 64 bits arrive as floats; a fraction is not whole.
                if !v.is_finite() || v.fract() != 0.0 {
                    return Err(E::invalid_type(de::Unexpected::Float(v), &self));
                }
                // 2^63 is exact as a float; i64 holds [-2^63, 2^63).
                const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
                Ok(if v >= TWO_POW_63 {
                    WholeNumber::TooLarge
                } else if v < -TWO_POW_63 {
                    WholeNumber::TooSmall
                } else {
                    WholeNumber::Fits(v as i64)
                })
            }
        }
        d.deserialize_i64(V)
    }
}

impl JsonSchema for WholeNumber {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WholeNumber".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::manifest::de::from_node;
    use crate::manifest::yaml::{SourceText, parse};

    fn read(text: &str) -> Result<WholeNumber, String> {
        let src = SourceText::new(Arc::from(format!("v: {text}\n").as_str()));
        let root = parse(0, &src).ok().and_then(|p| p.root).unwrap();
        from_node::<WholeNumber>(root.get("v").unwrap()).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_any_size() {
        assert_eq!(read("300"), Ok(WholeNumber::Fits(300)));
        assert_eq!(read("-1"), Ok(WholeNumber::Fits(-1)));
        assert_eq!(read("9223372036854775807"), Ok(WholeNumber::Fits(i64::MAX)));
        assert_eq!(read("9223372036854775808"), Ok(WholeNumber::TooLarge));
        assert_eq!(read("99999999999999999999999"), Ok(WholeNumber::TooLarge));
        assert_eq!(read("-99999999999999999999999"), Ok(WholeNumber::TooSmall));
        assert!(read("1.5").is_err());
        assert!(read("'300'").is_err());
        assert!(read("ten").is_err());
        assert_eq!(WholeNumber::Fits(5).within(0, 10), Some(5));
        assert_eq!(WholeNumber::Fits(11).within(0, 10), None);
        assert_eq!(WholeNumber::TooLarge.within(0, i64::MAX), None);
    }
}
