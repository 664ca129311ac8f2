//! Which files a photo is published as: its widths in WebP and in its own format, and, for a
//! lead photo, crops for sharing. A pure function of the photo's facts and the settings, so a
//! page knows every name and size before anything is encoded.

use std::hash::Hasher;

use super::facts::{Facts, Format};
use crate::config::ImagesConfig;

/// Bumped when the same settings would give different bytes (a new encoder, filter, …).
const ENCODING: u64 = 2;

/// The longest side libwebp encodes.
const WEBP_MAX: u32 = 16383;

/// One width of a photo, in two encodings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    /// Site paths, without the leading `/`.
    pub webp: String,
    pub fallback: String,
}

/// A crop of a lead photo for sharing: `og` (1200×630), `16x9`, `4x3`, `1x1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Crop {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    /// The part of the photo (as shown) it is made from: x, y, width, height.
    pub region: [u32; 4],
    pub path: String,
}

/// Every file a photo is published as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Picture {
    pub facts: Facts,
    /// Site path of the original, without the leading `/`.
    pub original: String,
    /// Narrowest first; empty for formats published as they are (GIF, SVG).
    pub variants: Vec<Variant>,
    pub crops: Vec<Crop>,
    /// The format of the fallback files and crops.
    pub fallback: Format,
    /// Names the bytes of every file above: the source's, the settings', the focus'.
    pub key: u64,
}

impl Picture {
    /// The variant a browser that reads no `srcset` gets: the widest up to 1200 pixels.
    pub fn default_variant(&self) -> Option<&Variant> {
        self.variants
            .iter()
            .rev()
            .find(|v| v.width <= 1200)
            .or(self.variants.first())
    }

    /// Site paths of every file made of the photo: sizes (WebP, fallback), then crops.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.variants
            .iter()
            .flat_map(|v| [v.webp.as_str(), v.fallback.as_str()])
            .chain(self.crops.iter().map(|c| c.path.as_str()))
    }

    pub fn crop(&self, name: &str) -> Option<&Crop> {
        self.crops.iter().find(|c| c.name == name)
    }
}

/// Crops Google's article guidelines and the share previews of Kakao, Naver and Facebook
/// ask for: (name, width, height) at full size.
pub const CROPS: [(&str, u32, u32); 4] = [
    ("og", 1200, 630),
    ("16x9", 1200, 675),
    ("4x3", 1200, 900),
    ("1x1", 1200, 1200),
];

/// The widths a photo `source_width` wide is published at: the configured ones it is wider
/// than, and its own width when that is narrower than the widest configured (never
/// upscaled).
pub fn widths(source_width: u32, configured: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = configured
        .iter()
        .copied()
        .filter(|&w| w < source_width)
        .collect();
    if configured
        .last()
        .is_none_or(|&widest| source_width <= widest)
    {
        out.push(source_width);
    }
    out
}

/// The largest part of a `w`×`h` photo with the shape `rw`:`rh`, centred on `focus` as far
/// as the edges allow.
pub fn region(w: u32, h: u32, rw: u32, rh: u32, focus: [f64; 2]) -> [u32; 4] {
    let (cw, ch) = if u64::from(w) * u64::from(rh) > u64::from(h) * u64::from(rw) {
        ((u64::from(h) * u64::from(rw) / u64::from(rh)) as u32, h)
    } else {
        (w, (u64::from(w) * u64::from(rh) / u64::from(rw)) as u32)
    };
    let (cw, ch) = (cw.max(1), ch.max(1));
    let place = |size: u32, part: u32, at: f64| -> u32 {
        let centre = at.clamp(0.0, 1.0) * f64::from(size);
        let start = (centre - f64::from(part) / 2.0).round();
        start.clamp(0.0, f64::from(size - part)) as u32
    };
    [place(w, cw, focus[0]), place(h, ch, focus[1]), cw, ch]
}

/// Every file of the photo at site path `original` (no leading `/`), with `focus` for its
/// crops when it is a lead photo.
pub fn picture(
    facts: Facts,
    original: &str,
    settings: &ImagesConfig,
    crops_focus: Option<[f64; 2]>,
) -> Picture {
    let fallback = match facts.format {
        Format::Png => Format::Png,
        Format::Gif | Format::Svg => facts.format,
        Format::Jpeg | Format::Webp => Format::Jpeg,
    };
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.write_u64(ENCODING);
    h.write_u64(facts.hash);
    h.write_u8(settings.webp_quality);
    h.write_u8(settings.jpeg_quality);
    let sizes_key = h.finish();
    if let Some(f) = crops_focus {
        h.write_u64(f[0].to_bits());
        h.write_u64(f[1].to_bits());
    }
    let crops_key = h.finish();
    let (dir, stem) = split(original);
    let ext = match fallback {
        Format::Png => "png",
        _ => "jpg",
    };
    let mut p = Picture {
        facts,
        original: original.to_string(),
        variants: Vec::new(),
        crops: Vec::new(),
        fallback,
        key: crops_key,
    };
    if !facts.format.resizable() {
        return p;
    }
    let tag = format!("{:08x}", sizes_key as u32);
    p.variants = widths(facts.width, &settings.widths)
        .into_iter()
        // WebP ends at 16,383 pixels a side: a long infographic keeps the narrower sizes.
        .filter(|&w| scaled(facts.height, w, facts.width) <= WEBP_MAX)
        .map(|w| {
            let height = scaled(facts.height, w, facts.width);
            Variant {
                width: w,
                height,
                webp: format!("{dir}{stem}.{tag}.{w}.webp"),
                fallback: format!("{dir}{stem}.{tag}.{w}.{ext}"),
            }
        })
        .collect();
    if let Some(focus) = crops_focus {
        let tag = format!("{:08x}", crops_key as u32);
        p.crops = CROPS
            .iter()
            .map(|&(name, cw, ch)| {
                let r = region(facts.width, facts.height, cw, ch, focus);
                let width = cw.min(r[2]);
                let height = if width == cw {
                    ch
                } else {
                    scaled(ch, width, cw)
                };
                Crop {
                    name,
                    width,
                    height,
                    region: r,
                    path: format!("{dir}{stem}.{tag}.{width}x{height}.{ext}"),
                }
            })
            .collect();
    }
    p
}

