//! Escaping user values for each kind of file the exports write. Every value that comes from
//! the user (labels, zones, host names, paths) passes through one of these before it lands in
//! a file, so that hostile text stays data.

/// True when every byte of `s` is printable ASCII (no control character, nothing outside ASCII)
/// and none is in `special`: such text needs no escaping in any of the forms below. Most values
/// (ids, addresses, host names) are; the fast paths keep a large bundle quick to make.
#[inline]
fn plain(s: &str, special: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b) && !special(b))
}

/// Text content or an attribute value in XML.
pub fn xml(s: &str) -> String {
    if plain(s, |b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A literal CR would be normalised away by every XML parser.
            '\r' => out.push_str("&#13;"),
            // Characters XML 1.0 does not allow at all become a visible replacement.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text inside an XML comment: `--` may not appear, nor a trailing `-`.
pub fn xml_comment(s: &str) -> String {
    let mut out = one_line(s).replace("--", "- -");
    if out.ends_with('-') {
        out.push(' ');
    }
    out
}

/// Replaces control characters (newlines included) with spaces, for one-line contexts.
pub fn one_line(s: &str) -> String {
    if plain(s, |_| false) {
        return s.to_string();
    }
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A comment line for `#`-comment files (shell, nginx, HAProxy, nftables, iptables, TOML,
/// YAML, HCL): newlines cannot end the comment early.
pub fn hash_comment(s: &str) -> String {
    one_line(s)
}

/// A POSIX shell word: single-quoted, with embedded single quotes closed and reopened.
pub fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// A double-quoted string for nftables, iptables and HCL comments/descriptions: only a safe
/// subset of characters is kept (others become `_`), and the length is capped.
pub fn quoted_label(s: &str, max: usize) -> String {
    let safe = |b: u8| b.is_ascii_alphanumeric() || b" .,:;/_+-=>()@#".contains(&b);
    if s.len() <= max && s.bytes().all(safe) {
        return format!("\"{s}\"");
    }
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || " .,:;/_+-=>()@#".contains(c) { c } else { '_' })
        .take(max)
        .collect();
    format!("\"{cleaned}\"")
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a field that a
/// spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
pub fn csv(s: &str, free_text: bool) -> String {
    let s = if free_text && s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A Markdown table cell, escaped only where Markdown needs it, so that the text still reads
/// as itself: pipes, backslashes, emphasis and link brackets and `<` (which could open HTML)
/// backslash-escaped, `&` only where it would start a character reference, line breaks as
/// spaces. `lb-1->km-1` stays as it is.
pub fn markdown_cell(s: &str) -> String {
    if plain(s, |b| matches!(b, b'|' | b'\\' | b'<' | b'&' | b'`' | b'*' | b'_' | b'[' | b']')) {
        return s.to_string();
    }
    let text = one_line(s);
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        match c {
            '|' | '\\' | '<' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '&' if starts_reference(&text[i + 1..]) => out.push_str("\\&"),
            c => out.push(c),
        }
    }
    out
}

/// True when the text after a `&` would make it a character reference (`amp;`, `#60;`).
fn starts_reference(rest: &str) -> bool {
    let body = rest.strip_prefix('#').unwrap_or(rest);
    let name: String = body.chars().take_while(char::is_ascii_alphanumeric).take(32).collect();
    !name.is_empty() && body[name.len()..].starts_with(';')
}

/// An identifier for Terraform and other languages: `[a-z0-9_]`, not starting with a digit.
pub fn ident(s: &str) -> String {
    let mut out: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
    }
    out
}

/// A YAML double-quoted scalar.
pub fn yaml(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_values_stay_data() {
        assert_eq!(xml("</clustering><x a=\"1\">&"), "&lt;/clustering&gt;&lt;x a=&quot;1&quot;&gt;&amp;");
        assert_eq!(xml("a\u{0}b"), "a\u{fffd}b");
        assert_eq!(xml_comment("a -- b\n-->-"), "a - - b - ->- ");
        assert_eq!(shell("x'; rm -rf / #"), "'x'\"'\"'; rm -rf / #'");
        assert_eq!(quoted_label("a\"b$(c)\n", 10), "\"a_b_(c)_\"");
        assert_eq!(csv("a,b", false), "\"a,b\"");
        assert_eq!(csv("say \"hi\"", false), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("=1+2", true), "'=1+2");
        assert_eq!(csv("-1", false), "-1");
        assert_eq!(markdown_cell("a|b\nc<d>"), "a\\|b c\\<d>");
        assert_eq!(markdown_cell("lb-1->km-1:tcp/9446"), "lb-1->km-1:tcp/9446");
        assert_eq!(markdown_cell("AT&T &amp; &#60; & x"), "AT&T \\&amp; \\&#60; & x");
        assert_eq!(ident("km-1"), "km_1");
        assert_eq!(ident("1x"), "n1x");
        assert_eq!(yaml("a\"b\n"), "\"a\\\"b\\u000a\"");
    }
}
