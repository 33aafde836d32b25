//! Splits SQL text into tokens with their line and position, the way Snowflake
//! reports them in syntax errors (line 1-based, position 0-based within the line).
//!
//! Handles unquoted identifiers (kept as written; folding happens in the parser),
//! double-quoted identifiers with `""` escapes, single-quoted strings with `''` and
//! backslash escapes, `$$…$$` bodies, numbers, stage references (`@db.s.stage/path`),
//! `--`, `//` and `/* */` comments.

use super::error::SfError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// An unquoted word, as written (keywords and identifiers alike).
    Word(String),
    /// A double-quoted identifier, unescaped.
    Quoted(String),
    /// A single-quoted string, unescaped.
    Str(String),
    /// A `$$…$$` string, verbatim.
    Dollar(String),
    Num(String),
    /// `@name[/path]` as written, without the `@`.
    Stage(String),
    Sym(&'static str),
    Eof,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    /// Byte range in the source.
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub col: usize,
}

impl Token {
    /// The token as Snowflake quotes it in "unexpected '…'".
    pub fn display(&self, src: &str) -> String {
        match self.tok {
            Tok::Eof => "<EOF>".to_string(),
            _ => src[self.start..self.end].to_string(),
        }
    }
}

const SYMBOLS: &[&str] = &[
    "=>", "->", "<=", ">=", "!=", "<>", "||", "::", "(", ")", ",", ".", ";", "=", "*", "+", "-",
    "/", "<", ">", ":", "%", "[", "]", "{", "}", "!", "?", "~", "^", "&", "|",
];

/// Tokenizes a whole script. The last token is always [`Tok::Eof`].
pub fn tokenize(src: &str) -> Result<Vec<Token>, SfError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut line_start = 0;
    // Column bookkeeping is incremental so long single-line scripts stay linear.
    let (mut col_pos, mut col_count) = (0usize, 0usize);
    while i < bytes.len() {
        let c = bytes[i];
        if col_pos < line_start {
            col_pos = line_start;
            col_count = 0;
        }
        col_count += src[col_pos..i].chars().count();
        col_pos = i;
        let col = col_count;
        if c == b'\n' {
            i += 1;
            line += 1;
            line_start = i;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if src[i..].starts_with("--") || src[i..].starts_with("//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if src[i..].starts_with("/*") {
            let Some(rel) = src[i + 2..].find("*/") else {
                return Err(SfError::syntax_at(line, col, "<EOF>"));
            };
            let end = i + 2 + rel + 2;
            for (k, b) in bytes[i..end].iter().enumerate() {
                if *b == b'\n' {
                    line += 1;
                    line_start = i + k + 1;
                }
            }
            i = end;
            continue;
        }
        let start = i;
        let (tok, end) = if c == b'\'' {
            let (s, end) =
                single_quoted(src, i).ok_or_else(|| SfError::syntax_at(line, col, "<EOF>"))?;
            (Tok::Str(s), end)
        } else if src[i..].starts_with("$$") {
            let Some(rel) = src[i + 2..].find("$$") else {
                return Err(SfError::syntax_at(line, col, "<EOF>"));
            };
            let end = i + 2 + rel + 2;
            (Tok::Dollar(src[i + 2..i + 2 + rel].to_string()), end)
        } else if c == b'"' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                let Some(ch) = src[j..].chars().next() else {
                    return Err(SfError::syntax_at(line, col, "<EOF>"));
                };
                if ch == '"' {
                    if src[j + 1..].starts_with('"') {
                        s.push('"');
                        j += 2;
                        continue;
                    }
                    j += 1;
                    break;
                }
                s.push(ch);
                j += ch.len_utf8();
            }
            (Tok::Quoted(s), j)
        } else if c == b'@' {
            let mut j = i + 1;
            while j < bytes.len() {
                let b = bytes[j];
                if b.is_ascii_whitespace() || b == b';' || b == b')' || b == b',' || b == b'\'' {
                    break;
                }
                j += 1;
            }
            (Tok::Stage(src[i + 1..j].to_string()), j)
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                j += 1;
            }
            (Tok::Num(src[i..j].to_string()), j)
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let mut j = i;
            while j < bytes.len() {
                let b = bytes[j];
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80 {
                    j += 1;
                } else {
                    break;
                }
            }
            (Tok::Word(src[i..j].to_string()), j)
        } else if let Some(sym) = SYMBOLS.iter().find(|s| src[i..].starts_with(**s)) {
            (Tok::Sym(sym), i + sym.len())
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err(SfError::syntax_at(line, col, &ch.to_string()));
        };
        for (k, b) in bytes[start..end].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = start + k + 1;
            }
        }
        // A token spanning lines reports the line it started on.
        let tok_line = line - bytes[start..end].iter().filter(|b| **b == b'\n').count();
        out.push(Token {
            tok,
            start,
            end,
            line: tok_line,
            col,
        });
        i = end;
    }
    let col = src[line_start..].chars().count();
    out.push(Token {
        tok: Tok::Eof,
        start: src.len(),
        end: src.len(),
        line,
        col,
    });
    Ok(out)
}

