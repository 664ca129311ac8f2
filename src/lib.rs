//! nuri: a static site generator for news portals, Korean first.
//!
//! The pipeline runs one way: [`config`] → [`content`] (each file parsed on its own) →
//! [`model`] (URLs, sections, taxonomies, archives) → [`render`] (views and templates) →
//! [`output`] (staging folder, atomic swap). [`pipeline`] is the engine that runs it, the
//! same for `build`, `check` and `serve`, keeping what did not change between runs (in
//! memory while serving, in the build cache between builds). [`formats`] write feeds,
//! sitemaps, structured data and the search index from borrowed views of the model.
//! `docs/architecture.md` draws the flow.

pub mod check;
pub mod config;
pub mod content;
pub mod error;
pub mod formats;
pub mod i18n;
pub mod markdown;
pub mod model;
pub mod output;
pub mod photos;
pub mod ping;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod sources;
pub mod text;

pub use formats::{feeds, search, seo, sitemap};
pub use pipeline::{BuildPlan, BuildRequest, Report, build, load_config};
