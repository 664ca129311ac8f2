//! Length and reading time of an article, from its plain text (never its HTML).
//!
//! Korean is counted in 어절 (space-separated words) and read at about 200 per minute; English
//! in words at about 238 per minute (figures in news-standards §5.5). A mixed article adds the
//! two: each token is Korean when it holds a Hangul syllable.

use serde::Serialize;

pub const KOREAN_EOJEOL_PER_MINUTE: f64 = 200.0;
pub const ENGLISH_WORDS_PER_MINUTE: f64 = 238.0;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReadingStats {
    /// Words of any language (어절 for Korean).
    pub words: usize,
    /// Characters without whitespace.
    pub chars: usize,
    /// Hangul syllables.
    pub hangul: usize,
    /// Whole minutes, at least 1 for any non-empty text.
    pub minutes: usize,
}

pub fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counter {
    korean_words: usize,
    other_words: usize,
    chars: usize,
    hangul: usize,
}

impl Counter {
    /// Adds a run of text (call as many times as needed; runs are separate words).
    pub fn add(&mut self, text: &str) {
        // One pass over the bytes: ASCII decided by byte, other characters decoded in place;
        // counts kept in locals and added at the end.
        let (mut korean, mut letters) = (false, false);
        let (mut korean_words, mut other_words, mut chars, mut hangul) = (0, 0, 0, 0);
        let mut end_word = |korean: &mut bool, letters: &mut bool| {
            if *korean {
                korean_words += 1;
            } else if *letters {
                other_words += 1;
            }
            *korean = false;
            *letters = false;
        };
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                i += 1;
                if matches!(b, b' ' | b'\t'..=b'\r') {
                    end_word(&mut korean, &mut letters);
                } else {
                    chars += 1;
                    letters |= b.is_ascii_alphanumeric();
                }
                continue;
            }
            let (c, n) = crate::text::tokens::char_at(text, i);
            i += n;
            if is_hangul_syllable(c) {
                chars += 1;
                hangul += 1;
                korean = true;
            } else if c.is_whitespace() {
                end_word(&mut korean, &mut letters);
            } else {
                chars += 1;
                letters |= c.is_alphanumeric();
            }
        }
        end_word(&mut korean, &mut letters);
        self.korean_words += korean_words;
        self.other_words += other_words;
        self.chars += chars;
        self.hangul += hangul;
    }

    pub fn finish(self) -> ReadingStats {
        let minutes = self.korean_words as f64 / KOREAN_EOJEOL_PER_MINUTE
            + self.other_words as f64 / ENGLISH_WORDS_PER_MINUTE;
        let words = self.korean_words + self.other_words;
        ReadingStats {
            words,
            chars: self.chars,
            hangul: self.hangul,
            minutes: if words == 0 {
                0
            } else {
                (minutes.round() as usize).max(1)
            },
        }
    }
}

pub fn stats(text: &str) -> ReadingStats {
    let mut c = Counter::default();
    c.add(text);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_counts_eojeol() {
        let s = stats("AI 동맹은 오늘 출범했다.");
        assert_eq!(s.words, 4);
        assert_eq!(s.hangul, 9);
        assert_eq!(s.chars, 12);
        assert_eq!(s.minutes, 1);
    }

    #[test]
    fn minutes_follow_the_reading_rates() {
        let korean = "동맹을 ".repeat(1000);
        assert_eq!(stats(&korean).minutes, 5);
        let english = "alliance ".repeat(2380);
        assert_eq!(stats(&english).minutes, 10);
        let mixed = format!("{korean}{english}");
        assert_eq!(stats(&mixed).minutes, 15);
    }

    #[test]
    fn empty_text_takes_no_time() {
        assert_eq!(stats("  \n ").minutes, 0);
        assert_eq!(stats("— …").words, 0);
    }

    /// The counter's one-pass loop agrees with counting whitespace-separated tokens.
    fn reference(text: &str) -> ReadingStats {
        let mut c = Counter::default();
        for token in text.split_whitespace() {
            let hangul = token.chars().filter(|c| is_hangul_syllable(*c)).count();
            c.chars += token.chars().count();
            c.hangul += hangul;
            if hangul > 0 {
                c.korean_words += 1;
            } else if token.chars().any(char::is_alphanumeric) {
                c.other_words += 1;
            }
        }
        c.finish()
    }

    proptest::proptest! {
        #[test]
        fn one_pass_counter_matches_token_counting(text in "[a-zA-Z0-9 \\t\\n\u{a0}\u{3000}.,가-힣ㄱ-ㅎé日本\u{85}\u{b}]{0,80}") {
            proptest::prop_assert_eq!(stats(&text), reference(&text));
        }
    }
}
