//! Per-article navigation: the neighbouring articles of its section.

use super::Section;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nav {
    /// The next newer article in the same section.
    pub newer: Option<usize>,
    /// The next older article in the same section.
    pub older: Option<usize>,
}

/// Each entry's newer and older neighbour in its section.
pub fn neighbours(sections: &[Section], entries: usize) -> Vec<Nav> {
    let mut nav = vec![Nav::default(); entries];
    for section in sections {
        for (pos, &i) in section.articles.iter().enumerate() {
            nav[i].newer = pos.checked_sub(1).map(|p| section.articles[p]);
            nav[i].older = section.articles.get(pos + 1).copied();
        }
    }
    nav
}
