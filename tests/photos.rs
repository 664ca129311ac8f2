//! News photos (issue 14): a camera photo is published in sizes and crops, upright, without
//! its GPS; body photos get `<picture>` with a size; broken, HEIC and oversized photos are
//! located errors that leave the published site alone; a photo is encoded once.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use common::SiteTest;

const GPS_MARK: &str = "SEOUL-37.5665N-126.9780E";

/// A big-endian TIFF block: IFD0 with Make, Orientation and a GPS IFD holding a datum that
/// names where the photo was taken.
fn exif(orientation: u16) -> Vec<u8> {
    let mut t = Vec::new();
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value);
    };
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    t.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut t, 0x010F, 2, 8, 50u32.to_be_bytes()); // Make → offset 50
    let o = orientation.to_be_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, 4, 1, 58u32.to_be_bytes()); // GPS IFD at 58
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(b"NuriCam\0");
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(
        &mut t,
        0x0012,
        2,
        GPS_MARK.len() as u32 + 1,
        88u32.to_be_bytes(),
    );
    t.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(t.len(), 88);
    t.extend_from_slice(GPS_MARK.as_bytes());
    t.push(0);
    t
}

/// A camera-like JPEG (`width`×`height` stored pixels) carrying [`exif`].
fn camera_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x ^ y) & 0xff) as u8,
        ])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85)
        .encode_image(&img)
        .unwrap();
    let tiff = exif(orientation);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&plain[2..]);
    out
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, _| image::Rgb([x as u8, 90, 160]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn write_bytes(s: &SiteTest, rel: &str, bytes: &[u8]) {
    let p = s.path(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

const STORY: &str = "content/world/2023/photo-story/index.md";

/// The basic fixture with a photo story (a bundle with a camera photo and a body photo from
/// static/) and a story whose phone photo is stored on its side.
fn photo_site() -> SiteTest {
    let s = SiteTest::fixture("basic");
    write_bytes(
        &s,
        "content/world/2023/photo-story/camera.jpg",
        &camera_jpeg(1300, 975, 1),
    );
    write_bytes(&s, "static/images/body.png", &png(900, 600));
    s.write(
        STORY,
        "+++\ntitle = \"사진 기사\"\ndate = 2023-12-05T14:30:00+09:00\nimage = \"camera.jpg\"\nimage_alt = \"국회 본회의장 전경\"\nimage_caption = \"본회의장\"\nimage_credit = \"홍길동 기자\"\nimage_focus = [0.5, 0.4]\n+++\n\n첫 문단이다.\n\n![회의 장면](/images/body.png)\n\n마지막 문단이다.\n",
    );
    write_bytes(
        &s,
        "content/world/2023/phone/side.jpg",
        &camera_jpeg(600, 400, 6),
    );
    s.write(
        "content/world/2023/phone/index.md",
        "+++\ntitle = \"휴대전화 사진\"\ndate = 2023-12-04T09:00:00+09:00\nimage = \"side.jpg\"\nimage_alt = \"세로 사진\"\n+++\n\n본문.\n",
    );
    s
}

fn article(s: &SiteTest, slug: &str) -> String {
    s.read(&format!("world/2023/{slug}/index.html"))
}

/// The value of `attr="…"` in the first tag of `html` that has `needle`.
fn attr<'a>(html: &'a str, needle: &str, attr: &str) -> &'a str {
    let at = html.find(needle).unwrap_or_else(|| panic!("no {needle}"));
    let tag_start = html[..=at].rfind('<').unwrap();
    let tag = &html[tag_start..at + html[at..].find('>').unwrap()];
    let key = format!(" {attr}=\"");
    let v = &tag[tag
        .find(&key)
        .unwrap_or_else(|| panic!("no {attr} in {tag}"))
        + key.len()..];
    &v[..v.find('"').unwrap()]
}

/// Every (URL, width) of a srcset, checked against the file it names.
fn check_srcset(s: &SiteTest, srcset: &str, webp: bool) -> Vec<u32> {
    srcset
        .split(", ")
        .map(|item| {
            let (url, w) = item.split_once(' ').unwrap();
            let w: u32 = w.trim_end_matches('w').parse().unwrap();
            let rel = url
                .strip_prefix("/news/")
                .unwrap_or_else(|| panic!("{url} is not under /news/ in {srcset}"));
            let bytes = std::fs::read(s.out(rel)).unwrap();
            let img = image::load_from_memory(&bytes).unwrap();
            assert_eq!(img.width(), w, "{url}");
            assert_eq!(
                image::guess_format(&bytes).unwrap() == image::ImageFormat::WebP,
                webp,
                "{url}"
            );
            w
        })
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn store_times(root: &Path) -> BTreeMap<String, SystemTime> {
    std::fs::read_dir(root.join(".nuri-cache/photos"))
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_camera_photo_is_published_in_sizes_and_crops_without_its_gps() {
    let s = photo_site();
    // A photo no article shows, twice (the same bytes in two places), and a WebP.
    write_bytes(
        &s,
        "static/images/archive/old.jpg",
        &camera_jpeg(300, 200, 1),
    );
    write_bytes(
        &s,
        "static/images/archive/copy.jpg",
        &camera_jpeg(300, 200, 1),
    );
    s.build(&[]).assert_ok();
    assert!(s.exists("images/archive/old.jpg") && s.exists("images/archive/copy.jpg"));
    let page = article(&s, "photo-story");

    // The lead photo: WebP and JPEG at every width up to its own, never upscaled; the
    // fallback `<img>` has the size of the file it names.
    let webp = attr(&page, "type=\"image/webp\"", "srcset");
    assert_eq!(check_srcset(&s, webp, true), [480, 800, 1200, 1300]);
    let lead = page.find("fetchpriority=\"high\"").expect("lead photo");
    let img = &page[page[..lead].rfind("<img").unwrap()..];
    let jpeg = attr(img, "srcset", "srcset");
    assert_eq!(check_srcset(&s, jpeg, false), [480, 800, 1200, 1300]);
    assert_eq!(attr(img, "<img", "width"), "1200");
    assert_eq!(attr(img, "<img", "height"), "900");
    assert!(!img[..img.find('>').unwrap()].contains("loading="));
    assert!(page.contains("본회의장 <span class=\"credit\">사진=홍길동 기자</span>"));

    // og:image is a 1200×630 crop; JSON-LD lists 16:9, 4:3 and 1:1 with the credit.
    let og = attr(&page, "property=\"og:image\"", "content");
    let og_rel = og.strip_prefix("https://test.example/news/").unwrap();
    let og_img = image::load_from_memory(&std::fs::read(s.out(og_rel)).unwrap()).unwrap();
    assert_eq!((og_img.width(), og_img.height()), (1200, 630));
    let ld_start = page.find("application/ld+json\">").unwrap() + 21;
    let ld: serde_json::Value = serde_json::from_str(
        &page[ld_start..ld_start + page[ld_start..].find("</script>").unwrap()],
    )
    .unwrap();
    let images = ld[0]["image"].as_array().unwrap();
    let shapes: Vec<(u64, u64)> = images
        .iter()
        .map(|i| (i["width"].as_u64().unwrap(), i["height"].as_u64().unwrap()))
        .collect();
    // The photo is 975 high: the square is as large as it allows.
    assert_eq!(shapes, [(1200, 675), (1200, 900), (975, 975)]);
    assert!(images.iter().all(|i| i["creditText"] == "홍길동 기자"));

    // The body photo: a lazy <picture> with a size.
    let body = &page[page.find("article__body").unwrap()..];
    let body_img = &body[body.find("<img").unwrap()..];
    assert_eq!(attr(body_img, "<img", "width"), "900");
    assert_eq!(attr(body_img, "<img", "height"), "600");
    assert_eq!(attr(body_img, "<img", "loading"), "lazy");
    assert_eq!(attr(body_img, "<img", "alt"), "회의 장면");
    assert_eq!(
        check_srcset(&s, attr(body, "type=\"image/webp\"", "srcset"), true),
        [480, 800, 900]
    );

    // Lists show the resized photo too.
    let lists: Vec<String> = s
        .files()
        .into_iter()
        .filter(|f| f.ends_with(".html") && !f.starts_with("world/2023/photo-story"))
        .filter(|f| s.read(f).contains("photo-story/camera."))
        .collect();
    assert!(!lists.is_empty());
    for f in &lists {
        assert!(
            !s.read(f).contains("photo-story/camera.jpg\""),
            "{f} shows the original"
        );
    }

    // No published file says where the photo was taken, the original included.
    let mut photos = 0;
    for f in s.files() {
        let bytes = std::fs::read(s.out(&f)).unwrap();
        assert!(!contains(&bytes, GPS_MARK), "{f} has the GPS data");
        assert!(!contains(&bytes, "NuriCam"), "{f} has the camera's EXIF");
        photos += f.contains("photo-story/camera") as usize;
    }
    assert_eq!(photos, 1 + 4 * 2 + 4, "original, 4 widths × 2, 4 crops");
    let original = std::fs::read(s.out("world/2023/photo-story/camera.jpg")).unwrap();
    let source = std::fs::read(s.path("content/world/2023/photo-story/camera.jpg")).unwrap();
    assert!(original.len() < source.len());
    assert_eq!(
        image::load_from_memory(&original).unwrap().to_rgb8(),
        image::load_from_memory(&source).unwrap().to_rgb8(),
        "stripping leaves the pixels alone"
    );
}

#[test]
fn a_photo_taken_on_its_side_is_published_upright() {
    let s = photo_site();
    s.build(&[]).assert_ok();
    let page = article(&s, "phone");
    // Stored 600×400 with orientation 6: shown 400×600.
    let webp = attr(&page, "type=\"image/webp\"", "srcset");
    assert_eq!(check_srcset(&s, webp, true), [400]);
    let url = webp.split(' ').next().unwrap();
    let img = image::load_from_memory(
        &std::fs::read(s.out(url.strip_prefix("/news/").unwrap())).unwrap(),
    )
    .unwrap();
    assert_eq!((img.width(), img.height()), (400, 600));
    // The original keeps its orientation (so viewers still turn it) and nothing else.
    let original = std::fs::read(s.out("world/2023/phone/side.jpg")).unwrap();
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&original)).unwrap();
    use image::ImageDecoder;
    assert_eq!(decoder.orientation().unwrap().to_exif(), 6);
    assert!(!contains(&original, GPS_MARK));
    // A narrow lead photo is a warning of `nuri check`.
    let check = s.nuri(&["check", "--now", "2026-01-01T00:00:00+09:00"]);
    assert!(
        check.stdout().contains("400 pixels wide"),
        "{}",
        check.stdout()
    );
}

#[test]
fn a_photo_is_encoded_once() {
    let s = photo_site();
    s.build(&[]).assert_ok();
    let before = store_times(&s.root);
    assert!(before.len() > 20);
    // Another article's text changes, and the photo story's too: no photo is made again.
    s.write(
        STORY,
        &std::fs::read_to_string(s.path(STORY))
            .unwrap()
            .replace("첫 문단이다.", "고친 첫 문단이다."),
    );
    s.build(&[]).assert_ok();
    assert_eq!(store_times(&s.root), before);
    assert!(article(&s, "photo-story").contains("고친 첫 문단"));
    // A new focus makes new crops only; the old crops are collected.
    s.write(
        STORY,
        &std::fs::read_to_string(s.path(STORY))
            .unwrap()
            .replace("[0.5, 0.4]", "[0.2, 0.4]"),
    );
    s.build(&[]).assert_ok();
    let after = store_times(&s.root);
    let kept = before
        .iter()
        .filter(|(k, t)| after.get(*k) == Some(t))
        .count();
    assert_eq!(kept, before.len() - 5, "4 crops and their index are new");
    // A damaged stored file is made again, not published.
    let webp = after.keys().find(|k| k.ends_with(".webp")).unwrap().clone();
    let path = s.root.join(".nuri-cache/photos").join(&webp);
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xFF;
    std::fs::write(&path, &bytes).unwrap();
    s.write(
        "content/world/2023/phone/index.md",
        &std::fs::read_to_string(s.path("content/world/2023/phone/index.md"))
            .unwrap()
            .replace("본문.", "본문 고침."),
    );
    s.build(&[]).assert_ok();
    assert_ne!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn broken_heic_and_huge_photos_are_located_errors_and_nothing_is_lost() {
    let s = photo_site();
    s.build(&[]).assert_ok();
    let published = article(&s, "photo-story");
    let photo = "content/world/2023/photo-story/camera.jpg";
    let good = std::fs::read(s.path(photo)).unwrap();

    write_bytes(&s, photo, &good[..good.len() / 2]);
    let run = s.build(&[]);
    run.assert_fails_with("photo-story/index.md:4");
    assert!(run.stderr().contains("camera.jpg"), "{}", run.stderr());
    assert!(
        run.stderr().contains("damaged or cut short"),
        "{}",
        run.stderr()
    );
    assert_eq!(article(&s, "photo-story"), published);

    write_bytes(&s, photo, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic");
    let run = s.build(&[]);
    run.assert_fails_with("HEIC");
    assert!(run.stderr().contains("heif-convert"), "{}", run.stderr());

    write_bytes(&s, photo, &good);
    // A phone's HEIC in static/ that no article shows: it would publish its GPS.
    write_bytes(
        &s,
        "static/images/IMG_0001.heic",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    );
    let run = s.build(&[]);
    run.assert_fails_with("static/images/IMG_0001.heic");
    assert!(run.stderr().contains("keep_metadata"), "{}", run.stderr());
    s.remove("static/images/IMG_0001.heic");

    let config = std::fs::read_to_string(s.path("config.toml")).unwrap();
    s.write(
        "config.toml",
        &format!("{config}\n[images]\nmax_megapixels = 1\n"),
    );
    let run = s.build(&[]);
    run.assert_fails_with("1300×975");
    assert!(run.stderr().contains("max_megapixels"), "{}", run.stderr());
    assert_eq!(article(&s, "photo-story"), published);
    assert!(s.exists("world/2023/photo-story/camera.jpg"));
}

#[test]
fn images_settings_are_checked() {
    let s = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(s.path("config.toml")).unwrap();
    s.write(
        "config.toml",
        &format!("{config}\n[images]\nwidths = [0, 800]\nwebp_quality = 101\ncredit = \"사진\"\n"),
    );
    let run = s.build(&[]);
    run.assert_fails_with("images.widths");
    let err = run.stderr();
    assert!(
        err.contains("images.webp_quality must be from 1 to 100"),
        "{err}"
    );
    assert!(err.contains("images.credit must contain {credit}"), "{err}");
}
