//! Limits of the static hosts a newsroom deploys to, checked against what a build wrote.
//!
//! A site past one of these still builds; the warning names the hosts that would refuse
//! or cut it, so the newsroom hears it from the build and not from a failed deploy.

/// One host's limit: what is counted, how much is allowed, and who sets it.
struct Limit {
    host: &'static str,
    what: Measure,
    max: u64,
}

#[derive(Clone, Copy)]
enum Measure {
    Files,
    Bytes,
    LargestFile,
}

const LIMITS: &[Limit] = &[
    Limit {
        host: "Cloudflare Pages (free plan)",
        what: Measure::Files,
        max: 20_000,
    },
    Limit {
        host: "Cloudflare Pages (paid plans)",
        what: Measure::Files,
        max: 100_000,
    },
    Limit {
        host: "GitHub Pages",
        what: Measure::Bytes,
        max: 1_000_000_000,
    },
    Limit {
        host: "Cloudflare Pages",
        what: Measure::LargestFile,
        max: 25 * 1024 * 1024,
    },
];

/// What a build published.
#[derive(Debug, Clone, Copy, Default)]
pub struct Published {
    pub files: u64,
    pub bytes: u64,
    /// The largest file: its size.
    pub largest: u64,
}

/// One line per kind of limit the site is past, naming the hosts.
pub fn warnings(p: Published) -> Vec<String> {
    let mut out = Vec::new();
    for what in [Measure::Files, Measure::Bytes, Measure::LargestFile] {
        let (have, unit) = match what {
            Measure::Files => (p.files, "files"),
            Measure::Bytes => (p.bytes, "bytes"),
            Measure::LargestFile => (p.largest, "bytes in one file"),
        };
        let past: Vec<String> = LIMITS
            .iter()
            .filter(|l| std::mem::discriminant(&l.what) == std::mem::discriminant(&what))
            .filter(|l| have > l.max)
            .map(|l| format!("{} allows {}", l.host, count(l.max, what)))
            .collect();
        if !past.is_empty() {
            out.push(format!(
                "the site has {} {unit}, more than some hosts take: {}",
                thousands(have),
                past.join("; ")
            ));
        }
    }
    out
}

fn count(n: u64, what: Measure) -> String {
    match what {
        Measure::Files => format!("{} files", thousands(n)),
        Measure::Bytes if n.is_multiple_of(1_000_000_000) => format!("{} GB", n / 1_000_000_000),
        Measure::LargestFile if n.is_multiple_of(1024 * 1024) => format!("{} MiB a file", n >> 20),
        _ => format!("{} bytes", thousands(n)),
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_site_fits_everywhere() {
        let p = Published {
            files: 20_000,
            bytes: 1_000_000_000,
            largest: 25 * 1024 * 1024,
        };
        assert!(warnings(p).is_empty(), "{:?}", warnings(p));
    }

    #[test]
    fn each_limit_names_its_hosts() {
        let w = warnings(Published {
            files: 20_001,
            bytes: 10,
            largest: 10,
        });
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("20,001 files"), "{}", w[0]);
        assert!(w[0].contains("Cloudflare Pages (free plan) allows 20,000 files"));
        assert!(!w[0].contains("paid"));

        let w = warnings(Published {
            files: 150_000,
            bytes: 1_500_000_000,
            largest: 30 << 20,
        });
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].contains("paid plans) allows 100,000 files"));
        assert!(w[1].contains("GitHub Pages allows 1 GB"), "{}", w[1]);
        assert!(
            w[2].contains("Cloudflare Pages allows 25 MiB a file"),
            "{}",
            w[2]
        );
    }
}
