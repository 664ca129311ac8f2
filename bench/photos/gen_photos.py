#!/usr/bin/env python3
"""Synthetic camera photos for the image benchmark: N JPEGs (4000x3000, quality 92, about
2-4 MB each, with camera, date and GPS EXIF), written as page bundles into two sites built
from the same bytes: <out>/nuri/ and <out>/hugo/. Deterministic for a given --seed.

    python3 gen_photos.py --n 200 --out /tmp/nuri-photos

Needs Pillow and numpy; without them it makes /tmp/photo-venv, installs them there and
runs itself again with that interpreter.
"""
import argparse, os, subprocess, sys, time

VENV = "/tmp/photo-venv"


def ensure_deps():
    try:
        import numpy, PIL  # noqa: F401
        return
    except ImportError:
        if os.environ.get("GEN_PHOTOS_REEXEC"):
            raise
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([py, "-m", "pip", "install", "-q", "pillow", "numpy"], check=True)
    os.environ["GEN_PHOTOS_REEXEC"] = "1"
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


if __name__ == "__main__":
    ensure_deps()

import numpy as np
from PIL import Image

# Around Seoul City Hall: a fake place for the GPS tags.
LAT, LON = 37.5663, 126.9779
CAMERAS = [("Canon", "Canon EOS R6"), ("NIKON CORPORATION", "NIKON Z 6_2"), ("SONY", "ILCE-7M4")]


