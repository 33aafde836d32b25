//! Checking the SQL data types written in manifests (columns, arguments, return types)
//! against what Snowflake accepts, so a type Snowflake would refuse is reported by
//! `validate` with the allowed range instead of failing half-way through `apply`.
//!
//! The limits are Snowflake's documented ones: NUMBER precision 1–38 and scale
//! 0–min(precision, 37); VARCHAR (and its synonyms) 1–134,217,728 characters; BINARY
//! 1–67,108,864 bytes; TIME/TIMESTAMP fractional-second precision 0–9; VECTOR of INT
//! or FLOAT with 1–4,096 dimensions. `TABLE (name type, …)` is a return type only.

use super::names::{DATA_TYPES, split_top_level};

/// Written type names of more than one word, each with the base it stands for.
const MULTI_WORD: &[(&str, &str)] = &[
    ("DOUBLE PRECISION", "DOUBLE"),
    ("CHAR VARYING", "VARCHAR"),
    ("NCHAR VARYING", "VARCHAR"),
    ("CHARACTER VARYING", "VARCHAR"),
    ("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP_NTZ"),
    ("TIMESTAMP WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ"),
    ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP_TZ"),
];

/// Single-word synonyms Snowflake accepts that the suggestion list does not offer.
const MORE_NAMES: &[&str] = &["BOOL", "TIMESTAMPNTZ", "TIMESTAMPLTZ", "TIMESTAMPTZ"];

pub const NUMBER_MAX_PRECISION: u64 = 38;
pub const NUMBER_MAX_SCALE: u64 = 37;
pub const VARCHAR_MAX_LENGTH: u64 = 134_217_728;
pub const BINARY_MAX_LENGTH: u64 = 67_108_864;
pub const TIME_MAX_PRECISION: u64 = 9;
pub const VECTOR_MAX_DIMENSION: u64 = 4_096;

/// Why a written data type is not one Snowflake accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeProblem {
    /// The type name is not a Snowflake type (`base` is the name as read, upper case).
    Unknown { base: String },
    /// A parameter is outside its range: `what` names it, `allowed` gives the range.
    OutOfRange {
        what: String,
        value: String,
        allowed: String,
    },
    /// The text does not have the shape of a type (parameters, parentheses, words).
    Malformed { reason: String, expected: String },
}

impl TypeProblem {
    /// One line for the label under the offending value.
    pub fn label(&self) -> String {
        match self {
            TypeProblem::Unknown { .. } => "not a Snowflake data type".to_string(),
            TypeProblem::OutOfRange { what, value, .. } => {
                format!("{what} {value} is out of range")
            }
            TypeProblem::Malformed { reason, .. } => reason.clone(),
        }
    }

    /// What is allowed instead.
    pub fn expected(&self) -> Option<String> {
        match self {
            TypeProblem::Unknown { .. } => None,
            TypeProblem::OutOfRange { what, allowed, .. } => Some(format!("{what} {allowed}")),
            TypeProblem::Malformed { expected, .. } => Some(expected.clone()),
        }
    }

    /// "did you mean" among the known type names, for unknown names.
    pub fn hint(&self) -> Option<String> {
        match self {
            TypeProblem::Unknown { base } => {
                super::diagnostics::did_you_mean(base, DATA_TYPES.iter().copied())
            }
            _ => None,
        }
    }
}

/// Where a type is written: `TABLE (…)` is allowed only as a routine's return type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    Column,
    Argument,
    Returns,
}

