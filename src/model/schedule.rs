//! Which articles are in a build: drafts, embargoed (future) and expired articles are left
//! out unless asked for. The clock is an input (`--now`), so a build is reproducible.

use jiff::Timestamp;

use crate::content::Article;

/// Command-line choices that change what is published.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub drafts: bool,
    pub future: bool,
    pub expired: bool,
    /// The build's clock.
    pub now: Timestamp,
    /// A preview for editors (`nuri build --preview`): kept from search engines and feed
    /// readers, written beside the production site.
    pub preview: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            drafts: false,
            future: false,
            expired: false,
            now: Timestamp::now(),
            preview: false,
        }
    }
}

/// Why an article is not in this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    Draft,
    Future,
    Expired,
}

impl Exclusion {
    pub fn describe(self) -> &'static str {
        match self {
            Exclusion::Draft => "it is a draft (build with --drafts to include it)",
            Exclusion::Future => "it is scheduled for later (build with --future to include it)",
            Exclusion::Expired => "it has expired (build with --expired to include it)",
        }
    }
}

impl BuildOptions {
    pub fn exclusion(&self, article: &Article) -> Option<Exclusion> {
        if article.draft && !self.drafts {
            return Some(Exclusion::Draft);
        }
        if article.publish_time() > self.now && !self.future {
            return Some(Exclusion::Future);
        }
        if let Some(expire) = article.expire_at
            && expire <= self.now
            && !self.expired
        {
            return Some(Exclusion::Expired);
        }
        None
    }
}
