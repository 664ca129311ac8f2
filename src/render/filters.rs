//! Template filters nuri adds to Tera's own.
//!
//! - `date` (from tera-contrib): any strftime or, with `locale`, UTS-35 pattern;
//!   `{{ article.date.iso | date(locale="ko", format="y년 M월 d일 (E) HH:mm", timezone="Asia/Seoul") }}`.
//! - `format_date(style, lang)`: the newsroom forms in the site's time zone:
//!   `{{ article.date | format_date(style="long") }}` → `2023년 12월 5일 (화) 14:30`.
//! - `encode_path`: percent-encodes a path the way every nuri URL is encoded.
//! - `json`: a value as JSON text, for JSON templates such as the JSON Feed.

use jiff::Timestamp;
use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::config::Config;
use crate::text::dates::date_view;

pub fn register(tera: &mut Tera, config: &Config) {
    tera.register_filter("date", tera_contrib::dates::date);
    let tz = config.timezone.clone();
    let site_lang = config.language.clone();
    let twelve = config.twelve_hour;
    tera.register_filter("format_date", move |value: &Value, kwargs: Kwargs, _: &State| -> TeraResult<String> {
        let iso = match value.as_str() {
            Some(s) => s.to_string(),
            None => value
                .as_map()
                .and_then(|m| m.get(&tera::value::Key::Str("iso")))
                .and_then(|v| v.as_str().map(str::to_string))
                .ok_or_else(|| tera::Error::message("format_date needs a date (an ISO string or a date object)"))?,
        };
        let ts: Timestamp = iso
            .parse::<Timestamp>()
            .or_else(|_| iso.parse::<jiff::Zoned>().map(|z| z.timestamp()))
            .map_err(|e| tera::Error::message(format!("format_date: `{iso}` is not a date: {e}")))?;
        let lang = kwargs.get::<&str>("lang")?.unwrap_or(&site_lang).to_string();
        let ampm = kwargs.get::<bool>("ampm")?.unwrap_or(twelve);
        let view = date_view(ts, &tz, &lang, ampm);
        let style = kwargs.get::<&str>("style")?.unwrap_or("display");
        Ok(match style {
            "display" | "portal" => view.display,
            "long" => view.long,
            "date" => view.date,
            "time" => view.time,
            "iso" => view.iso,
            "rfc822" => view.rfc822,
            other => {
                return Err(tera::Error::message(format!(
                    "format_date: unknown style `{other}` (use display, long, date, time, iso or rfc822)"
                )));
            }
        })
    });
    tera.register_filter("encode_path", |value: &str, _: Kwargs, _: &State| {
        crate::text::url::encode_path(value)
    });
    // For JSON templates (the JSON Feed): a value as JSON text, quotes and escapes included.
    tera.register_filter(
        "json",
        |value: &Value, _: Kwargs, _: &State| -> TeraResult<String> {
            serde_json::to_string(value).map_err(|e| tera::Error::message(format!("json: {e}")))
        },
    );
}
