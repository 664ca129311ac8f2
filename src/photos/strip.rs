//! Metadata in JPEG, PNG and WebP files: found ([`scan`]) and removed ([`strip`]) without
//! touching the pixels, so an original is published byte for byte the same image, minus
//! where and when and with what it was taken.
//!
//! What goes: EXIF (GPS, camera, date), XMP, IPTC, comments, PNG text chunks and anything
//! after a JPEG's end (phones append further pictures there). What stays: what decides how
//! the picture looks (colour profiles, transparency, gamma, animation), and the orientation,
//! rewritten as the only EXIF field when it is not the default.

use super::facts::Format;

/// What [`scan`] found.
#[derive(Debug, Default, Clone, Copy)]
pub struct Meta<'a> {
    /// The EXIF data, from its TIFF header on.
    pub exif: Option<&'a [u8]>,
    /// Any metadata [`strip`] would remove.
    pub any: bool,
}

/// Finds the metadata of a file. An error means the file's structure is broken.
pub fn scan(format: Format, bytes: &[u8]) -> Result<Meta<'_>, String> {
    let mut meta = Meta::default();
    walk(format, bytes, &mut |part| match part {
        Part::Keep(_) => {}
        Part::Drop { exif, .. } => {
            meta.any = true;
            // The first EXIF block counts, as in browsers.
            if meta.exif.is_none() {
                meta.exif = exif;
            }
        }
    })?;
    Ok(meta)
}

/// The file without its metadata; `orientation` (1–8) is kept when it is not 1.
pub fn strip(format: Format, bytes: &[u8], orientation: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len());
    walk(format, bytes, &mut |part| {
        if let Part::Keep(b) = part {
            out.extend_from_slice(b);
        }
    })?;
    if orientation > 1 {
        out = with_orientation(format, out, orientation);
    }
    if format == Format::Webp {
        fix_webp_header(&mut out);
    }
    Ok(out)
}

enum Part<'a> {
    Keep(&'a [u8]),
    Drop { exif: Option<&'a [u8]> },
}

fn walk<'a>(format: Format, b: &'a [u8], f: &mut dyn FnMut(Part<'a>)) -> Result<(), String> {
    match format {
        Format::Jpeg => walk_jpeg(b, f),
        Format::Png => walk_png(b, f),
        Format::Webp => walk_webp(b, f),
        Format::Gif | Format::Svg => {
            f(Part::Keep(b));
            Ok(())
        }
    }
}

fn walk_jpeg<'a>(b: &'a [u8], f: &mut dyn FnMut(Part<'a>)) -> Result<(), String> {
    let short = || "the JPEG ends in the middle of a segment".to_string();
    f(Part::Keep(&b[..2]));
    let mut i = 2;
    loop {
        // Fill bytes may come before a marker.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if b.get(i) != Some(&0xFF) {
            return Err(format!("no JPEG marker at byte {i}"));
        }
        let marker = *b.get(i + 1).ok_or_else(short)?;
        if marker == 0xD9 {
            // End of image: anything after it (appended pictures, trailers) goes.
            f(Part::Keep(&b[i..i + 2]));
            if b.len() > i + 2 {
                f(Part::Drop { exif: None });
            }
            return Ok(());
        }
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            f(Part::Keep(&b[i..i + 2]));
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([
            *b.get(i + 2).ok_or_else(short)?,
            *b.get(i + 3).ok_or_else(short)?,
        ]));
        let end = i + 2 + len;
        if len < 2 || end > b.len() {
            return Err(short());
        }
        let payload = &b[i + 4..end];
        let keep = match marker {
            0xE0 => true,                                  // JFIF
            0xE2 => payload.starts_with(b"ICC_PROFILE\0"), // colour profile (not MPF)
            0xEE => true,                                  // Adobe: colour transform
            0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,     // EXIF, XMP, IPTC, maker notes, comments
            _ => true,
        };
        if keep {
            f(Part::Keep(&b[i..end]));
        } else {
            let exif = (marker == 0xE1)
                .then(|| payload.strip_prefix(b"Exif\0\0"))
                .flatten();
            f(Part::Drop { exif });
        }
        i = end;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is not a stuffed 0xFF or a
            // restart marker.
            let start = i;
            loop {
                let Some(at) = memchr_ff(&b[i..]) else {
                    return Err("the JPEG's image data is cut short".into());
                };
                i += at;
                match b.get(i + 1) {
                    None => return Err("the JPEG's image data is cut short".into()),
                    Some(0x00 | 0xD0..=0xD7 | 0xFF) => i += 1,
                    Some(_) => break,
                }
            }
            f(Part::Keep(&b[start..i]));
        }
    }
}