def pixels(rng, w, h):
    """A smooth gradient, a few large soft blobs, mid-scale texture and fine grain."""
    sw, sh = max(w // 16, 2), max(h // 16, 2)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    x /= sw
    y /= sh
    angle = rng.uniform(0, 2 * np.pi)
    g = np.cos(angle) * x + np.sin(angle) * y
    g = ((g - g.min()) / (g.max() - g.min()))[..., None]
    c0, c1 = rng.uniform(30, 220, (2, 3)).astype(np.float32)
    img = c0 * (1 - g) + c1 * g
    for _ in range(rng.integers(3, 7)):
        cx, cy = rng.uniform(0, 1, 2)
        r = rng.uniform(0.08, 0.35)
        d = ((x - cx) ** 2 + ((y - cy) * sh / sw) ** 2) / r**2
        m = (np.exp(-d**2) * rng.uniform(0.5, 0.9))[..., None]
        img = img * (1 - m) + rng.uniform(0, 255, 3).astype(np.float32) * m
    small = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    # Texture at a quarter of the resolution survives downscaling, as detail does in photos;
    # then sensor grain: mostly luminance, a little colour (the grain shifted per channel).
    tex = rng.standard_normal((max(h // 4, 1), max(w // 4, 1)), dtype=np.float32)
    tex = Image.fromarray(np.clip(tex * 40 + 128, 0, 255).astype(np.uint8)).resize((w, h), Image.BICUBIC)
    grain = rng.standard_normal((h, w), dtype=np.float32) * rng.uniform(3.0, 4.5)
    common = (np.asarray(tex, dtype=np.float32) - 128) * rng.uniform(0.12, 0.18) + grain
    planes = []
    for c, band in enumerate(small.resize((w, h), Image.BICUBIC).split()):
        p = np.asarray(band, dtype=np.float32) + common
        p += np.roll(grain, 997 * (c + 1)) * 0.35
        planes.append(Image.fromarray(np.clip(p, 0, 255, out=p).astype(np.uint8)))
    return Image.merge("RGB", planes)


def dms(deg):
    d = int(deg)
    m = int((deg - d) * 60)
    s = round(((deg - d) * 60 - m) * 60, 2)
    return (float(d), float(m), s)


def exif(rng, i):
    e = Image.Exif()
    make, model = CAMERAS[i % len(CAMERAS)]
    stamp = f"2025:01:01 {9 + i // 60 % 12:02d}:{i % 60:02d}:00"
    e[0x010F], e[0x0110], e[0x0112], e[0x0132] = make, model, 1, stamp  # Make, Model, Orientation, DateTime
    e.get_ifd(0x8769).update({0x9003: stamp, 0x9004: stamp})  # DateTimeOriginal, DateTimeDigitized
    lat, lon = LAT + rng.uniform(-0.01, 0.01), LON + rng.uniform(-0.01, 0.01)
    e.get_ifd(0x8825).update({0: b"\x02\x02\x00\x00", 1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    return e


def make_photo(job):
    i, seed, w, h, path = job
    rng = np.random.default_rng([seed, i])
    img = pixels(rng, w, h)
    img.save(path, "JPEG", quality=92, exif=exif(rng, i))
    return os.path.getsize(path)


def front_matter(i, date):
    return (f'+++\ntitle = "사진 {i}: 서울 도심 풍경"\ndate = {date}\ntags = ["사진"]\n'
            f'authors = ["사진기자"]\nsummary = "벤치마크용 사진 {i}."\nimage = "photo.jpg"\n'
            f'image_alt = "부드러운 색 번짐 위로 둥근 형태들이 겹친 풍경 {i}"\nimage_credit = "사진기자"\n+++\n\n'
            f"서울 도심에서 찍은 사진 {i}번이다. 빛과 색이 번지는 오후 풍경을 담았다.\n")


NURI_CONFIG = '''title = "사진 벤치마크"
base_url = "https://photos.example/"
language = "ko"
timezone = "Asia/Seoul"
theme = "nuri"
sections = ["photos"]
paginate_by = 20

[images]
widths = [480, 800, 1200, 1600]
webp_quality = 80
jpeg_quality = 82
'''

HUGO_CONFIG = '''baseURL = "https://photos.example/"
title = "사진 벤치마크"
languageCode = "ko"
defaultContentLanguage = "ko"
timeZone = "Asia/Seoul"
timeout = "600s"

[pagination]
pagerSize = 20

[imaging]
resampleFilter = "CatmullRom"
quality = 82
'''

# Same work as nuri's pipeline: each width below the photo's in WebP and JPEG, and the four
# share crops in JPEG; the original is published too (nuri copies bundle files).
HUGO_SINGLE = '''<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{{ .Title }}</title>
{{- with .Resources.GetMatch .Params.image }}{{ $img := . }}
{{- range slice "1200x630" "1200x675" "1200x900" "1200x1200" }}
<meta property="og:image" content="{{ ($img.Fill (printf "%s Center jpg q82" .)).RelPermalink }}">
{{- end }}{{ end }}
</head><body><h1>{{ .Title }}</h1>
{{- with .Resources.GetMatch .Params.image }}{{ $img := . }}
<figure><picture>
{{- $webp := slice }}{{ $jpg := slice }}
{{- range slice 480 800 1200 1600 }}{{ if lt . $img.Width }}
{{- $webp = $webp | append (printf "%s %dw" ($img.Resize (printf "%dx webp q80" .)).RelPermalink .) }}
{{- $jpg = $jpg | append (printf "%s %dw" ($img.Resize (printf "%dx jpg q82" .)).RelPermalink .) }}
{{- end }}{{ end }}
<source type="image/webp" srcset="{{ delimit $webp ", " }}">
<img src="{{ $img.RelPermalink }}" srcset="{{ delimit $jpg ", " }}" alt="{{ $.Params.image_alt }}" width="{{ $img.Width }}" height="{{ $img.Height }}">
</picture><figcaption>{{ $.Params.image_credit }}</figcaption></figure>
{{- end }}
{{ .Content }}
</body></html>
'''

HUGO_LIST = '''<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</body></html>
'''

HUGO_INDEX = '''<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head><body>
<h1>{{ .Site.Title }}</h1><ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</body></html>
'''


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--width", type=int, default=4000)
    ap.add_argument("--height", type=int, default=3000)
    ap.add_argument("--out", default="/tmp/nuri-photos")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    nuri, hugo = os.path.join(a.out, "nuri"), os.path.join(a.out, "hugo")

    write(os.path.join(nuri, "config.toml"), NURI_CONFIG)
    write(os.path.join(hugo, "hugo.toml"), HUGO_CONFIG)
    for name, text in [("_default/single.html", HUGO_SINGLE), ("_default/list.html", HUGO_LIST), ("index.html", HUGO_INDEX)]:
        write(os.path.join(hugo, "layouts", name), text)
    for site in (nuri, hugo):
        write(os.path.join(site, "content", "photos", "_index.md"), '+++\ntitle = "사진"\ndescription = "사진 기사"\n+++\n')

    jobs = []
    for i in range(1, a.n + 1):
        date = f"2025-01-01T{9 + i // 60 % 12:02d}:{i % 60:02d}:00+09:00"
        for site in (nuri, hugo):
            write(os.path.join(site, "content", "photos", f"p{i:04d}", "index.md"), front_matter(i, date))
        jobs.append((i, a.seed, a.width, a.height, os.path.join(nuri, "content", "photos", f"p{i:04d}", "photo.jpg")))

    t = time.time()
    import multiprocessing
    with multiprocessing.Pool(a.workers) as pool:
        sizes = pool.map(make_photo, jobs, chunksize=1)
    for _, _, _, _, path in jobs:
        twin = path.replace(nuri, hugo, 1)
        if os.path.exists(twin):
            os.remove(twin)
        try:
            os.link(path, twin)
        except OSError:
            import shutil
            shutil.copyfile(path, twin)
    print(f"{a.n} photos {a.width}x{a.height} in {time.time() - t:.1f} s, "
          f"average {sum(sizes) / len(sizes) / 1e6:.2f} MB (min {min(sizes) / 1e6:.2f}, max {max(sizes) / 1e6:.2f}) -> {a.out}")


if __name__ == "__main__":
    main()
