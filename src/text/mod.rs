//! Text utilities that know Korean: slugs, URL encoding, counts for reading time.

pub mod dates;
pub mod reading;
pub mod slug;
pub mod tokens;
pub mod url;
pub mod xml;