fn memchr_ff(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x == 0xFF)
}

/// PNG chunks that change how the picture looks; every other ancillary chunk goes.
const PNG_KEEP: [&[u8; 4]; 14] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"cICP", b"acTL", b"fcTL", b"fdAT",
];

fn walk_png<'a>(b: &'a [u8], f: &mut dyn FnMut(Part<'a>)) -> Result<(), String> {
    f(Part::Keep(&b[..8]));
    let mut i = 8;
    while i < b.len() {
        if i + 12 > b.len() {
            return Err("the PNG ends in the middle of a chunk".into());
        }
        let len = u32::from_be_bytes(b[i..i + 4].try_into().expect("4 bytes")) as usize;
        let kind: &[u8; 4] = b[i + 4..i + 8].try_into().expect("4 bytes");
        let end = match len.checked_add(i + 12) {
            Some(end) if end <= b.len() => end,
            _ => return Err("the PNG ends in the middle of a chunk".into()),
        };
        if PNG_KEEP.contains(&kind) || kind[0].is_ascii_uppercase() {
            f(Part::Keep(&b[i..end]));
        } else {
            let exif = (kind == b"eXIf").then(|| &b[i + 8..i + 8 + len]);
            f(Part::Drop { exif });
        }
        i = end;
        if kind == b"IEND" {
            if i < b.len() {
                f(Part::Drop { exif: None });
            }
            break;
        }
    }
    Ok(())
}

fn walk_webp<'a>(b: &'a [u8], f: &mut dyn FnMut(Part<'a>)) -> Result<(), String> {
    f(Part::Keep(&b[..12]));
    let riff_end =
        (u32::from_le_bytes(b[4..8].try_into().expect("4 bytes")) as usize + 8).min(b.len());
    let mut i = 12;
    let mut image = false;
    while i + 8 <= riff_end {
        let kind = &b[i..i + 4];
        let len = u32::from_le_bytes(b[i + 4..i + 8].try_into().expect("4 bytes")) as usize;
        let data_end = match len.checked_add(i + 8) {
            Some(end) if end <= b.len() => end,
            _ => return Err("the WebP ends in the middle of a chunk".into()),
        };
        let end = (data_end + (len & 1)).min(b.len());
        image |= matches!(kind, b"VP8 " | b"VP8L" | b"ANMF");
        match kind {
            b"EXIF" => f(Part::Drop {
                exif: Some(strip_exif_prefix(&b[i + 8..i + 8 + len])),
            }),
            b"XMP " => f(Part::Drop { exif: None }),
            _ => f(Part::Keep(&b[i..end])),
        }
        i = end;
    }
    if !image {
        return Err("the WebP has no picture".into());
    }
    if riff_end < b.len() {
        f(Part::Drop { exif: None });
    }
    Ok(())
}

fn strip_exif_prefix(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"Exif\0\0").unwrap_or(b)
}

/// The TIFF structure of an EXIF block holding only the orientation.
fn orientation_exif(orientation: u8) -> Vec<u8> {
    let mut t = Vec::with_capacity(26);
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian, first IFD at 8
    t.extend_from_slice(&1u16.to_be_bytes()); // one entry
    t.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    t.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_be_bytes()); // one value
    t.extend_from_slice(&[0, orientation, 0, 0]); // the value, padded to 4 bytes
    t.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    t
}