/// Checks a written type (`number(10, 2)`, `varchar`, `table (a int)`).
pub fn check(written: &str, position: Position) -> Result<(), TypeProblem> {
    let text = written.split_whitespace().collect::<Vec<_>>().join(" ");
    let upper = text.to_ascii_uppercase();
    if upper.is_empty() {
        return Err(TypeProblem::Malformed {
            reason: "empty data type".into(),
            expected: "a data type such as `varchar` or `number(38,0)`".into(),
        });
    }
    let (name, args) = split(&upper)?;
    if name == "TABLE" {
        if position != Position::Returns {
            return Err(TypeProblem::Malformed {
                reason: "`TABLE (…)` is a return type".into(),
                expected: "a column or argument type such as `varchar` or `number`".into(),
            });
        }
        return table_columns(args);
    }
    let base = MULTI_WORD
        .iter()
        .find(|(w, _)| *w == name)
        .map(|(_, b)| *b)
        .unwrap_or(name);
    if base.contains(' ') {
        // `varchar not null`, `number foo`: only the type belongs here.
        let first = base.split(' ').next().unwrap_or_default();
        if DATA_TYPES.contains(&first) || MORE_NAMES.contains(&first) {
            return Err(TypeProblem::Malformed {
                reason: format!("unexpected words after `{first}`"),
                expected: "only the data type (nullability and defaults are fields of their own)"
                    .into(),
            });
        }
        return Err(TypeProblem::Unknown { base: first.into() });
    }
    let args: Vec<&str> = match args {
        Some(a) => a.split(',').map(str::trim).collect(),
        None => Vec::new(),
    };
    match base {
        "NUMBER" | "DECIMAL" | "DEC" | "NUMERIC" => {
            at_most(base, &args, 2)?;
            let precision = match args.first() {
                Some(p) => param(p, "precision", 1, NUMBER_MAX_PRECISION)?,
                None => NUMBER_MAX_PRECISION,
            };
            if let Some(s) = args.get(1) {
                param(s, "scale", 0, precision.min(NUMBER_MAX_SCALE))?;
            }
            Ok(())
        }
        "VARCHAR" | "STRING" | "TEXT" | "NVARCHAR" | "NVARCHAR2" | "CHAR" | "CHARACTER"
        | "NCHAR" => {
            at_most(base, &args, 1)?;
            if let Some(n) = args.first() {
                param(n, "length", 1, VARCHAR_MAX_LENGTH)?;
            }
            Ok(())
        }
        "BINARY" | "VARBINARY" => {
            at_most(base, &args, 1)?;
            if let Some(n) = args.first() {
                param(n, "length", 1, BINARY_MAX_LENGTH)?;
            }
            Ok(())
        }
        "TIME" | "DATETIME" | "TIMESTAMP" | "TIMESTAMP_LTZ" | "TIMESTAMP_NTZ" | "TIMESTAMP_TZ"
        | "TIMESTAMPLTZ" | "TIMESTAMPNTZ" | "TIMESTAMPTZ" => {
            at_most(base, &args, 1)?;
            if let Some(n) = args.first() {
                param(n, "precision", 0, TIME_MAX_PRECISION)?;
            }
            Ok(())
        }
        "VECTOR" => {
            if args.len() != 2 || !matches!(args[0], "INT" | "FLOAT") {
                return Err(TypeProblem::Malformed {
                    reason: "VECTOR needs an element type and a dimension".into(),
                    expected: "`vector(int, <dimension>)` or `vector(float, <dimension>)`".into(),
                });
            }
            param(args[1], "dimension", 1, VECTOR_MAX_DIMENSION)?;
            Ok(())
        }
        // Structured and spatial types carry their own parameters (`array(number)`,
        // `geometry(4326)`); their contents are left to Snowflake.
        "ARRAY" | "OBJECT" | "GEOGRAPHY" | "GEOMETRY" | "MAP" => Ok(()),
        _ if DATA_TYPES.contains(&base) || MORE_NAMES.contains(&base) => {
            at_most(base, &args, 0)?;
            Ok(())
        }
        _ => Err(TypeProblem::Unknown { base: base.into() }),
    }
}

/// Splits `NAME(args)` into the name and the text between the parentheses.
fn split(upper: &str) -> Result<(&str, Option<&str>), TypeProblem> {
    let malformed = |reason: &str| TypeProblem::Malformed {
        reason: reason.into(),
        expected: "`name` or `name(parameters)`, e.g. `number(10,2)`".into(),
    };
    let Some(open) = upper.find('(') else {
        if upper.contains(')') {
            return Err(malformed("`)` without `(`"));
        }
        return Ok((upper, None));
    };
    let close = matching_close(upper, open).ok_or_else(|| malformed("unbalanced parentheses"))?;
    if !upper[close + 1..].trim().is_empty() {
        return Err(malformed("text after the closing parenthesis"));
    }
    Ok((upper[..open].trim(), Some(&upper[open + 1..close])))
}

