//! A set of `u64` keys for one document's index terms: open addressing with a
//! multiplicative hash, emptied in constant time by a generation stamp, and the keys kept in
//! the order they were first added. A document adds thousands of keys, most of them again
//! and again; this does each in a handful of instructions where a general hash set takes
//! several times that.

#[derive(Debug, Default)]
pub struct KeySet {
    slots: Vec<u64>,
    stamps: Vec<u32>,
    stamp: u32,
    keys: Vec<u64>,
}

impl KeySet {
    /// Empties the set (keeps its memory).
    pub fn clear(&mut self) {
        self.keys.clear();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.stamps.iter_mut().for_each(|s| *s = 0);
            self.stamp = 1;
        }
    }

    /// Adds `key`; says whether it was new.
    #[inline]
    pub fn insert(&mut self, key: u64) -> bool {
        if (self.keys.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask;
        loop {
            if self.stamps[at] != self.stamp {
                self.stamps[at] = self.stamp;
                self.slots[at] = key;
                self.keys.push(key);
                return true;
            }
            if self.slots[at] == key {
                return false;
            }
            at = (at + 1) & mask;
        }
    }

    /// The keys, in the order they were first added.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        self.slots = vec![0; size];
        self.stamps = vec![0; size];
        self.stamp = 1;
        let keys = std::mem::take(&mut self.keys);
        for k in keys {
            self.insert(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn keeps_first_occurrences_in_order(rounds in proptest::collection::vec(proptest::collection::vec(0u64..3000, 0..3000), 1..4)) {
            let mut set = KeySet::default();
            for keys in rounds {
                set.clear();
                let mut seen = std::collections::HashSet::new();
                let mut want = Vec::new();
                for &k in &keys {
                    let k = k.wrapping_mul(1 << 40) | k;
                    proptest::prop_assert_eq!(set.insert(k), seen.insert(k));
                    if want.last() != Some(&k) && !want.contains(&k) {
                        want.push(k);
                    }
                }
                proptest::prop_assert_eq!(set.keys(), &want[..]);
            }
        }
    }
}
