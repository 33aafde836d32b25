//! A cursor over the tokens of one statement, with the small recursive-descent
//! helpers every statement parser uses: keywords, identifiers with Snowflake's
//! folding rules, dotted names, literals and `KEY = value` property lists.

use super::error::SfError;
use super::tokenizer::{Tok, Token};

/// A dotted name as written, each part resolved (unquoted → upper case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub parts: Vec<String>,
}

/// A property value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Num(String),
    /// An unquoted word as written (`TRUE`, `XSMALL`, an identifier).
    Word(String),
    /// A double-quoted identifier.
    Quoted(String),
    /// A dotted identifier `a.b.c`, resolved.
    Path(Vec<String>),
    Stage(String),
    List(Vec<Value>),
    Props(Vec<(String, Value)>),
}

impl Value {
    /// The text of a string, word or number.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Str(s) | Value::Num(s) | Value::Word(s) | Value::Quoted(s) => Some(s.clone()),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.text()?.to_ascii_uppercase().as_str() {
            "TRUE" => Some(true),
            "FALSE" => Some(false),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Num(s) | Value::Str(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// The value read as an identifier: unquoted words fold to upper case.
    pub fn as_ident(&self) -> Option<String> {
        match self {
            Value::Word(s) => Some(s.to_ascii_uppercase()),
            Value::Quoted(s) => Some(s.clone()),
            Value::Str(s) => Some(fold_ident(s)),
            Value::Path(p) if p.len() == 1 => Some(p[0].clone()),
            _ => None,
        }
    }

    /// The value read as a possibly dotted name.
    pub fn as_name(&self) -> Option<Name> {
        match self {
            Value::Path(p) => Some(Name { parts: p.clone() }),
            Value::Word(_) | Value::Quoted(_) | Value::Str(_) => Some(Name {
                parts: vec![self.as_ident()?],
            }),
            _ => None,
        }
    }
}

pub struct Parser<'a> {
    pub src: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

pub fn kw_eq(tok: &Tok, kw: &str) -> bool {
    matches!(tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
}

impl<'a> Parser<'a> {
    /// `toks` must end with an [`Tok::Eof`] token.
    pub fn new(src: &'a str, toks: Vec<Token>) -> Parser<'a> {
        Parser { src, toks, pos: 0 }
    }

    pub fn peek(&self) -> &Token {
        let i = self.pos.min(self.toks.len() - 1);
        &self.toks[i]
    }

    pub fn peek_at(&self, n: usize) -> &Tok {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i].tok
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    /// A syntax error at the current token.
    pub fn error(&self) -> SfError {
        let t = self.peek();
        SfError::syntax_at(t.line, t.col, &t.display(self.src))
    }

    pub fn is_kw(&self, kw: &str) -> bool {
        kw_eq(&self.peek().tok, kw)
    }

    pub fn is_kw_at(&self, n: usize, kw: &str) -> bool {
        kw_eq(self.peek_at(n), kw)
    }

    pub fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Eats the whole keyword sequence, or nothing.
    pub fn eat_kws(&mut self, kws: &[&str]) -> bool {
        if kws.iter().enumerate().all(|(i, k)| self.is_kw_at(i, k)) {
            self.pos += kws.len();
            true
        } else {
            false
        }
    }

    pub fn expect_kw(&mut self, kw: &str) -> Result<(), SfError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    pub fn expect_kws(&mut self, kws: &[&str]) -> Result<(), SfError> {
        for k in kws {
            self.expect_kw(k)?;
        }
        Ok(())
    }

    pub fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek().tok, Tok::Sym(x) if x == s)
    }

    pub fn eat_sym(&mut self, s: &str) -> bool {
        if self.is_sym(s) {
            self.advance();
            true
        } else {
            false
        }
    }

    pub fn expect_sym(&mut self, s: &str) -> Result<(), SfError> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    pub fn at_end(&self) -> bool {
        matches!(self.peek().tok, Tok::Eof)
    }

    pub fn end(&self) -> Result<(), SfError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// The upper-cased word at the cursor, if it is an unquoted word.
    pub fn word(&self) -> Option<String> {
        match &self.peek().tok {
            Tok::Word(w) => Some(w.to_ascii_uppercase()),
            _ => None,
        }
    }

    /// One identifier, resolved (unquoted → upper case).
    pub fn ident(&mut self) -> Result<String, SfError> {
        match &self.peek().tok {
            Tok::Word(w) => {
                let w = w.to_ascii_uppercase();
                self.advance();
                Ok(w)
            }
            Tok::Quoted(q) => {
                if q.is_empty() {
                    return Err(self.error());
                }
                let q = q.clone();
                self.advance();
                Ok(q)
            }
            _ => Err(self.error()),
        }
    }

    /// A dotted name of one to `max` parts.
    pub fn name(&mut self, max: usize) -> Result<Name, SfError> {
        let mut parts = vec![self.ident()?];
        while self.is_sym(".") {
            if parts.len() >= max {
                return Err(self.error());
            }
            self.advance();
            parts.push(self.ident()?);
        }
        Ok(Name { parts })
    }

    pub fn string(&mut self) -> Result<String, SfError> {
        match &self.peek().tok {
            Tok::Str(s) | Tok::Dollar(s) => {
                let s = s.clone();
                self.advance();
                Ok(s)
            }
            _ => Err(self.error()),
        }
    }

    pub fn number(&mut self) -> Result<i64, SfError> {
        match &self.peek().tok {
            Tok::Num(n) => {
                let v = n.parse().map_err(|_| self.error())?;
                self.advance();
                Ok(v)
            }
            _ => Err(self.error()),
        }
    }

    /// `KEY = value` pairs until something else comes. Keys are upper-cased words.
    /// `stop` lists words that end the list even when followed by `=`.
    pub fn props(&mut self, stop: &[&str]) -> Result<Vec<(String, Value, usize)>, SfError> {
        let mut out = Vec::new();
        while let Tok::Word(w) = &self.peek().tok {
            if stop.iter().any(|s| w.eq_ignore_ascii_case(s)) {
                break;
            }
            if !matches!(self.peek_at(1), Tok::Sym("=")) {
                break;
            }
            let at = self.pos;
            let key = w.to_ascii_uppercase();
            self.pos += 2;
            let v = self.value()?;
            out.push((key, v, at));
            self.eat_sym(",");
        }
        Ok(out)
    }

    /// One property value.
    pub fn value(&mut self) -> Result<Value, SfError> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Str(s) | Tok::Dollar(s) => {
                self.advance();
                Ok(Value::Str(s))
            }
            Tok::Num(n) => {
                self.advance();
                Ok(Value::Num(n))
            }
            Tok::Sym("-") => {
                self.advance();
                match self.advance().tok {
                    Tok::Num(n) => Ok(Value::Num(format!("-{n}"))),
                    _ => Err(SfError::syntax_at(t.line, t.col, "-")),
                }
            }
            Tok::Stage(s) => {
                self.advance();
                Ok(Value::Stage(s))
            }
            Tok::Word(_) | Tok::Quoted(_) => {
                if matches!(self.peek_at(1), Tok::Sym(".")) {
                    Ok(Value::Path(self.name(3)?.parts))
                } else {
                    self.advance();
                    Ok(match t.tok {
                        Tok::Word(w) => Value::Word(w),
                        Tok::Quoted(q) => Value::Quoted(q),
                        _ => unreachable!("matched above"),
                    })
                }
            }
            Tok::Sym("(") => {
                self.advance();
                if self.eat_sym(")") {
                    return Ok(Value::List(vec![]));
                }
                if matches!(self.peek().tok, Tok::Word(_))
                    && matches!(self.peek_at(1), Tok::Sym("="))
                {
                    let props = self.props(&[])?;
                    self.expect_sym(")")?;
                    return Ok(Value::Props(
                        props.into_iter().map(|(k, v, _)| (k, v)).collect(),
                    ));
                }
                let mut items = vec![self.value()?];
                while self.eat_sym(",") {
                    items.push(self.value()?);
                }
                self.expect_sym(")")?;
                Ok(Value::List(items))
            }
            _ => Err(self.error()),
        }
    }

    /// The source text from the current token to the end of the statement.
    pub fn rest_text(&self) -> &'a str {
        let start = self.peek().start;
        let end = self.toks.last().map(|t| t.start).unwrap_or(self.src.len());
        self.src[start..end.max(start)].trim()
    }

    /// Source text between two token indexes (exclusive end).
    pub fn text_between(&self, from: usize, to: usize) -> &'a str {
        let start = self.toks[from].start;
        let end = if to > 0 { self.toks[to - 1].end } else { start };
        self.src[start..end.max(start)].trim()
    }

    /// Moves to the end of the statement.
    pub fn skip_to_end(&mut self) {
        self.pos = self.toks.len() - 1;
    }

    /// Index of the first token at or after the cursor that is the keyword `kw`
    /// at parenthesis depth 0.
    pub fn find_kw(&self, kw: &str) -> Option<usize> {
        let mut depth = 0i32;
        for (i, t) in self.toks.iter().enumerate().skip(self.pos) {
            match &t.tok {
                Tok::Sym("(") => depth += 1,
                Tok::Sym(")") => depth -= 1,
                tok if depth == 0 && kw_eq(tok, kw) => return Some(i),
                _ => {}
            }
        }
        None
    }

    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.toks.len() - 1);
    }

    /// A syntax error at token index `at`.
    pub fn error_at(&self, at: usize) -> SfError {
        let t = &self.toks[at.min(self.toks.len() - 1)];
        SfError::syntax_at(t.line, t.col, &t.display(self.src))
    }
}

