//! News photos: what a source file is ([`facts`]), which sizes and crops a page shows of it
//! ([`plan`]), making them ([`encode`]), keeping them between builds ([`store`]) and
//! publishing originals without their metadata ([`strip`]).
//!
//! Everything here works on bytes and paths; which articles use which photo is the
//! pipeline's business.

pub mod encode;
pub mod facts;
pub mod plan;
pub mod store;
pub mod strip;

pub use facts::{Facts, Format, PhotoError};
pub use plan::{Crop, Picture, Variant};
pub use store::Store;
