//! One paginator for every list: front page, sections, terms and date archives.
//!
//! The first page lives at the list's own path, later pages at `<path>page/N/`. An empty list
//! still has one page, so every list URL exists.

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSlice {
    /// 1-based page number.
    pub number: usize,
    /// Positions in the list's item vector.
    pub range: std::ops::Range<usize>,
    /// Site path of this page (`/politics/` or `/politics/page/2/`).
    pub path: String,
}

/// The site path of page `number` of the list at `base` (which ends with `/`).
pub fn page_path(base: &str, number: usize) -> String {
    if number <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{number}/")
    }
}

/// Splits `len` items into pages of `per_page`.
pub fn paginate(base: &str, len: usize, per_page: usize) -> Vec<PageSlice> {
    let per_page = per_page.max(1);
    let total = len.div_ceil(per_page).max(1);
    (1..=total)
        .map(|number| PageSlice {
            number,
            range: ((number - 1) * per_page).min(len)..(number * per_page).min(len),
            path: page_path(base, number),
        })
        .collect()
}

/// Page numbers to show around `current`: first, last, and `radius` on either side,
/// with `None` standing for a gap ("…").
pub fn window(current: usize, total: usize, radius: usize) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    let lo = current.saturating_sub(radius).max(1);
    let hi = (current + radius).min(total);
    if lo > 1 {
        out.push(Some(1));
        if lo > 2 {
            out.push(None);
        }
    }
    out.extend((lo..=hi).map(Some));
    if hi < total {
        if hi + 1 < total {
            out.push(None);
        }
        out.push(Some(total));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_zero_n_and_n_plus_one() {
        assert_eq!(paginate("/a/", 0, 10).len(), 1);
        assert_eq!(paginate("/a/", 0, 10)[0].range, 0..0);
        assert_eq!(paginate("/a/", 10, 10).len(), 1);
        let p = paginate("/a/", 11, 10);
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].range, 10..11);
        assert_eq!(p[1].path, "/a/page/2/");
        assert_eq!(p[0].path, "/a/");
    }

    #[test]
    fn window_has_gaps() {
        assert_eq!(window(1, 1, 2), vec![Some(1)]);
        assert_eq!(
            window(5, 10, 1),
            vec![Some(1), None, Some(4), Some(5), Some(6), None, Some(10)]
        );
        assert_eq!(window(2, 3, 2), vec![Some(1), Some(2), Some(3)]);
    }
}
