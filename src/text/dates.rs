//! Dates as a newsroom prints them, in the site's time zone.
//!
//! Every article date is formatted once, in Rust, into all the forms a theme needs (the
//! portal form `2023.12.05 14:30`, the long form `2023년 12월 5일 (화) 14:30`, ISO 8601 with
//! offset for `<time datetime>` and JSON-LD, RFC 822 for RSS). Templates that want other
//! patterns can use the `date` filter from tera-contrib.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

const KO_WEEKDAYS: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];
const EN_WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const EN_MONTHS_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// All the printed forms of one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateView {
    /// `2023-12-05T14:30:00+09:00`
    pub iso: String,
    /// `2023.12.05 14:30` (Korean) or `Dec 5, 2023 14:30` (English)
    pub display: String,
    /// `2023년 12월 5일 (화) 14:30` or `Tuesday, December 5, 2023, 2:30 PM`
    pub long: String,
    /// `2023.12.05` or `Dec 5, 2023`
    pub date: String,
    /// `14:30`, or `오후 2:30` / `2:30 PM` when the site prefers a 12-hour clock
    pub time: String,
    /// `Tue, 05 Dec 2023 14:30:00 +0900`
    pub rfc822: String,
    pub year: i16,
    pub month: i8,
    pub day: i8,
    /// Seconds since the epoch, for sorting in templates.
    pub timestamp: i64,
}

/// Formats `ts` in `tz` for a reader of `lang`.
pub fn date_view(ts: Timestamp, tz: &TimeZone, lang: &str, twelve_hour: bool) -> DateView {
    let z = ts.to_zoned(tz.clone());
    let (y, m, d) = (z.year(), z.month(), z.day());
    let (hh, mm) = (z.hour(), z.minute());
    let wd = z.weekday().to_monday_zero_offset() as usize;
    let korean = !lang.starts_with("en");
    let time = match (twelve_hour, korean) {
        (false, _) => format!("{hh:02}:{mm:02}"),
        (true, true) => format!(
            "{} {}:{mm:02}",
            if hh < 12 { "오전" } else { "오후" },
            twelve(hh)
        ),
        (true, false) => format!(
            "{}:{mm:02} {}",
            twelve(hh),
            if hh < 12 { "AM" } else { "PM" }
        ),
    };
    let month_name = EN_MONTHS[(m - 1) as usize];
    let (date, long) = if korean {
        (
            format!("{y:04}.{m:02}.{d:02}"),
            format!("{y}년 {m}월 {d}일 ({}) {time}", KO_WEEKDAYS[wd]),
        )
    } else {
        let en_time = if twelve_hour {
            time.clone()
        } else {
            format!(
                "{}:{mm:02} {}",
                twelve(hh),
                if hh < 12 { "AM" } else { "PM" }
            )
        };
        (
            format!("{} {d}, {y}", EN_MONTHS_SHORT[(m - 1) as usize]),
            format!("{}, {month_name} {d}, {y}, {en_time}", full_weekday(wd)),
        )
    };
    DateView {
        iso: iso(&z),
        display: format!("{date} {time}"),
        long,
        date,
        time,
        rfc822: rfc822(&z),
        year: y,
        month: m,
        day: d,
        timestamp: ts.as_second(),
    }
}

/// The same forms for a reader in another country (an edition in another language than the
/// site's): the time zone is named, `Dec 5, 2023, 2:30 PM KST`. Korean forms are kept.
pub fn with_zone(mut v: DateView, ts: Timestamp, tz: &TimeZone, lang: &str) -> DateView {
    if lang.starts_with("ko") {
        return v;
    }
    let info = tz.to_offset_info(ts);
    let zone = info.abbreviation();
    // Zones without a letter abbreviation are written as offsets (`+09`): keep those short.
    v.display = format!("{}, {} {zone}", v.date, v.time);
    v.long = format!("{} {zone}", v.long);
    v
}

/// `December` for month 12.
pub fn month_name(month: i8) -> &'static str {
    EN_MONTHS[(month.clamp(1, 12) - 1) as usize]
}

fn twelve(h: i8) -> i8 {
    match h % 12 {
        0 => 12,
        h => h,
    }
}

fn full_weekday(wd: usize) -> &'static str {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ][wd]
}

/// `2023-12-05T14:30:00+09:00`: seconds and a numeric offset, always.
pub fn iso(z: &jiff::Zoned) -> String {
    let offset = z.offset().seconds();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute(),
        z.second(),
        offset / 3600,
        (offset % 3600) / 60
    )
}

/// `Tue, 05 Dec 2023 14:30:00 +0900`, as RSS 2.0 wants.
pub fn rfc822(z: &jiff::Zoned) -> String {
    let offset = z.offset().seconds();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.abs();
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        EN_WEEKDAYS[z.weekday().to_monday_zero_offset() as usize],
        z.day(),
        EN_MONTHS_SHORT[(z.month() - 1) as usize],
        z.year(),
        z.hour(),
        z.minute(),
        z.second(),
        offset / 3600,
        (offset % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seoul() -> TimeZone {
        TimeZone::get("Asia/Seoul").unwrap()
    }

    #[test]
    fn another_edition_names_the_zone() {
        let ts: Timestamp = "2023-12-05T05:30:00Z".parse().unwrap();
        let en = with_zone(date_view(ts, &seoul(), "en", true), ts, &seoul(), "en");
        assert_eq!(en.display, "Dec 5, 2023, 2:30 PM KST");
        assert!(en.long.ends_with("2:30 PM KST"), "{}", en.long);
        let ko = date_view(ts, &seoul(), "ko", false);
        assert_eq!(with_zone(ko.clone(), ts, &seoul(), "ko"), ko);
    }

    #[test]
    fn korean_forms() {
        let ts: Timestamp = "2023-12-05T05:30:00Z".parse().unwrap();
        let v = date_view(ts, &seoul(), "ko", false);
        assert_eq!(v.iso, "2023-12-05T14:30:00+09:00");
        assert_eq!(v.display, "2023.12.05 14:30");
        assert_eq!(v.long, "2023년 12월 5일 (화) 14:30");
        assert_eq!(v.rfc822, "Tue, 05 Dec 2023 14:30:00 +0900");
        let v = date_view(ts, &seoul(), "ko", true);
        assert_eq!(v.time, "오후 2:30");
        assert_eq!(v.long, "2023년 12월 5일 (화) 오후 2:30");
    }

    #[test]
    fn english_forms() {
        let ts: Timestamp = "2023-12-05T05:30:00Z".parse().unwrap();
        let v = date_view(ts, &seoul(), "en", false);
        assert_eq!(v.date, "Dec 5, 2023");
        assert_eq!(v.long, "Tuesday, December 5, 2023, 2:30 PM");
        let midnight: Timestamp = "2023-12-04T15:00:00Z".parse().unwrap();
        assert_eq!(date_view(midnight, &seoul(), "en", true).time, "12:00 AM");
    }

    #[test]
    fn utc_offsets_are_written_out() {
        let ts: Timestamp = "2023-12-05T05:30:00Z".parse().unwrap();
        let v = date_view(ts, &TimeZone::UTC, "ko", false);
        assert_eq!(v.iso, "2023-12-05T05:30:00+00:00");
        assert_eq!(v.rfc822, "Tue, 05 Dec 2023 05:30:00 +0000");
    }
}
