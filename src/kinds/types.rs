//! Snowflake data-type spellings, brought to one canonical form.
//!
//! DESCRIBE TABLE and INFORMATION_SCHEMA print types fully resolved (`NUMBER(38,0)`,
//! `VARCHAR(16777216)`, `TIMESTAMP_NTZ(9)`) while manifests use synonyms (`int`,
//! `string`, `timestamp`). [`normalize`] maps every spelling to the resolved form;
//! [`legacy`] drops lengths and precisions, the way SHOW PROCEDURES prints argument
//! types; [`widening_in_place`] says whether a type change can be done with
//! `ALTER COLUMN … SET DATA TYPE`.

/// The resolved form of a type: `string` → `VARCHAR(16777216)`, `int` → `NUMBER(38,0)`.
pub fn normalize(text: &str) -> String {
    let upper = collapse(text).to_ascii_uppercase();
    let (base, args) = split_args(&upper);
    let base = base.trim();
    let args: Vec<String> = args.iter().map(|a| a.trim().to_string()).collect();
    let first = args.first().map(String::as_str);
    match base {
        "VARCHAR" | "STRING" | "TEXT" | "CHAR VARYING" | "NVARCHAR" | "NVARCHAR2"
        | "CHARACTER VARYING" | "NCHAR VARYING" => {
            format!("VARCHAR({})", first.unwrap_or("16777216"))
        }
        "CHAR" | "CHARACTER" | "NCHAR" => format!("VARCHAR({})", first.unwrap_or("1")),
        "NUMBER" | "NUMERIC" | "DECIMAL" | "DEC" => {
            let precision = first.unwrap_or("38");
            let scale = args.get(1).map(String::as_str).unwrap_or("0");
            format!("NUMBER({precision},{scale})")
        }
        "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "BYTEINT" => {
            "NUMBER(38,0)".to_string()
        }
        "FLOAT" | "FLOAT4" | "FLOAT8" | "DOUBLE" | "DOUBLE PRECISION" | "REAL" => {
            "FLOAT".to_string()
        }
        "TIMESTAMP"
        | "DATETIME"
        | "TIMESTAMP_NTZ"
        | "TIMESTAMPNTZ"
        | "TIMESTAMP WITHOUT TIME ZONE" => format!("TIMESTAMP_NTZ({})", first.unwrap_or("9")),
        "TIMESTAMP_LTZ" | "TIMESTAMPLTZ" | "TIMESTAMP WITH LOCAL TIME ZONE" => {
            format!("TIMESTAMP_LTZ({})", first.unwrap_or("9"))
        }
        "TIMESTAMP_TZ" | "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => {
            format!("TIMESTAMP_TZ({})", first.unwrap_or("9"))
        }
        "TIME" => format!("TIME({})", first.unwrap_or("9")),
        "BINARY" | "VARBINARY" => format!("BINARY({})", first.unwrap_or("8388608")),
        "BOOLEAN" | "BOOL" => "BOOLEAN".to_string(),
        _ if args.is_empty() => base.to_string(),
        _ => format!("{base}({})", args.join(",")),
    }
}

/// The legacy form SHOW PROCEDURES/FUNCTIONS prints: the resolved type without its
/// length or precision (`VARCHAR(100)` → `VARCHAR`, `int` → `NUMBER`).
pub fn legacy(text: &str) -> String {
    let resolved = normalize(text);
    match resolved.find('(') {
        Some(i) if !resolved.starts_with("TABLE") => resolved[..i].to_string(),
        _ => resolved,
    }
}

/// True when a column of type `from` can become `to` in place (VARCHAR growth,
/// NUMBER precision growth with the same scale, or the same resolved type).
pub fn widening_in_place(from: &str, to: &str) -> bool {
    let (from, to) = (normalize(from), normalize(to));
    if from == to {
        return true;
    }
    let (fb, fa) = split_args(&from);
    let (tb, ta) = split_args(&to);
    if fb != tb {
        return false;
    }
    let num = |v: &[String], i: usize| v.get(i).and_then(|x| x.trim().parse::<u64>().ok());
    match fb {
        "VARCHAR" => matches!((num(&fa, 0), num(&ta, 0)), (Some(a), Some(b)) if b >= a),
        "NUMBER" => {
            num(&fa, 1) == num(&ta, 1)
                && matches!((num(&fa, 0), num(&ta, 0)), (Some(a), Some(b)) if b >= a)
        }
        _ => false,
    }
}

fn collapse(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // `VARCHAR (10)` and `NUMBER(10, 2)` → no spaces around parentheses and commas.
    out.replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(", ", ",")
}

/// Splits `NUMBER(10,2)` into `("NUMBER", ["10", "2"])`; no parentheses → no args.
fn split_args(text: &str) -> (&str, Vec<String>) {
    match (text.find('('), text.rfind(')')) {
        (Some(open), Some(close)) if close > open && close == text.len() - 1 => (
            text[..open].trim_end(),
            text[open + 1..close]
                .split(',')
                .map(|s| s.trim().to_string())
                .collect(),
        ),
        _ => (text, Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_resolve() {
        for (input, want) in [
            ("varchar", "VARCHAR(16777216)"),
            ("STRING", "VARCHAR(16777216)"),
            ("text", "VARCHAR(16777216)"),
            ("VARCHAR(16777216)", "VARCHAR(16777216)"),
            ("varchar( 30 )", "VARCHAR(30)"),
            ("number", "NUMBER(38,0)"),
            ("int", "NUMBER(38,0)"),
            ("INTEGER", "NUMBER(38,0)"),
            ("decimal(10, 2)", "NUMBER(10,2)"),
            ("number(10)", "NUMBER(10,0)"),
            ("double", "FLOAT"),
            ("real", "FLOAT"),
            ("float", "FLOAT"),
            ("timestamp", "TIMESTAMP_NTZ(9)"),
            ("timestamp_ltz(3)", "TIMESTAMP_LTZ(3)"),
            ("date", "DATE"),
            ("boolean", "BOOLEAN"),
            ("variant", "VARIANT"),
            ("binary", "BINARY(8388608)"),
        ] {
            assert_eq!(normalize(input), want, "{input}");
            assert_eq!(normalize(&normalize(input)), want, "idempotent {input}");
        }
    }

    #[test]
    fn legacy_drops_lengths() {
        assert_eq!(legacy("varchar(100)"), "VARCHAR");
        assert_eq!(legacy("NUMBER(36,2)"), "NUMBER");
        assert_eq!(legacy("int"), "NUMBER");
        assert_eq!(legacy("timestamp"), "TIMESTAMP_NTZ");
        assert_eq!(legacy("float"), "FLOAT");
    }

    #[test]
    fn widening_rules() {
        assert!(widening_in_place("varchar(10)", "varchar(20)"));
        assert!(!widening_in_place("varchar(20)", "varchar(10)"));
        assert!(widening_in_place("number(10,2)", "number(12,2)"));
        assert!(!widening_in_place("number(10,2)", "number(12,3)"));
        assert!(widening_in_place("string", "varchar"));
        assert!(!widening_in_place("varchar", "number"));
    }
}
