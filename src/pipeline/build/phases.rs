//! Stage timings for profiling (`NURI_TIMINGS=1`); never used by tests.

use super::*;

/// Prints how long each stage took when `NURI_TIMINGS` is set (for profiling, not tests).
pub struct Phases {
    pub(super) on: bool,
    pub(super) last: Instant,
}

impl Phases {
    pub fn new() -> Phases {
        Phases {
            on: std::env::var_os("NURI_TIMINGS").is_some(),
            last: Instant::now(),
        }
    }

    pub fn mark(&mut self, what: &str) {
        if self.on {
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS"))
                        .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
                })
                .unwrap_or_default();
            eprintln!(
                "{what:>12}: {:>6} ms  rss {rss} kB",
                self.last.elapsed().as_millis()
            );
        }
        self.last = Instant::now();
    }
}

impl Default for Phases {
    fn default() -> Self {
        Phases::new()
    }
}
