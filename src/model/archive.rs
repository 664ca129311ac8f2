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
    /// The archives of the articles of `config`'s edition.
    pub fn build(config: &Config, entries: &[Entry]) -> Archives {
        let urls = Urls(config);
        let mut archives = Archives::default();
        if !config.archives.enabled {
            return archives;
        }
        let prefix = &config.this_edition().path;
        archives.path = format!("{prefix}{}/", config.archives.path);
        archives.url = urls.url(&archives.path);
        archives.permalink = urls.permalink(&archives.path);
        for (i, entry) in entries.iter().enumerate() {
            if entry.edition != config.edition {
                continue;
            }
            let (y, m, dd) = entry.article.day;
            let at = Place {
                prefix,
                urls: &urls,
                entry: i,
            };
            push(&mut archives.years, Level::Year, (y, 0, 0), &at);
            push(&mut archives.months, Level::Month, (y, m, 0), &at);
            if config.archives.days {
                push(&mut archives.days, Level::Day, (y, m, dd), &at);
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

/// Where an entry's periods go: the edition's path, and how URLs are made.
struct Place<'a> {
    prefix: &'a str,
    urls: &'a Urls<'a>,
    entry: usize,
}

fn push(list: &mut Vec<Period>, level: Level, (year, month, day): (i16, i8, i8), at: &Place<'_>) {
    let (entry, urls, prefix) = (at.entry, at.urls, at.prefix);
    if let Some(last) = list.last_mut()
        && (last.year, last.month, last.day) == (year, month, day)
    {
        last.articles.push(entry);
        return;
    }
    let path = match level {
        Level::Year => format!("{prefix}{year:04}/"),
        Level::Month => format!("{prefix}{year:04}/{month:02}/"),
        Level::Day => format!("{prefix}{year:04}/{month:02}/{day:02}/"),
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