/// The index of the `)` that closes the `(` at `open`.
fn matching_close(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn at_most(base: &str, args: &[&str], n: usize) -> Result<(), TypeProblem> {
    if args.len() <= n {
        return Ok(());
    }
    Err(TypeProblem::Malformed {
        reason: format!("{base} takes {}", plural_params(n)),
        expected: match n {
            0 => format!("`{}`", base.to_ascii_lowercase()),
            1 => format!(
                "`{}` or `{}(<n>)`",
                base.to_ascii_lowercase(),
                base.to_ascii_lowercase()
            ),
            _ => format!(
                "`{b}`, `{b}(<precision>)` or `{b}(<precision>,<scale>)`",
                b = base.to_ascii_lowercase()
            ),
        },
    })
}

fn plural_params(n: usize) -> String {
    match n {
        0 => "no parameters".into(),
        1 => "at most one parameter".into(),
        n => format!("at most {n} parameters"),
    }
}

/// A whole-number parameter within `min..=max`.
fn param(text: &str, what: &str, min: u64, max: u64) -> Result<u64, TypeProblem> {
    let allowed = format!("{min} … {max}");
    let out = || TypeProblem::OutOfRange {
        what: what.into(),
        value: text.into(),
        allowed: allowed.clone(),
    };
    let digits = text.strip_prefix('+').unwrap_or(text);
    if let Some(rest) = digits.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(out());
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TypeProblem::Malformed {
            reason: format!("{what} `{text}` is not a whole number"),
            expected: format!("{what} {allowed}"),
        });
    }
    // More digits than any u64 holds is out of range too.
    match digits.parse::<u64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(out()),
    }
}