fn with_orientation(format: Format, stripped: Vec<u8>, orientation: u8) -> Vec<u8> {
    let tiff = orientation_exif(orientation);
    match format {
        Format::Jpeg => {
            let mut seg = vec![0xFF, 0xE1];
            seg.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
            seg.extend_from_slice(b"Exif\0\0");
            seg.extend_from_slice(&tiff);
            // After SOI and a JFIF segment, where readers look for it.
            let mut at = 2;
            if stripped.get(2..4) == Some(&[0xFF, 0xE0]) {
                at = 4 + usize::from(u16::from_be_bytes([stripped[4], stripped[5]]));
            }
            let mut out = Vec::with_capacity(stripped.len() + seg.len());
            out.extend_from_slice(&stripped[..at]);
            out.extend_from_slice(&seg);
            out.extend_from_slice(&stripped[at..]);
            out
        }
        Format::Png => {
            // eXIf goes before the first IDAT.
            let Some(idat) = find_png_chunk(&stripped, b"IDAT") else {
                return stripped;
            };
            let mut chunk = Vec::new();
            chunk.extend_from_slice(&(tiff.len() as u32).to_be_bytes());
            chunk.extend_from_slice(b"eXIf");
            chunk.extend_from_slice(&tiff);
            let crc = crc32(&chunk[4..]);
            chunk.extend_from_slice(&crc.to_be_bytes());
            let mut out = stripped[..idat].to_vec();
            out.extend_from_slice(&chunk);
            out.extend_from_slice(&stripped[idat..]);
            out
        }
        Format::Webp => {
            let mut out = stripped;
            // Chunks start at even offsets (a last chunk may have lost its padding byte).
            if out.len() % 2 == 1 {
                out.push(0);
            }
            out.extend_from_slice(b"EXIF");
            out.extend_from_slice(&(tiff.len() as u32).to_le_bytes());
            out.extend_from_slice(&tiff);
            if tiff.len() % 2 == 1 {
                out.push(0);
            }
            out
        }
        Format::Gif | Format::Svg => stripped,
    }
}

fn find_png_chunk(b: &[u8], kind: &[u8; 4]) -> Option<usize> {
    let mut i = 8;
    while i + 8 <= b.len() {
        let len = u32::from_be_bytes(b[i..i + 4].try_into().ok()?) as usize;
        if &b[i + 4..i + 8] == kind {
            return Some(i);
        }
        i += 12 + len;
    }
    None
}

/// The RIFF length and the VP8X flags after chunks were removed or added.
fn fix_webp_header(b: &mut [u8]) {
    let len = (b.len() - 8) as u32;
    b[4..8].copy_from_slice(&len.to_le_bytes());
    if b.get(12..16) == Some(b"VP8X") && b.len() > 20 {
        let mut has_exif = false;
        let mut i = 12;
        while i + 8 <= b.len() {
            let n = u32::from_le_bytes(b[i + 4..i + 8].try_into().expect("4 bytes")) as usize;
            has_exif |= &b[i..i + 4] == b"EXIF";
            i = i.saturating_add(8).saturating_add(n).saturating_add(n & 1);
        }
        // Flags: 0x08 EXIF, 0x04 XMP.
        b[20] &= !0x0C;
        if has_exif {
            b[20] |= 0x08;
        }
    }
}