/// Splits a script into statements: each is (source slice range, tokens + Eof).
pub fn split_statements(src: &str) -> Result<Vec<(usize, usize, Vec<Token>)>, SfError> {
    let toks = super::tokenizer::tokenize(src)?;
    let mut out = Vec::new();
    let mut cur: Vec<Token> = Vec::new();
    for t in toks {
        match t.tok {
            Tok::Sym(";") | Tok::Eof => {
                if !cur.is_empty() {
                    let start = cur[0].start;
                    let end = cur.last().map(|x| x.end).unwrap_or(start);
                    cur.push(Token {
                        tok: Tok::Eof,
                        start: t.start,
                        end: t.start,
                        line: t.line,
                        col: t.col,
                    });
                    out.push((start, end, std::mem::take(&mut cur)));
                }
            }
            _ => cur.push(t),
        }
    }
    Ok(out)
}

/// An identifier written inside a string (`'my_wh'`, `'"Mixed"'`): folded like SQL text.
pub fn fold_ident(s: &str) -> String {
    let t = s.trim();
    match t.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => t.to_ascii_uppercase(),
    }
}

/// Snowflake's `LIKE` on names: case-insensitive, `%` and `_` wildcards, `\` escapes.
pub fn like(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_uppercase().chars().collect();
    let t: Vec<char> = text.to_uppercase().chars().collect();
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('%') => (0..=t.len()).any(|k| go(&p[1..], &t[k..])),
            Some('_') => !t.is_empty() && go(&p[1..], &t[1..]),
            Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&p[2..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parser(src: &str) -> Parser<'_> {
        let mut stmts = split_statements(src).unwrap();
        Parser::new(src, stmts.remove(0).2)
    }

    #[test]
    fn names_fold_unquoted_parts() {
        let mut p = parser("db.\"s\".t");
        assert_eq!(p.name(3).unwrap().parts, vec!["DB", "s", "T"]);
        p.end().unwrap();
    }

    #[test]
    fn props_and_nested_values() {
        let mut p = parser("a = 1 b = 'x' c = (TYPE = CSV) d = ('p', 'q') e = x.y");
        let props = p.props(&[]).unwrap();
        assert_eq!(props.len(), 5);
        assert_eq!(
            props[2].1,
            Value::Props(vec![("TYPE".into(), Value::Word("CSV".into()))])
        );
        assert_eq!(props[4].1, Value::Path(vec!["X".into(), "Y".into()]));
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        let mut p = parser("create tabel x");
        p.advance();
        let e = p.expect_kw("TABLE").unwrap_err();
        assert!(
            e.message
                .ends_with("syntax error line 1 at position 7 unexpected 'tabel'.")
        );
    }

    #[test]
    fn like_is_case_insensitive() {
        assert!(like("my%", "MYTABLE"));
        assert!(like("m_t", "MYT"));
        assert!(!like("x%", "MYT"));
    }

    #[test]
    fn statements_split_on_semicolons_outside_strings() {
        let s = split_statements("a 'x;y'; ; b $$;$$;").unwrap();
        assert_eq!(s.len(), 2);
    }
}
