//! What a photo file is, read from its bytes without decoding its pixels: format, size as
//! shown (after the EXIF orientation), whether it carries metadata, and a hash of its bytes.

use super::strip;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    /// Published as it is (it may be animated).
    Gif,
    /// Published as it is (it has no pixels to resize).
    Svg,
}

impl Format {
    /// Formats whose pixels nuri resizes and encodes.
    pub fn resizable(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::Webp)
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Svg => "image/svg+xml",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Facts {
    pub format: Format,
    /// Width and height as shown, after the EXIF orientation.
    pub width: u32,
    pub height: u32,
    /// EXIF orientation, 1 (as stored) to 8.
    pub orientation: u8,
    /// The file has EXIF, XMP, IPTC, comments or text chunks.
    pub metadata: bool,
    pub len: u64,
    /// xxh3 of the file's bytes.
    pub hash: u64,
}

/// Why a photo cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("cannot read the photo: {0}")]
    Read(String),
    #[error("the photo is HEIC/HEIF, which browsers do not show")]
    Heic,
    #[error("the photo is AVIF, which nuri cannot read yet")]
    Avif,
    #[error("the file is not a JPEG, PNG, WebP, GIF or SVG image")]
    Unknown,
    #[error("the photo is {width}×{height} pixels ({mp:.0} megapixels), more than the limit of {limit} megapixels", mp = (*width as f64) * (*height as f64) / 1e6)]
    TooLarge { width: u32, height: u32, limit: u64 },
    #[error("the photo is damaged or cut short: {0}")]
    Corrupt(String),
}

impl PhotoError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            PhotoError::Read(_) => "check that the file exists and can be read",
            PhotoError::Heic => {
                "export it as JPEG (on a Mac: Preview › Export; on an iPhone: Settings › Camera › Formats › Most Compatible), or convert it: `heif-convert photo.heic photo.jpg`"
            }
            PhotoError::Avif => "export it as JPEG or PNG",
            PhotoError::Unknown => "save it as JPEG (photos) or PNG (graphics)",
            PhotoError::TooLarge { .. } => {
                "resize it before publishing, or raise images.max_megapixels in config.toml if it is a real photo"
            }
            PhotoError::Corrupt(_) => {
                "open it in an image editor and save it again, or copy it from the camera again"
            }
        }
    }
}

/// `facts` when the photo has at most `max_pixels` pixels: a decompression bomb is refused
/// before any decoding.
pub fn within(facts: Facts, max_pixels: u64) -> Result<Facts, PhotoError> {
    if u64::from(facts.width) * u64::from(facts.height) > max_pixels {
        return Err(PhotoError::TooLarge {
            width: facts.width,
            height: facts.height,
            limit: max_pixels / 1_000_000,
        });
    }
    Ok(facts)
}

/// Reads what `bytes` are, from their headers.
pub fn read(bytes: &[u8]) -> Result<Facts, PhotoError> {
    let format = sniff(bytes)?;
    let hash = xxhash_rust::xxh3::xxh3_64(bytes);
    if format == Format::Svg {
        let (width, height) = svg_size(bytes);
        return Ok(Facts {
            format,
            width,
            height,
            orientation: 1,
            metadata: false,
            len: bytes.len() as u64,
            hash,
        });
    }
    let size = imagesize::blob_size(bytes).map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    let (w, h) = (
        u32::try_from(size.width).unwrap_or(u32::MAX),
        u32::try_from(size.height).unwrap_or(u32::MAX),
    );
    if w == 0 || h == 0 {
        return Err(PhotoError::Corrupt(
            "it says it is 0 pixels wide or high".into(),
        ));
    }
    let meta = strip::scan(format, bytes).map_err(PhotoError::Corrupt)?;
    let orientation = meta
        .exif
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .map_or(1, |o| o.to_exif());
    let (width, height) = if orientation >= 5 { (h, w) } else { (w, h) };
    Ok(Facts {
        format,
        width,
        height,
        orientation,
        metadata: meta.any,
        len: bytes.len() as u64,
        hash,
    })
}

/// The format by the file's first bytes (its name may lie).
pub fn sniff(bytes: &[u8]) -> Result<Format, PhotoError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(Format::Webp);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Ok(Format::Gif);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Err(match &bytes[8..12] {
            b"avif" | b"avis" => PhotoError::Avif,
            _ => PhotoError::Heic,
        });
    }
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    if text.contains("<svg") {
        return Ok(Format::Svg);
    }
    Err(PhotoError::Unknown)
}

/// An SVG's `width` and `height` attributes in pixels, or 0 when it has none.
fn svg_size(bytes: &[u8]) -> (u32, u32) {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let Some(start) = text.find("<svg") else {
        return (0, 0);
    };
    let tag = &text[start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        tag.find(&key)
            .and_then(|i| {
                let v = &tag[i + key.len()..];
                let v = &v[..v.find('"')?];
                v.trim_end_matches("px").parse::<f64>().ok()
            })
            .map_or(0, |v| v.round() as u32)
    };
    (attr("width"), attr("height"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_formats_by_their_bytes() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest").unwrap(), Format::Jpeg);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(), Format::Webp);
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0").unwrap_err(),
            PhotoError::Heic
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypmif1\0\0").unwrap_err(),
            PhotoError::Heic
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypavif\0\0").unwrap_err(),
            PhotoError::Avif
        );
        assert_eq!(sniff(b"hello").unwrap_err(), PhotoError::Unknown);
        assert_eq!(
            sniff(br#"<?xml version="1.0"?><svg width="10" height="20">"#).unwrap(),
            Format::Svg
        );
        assert_eq!(
            svg_size(br#"<svg x="1" width="10px" height="20">"#),
            (10, 20)
        );
    }
}
