//! Making a photo's files: decode once, turn upright, resize (SIMD, Catmull-Rom) to each
//! width and crop, encode as WebP (libwebp, lossy) and JPEG or PNG. The files carry no
//! metadata.

use std::io::Cursor;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::facts::{Format, PhotoError};
use super::plan::Picture;
use crate::config::ImagesConfig;

/// Decoded pixels, upright: 3 (RGB) or 4 (RGBA) bytes a pixel.
struct Pixels {
    width: u32,
    height: u32,
    alpha: bool,
    data: Vec<u8>,
}

impl Pixels {
    fn kind(&self) -> PixelType {
        if self.alpha {
            PixelType::U8x4
        } else {
            PixelType::U8x3
        }
    }

    fn view(&self) -> ImageRef<'_> {
        ImageRef::new(self.width, self.height, &self.data, self.kind()).expect("sized buffer")
    }
}

/// Makes the files of `picture` whose site path `wanted` accepts, from the photo's `bytes`.
/// Gives (site path, bytes) pairs.
pub fn make(
    bytes: &[u8],
    picture: &Picture,
    settings: &ImagesConfig,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, Vec<u8>)>, PhotoError> {
    let mut out = Vec::new();
    let widths: Vec<_> = picture
        .variants
        .iter()
        .filter(|v| wanted(&v.webp) || wanted(&v.fallback))
        .collect();
    let crops: Vec<_> = picture.crops.iter().filter(|c| wanted(&c.path)).collect();
    if widths.is_empty() && crops.is_empty() {
        return Ok(out);
    }
    let source = decode(bytes, picture, settings)?;
    let mut resizer = Resizer::new();
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    // Widest first, each smaller width from the one before: fewer source pixels to read.
    let mut previous: Option<Pixels> = None;
    for v in picture.variants.iter().rev() {
        let from = previous.as_ref().unwrap_or(&source);
        let resized = if v.width == from.width && v.height == from.height {
            Pixels {
                width: from.width,
                height: from.height,
                alpha: from.alpha,
                data: from.data.clone(),
            }
        } else {
            resize(&mut resizer, from, v.width, v.height, &options)?
        };
        if wanted(&v.webp) {
            out.push((v.webp.clone(), webp(&resized, settings.webp_quality)?));
        }
        if wanted(&v.fallback) {
            out.push((
                v.fallback.clone(),
                encode(&resized, picture.fallback, settings.jpeg_quality)?,
            ));
        }
        previous = Some(resized);
    }
    for c in crops {
        let [x, y, w, h] = c.region;
        let o = options.crop(f64::from(x), f64::from(y), f64::from(w), f64::from(h));
        let cropped = resize(&mut resizer, &source, c.width, c.height, &o)?;
        out.push((
            c.path.clone(),
            encode(&cropped, picture.fallback, settings.jpeg_quality)?,
        ));
    }
    Ok(out)
}

fn decode(bytes: &[u8], picture: &Picture, settings: &ImagesConfig) -> Result<Pixels, PhotoError> {
    let format = match picture.facts.format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Webp => image::ImageFormat::WebP,
        Format::Gif | Format::Svg => return Err(PhotoError::Unknown),
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    // Room for the largest allowed photo with alpha, 16 bits a channel.
    limits.max_alloc = Some(settings.max_pixels.saturating_mul(8).max(64 << 20));
    reader.limits(limits);
    let mut img = reader
        .decode()
        .map_err(|e| PhotoError::Corrupt(e.to_string()))?;
    if let Some(o) = image::metadata::Orientation::from_exif(picture.facts.orientation) {
        img.apply_orientation(o);
    }
    let alpha = img.color().has_alpha();
    let (width, height) = (img.width(), img.height());
    let data = if alpha {
        img.into_rgba8().into_raw()
    } else {
        img.into_rgb8().into_raw()
    };
    Ok(Pixels {
        width,
        height,
        alpha,
        data,
    })
}

fn resize(
    resizer: &mut Resizer,
    from: &Pixels,
    width: u32,
    height: u32,
    options: &ResizeOptions,
) -> Result<Pixels, PhotoError> {
    let mut dst = Image::new(width, height, from.kind());
    resizer
        .resize(&from.view(), &mut dst, options)
        .map_err(|e| PhotoError::Corrupt(format!("cannot resize it: {e}")))?;
    Ok(Pixels {
        width,
        height,
        alpha: from.alpha,
        data: dst.into_vec(),
    })
}

