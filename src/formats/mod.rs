//! The files a site publishes besides its pages: feeds, sitemaps and robots.txt (their
//! views; the templates write them), structured data for search engines, and the search
//! index. Each reads borrowed views of the model; none knows about the pipeline.

mod doclist;
pub mod feeds;
mod keyset;
pub mod search;
pub mod seo;
pub mod sitemap;
