//! A posting list kept small: document numbers in increasing order, stored as the gaps
//! between them in LEB128 (seven bits a byte). The index of a block holds millions of
//! postings; most gaps fit in one byte, so a list takes about a quarter of a `Vec<u32>`.
//!
//! Appending a larger number is the common case (documents are indexed in order) and costs
//! a few instructions; inserting or removing in the middle re-encodes the list.

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocList {
    bytes: Vec<u8>,
    last: u32,
    len: u32,
}

impl DocList {
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `doc` (kept sorted and without repeats).
    pub fn insert(&mut self, doc: u32) {
        if self.len == 0 || doc > self.last {
            self.push(doc);
        } else if doc != self.last {
            let mut docs = self.to_vec();
            if let Err(at) = docs.binary_search(&doc) {
                docs.insert(at, doc);
                *self = DocList::from_sorted(&docs);
            }
        }
    }

    /// Removes `doc`; says whether it was there.
    pub fn remove(&mut self, doc: u32) -> bool {
        if self.len == 0 || doc > self.last {
            return false;
        }
        let mut docs = self.to_vec();
        match docs.binary_search(&doc) {
            Ok(at) => {
                docs.remove(at);
                *self = DocList::from_sorted(&docs);
                true
            }
            Err(_) => false,
        }
    }

    /// Appends the documents of `other`, all larger than this list's.
    pub fn append(&mut self, other: &DocList) {
        for d in other.iter() {
            self.insert(d);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut at = 0;
        let mut prev = 0u32;
        let mut first = true;
        std::iter::from_fn(move || {
            if at >= self.bytes.len() {
                return None;
            }
            let mut gap = 0u32;
            let mut shift = 0;
            loop {
                let b = self.bytes[at];
                at += 1;
                gap |= u32::from(b & 0x7F) << shift;
                if b < 0x80 {
                    break;
                }
                shift += 7;
            }
            prev = if first { gap } else { prev + gap };
            first = false;
            Some(prev)
        })
    }

    pub fn to_vec(&self) -> Vec<u32> {
        let mut v = Vec::with_capacity(self.len());
        v.extend(self.iter());
        v
    }

    fn from_sorted(docs: &[u32]) -> DocList {
        let mut list = DocList::default();
        for &d in docs {
            list.push(d);
        }
        list
    }

    fn push(&mut self, doc: u32) {
        let mut gap = if self.len == 0 { doc } else { doc - self.last };
        loop {
            let b = (gap & 0x7F) as u8;
            gap >>= 7;
            if gap == 0 {
                self.bytes.push(b);
                break;
            }
            self.bytes.push(b | 0x80);
        }
        self.last = doc;
        self.len += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn behaves_like_a_sorted_set(ops in proptest::collection::vec((proptest::bool::ANY, 0u32..300_000), 0..200)) {
            let mut list = DocList::default();
            let mut set = std::collections::BTreeSet::new();
            for (add, d) in ops {
                // Small numbers as well as large ones, so gaps of every width occur.
                let d = if d % 3 == 0 { d % 40 } else { d };
                if add {
                    list.insert(d);
                    set.insert(d);
                } else {
                    proptest::prop_assert_eq!(list.remove(d), set.remove(&d));
                }
                proptest::prop_assert_eq!(list.len(), set.len());
            }
            proptest::prop_assert_eq!(list.to_vec(), set.iter().copied().collect::<Vec<_>>());
        }
    }

    #[test]
    fn dense_lists_take_a_byte_a_document() {
        let mut list = DocList::default();
        for d in (0..10_000).step_by(3) {
            list.insert(d);
        }
        assert_eq!(list.bytes.len(), list.len());
        let mut other = DocList::default();
        other.insert(20_000);
        other.insert(u32::MAX);
        list.append(&other);
        assert_eq!(list.iter().last(), Some(u32::MAX));
        assert_eq!(list.len(), 3_334 + 2);
    }
}