/// Reads a single-quoted string starting at `i`; returns the value and the end offset.
fn single_quoted(src: &str, i: usize) -> Option<(String, usize)> {
    let mut s = String::new();
    let mut chars = src[i + 1..].char_indices().peekable();
    while let Some((k, ch)) = chars.next() {
        match ch {
            '\'' => {
                if src[i + 1 + k + 1..].starts_with('\'') {
                    s.push('\'');
                    chars.next();
                } else {
                    return Some((s, i + 1 + k + 1));
                }
            }
            '\\' => {
                let (_, e) = chars.next()?;
                s.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    // `\ooo` (octal, `\0` alone is NUL), `\xhh` and `\uhhhh`.
                    '0'..='7' => numeric_escape(&mut chars, e.to_digit(8)?, 8, 2),
                    'x' => numeric_escape(&mut chars, 0, 16, 2),
                    'u' => numeric_escape(&mut chars, 0, 16, 4),
                    other => other,
                });
            }
            other => s.push(other),
        }
    }
    None
}

/// Reads up to `digits` more digits of `radix` after an escape's first part
/// (`initial`); the character they name, or U+FFFD when they name none.
fn numeric_escape(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    initial: u32,
    radix: u32,
    digits: usize,
) -> char {
    let mut value = initial;
    for _ in 0..digits {
        let Some(digit) = chars.peek().and_then(|(_, c)| c.to_digit(radix)) else {
            break;
        };
        value = value * radix + digit;
        chars.next();
    }
    char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        tokenize(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_strings_and_quoted_identifiers() {
        assert_eq!(
            toks("create table \"a\"\"b\" ('it''s\\n', $$x;y$$) -- c\n;"),
            vec![
                Tok::Word("create".into()),
                Tok::Word("table".into()),
                Tok::Quoted("a\"b".into()),
                Tok::Sym("("),
                Tok::Str("it's\n".into()),
                Tok::Sym(","),
                Tok::Dollar("x;y".into()),
                Tok::Sym(")"),
                Tok::Sym(";"),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn string_escapes_decode_as_snowflake_does() {
        assert_eq!(
            toks(r"'a\r\nb\tc\x01\u2028\0\101\\\z'")[0],
            Tok::Str("a\r\nb\tc\u{1}\u{2028}\0A\\z".into())
        );
        // Every string floe renders reads back as the text it came from.
        let text = "line one\r\nline\ttwo \u{1}\u{7f}\u{85}\u{2029} it's \\ é";
        assert_eq!(
            toks(&crate::sql::literal(text))[0],
            Tok::Str(text.to_string())
        );
    }

    #[test]
    fn positions_are_zero_based_per_line() {
        let t = tokenize("select\n  foo").unwrap();
        assert_eq!((t[1].line, t[1].col), (2, 2));
        assert_eq!((t[2].line, t[2].col), (2, 5));
    }

    #[test]
    fn stage_references_and_unterminated_strings() {
        assert_eq!(
            toks("@db.s.st/M/V1/ x")[0],
            Tok::Stage("db.s.st/M/V1/".into())
        );
        assert!(tokenize("select 'abc").is_err());
    }
}