/// The CRC of a PNG chunk (type and data), as the PNG specification defines it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG of one grey 8×8 block, with an EXIF block, a comment and a trailer.
    fn jpeg_with_metadata(orientation: u8) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([120, 120, 120]));
        let mut plain = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut plain)
            .encode_image(&img)
            .unwrap();
        let mut tiff = orientation_exif(orientation);
        tiff.extend_from_slice(b"GPS 37.5665N 126.9780E");
        let mut seg = vec![0xFF, 0xE1];
        seg.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
        seg.extend_from_slice(b"Exif\0\0");
        seg.extend_from_slice(&tiff);
        seg.extend_from_slice(&[0xFF, 0xFE, 0, 7, b'h', b'e', b'l', b'l', b'o']);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&seg);
        out.extend_from_slice(&plain[2..]);
        out.extend_from_slice(b"\xFF\xD8 appended picture with GPS");
        out
    }

    #[test]
    fn a_jpeg_loses_its_metadata_and_keeps_its_picture() {
        let with = jpeg_with_metadata(1);
        let meta = scan(Format::Jpeg, &with).unwrap();
        assert!(meta.any);
        assert!(meta.exif.unwrap().starts_with(b"MM"));
        let out = strip(Format::Jpeg, &with, 1).unwrap();
        let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(!find(&out, b"GPS"));
        assert!(!find(&out, b"Exif"));
        assert!(!find(&out, b"hello"));
        assert!(out.ends_with(&[0xFF, 0xD9]));
        assert!(!scan(Format::Jpeg, &out).unwrap().any);
        let a = image::load_from_memory(&with).unwrap().to_rgb8();
        let b = image::load_from_memory(&out).unwrap().to_rgb8();
        assert_eq!(a, b);
    }

    #[test]
    fn the_orientation_survives_stripping() {
        let with = jpeg_with_metadata(6);
        let out = strip(Format::Jpeg, &with, 6).unwrap();
        let meta = scan(Format::Jpeg, &out).unwrap();
        let o = image::metadata::Orientation::from_exif_chunk(meta.exif.unwrap()).unwrap();
        assert_eq!(o.to_exif(), 6);
        assert!(!out.windows(3).any(|w| w == b"GPS"));
    }

    #[test]
    fn png_text_chunks_go_and_the_crc_of_a_new_chunk_is_right() {
        let img = image::RgbaImage::from_pixel(4, 4, image::Rgba([1, 2, 3, 128]));
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&img, 4, 4, image::ExtendedColorType::Rgba8)
            .unwrap();
        // A tEXt chunk before IEND.
        let iend = png.len() - 12;
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&13u32.to_be_bytes());
        chunk.extend_from_slice(b"tEXtGPS\0seoul 37N");
        let crc = crc32(&chunk[4..]);
        chunk.extend_from_slice(&crc.to_be_bytes());
        png.splice(iend..iend, chunk);
        assert!(scan(Format::Png, &png).unwrap().any);
        let out = strip(Format::Png, &png, 3).unwrap();
        assert!(!out.windows(5).any(|w| w == b"seoul"));
        let decoded = image::load_from_memory(&out).unwrap().to_rgba8();
        assert_eq!(decoded, img);
        let meta = scan(Format::Png, &out).unwrap();
        let o = image::metadata::Orientation::from_exif_chunk(meta.exif.unwrap()).unwrap();
        assert_eq!(o.to_exif(), 3);
        // The standard CRC of "IEND".
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        let with = jpeg_with_metadata(1);
        for cut in [3, 10, with.len() / 2] {
            assert!(scan(Format::Jpeg, &with[..cut]).is_err(), "cut at {cut}");
        }
        assert!(scan(Format::Png, b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR").is_err());
        // A huge chunk length, a RIFF of metadata only.
        assert!(
            scan(
                Format::Png,
                b"\x89PNG\r\n\x1a\n\xff\xff\xff\xffIHDR\0\0\0\0"
            )
            .is_err()
        );
        assert!(scan(Format::Webp, b"RIFF\x10\0\0\0WEBPXMP \x00\0\0\0").is_err());
        assert!(strip(Format::Webp, b"RIFF\x04\0\0\0WEBP", 1).is_err());
    }

    use image::ImageEncoder;
}
