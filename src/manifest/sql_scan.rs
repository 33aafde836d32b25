//! A light scan of SQL text written in manifests (task bodies and WHEN conditions).
//!
//! Not a parser: it skips comments, string literals and `$$` blocks, and finds the
//! few things floe checks before anything runs — stage references (`@stage`), streams
//! in `SYSTEM$STREAM_HAS_DATA('…')`, and `FROM '<text>'` where a table was meant.

/// A piece of SQL text found by the scan and where it starts (byte offset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub text: String,
    pub offset: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token<'a> {
    Word(&'a str, usize),
    Str(&'a str, usize),
    Stage(&'a str, usize),
    Punct(char, usize),
}

fn tokens(sql: &str) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            i = sql[i..].find('\n').map(|n| i + n).unwrap_or(bytes.len());
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i = sql[i + 2..]
                .find("*/")
                .map(|n| i + 2 + n + 2)
                .unwrap_or(bytes.len());
        } else if c == b'$' && bytes.get(i + 1) == Some(&b'$') {
            i = sql[i + 2..]
                .find("$$")
                .map(|n| i + 2 + n + 2)
                .unwrap_or(bytes.len());
        } else if c == b'\'' {
            let start = i;
            i += 1;
            while i < bytes.len() {
                if bytes[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            let end = (i + 1).min(bytes.len());
            out.push(Token::Str(&sql[start..end], start));
            i = end;
        } else if c == b'"' {
            let start = i;
            i = sql[i + 1..]
                .find('"')
                .map(|n| i + 1 + n + 1)
                .unwrap_or(bytes.len());
            out.push(Token::Word(&sql[start..i], start));
        } else if c == b'@' {
            let start = i;
            i += 1;
            let mut in_quotes = false;
            while i < bytes.len() {
                let b = bytes[i];
                if b == b'"' {
                    in_quotes = !in_quotes;
                } else if !(in_quotes
                    || b.is_ascii_alphanumeric()
                    || b == b'_'
                    || b == b'$'
                    || b == b'.')
                {
                    break;
                }
                i += 1;
            }
            out.push(Token::Stage(&sql[start..i], start));
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || bytes[i] == b'_'
                    || bytes[i] == b'$'
                    || bytes[i] >= 0x80)
            {
                i += 1;
            }
            out.push(Token::Word(&sql[start..i], start));
        } else {
            if !c.is_ascii_whitespace() {
                out.push(Token::Punct(c as char, i));
            }
            i += 1;
        }
    }
    out
}

/// String literals that directly follow `FROM` or `JOIN` (a table name was meant).
pub fn from_string_literals(sql: &str) -> Vec<Found> {
    let toks = tokens(sql);
    toks.windows(2)
        .filter_map(|w| match (w[0], w[1]) {
            (Token::Word(kw, _), Token::Str(s, off))
                if kw.eq_ignore_ascii_case("FROM") || kw.eq_ignore_ascii_case("JOIN") =>
            {
                Some(Found {
                    text: s.to_string(),
                    offset: off,
                })
            }
            _ => None,
        })
        .collect()
}

/// Stage names referenced as `@name`, `@schema.name` or `@db.schema.name` (not the
/// user stage `@~` or table stages `@%t`).
pub fn stage_refs(sql: &str) -> Vec<Found> {
    tokens(sql)
        .into_iter()
        .filter_map(|t| match t {
            Token::Stage(s, off) if s.len() > 1 => Some(Found {
                text: s[1..].to_string(),
                offset: off + 1,
            }),
            _ => None,
        })
        .collect()
}

/// Procedures named by `CALL <name>(…)`.
pub fn call_refs(sql: &str) -> Vec<Found> {
    let toks = tokens(sql);
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Token::Word(kw, _) = t else { continue };
        if !kw.eq_ignore_ascii_case("CALL") {
            continue;
        }
        let (mut start, mut end) = (None, 0);
        for next in &toks[i + 1..] {
            match *next {
                Token::Word(w, off) => {
                    start.get_or_insert(off);
                    end = off + w.len();
                }
                Token::Punct('.', _) => {}
                Token::Punct('(', _) => break,
                _ => {
                    start = None;
                    break;
                }
            }
        }
        if let Some(start) = start {
            out.push(Found {
                text: sql[start..end].to_string(),
                offset: start,
            });
        }
    }
    out
}

/// Streams named in `SYSTEM$STREAM_HAS_DATA('<name>')`.
pub fn stream_has_data_refs(sql: &str) -> Vec<Found> {
    let toks = tokens(sql);
    toks.windows(3)
        .filter_map(|w| match (w[0], w[1], w[2]) {
            (Token::Word(f, _), Token::Punct('(', _), Token::Str(s, off))
                if f.eq_ignore_ascii_case("SYSTEM$STREAM_HAS_DATA") && s.len() >= 2 =>
            {
                Some(Found {
                    text: s[1..s.len() - 1].replace("''", "'"),
                    offset: off + 1,
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_from_string_literals() {
        let sql = "CREATE TABLE X AS (SELECT * FROM 'DB.S.T' WHERE a = 'INSERT')";
        let found = from_string_literals(sql);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "'DB.S.T'");
        assert_eq!(&sql[found[0].offset..found[0].offset + 8], "'DB.S.T'");
        assert!(from_string_literals("SELECT 'from' FROM t -- FROM 'x'").is_empty());
    }

    #[test]
    fn finds_stage_references() {
        let sql = "COPY INTO t FROM @quickstart_data/path/ FILE_FORMAT = (FORMAT_NAME = 'p'); LIST @~; LIST @%t";
        let found = stage_refs(sql);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "quickstart_data");
        assert_eq!(
            stage_refs("PUT file://x @db.s.\"My Stage\"/a")[0].text,
            "db.s.\"My Stage\""
        );
        assert!(stage_refs("SELECT 'a@b'").is_empty());
    }

    #[test]
    fn finds_called_procedures() {
        let found = call_refs("CALL cc_profile_processing('A', 'B'); call db.s.\"P\"()");
        let names: Vec<&str> = found.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(names, ["cc_profile_processing", "db.s.\"P\""]);
        assert!(call_refs("SELECT 'CALL x()'").is_empty());
    }

    #[test]
    fn finds_streams_in_when_conditions() {
        let found = stream_has_data_refs("SYSTEM$STREAM_HAS_DATA('CC_DEFAULT_DATA_STREAM')");
        assert_eq!(found[0].text, "CC_DEFAULT_DATA_STREAM");
        assert_eq!(found[0].offset, 24);
    }
}
