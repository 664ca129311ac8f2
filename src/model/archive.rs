//! Date archives: years, months and (optionally) days, in the site's time zone.
//!
//! Entries are already sorted newest first, so one pass groups them: an article dated
//! 2024-01-01T05:00+09:00 is in January 2024 even though it is still 2023 in UTC.

use crate::config::Config;

use super::{Entry, Urls};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Year,
    Month,
    Day,
}

/// One archive period and its articles.
#[derive(Debug, Clone)]
pub struct Period {
    pub level: Level,
    pub year: i16,
    pub month: i8,
    pub day: i8,
    pub path: String,
    pub url: String,
    pub permalink: String,
    /// Entries, newest first.
    pub articles: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Archives {
    /// Newest first.
    pub years: Vec<Period>,
    pub months: Vec<Period>,
    pub days: Vec<Period>,
    pub path: String,
    pub url: String,
    pub permalink: String,
}

impl Archives {
    pub fn build(config: &Config, entries: &[Entry]) -> Archives {
        let urls = Urls(config);
        let mut archives = Archives::default();
        if !config.archives.enabled {
            return archives;
        }
        archives.path = format!("/{}/", config.archives.path);
        archives.url = urls.url(&archives.path);
        archives.permalink = urls.permalink(&archives.path);
        for (i, entry) in entries.iter().enumerate() {
            let (y, m, dd) = entry.article.day;
            push(&mut archives.years, Level::Year, y, 0, 0, i, &urls);
            push(&mut archives.months, Level::Month, y, m, 0, i, &urls);
            if config.archives.days {
                push(&mut archives.days, Level::Day, y, m, dd, i, &urls);
            }
        }
        archives
    }

    pub fn level(&self, level: Level) -> &[Period] {
        match level {
            Level::Year => &self.years,
            Level::Month => &self.months,
            Level::Day => &self.days,
        }
    }
}

fn push(
    list: &mut Vec<Period>,
    level: Level,
    year: i16,
    month: i8,
    day: i8,
    entry: usize,
    urls: &Urls<'_>,
) {
    if let Some(last) = list.last_mut()
        && (last.year, last.month, last.day) == (year, month, day)
    {
        last.articles.push(entry);
        return;
    }
    let path = match level {
        Level::Year => format!("/{year:04}/"),
        Level::Month => format!("/{year:04}/{month:02}/"),
        Level::Day => format!("/{year:04}/{month:02}/{day:02}/"),
    };
    list.push(Period {
        level,
        year,
        month,
        day,
        url: urls.url(&path),
        permalink: urls.permalink(&path),
        path,
        articles: vec![entry],
    });
}
