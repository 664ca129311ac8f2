//! Command-line interface definitions (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// nuri: a static site generator for news portals, Korean first.
#[derive(Debug, Parser)]
#[command(name = "nuri", version, about, propagate_version = true)]
pub struct Cli {
    /// The site folder (the one with config.toml).
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into its output folder (public/ by default).
    Build(BuildArgs),
    /// Preview the site at http://127.0.0.1:1111/, rebuilding and reloading on every save.
    Serve(ServeArgs),
    /// Check the whole site (content, links, templates) without writing anything.
    Check(CheckArgs),
    /// Tell search engines (IndexNow) which pages the last build added, changed or removed.
    Ping(PingArgs),
    /// Create a new site in DIR with the default theme and one example article.
    Init {
        /// Folder for the new site (created if missing; must be empty).
        dir: PathBuf,
    },
    /// Create a new article file with its front matter filled in (as a draft).
    New {
        /// Path inside content/, e.g. politics/2024/새-기사.md
        path: PathBuf,
        /// The headline (default: made from the file name).
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; use 0.0.0.0 to share on your network).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in a browser.
    #[arg(long)]
    pub open: bool,
    /// Start from this build cache (default: .nuri-cache in the site).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    #[command(flatten)]
    pub include: IncludeArgs,
}

/// Which unpublished articles a build or preview includes.
#[derive(Debug, Args, Clone, Default)]
pub struct IncludeArgs {
    /// Include articles marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Include articles whose date or publish_at is still in the future.
    #[arg(long)]
    pub future: bool,
    /// Include articles whose expire_at has passed.
    #[arg(long)]
    pub expired: bool,
}

impl IncludeArgs {
    /// Build options with these inclusions and the given clock.
    pub fn options(&self, now: jiff::Timestamp) -> nuri::model::BuildOptions {
        nuri::model::BuildOptions {
            drafts: self.drafts,
            future: self.future,
            expired: self.expired,
            now,
            preview: false,
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct PingArgs {
    /// Read the changes from FILE (written by `nuri build --changes FILE`) instead of the
    /// build cache.
    #[arg(long, value_name = "FILE")]
    pub changes: Option<PathBuf>,
    /// The build cache the last build used (default: .nuri-cache in the site).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Print the requests instead of sending them.
    #[arg(long)]
    pub dry_run: bool,
    /// Submit every page even when the last build had no earlier build to compare with (no
    /// build cache and no live site), so that all its pages count as new.
    #[arg(long)]
    pub all: bool,
    /// Milliseconds before the first retry (doubled for each next one).
    #[arg(long, default_value_t = 2000, hide = true)]
    pub pause_ms: u64,
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// `human` (grouped by file) or `json` (for CI).
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Check what a build with these options would publish.
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Args, Clone, Default)]
pub struct BuildArgs {
    /// Write the site here instead of the config's output_dir.
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub include: IncludeArgs,
    /// The build's clock, RFC 3339 (default: now), for reproducible builds.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Override base_url from config.toml (e.g. for a GitHub Pages project site).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Rebuild whenever a source file changes (no server; see `nuri serve`).
    #[arg(long)]
    pub watch: bool,
    /// A preview for editors: drafts and scheduled stories included, `noindex, nofollow`
    /// everywhere, no feeds, sitemaps, search index or ping; written to preview/ (and its
    /// own cache) unless --output says otherwise.
    #[arg(long)]
    pub preview: bool,
    /// Keep the build cache here (default: .nuri-cache in the site).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Write the URLs added, changed and removed since the last build to FILE, as JSON.
    #[arg(long, value_name = "FILE")]
    pub changes: Option<PathBuf>,
}
