//! The one pipeline that `nuri build`, `nuri check` and `nuri serve` all run.
//!
//! ```text
//!  sources ──► Engine ──────────────► Snapshot ──► (build) staging folder + build cache
//!  (content,   reads and parses,      model, views,   (check) every page, links checked
//!   templates,  keeps what did not     list of files,  (serve) pages on request, in memory
//!   static)     change (library)       fingerprints
//! ```
//!
//! The [`Engine`] holds the site's sources as last read and brings them up to date after a
//! change, re-parsing only the files that changed. A [`Snapshot`] is one version of the
//! site: the model, the list of its files ([`crate::render::pages`]), and for each file a
//! fingerprint of everything it is made from. The drivers differ only in what they do with
//! a snapshot: [`build`] writes the files whose fingerprints changed (linking the rest from
//! the [`cache`]), `check` renders every page and checks its links, `serve` renders the
//! pages a browser asks for.

pub mod build;
pub mod cache;
mod collisions;
pub mod engine;
mod hosts;
mod images;
pub mod library;
pub mod snapshot;
mod stamp;

pub use build::{BuildPlan, Phases, Report, build};
pub use engine::{BuildRequest, Change, Engine, load_config};
pub use snapshot::{SiteLinks, Snapshot};