/// `length` × `num` / `den`, rounded, at least 1.
fn scaled(length: u32, num: u32, den: u32) -> u32 {
    ((u64::from(length) * u64::from(num) + u64::from(den) / 2) / u64::from(den)).max(1) as u32
}

/// `images/a/photo.jpg` → (`images/a/`, `photo`).
fn split(path: &str) -> (&str, &str) {
    let (dir, file) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    };
    let stem = file.rfind('.').map_or(file, |i| &file[..i]);
    (dir, stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ImagesConfig {
        ImagesConfig {
            widths: vec![480, 800, 1200, 1600],
            webp_quality: 80,
            jpeg_quality: 82,
            keep_metadata: false,
            credit: "사진={credit}".into(),
            max_pixels: 100_000_000,
            body_sizes: String::new(),
        }
    }

    fn facts(width: u32, height: u32, format: Format) -> Facts {
        Facts {
            format,
            width,
            height,
            orientation: 1,
            metadata: false,
            len: 1,
            hash: 7,
        }
    }

    #[test]
    fn photos_are_never_upscaled() {
        let c = [480, 800, 1200, 1600];
        assert_eq!(widths(4000, &c), [480, 800, 1200, 1600]);
        assert_eq!(widths(1600, &c), [480, 800, 1200, 1600]);
        assert_eq!(widths(1000, &c), [480, 800, 1000]);
        assert_eq!(widths(300, &c), [300]);
        assert_eq!(widths(480, &c), [480]);
    }

    #[test]
    fn crops_follow_the_focus_and_stay_inside() {
        // A 4000×3000 photo: 16:9 is the full width, 2250 high.
        assert_eq!(region(4000, 3000, 16, 9, [0.5, 0.5]), [0, 375, 4000, 2250]);
        assert_eq!(region(4000, 3000, 16, 9, [0.5, 0.0]), [0, 0, 4000, 2250]);
        assert_eq!(region(4000, 3000, 16, 9, [0.5, 1.0]), [0, 750, 4000, 2250]);
        // Square: 3000×3000, moved towards the left third.
        assert_eq!(region(4000, 3000, 1, 1, [0.3, 0.5]), [0, 0, 3000, 3000]);
        assert_eq!(region(4000, 3000, 1, 1, [0.6, 0.5]), [900, 0, 3000, 3000]);
    }

    #[test]
    fn a_lead_photo_gets_every_width_and_crop() {
        let p = picture(
            facts(4000, 3000, Format::Jpeg),
            "news/2025/a/사진.jpg",
            &settings(),
            Some([0.5, 0.5]),
        );
        let ws: Vec<_> = p.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(ws, [(480, 360), (800, 600), (1200, 900), (1600, 1200)]);
        assert!(p.variants[1].webp.starts_with("news/2025/a/사진."));
        assert!(p.variants[1].webp.ends_with(".800.webp"));
        assert!(p.variants[1].fallback.ends_with(".800.jpg"));
        let og = p.crop("og").unwrap();
        assert_eq!((og.width, og.height), (1200, 630));
        assert_eq!(p.default_variant().unwrap().width, 1200);
        // A small photo gives smaller crops of the same shape.
        let small = picture(
            facts(900, 600, Format::Png),
            "a.png",
            &settings(),
            Some([0.5; 2]),
        );
        let sq = small.crop("1x1").unwrap();
        assert_eq!((sq.width, sq.height), (600, 600));
        assert!(sq.path.ends_with(".600x600.png"));
        // Another focus, other crop names; the widths keep theirs.
        let moved = picture(
            facts(4000, 3000, Format::Jpeg),
            "news/2025/a/사진.jpg",
            &settings(),
            Some([0.2, 0.5]),
        );
        assert_eq!(moved.variants, p.variants);
        assert_ne!(moved.crop("og").unwrap().path, og.path);
    }

    #[test]
    fn a_long_infographic_keeps_the_sizes_webp_can_hold() {
        let p = picture(facts(1080, 20000, Format::Png), "a.png", &settings(), None);
        let ws: Vec<_> = p.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(ws, [(480, 8889), (800, 14815)]);
    }

    #[test]
    fn gif_and_svg_are_published_as_they_are() {
        let p = picture(
            facts(400, 300, Format::Gif),
            "a.gif",
            &settings(),
            Some([0.5; 2]),
        );
        assert!(p.variants.is_empty() && p.crops.is_empty());
    }
}