/// The columns of `TABLE (name type, …)`.
fn table_columns(args: Option<&str>) -> Result<(), TypeProblem> {
    let expected = "`table (<name> <type>, …)`".to_string();
    let Some(args) = args else {
        return Err(TypeProblem::Malformed {
            reason: "TABLE needs its columns".into(),
            expected,
        });
    };
    if args.trim().is_empty() {
        // `TABLE ()`: a table function whose columns are decided at run time.
        return Ok(());
    }
    for column in split_top_level(args) {
        let column = column.trim();
        let Some((name, ty)) = column.split_once(' ') else {
            return Err(TypeProblem::Malformed {
                reason: format!("column `{column}` has no type"),
                expected,
            });
        };
        if name.is_empty() {
            return Err(TypeProblem::Malformed {
                reason: "a column without a name".into(),
                expected,
            });
        }
        check(ty, Position::Column)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::types::normalize;
    use proptest::prelude::*;

    fn ok(t: &str) -> bool {
        check(t, Position::Column).is_ok()
    }

    #[test]
    fn accepts_what_snowflake_accepts() {
        for t in [
            "varchar",
            "VARCHAR(134217728)",
            "string",
            "text(1)",
            "char(10)",
            "character varying(5)",
            "number",
            "number(38)",
            "number(38, 37)",
            "decimal(10,2)",
            "numeric( 1 , 0 )",
            "int",
            "double precision",
            "float",
            "binary(67108864)",
            "timestamp_ltz(0)",
            "timestamp with time zone",
            "time(9)",
            "date",
            "boolean",
            "variant",
            "object",
            "array",
            "array(number)",
            "vector(float, 256)",
            "geography",
        ] {
            assert!(ok(t), "{t}: {:?}", check(t, Position::Column));
        }
        assert!(check("table (a number, b varchar(10))", Position::Returns).is_ok());
        assert!(check("TABLE ()", Position::Returns).is_ok());
    }

    #[test]
    fn refuses_what_apply_would_refuse() {
        for (t, want) in [
            ("number(99,0)", "precision"),
            ("number(0)", "precision"),
            ("number(5,10)", "scale"),
            ("number(38,38)", "scale"),
            ("varchar(-1)", "length"),
            ("varchar(0)", "length"),
            ("varchar(999999999999)", "length"),
            ("varchar(134217729)", "length"),
            ("binary(67108865)", "length"),
            ("timestamp(10)", "precision"),
            ("time(99999999999999999999999)", "precision"),
            ("vector(int, 4097)", "dimension"),
        ] {
            match check(t, Position::Column) {
                Err(TypeProblem::OutOfRange { what, .. }) => assert_eq!(what, want, "{t}"),
                other => panic!("{t}: {other:?}"),
            }
        }
        for t in [
            "varchar(a)",
            "number(1,2,3)",
            "int(5)",
            "varchar(10",
            "varchar)",
            "varchar(10) x",
            "varchar not null",
            "vector(10)",
            "",
        ] {
            assert!(
                matches!(
                    check(t, Position::Column),
                    Err(TypeProblem::Malformed { .. })
                ),
                "{t}: {:?}",
                check(t, Position::Column)
            );
        }
        assert!(matches!(
            check("floaty", Position::Returns),
            Err(TypeProblem::Unknown { .. })
        ));
        assert_eq!(
            check("floaty", Position::Returns).unwrap_err().hint(),
            Some("did you mean `FLOAT`?".into())
        );
        assert!(matches!(
            check("table (a int)", Position::Column),
            Err(TypeProblem::Malformed { .. })
        ));
        assert!(matches!(
            check("table (a numbr)", Position::Returns),
            Err(TypeProblem::Unknown { .. })
        ));
        assert!(matches!(
            check("table (a number(99))", Position::Returns),
            Err(TypeProblem::OutOfRange { .. })
        ));
    }

    /// Every type written with parameters in range.
    fn valid_type() -> impl Strategy<Value = String> {
        prop_oneof![
            (1u64..=38)
                .prop_flat_map(|p| (Just(p), 0u64..=p.min(37)))
                .prop_map(|(p, s)| format!("number({p}, {s})")),
            (1u64..=38).prop_map(|p| format!("decimal({p})")),
            (1u64..=VARCHAR_MAX_LENGTH).prop_map(|n| format!("varchar({n})")),
            (1u64..=VARCHAR_MAX_LENGTH).prop_map(|n| format!("char({n})")),
            (1u64..=BINARY_MAX_LENGTH).prop_map(|n| format!("binary({n})")),
            (0u64..=9).prop_map(|n| format!("timestamp_tz({n})")),
            (0u64..=9).prop_map(|n| format!("time({n})")),
            prop::sample::select(vec![
                "int",
                "string",
                "text",
                "float",
                "double",
                "boolean",
                "date",
                "variant",
                "timestamp",
                "datetime",
                "binary",
                "real",
            ])
            .prop_map(String::from),
        ]
    }

    proptest! {
        /// What validate accepts renders (normalized) to a type that is accepted again
        /// and renders to itself.
        #[test]
        fn rendered_types_reparse_to_themselves(t in valid_type()) {
            prop_assert!(ok(&t), "{t}");
            let rendered = normalize(&t);
            prop_assert!(ok(&rendered), "{t} → {rendered}");
            prop_assert_eq!(normalize(&rendered), rendered.clone());
        }

        /// Out-of-range NUMBER/VARCHAR parameters are always refused, whatever the size.
        #[test]
        fn out_of_range_parameters_are_refused(p in 39u64.., n in (VARCHAR_MAX_LENGTH + 1)..) {
            let out_of_range = |t: &str| matches!(check(t, Position::Column), Err(TypeProblem::OutOfRange { .. }));
            let (number, varchar, scale) = (
                format!("number({p})"),
                format!("varchar({n})"),
                format!("number(10, {p})"),
            );
            prop_assert!(out_of_range(&number), "{}", number);
            prop_assert!(out_of_range(&varchar), "{}", varchar);
            prop_assert!(out_of_range(&scale), "{}", scale);
        }

        /// No text makes the checker panic.
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = check(&s, Position::Returns);
            let _ = check(&s, Position::Column);
        }
    }
}
