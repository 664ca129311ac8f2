//! Splitting a content file into TOML front matter and Markdown body, and reading dates.
//!
//! Every position reported from here is a line and column of the *file*, not of the TOML
//! block: the block starts on line 2 (after the opening `+++`), so TOML spans are shifted.

use std::path::Path;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::error::Diagnostic;

pub const DELIMITER: &str = "+++";

/// A file split at its `+++` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The TOML between the delimiters.
    pub toml: &'a str,
    /// 1-based line of the file where `toml` starts.
    pub toml_line: usize,
    /// The Markdown after the closing delimiter.
    pub body: &'a str,
    /// 1-based line of the file where `body` starts.
    pub body_line: usize,
}

/// Removes a byte-order mark, which Windows editors like to add.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{FEFF}').unwrap_or(text)
}

fn is_delimiter(line: &str) -> bool {
    line.trim_end() == DELIMITER
}

/// Splits `text` into front matter and body.
pub fn split<'a>(file: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let text = strip_bom(text);
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if !is_delimiter(&text[..first_end]) {
        let found = text[..first_end].trim_end();
        let message = if text.trim().is_empty() {
            "the file is empty: an article needs front matter between `+++` lines".to_string()
        } else if found.trim() == "---" {
            "front matter must be TOML between `+++` lines, not YAML between `---` lines"
                .to_string()
        } else {
            format!(
                "missing front matter: the first line must be `+++`, found `{}`",
                truncate(found, 40)
            )
        };
        return Err(Diagnostic::error(file, message).at(1, 1).with_hint(
            "start the file with `+++`, then `title = \"…\"` and `date = 2023-12-05T14:30:00+09:00`, then `+++`",
        ));
    }
    let mut offset = first_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        if is_delimiter(&text[offset..end]) {
            return Ok(Split {
                toml: &text[first_end..offset],
                toml_line: 2,
                body: &text[end..],
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(Diagnostic::error(
        file,
        "the front matter is never closed: no second `+++` line",
    )
    .at(1, 1)
    .with_hint("add a line with only `+++` after the last front-matter key"))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Deserialises the TOML of `split` into `T`, reporting errors at file positions.
pub fn parse<T: DeserializeOwned>(file: &Path, split: &Split<'_>) -> Result<T, Diagnostic> {
    toml::from_str(split.toml).map_err(|e| {
        let message = e.message().trim().to_string();
        let (line, column) = match e.span() {
            // A missing key has no place of its own: point at the opening `+++`.
            Some(_) if message.starts_with("missing field") => (1, 1),
            Some(span) => {
                let (l, c) = crate::error::line_col(split.toml, span.start);
                (l + split.toml_line - 1, c)
            }
            None => (1, 1),
        };
        let mut d = Diagnostic::error(file, message.clone()).at(line, column);
        if let Some(hint) = hint_for(&message) {
            d = d.with_hint(hint);
        }
        d
    })
}

/// A hint for a TOML or serde error message, shared by front matter and config.toml.
pub fn hint_for(message: &str) -> Option<String> {
    if message.starts_with("missing field `title`") {
        Some("add a headline: title = \"…\"".into())
    } else if message.starts_with("missing field `date`") {
        Some("add the publication time: date = 2023-12-05T14:30:00+09:00".into())
    } else if message.starts_with("unknown field") {
        Some("remove the key or fix its spelling; custom values go under [extra]".into())
    } else if message.starts_with("invalid date") {
        Some("that day does not exist on the calendar: check the month and day (2024-02-29 exists, 2023-02-29 does not)".into())
    } else if message.starts_with("invalid time") {
        Some("write the time as HH:MM or HH:MM:SS, from 00:00 to 23:59".into())
    } else if message.contains("expected u64") || message.contains("expected usize") {
        Some("use a whole number of 0 or more, without quotes: id = 1234".into())
    } else if message.contains("invalid type") {
        Some("check the value's type: text needs quotes, lists need [ ]".into())
    } else if message.starts_with("unclosed") {
        Some("close the list with `]` or the string with `\"`".into())
    } else if message.contains("expected") || message.contains("invalid") {
        Some("this is not valid TOML; strings need double quotes".into())
    } else {
        None
    }
}

/// Position of a spanned front-matter value in the file.
pub fn position(split: &Split<'_>, span: std::ops::Range<usize>) -> (usize, usize) {
    let (l, c) = crate::error::line_col(split.toml, span.start);
    (l + split.toml_line - 1, c)
}

/// Reads a date: a TOML date-time, a TOML date, or a string in RFC 3339 / `YYYY-MM-DD[ HH:MM[:SS]]`.
/// Values without an offset are read in `tz`, the site's time zone.
pub fn read_date(value: &toml::Value, tz: &TimeZone) -> Result<Timestamp, String> {
    match value {
        toml::Value::Datetime(d) => parse_date_text(&d.to_string(), tz),
        toml::Value::String(s) => parse_date_text(s.trim(), tz),
        other => Err(format!("expected a date, found {}", other.type_str())),
    }
}

fn parse_date_text(s: &str, tz: &TimeZone) -> Result<Timestamp, String> {
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(z) = s.parse::<Zoned>() {
        return Ok(z.timestamp());
    }
    let civil = s.parse::<DateTime>().ok().or_else(|| {
        s.parse::<Date>()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    });
    match civil {
        Some(dt) => tz
            .to_ambiguous_zoned(dt)
            .compatible()
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string()),
        None => Err(format!("`{s}` is not a date")),
    }
}

/// Reads an optional spanned date field, pushing a diagnostic on failure.
pub fn date_field(
    file: &Path,
    split: &Split<'_>,
    name: &str,
    value: &Spanned<toml::Value>,
    tz: &TimeZone,
) -> Result<Timestamp, Diagnostic> {
    read_date(value.get_ref(), tz).map_err(|msg| {
        let (line, column) = position(split, value.span());
        Diagnostic::error(file, format!("`{name}` is not a valid date: {msg}"))
            .at(line, column)
            .with_hint(format!(
                "write {name} = 2023-12-05T14:30:00+09:00 (or a bare date such as {name} = 2023-12-05)"
            ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("content/a.md")
    }

    #[test]
    fn splits_and_reports_lines() {
        let s = split(p(), "+++\ntitle = \"t\"\n+++\n\nBody\n").unwrap();
        assert_eq!(s.toml, "title = \"t\"\n");
        assert_eq!(s.body, "\nBody\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn accepts_bom_and_crlf() {
        let s = split(p(), "\u{FEFF}+++\r\ntitle = \"t\"\r\n+++\r\nBody").unwrap();
        assert_eq!(s.body, "Body");
    }

    #[test]
    fn missing_delimiter_is_reported_at_line_one() {
        let d = split(p(), "title = \"t\"\n").unwrap_err();
        assert_eq!((d.line, d.column), (1, 1));
        assert!(d.message.contains("missing front matter"), "{}", d.message);
        let d = split(p(), "+++\ntitle = \"t\"\n").unwrap_err();
        assert!(d.message.contains("never closed"));
        let d = split(p(), "").unwrap_err();
        assert!(d.message.contains("empty"));
    }

    #[test]
    fn regression_impossible_dates_and_negative_ids_get_their_own_hints() {
        let hint = |m: &str| hint_for(m).unwrap_or_default();
        assert!(hint("invalid date, expected day between 01 and 28").contains("calendar"));
        assert!(hint("invalid value: integer `-1`, expected u64").contains("whole number"));
        assert!(!hint("invalid value: integer `-1`, expected u64").contains("double quotes"));
        assert!(hint("invalid time, expected hour between 00 and 23").contains("HH:MM"));
    }

    #[test]
    fn dates_in_every_accepted_form() {
        let tz = TimeZone::get("Asia/Seoul").unwrap();
        let want: Timestamp = "2023-12-05T05:30:00Z".parse().unwrap();
        let forms = [
            "2023-12-05T14:30:00+09:00",
            "2023-12-05T05:30:00Z",
            "2023-12-05T14:30:00",
            "2023-12-05 14:30",
        ];
        for f in forms {
            let v = toml::Value::String(f.into());
            assert_eq!(read_date(&v, &tz).unwrap(), want, "{f}");
        }
        let midnight: Timestamp = "2023-12-04T15:00:00Z".parse().unwrap();
        assert_eq!(
            read_date(&toml::Value::String("2023-12-05".into()), &tz).unwrap(),
            midnight
        );
        assert!(read_date(&toml::Value::String("어제".into()), &tz).is_err());
        assert!(read_date(&toml::Value::Integer(3), &tz).is_err());
    }
}
