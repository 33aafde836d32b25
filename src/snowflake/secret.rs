//! A string that must never be printed: passwords, tokens, key passphrases.
//!
//! `Debug` and `Display` print `***`; the value is reachable only through
//! [`Secret::expose`], so every use of the clear text is visible in the code.

use std::fmt;

/// A secret value. Printing it in any way yields `***`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The clear text, for the one place that sends it over the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

/// Replaces every occurrence of any non-trivial secret in `text` with `***`: a last
/// line of defence for messages that echo what was sent (a server error quoting a
/// token, a URL with credentials).
pub fn redact<'a>(text: &str, secrets: impl IntoIterator<Item = &'a Secret>) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        // Very short values would mangle ordinary words; they are not worth hiding
        // at the cost of unreadable messages (and are not real credentials).
        if secret.0.len() >= 4 {
            out = out.replace(&secret.0, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let secret = Secret::new("hunter2-sentinel");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(***)");
        assert_eq!(secret.expose(), "hunter2-sentinel");
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        let a = Secret::new("tok-123456");
        let b = Secret::new("pw-abcdef");
        let text = "got tok-123456 and pw-abcdef then tok-123456";
        assert_eq!(redact(text, [&a, &b]), "got *** and *** then ***");
        assert_eq!(redact("abc", [&Secret::new("ab")]), "abc");
    }
}