fn webp(p: &Pixels, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let encoder = if p.alpha {
        webp::Encoder::from_rgba(&p.data, p.width, p.height)
    } else {
        webp::Encoder::from_rgb(&p.data, p.width, p.height)
    };
    encoder
        .encode_simple(false, f32::from(quality))
        .map(|m| m.to_vec())
        .map_err(|e| PhotoError::Corrupt(format!("cannot encode it as WebP: {e:?}")))
}

fn encode(p: &Pixels, format: Format, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    let failed = |e: String| PhotoError::Corrupt(format!("cannot encode it: {e}"));
    if format == Format::Png {
        use image::ImageEncoder;
        let color = if p.alpha {
            image::ExtendedColorType::Rgba8
        } else {
            image::ExtendedColorType::Rgb8
        };
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&p.data, p.width, p.height, color)
            .map_err(|e| failed(e.to_string()))?;
        return Ok(out);
    }
    let (w, h) = (
        u16::try_from(p.width).map_err(|_| failed("too wide for JPEG".into()))?,
        u16::try_from(p.height).map_err(|_| failed("too high for JPEG".into()))?,
    );
    let data = if p.alpha {
        // JPEG has no transparency (only WebP sources with alpha get here): transparent
        // parts are white, as on the page, not black.
        let over_white =
            |c: u8, a: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        p.data
            .chunks_exact(4)
            .flat_map(|px| {
                [
                    over_white(px[0], px[3]),
                    over_white(px[1], px[3]),
                    over_white(px[2], px[3]),
                ]
            })
            .collect()
    } else {
        p.data.clone()
    };
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(&data, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| failed(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::photos::{facts, plan};

    fn settings() -> ImagesConfig {
        ImagesConfig {
            widths: vec![40, 80],
            webp_quality: 80,
            jpeg_quality: 82,
            keep_metadata: false,
            credit: "{credit}".into(),
            max_pixels: 1_000_000,
            body_sizes: String::new(),
        }
    }

    #[test]
    fn every_file_is_made_at_its_planned_size() {
        let img = image::RgbImage::from_fn(200, 100, |x, y| {
            image::Rgb([(x % 256) as u8, (y * 2) as u8, 128])
        });
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&img)
            .unwrap();
        let f = facts::read(&jpeg).unwrap();
        let p = plan::picture(f, "a/b.jpg", &settings(), Some([0.5, 0.5]));
        let files = make(&jpeg, &p, &settings(), &|_| true).unwrap();
        assert_eq!(files.len(), 2 * 2 + 4);
        for (path, bytes) in &files {
            let decoded = image::load_from_memory(bytes).unwrap();
            let (w, h) = (decoded.width(), decoded.height());
            if let Some(v) = p
                .variants
                .iter()
                .find(|v| &v.webp == path || &v.fallback == path)
            {
                assert_eq!((w, h), (v.width, v.height), "{path}");
            } else {
                let c = p.crops.iter().find(|c| &c.path == path).unwrap();
                assert_eq!((w, h), (c.width, c.height), "{path}");
            }
            let is_webp = path.ends_with(".webp");
            assert_eq!(facts::sniff(bytes).unwrap() == Format::Webp, is_webp);
        }
        // Only what is asked for.
        let one = make(&jpeg, &p, &settings(), &|s| s == p.variants[0].webp).unwrap();
        assert_eq!(one.len(), 1);
    }

    #[test]
    fn a_truncated_photo_is_an_error() {
        let img = image::RgbImage::from_pixel(64, 64, image::Rgb([9, 9, 9]));
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&img, 64, 64, image::ExtendedColorType::Rgb8)
            .unwrap();
        let f = facts::read(&png).unwrap();
        let p = plan::picture(f, "a.png", &settings(), None);
        let cut = &png[..png.len() - 30];
        assert!(matches!(
            make(cut, &p, &settings(), &|_| true),
            Err(PhotoError::Corrupt(_))
        ));
    }

    use image::ImageEncoder;
}
