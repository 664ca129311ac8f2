#!/usr/bin/env python3
"""Remake the sample portal's four photos, drawn procedurally from seeded noise.

    python3 tools/make_sample_photos.py            # all four
    python3 tools/make_sample_photos.py hall city  # only some

Nothing here is a real photograph: each picture is an out-of-focus "scene" built
from soft gradients, blurred discs (bokeh) and film-like grain, so that it
encodes and behaves like a camera JPEG (size, EXIF, orientation) without anyone's
rights attached. The same seed always gives the same pixels.

  hall    conference hall at dusk      content/alliance/2023/AI동맹-출범/hall.jpg
  server  server room, stored rotated   static/images/photos/server-room.jpg
  city    city skyline at night        static/images/photos/seoul-night.jpg
  table   round-table meeting          static/images/photos/round-table.jpg

Each file carries camera-like EXIF (Make, Model, DateTimeOriginal). The hall photo
also carries GPS coordinates (central Seoul), so the build's tests can check that
published copies lose them; the server-room photo's pixels are stored turned 90°
counter-clockwise with Orientation = 6, so a viewer that honours EXIF shows it
upright at 3000x2000.

Needs Pillow and numpy. If they can't be imported, the script makes a venv at
/tmp/photo-venv, installs them there and runs itself again under it.
"""

import os
import subprocess
import sys
from pathlib import Path

VENV = Path("/tmp/photo-venv")

try:
    import numpy as np
    from PIL import Image, ImageDraw, ImageOps
except ImportError:
    if os.environ.get("NURI_PHOTO_VENV"):
        sys.exit("Pillow and numpy are still missing inside " + str(VENV))
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    subprocess.check_call([str(py), "-m", "pip", "install", "-q", "pillow", "numpy"])
    os.environ["NURI_PHOTO_VENV"] = "1"
    os.execv(str(py), [str(py), os.path.abspath(__file__), *sys.argv[1:]])

ROOT = Path(__file__).resolve().parent.parent
QUALITY = 88

# --------------------------------------------------------------------------------------
# Drawing helpers. Pictures are float32 arrays (height, width, 3), about 0..1.


def blur(a, sy, sx=None):
    """Gaussian-like blur: three box passes per axis, done with running sums."""
    sx = sy if sx is None else sx
    for axis, sigma in ((0, sy), (1, sx)):
        r = int(round((np.sqrt(4 * sigma * sigma + 1) - 1) / 2))
        for _ in range(3):
            a = _box(a, r, axis)
    return a


def _box(a, r, axis):
    if r < 1:
        return a
    pad = [(0, 0)] * a.ndim
    pad[axis] = (r + 1, r)
    c = np.cumsum(np.pad(a, pad, mode="edge"), axis=axis, dtype=np.float64)
    n = a.shape[axis]
    hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
    lo = np.take(c, np.arange(0, n), axis=axis)
    return ((hi - lo) / (2 * r + 1)).astype(np.float32)


def grid(w, h):
    """Pixel-centre coordinates scaled so that x runs 0..1 across and y 0..1 down."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return (x + 0.5) / w, (y + 0.5) / h


def ramp(t, stops):
    """Colour along t (array) through [(position, (r, g, b)), ...] stops."""
    pos = np.array([p for p, _ in stops], np.float32)
    cols = np.array([c for _, c in stops], np.float32)
    return np.stack([np.interp(t, pos, cols[:, i]) for i in range(3)], axis=-1).astype(np.float32)


def glow(img, cx, cy, rx, ry, color, strength):
    """Add a soft elliptical light (Gaussian falloff); cx..ry in pixels."""
    h, w, _ = img.shape
    y, x = np.ogrid[0:h, 0:w]
    g = np.exp(-(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2)).astype(np.float32)
    img += g[..., None] * (np.array(color, np.float32) * strength)


def disc(img, cx, cy, r, color, strength, blades=7, turn=0.0, rim=0.35):
    """Add one bokeh disc: a slightly polygonal soft-edged disc with a brighter rim."""
    h, w, _ = img.shape
    soft = max(1.2, r * 0.06)
    x0, x1 = int(max(0, cx - r - 2 * soft)), int(min(w, cx + r + 2 * soft + 1))
    y0, y1 = int(max(0, cy - r - 2 * soft)), int(min(h, cy + r + 2 * soft + 1))
    if x0 >= x1 or y0 >= y1:
        return
    y, x = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = x - cx, y - cy
    d = np.hypot(dx, dy)
    # The aperture's blades make the disc a rounded polygon.
    seg = 2 * np.pi / blades
    th = np.mod(np.arctan2(dy, dx) - turn, seg) - seg / 2
    edge = r * (0.55 + 0.45 * np.cos(np.pi / blades) / np.cos(th))
    a = np.clip((edge - d) / soft + 0.5, 0, 1)
    shade = (1 - rim) + rim * np.clip(d / edge, 0, 1) ** 6
    img[y0:y1, x0:x1] += (a * shade)[..., None] * (np.array(color, np.float32) * strength)


def mask(w, h, draw_fn, scale=1):
    """A 0..1 float mask from PIL drawing calls on an 'L' image (optionally supersampled)."""
    m = Image.new("L", (w * scale, h * scale), 0)
    draw_fn(ImageDraw.Draw(m), scale)
    if scale > 1:
        m = m.resize((w, h), Image.Resampling.BOX)
    return np.asarray(m, np.float32) / 255.0


def paint(img, m, color, opacity=1.0):
    """Lay a colour over img where mask m is set."""
    m = (m * opacity)[..., None]
    img *= 1 - m
    img += m * np.array(color, np.float32)


def vignette(img, amount, roundness=1.0):
    h, w, _ = img.shape
    x, y = grid(w, h)
    r2 = ((x - 0.5) * 2) ** 2 + (((y - 0.5) * 2) * roundness) ** 2
    img *= (1 - amount * np.clip(r2 / 2, 0, 1) ** 1.3)[..., None]


def finish(img, rng, grain, chroma=0.6, mottle=0.012):
    """Tone-map highlights, add film grain, return an 8-bit RGB image."""
    h, w, _ = img.shape
    t = 0.72
    over = img > t
    img = np.where(over, t + (1 - t) * (1 - np.exp(-(img - t) / (1 - t))), img)
    # Slow, blotchy density changes, then fine luminance grain and a little colour noise.
    low = rng.normal(0, 1, (h // 16 + 2, w // 16 + 2)).astype(np.float32)
    low = np.asarray(Image.fromarray(low, "F").resize((w, h), Image.Resampling.BICUBIC))
    img = img * (1 + mottle * low[..., None])
    out = img * 255.0
    out += rng.normal(0, grain, (h, w, 1)).astype(np.float32)
    cn = rng.normal(0, chroma, (h // 2, w // 2, 3)).astype(np.float32)
    cn = np.stack(
        [np.asarray(Image.fromarray(cn[..., i], "F").resize((w, h), Image.Resampling.BILINEAR)) for i in range(3)],
        axis=-1,
    )
    out += cn
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGB")


# --------------------------------------------------------------------------------------
# The four scenes.


def hall(rng):
    """Conference hall at dusk: warm ambers, rows of ceiling lights, a glowing stage."""
    W, H = 3000, 2000
    x, y = grid(W, H)
    img = ramp(y, [(0.0, (0.07, 0.035, 0.03)), (0.35, (0.20, 0.10, 0.06)),
                   (0.56, (0.42, 0.24, 0.11)), (0.75, (0.22, 0.12, 0.07)), (1.0, (0.06, 0.04, 0.035))])
    img *= (1 - 0.25 * np.abs(x - 0.5))[..., None]
    vx, vy, f = 0.5 * W, 0.56 * H, 0.9 * W

    def P(X, Y, Z):
        return vx + f * X / Z, vy - f * Y / Z

    # Tall windows on the left wall, dusk sky behind them (violet above, orange below).
    sky = np.zeros_like(img)
    for z0 in (9.0, 11.5, 14.5, 18.0, 22.5, 28.0):
        z1 = z0 * 1.2
        pts = [P(-7, 1.5, z0), P(-7, 1.5, z1), P(-7, -0.6, z1), P(-7, -0.6, z0)]
        m = mask(W, H, lambda d, s, pts=pts: d.polygon([(px * s, py * s) for px, py in pts], fill=255))
        sky += m[..., None] * ramp(y, [(0.0, (0.30, 0.20, 0.40)), (0.45, (0.62, 0.36, 0.34)),
                                       (0.7, (0.95, 0.55, 0.25)), (1.0, (0.6, 0.3, 0.15))])
    img += blur(sky, 16) * 0.6

    # The stage: a bright screen at the far end, and the warm wash around it.
    sx0, sy0 = P(-3.2, 1.6, 32)
    sx1, sy1 = P(3.2, -0.3, 32)
    scr = mask(W, H, lambda d, s: d.rectangle([sx0 * s, sy0 * s, sx1 * s, sy1 * s], fill=255))
    img += blur(scr, 10)[..., None] * np.array((0.95, 0.80, 0.55), np.float32) * 0.9
    glow(img, vx, vy + 0.03 * H, 0.28 * W, 0.12 * H, (1.0, 0.62, 0.28), 0.45)
    glow(img, vx, vy, 0.09 * W, 0.06 * H, (1.0, 0.85, 0.6), 0.35)

    # Rows of ceiling lights, out of focus (the camera is focused on the stage).
    lights = np.zeros_like(img)
    zf, k = 30.0, 620.0
    zs = [3.6 * 1.28 ** i for i in range(13)]
    for Z in zs:
        for X in np.arange(-7.5, 7.6, 1.5):
            if rng.random() < 0.06:
                continue
            Zj = Z * (1 + rng.normal(0, 0.03))
            px, py = P(X + rng.normal(0, 0.08), 1.7, Zj)
            r = max(2.5, k * abs(1 / Zj - 1 / zf))
            col = (1.0, 0.60 + 0.12 * rng.random(), 0.26 + 0.12 * rng.random())
            disc(lights, px, py, r, col, 0.95 * (18 / (r + 18)) ** 0.55 * (0.8 + 0.3 * rng.random()),
                 turn=rng.random())
    # Wall sconces, dimmer and oranger, on both side walls.
    for Z in zs[:9]:
        for X in (-7.2, 7.2):
            px, py = P(X, 0.35, Z * 1.1)
            r = max(3, 0.8 * k * abs(1 / (Z * 1.1) - 1 / zf))
            disc(lights, px, py, r, (1.0, 0.55, 0.22), 0.55 * (18 / (r + 18)) ** 0.5)
    img += blur(lights, 1.5)
    img += blur(lights, 30) * 0.35

    # The audience in the foreground: dark, very blurred heads and shoulders.
    def heads(d, s):
        for row, (yc, rad, n) in enumerate(((0.80, 55, 15), (0.88, 85, 10), (0.99, 150, 6))):
            for i in range(n):
                cx = (i + 0.5 + rng.normal(0, 0.2)) * W / n
                cy = (yc + rng.normal(0, 0.012)) * H
                rr = rad * (0.85 + 0.3 * rng.random())
                d.ellipse([(cx - rr * 0.8) * s, (cy - rr) * s, (cx + rr * 0.8) * s, (cy + rr) * s], fill=255)
                d.ellipse([(cx - rr * 2.2) * s, (cy + rr * 0.7) * s, (cx + rr * 2.2) * s, (cy + rr * 3.5) * s],
                          fill=255)
    m = blur(mask(W, H, heads), 22)
    paint(img, m, (0.03, 0.02, 0.02), 0.9)

    vignette(img, 0.45)
    return finish(img, rng, grain=3.0)


def server(rng):
    """Server room: a cool aisle between racks, vertical light strips, LED bokeh."""
    W, H = 3000, 2000
    x, y = grid(W, H)
    img = ramp(y, [(0.0, (0.015, 0.03, 0.05)), (0.5, (0.03, 0.09, 0.12)), (1.0, (0.01, 0.025, 0.04))])
    vx, vy, f = 0.52 * W, 0.5 * H, 0.8 * W

    def P(X, Y, Z):
        return vx + f * X / Z, vy - f * Y / Z

    aisle, top, floor = 1.2, 1.0, -1.1
    # Far end of the aisle: cold haze.
    glow(img, vx, vy, 0.16 * W, 0.28 * H, (0.25, 0.75, 0.85), 0.40)
    glow(img, vx, vy, 0.05 * W, 0.12 * H, (0.7, 0.95, 1.0), 0.35)

    # Rack fronts: dark panels on both sides.
    znear, zfar = 1.5, 70.0
    for side in (-1, 1):
        pts = [P(side * aisle, top, znear), P(side * aisle, top, zfar),
               P(side * aisle, floor, zfar), P(side * aisle, floor, znear)]
        m = mask(W, H, lambda d, s, pts=pts: d.polygon([(px * s, py * s) for px, py in pts], fill=255))
        paint(img, blur(m, 3), (0.02, 0.04, 0.06), 0.75)

    strips = np.zeros_like(img)
    leds = np.zeros_like(img)
    refl = np.zeros_like(img)
    zf, k = 18.0, 120.0
    z = znear
    while z < zfar:
        for side in (-1, 1):
            px, yt = P(side * aisle, top, z)
            _, yb = P(side * aisle, floor, z)
            wpx = max(1.0, 26.0 / z)
            col = np.array((0.25, 0.78, 0.95) if rng.random() < 0.8 else (0.45, 0.55, 1.0), np.float32)
            fade = 0.6 + 0.4 * rng.random()
            x0, x1 = int(max(0, px - wpx)), int(min(W, px + wpx + 1))
            if x0 < x1:
                strips[int(max(0, yt)):int(min(H, yb)), x0:x1] += col * fade
                rb = int(min(H, yb + (yb - yt) * 0.45))
                refl[int(max(0, yb)):rb, x0:x1] += col * fade * 0.35
            # Status LEDs on the rack between this strip and the next one.
            for _ in range(int(rng.integers(4, 12))):
                Z = z + 0.6 * rng.random()
                lx, ly = P(side * (aisle + 0.02), rng.uniform(floor + 0.15, top - 0.05), Z)
                r = max(1.8, k * abs(1 / Z - 1 / zf))
                u = rng.random()
                c = ((0.25, 0.55, 1.0) if u < 0.45 else (0.2, 0.95, 1.0) if u < 0.8
                     else (0.35, 1.0, 0.5) if u < 0.95 else (1.0, 0.65, 0.2))
                disc(leds, lx, ly, r, c, 0.9 * (6 / (r + 6)) ** 0.5 * (0.5 + 0.5 * rng.random()),
                     blades=6, turn=0.3, rim=0.25)
        z += 0.65
    img += blur(strips, 2.5) * 0.9 + blur(strips, 25) * 0.45
    img += blur(refl, 6, 3) * 0.7
    img += blur(leds, 1.2) + blur(leds, 18) * 0.3

    # Two ceiling light lines running down the aisle, and their sheen on the floor.
    ceil = np.zeros((H, W), np.float32)
    for X in (-0.45, 0.45):
        for Y, gain in ((1.35, 1.0), (floor, 0.22)):
            pts = [P(X - 0.05, Y, 1.2), P(X + 0.05, Y, 1.2), P(X + 0.05, Y, zfar), P(X - 0.05, Y, zfar)]
            m = mask(W, H, lambda d, s, pts=pts: d.polygon([(px * s, py * s) for px, py in pts], fill=255))
            ceil += m * gain
    col = np.array((0.75, 0.92, 1.0), np.float32)
    img += (blur(ceil, 4)[..., None] * 0.8 + blur(ceil, 40)[..., None] * 0.5) * col

    vignette(img, 0.55)
    return finish(img, rng, grain=3.2, chroma=0.8)


def city(rng):
    """City skyline at night: navy sky, a hill with a tower, lit windows, river reflections."""
    W, H = 3000, 2000
    x, y = grid(W, H)
    base = int(0.66 * H)
    img = ramp(y, [(0.0, (0.012, 0.02, 0.06)), (0.40, (0.04, 0.06, 0.15)), (0.52, (0.11, 0.10, 0.20)),
                   (0.66, (0.36, 0.22, 0.18)), (0.67, (0.03, 0.035, 0.07)), (1.0, (0.01, 0.015, 0.04))])
    # A few faint stars.
    stars = np.zeros_like(img)
    for _ in range(140):
        sx, sy = rng.uniform(0, W), rng.uniform(0, 0.45 * H)
        disc(stars, sx, sy, rng.uniform(1.2, 2.2), (0.85, 0.9, 1.0), rng.uniform(0.08, 0.35), rim=0)
    img += blur(stars, 0.8)

    # The hill with a tower on it, behind the buildings.
    xs = np.arange(W, dtype=np.float32) / W
    ridge = (0.60 - 0.085 * np.exp(-((xs - 0.3) / 0.16) ** 2) + 0.006 * np.sin(xs * 37)) * H
    hill = (np.arange(H)[:, None] > ridge[None, :]).astype(np.float32)
    paint(img, blur(hill, 2), (0.02, 0.028, 0.05), 1.0)
    tx, tt = 0.3 * W, ridge[int(0.3 * W)]
    tower = mask(W, H, lambda d, s: (
        d.polygon([((tx - 14) * s, tt * s), ((tx - 6) * s, (tt - 0.15 * H) * s),
                   ((tx + 6) * s, (tt - 0.15 * H) * s), ((tx + 14) * s, tt * s)], fill=255),
        d.rectangle([(tx - 22) * s, (tt - 0.15 * H) * s, (tx + 22) * s, (tt - 0.128 * H) * s], fill=255),
        d.rectangle([(tx - 3) * s, (tt - 0.2 * H) * s, (tx + 3) * s, tt * s], fill=255)), 2)
    paint(img, tower, (0.05, 0.05, 0.07), 1.0)
    light = np.zeros_like(img)
    for i in range(9):
        disc(light, tx - 18 + 4.5 * i, tt - 0.139 * H, 2.2, (1.0, 0.85, 0.6), 0.9, rim=0)
    disc(light, tx, tt - 0.2 * H, 4, (1.0, 0.15, 0.1), 1.0, rim=0)
    glow(light, tx, tt - 0.14 * H, 60, 35, (0.9, 0.55, 0.4), 0.12)

    # Buildings, with lit windows.
    bx = 0
    tops = []
    while bx < W:
        bw = int(rng.integers(50, 200))
        tall = rng.random()
        top = int(H * (0.58 - 0.22 * tall ** 2.2 - 0.02 * rng.random()))
        if abs(bx + bw / 2 - 0.3 * W) < 0.17 * W:
            # Keep the hill and its tower in view: only low blocks in front of it.
            top = max(top, int(ridge[min(W - 1, bx + bw // 2)] + H * rng.uniform(0.02, 0.05)))
        shade = (0.018, 0.024, 0.045 + 0.02 * rng.random())
        img[top:base, bx:bx + bw] = shade
        tops.append((bx, bw, top))
        lit = rng.uniform(0.15, 0.55)
        warm = rng.random() < 0.65
        wx, wy = int(rng.integers(12, 20)), int(rng.integers(16, 24))
        for yy in range(top + 8, base - 6, wy):
            for xx in range(bx + 6, bx + bw - 8, wx):
                if rng.random() < lit:
                    if warm:
                        c = (1.0, 0.72 + 0.15 * rng.random(), 0.40 + 0.2 * rng.random())
                    else:
                        c = (0.75, 0.85 + 0.1 * rng.random(), 1.0)
                    light[yy:yy + wy // 2, xx:xx + wx // 2] += np.array(c, np.float32) * rng.uniform(0.35, 0.95)
        bx += bw + int(rng.integers(0, 30))
    for bx, bw, top in tops:
        if top < 0.45 * H:
            disc(light, bx + bw / 2, top - 4, 5, (1.0, 0.1, 0.05), 0.9, rim=0)
    img[:base] += blur(light, 1.6)[:base] + blur(light, 22)[:base] * 0.45

    # The river: the lit city mirrored, smeared into vertical streaks, broken by ripples.
    depth = H - base
    src = img[base - depth:base][::-1].copy()
    ripple = blur(rng.normal(0, 1, (depth, 1, 1)).astype(np.float32), 3, 0)
    ripple = 0.55 + 0.45 * np.tanh(ripple * 3)
    refl = blur(src * ripple, 26, 2.5)
    fade = np.linspace(0.55, 0.15, depth, dtype=np.float32)[:, None, None]
    img[base:] = img[base:] * 0.8 + refl * fade

    # Out-of-focus lights in the near foreground.
    fg = np.zeros_like(img)
    for _ in range(55):
        fx, fy = rng.uniform(-0.05, 1.05) * W, rng.uniform(0.55, 1.05) * H
        r = rng.uniform(25, 140)
        c = (1.0, 0.7, 0.4) if rng.random() < 0.6 else (0.55, 0.7, 1.0)
        disc(fg, fx, fy, r, c, rng.uniform(0.06, 0.22), turn=rng.random())
    img += blur(fg, 2)

    img = blur(img, 1.8)
    vignette(img, 0.4)
    return finish(img, rng, grain=3.2, chroma=0.8)


def table(rng):
    """Round-table meeting: neutral room, a big soft elliptical table, blurred people."""
    W, H = 2400, 1600
    x, y = grid(W, H)
    img = ramp(y, [(0.0, (0.60, 0.58, 0.55)), (0.45, (0.52, 0.50, 0.47)),
                   (0.52, (0.40, 0.37, 0.34)), (1.0, (0.30, 0.28, 0.26))])
    # Daylight from tall windows on the left, with soft mullions.
    win = np.clip(1 - x / 0.45, 0, 1) ** 1.5 * (y < 0.55)
    win = win * (0.75 + 0.25 * (np.sin(x * W / 95) > -0.7))
    img += blur(win.astype(np.float32)[..., None] * np.array((0.42, 0.43, 0.42), np.float32), 18)
    glow(img, 0.5 * W, 0.03 * H, 0.12 * W, 0.06 * H, (1.0, 0.9, 0.75), 0.35)

    # People on the far side of the table.
    cx, cy, rx, ry = 0.5 * W, 0.63 * H, 0.36 * W, 0.19 * H
    clothes = [(0.15, 0.18, 0.26), (0.2, 0.2, 0.21), (0.62, 0.55, 0.46), (0.22, 0.35, 0.36),
               (0.80, 0.80, 0.78), (0.36, 0.2, 0.22), (0.45, 0.45, 0.47)]
    skins = [(0.74, 0.58, 0.47), (0.64, 0.48, 0.38), (0.80, 0.66, 0.55), (0.55, 0.40, 0.31)]
    hairs = [(0.12, 0.09, 0.08), (0.30, 0.22, 0.17), (0.55, 0.54, 0.52), (0.08, 0.07, 0.07)]
    people = np.zeros_like(img)
    cover = np.zeros((H, W), np.float32)
    for i, ang in enumerate(np.linspace(np.pi * 1.08, np.pi * 1.92, 6)):
        px, py = cx + rx * 1.02 * np.cos(ang), cy + ry * 1.0 * np.sin(ang)
        s = 1.0 + 0.25 * (np.sin(ang) + 1)
        for shape, col in (
            (("ellipse", px, py + 0.02 * H, 0.065 * W * s, 0.15 * H * s), clothes[(i * 3) % len(clothes)]),
            (("ellipse", px, py - 0.135 * H * s, 0.024 * W * s, 0.05 * H * s), skins[i % len(skins)]),
            (("pie", px, py - 0.145 * H * s, 0.026 * W * s, 0.048 * H * s), hairs[i % len(hairs)]),
        ):
            _, ex, ey, erx, ery = shape
            box = [ex - erx, ey - ery, ex + erx, ey + ery]
            if shape[0] == "pie":
                m = mask(W, H, lambda d, sc, b=box: d.pieslice([v * sc for v in b], 180, 360, fill=255))
            else:
                m = mask(W, H, lambda d, sc, b=box: d.ellipse([v * sc for v in b], fill=255))
            paint(people, m, col)
            cover = np.maximum(cover, m)
    people = blur(people, 22)
    cover = blur(cover, 22)
    img = img * (1 - cover[..., None]) + people

    # The table: a thick, soft ellipse, with a highlight from the window.
    edge = mask(W, H, lambda d, s: d.ellipse([(cx - rx) * s, (cy - ry + 0.035 * H) * s,
                                              (cx + rx) * s, (cy + ry + 0.035 * H) * s], fill=255), 2)
    paint(img, blur(edge, 6), (0.27, 0.23, 0.2))
    topm = mask(W, H, lambda d, s: d.ellipse([(cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s],
                                             fill=255), 2)
    wood = ramp(x, [(0.1, (0.86, 0.80, 0.72)), (0.5, (0.78, 0.72, 0.64)), (0.9, (0.68, 0.62, 0.55))])
    wood *= (1 + 0.03 * np.sin(x * 60 + 3 * np.sin(y * 9)))[..., None]
    topm = blur(topm, 5)[..., None]
    img = img * (1 - topm) + wood * topm
    glow(img, cx - 0.12 * W, cy - 0.05 * H, 0.16 * W, 0.06 * H, (1.0, 0.98, 0.94), 0.12)

    # Papers, cups and laptops on the table.
    items = np.zeros_like(img)
    icover = np.zeros((H, W), np.float32)
    for ang in np.linspace(0, 2 * np.pi, 9)[:-1] + 0.2:
        ix, iy = cx + rx * 0.72 * np.cos(ang), cy + ry * 0.70 * np.sin(ang)
        kind = rng.random()
        if kind < 0.45:
            a = rng.uniform(-0.4, 0.4)
            w2, h2 = 0.035 * W, 0.03 * H
            pts = [(ix + dx * np.cos(a) - dy * np.sin(a) * 2, iy + (dx * np.sin(a) + dy * np.cos(a)) * 0.5)
                   for dx, dy in ((-w2, -h2 * 2), (w2, -h2 * 2), (w2, h2 * 2), (-w2, h2 * 2))]
            m = mask(W, H, lambda d, s, p=pts: d.polygon([(u * s, v * s) for u, v in p], fill=255), 2)
            paint(items, m, (0.93, 0.93, 0.91))
        elif kind < 0.75:
            m = mask(W, H, lambda d, s: d.rounded_rectangle(
                [(ix - 0.045 * W) * s, (iy - 0.018 * H) * s, (ix + 0.045 * W) * s, (iy + 0.018 * H) * s],
                radius=6 * s, fill=255), 2)
            paint(items, m, (0.22, 0.23, 0.25))
            scr = mask(W, H, lambda d, s: d.rectangle(
                [(ix - 0.04 * W) * s, (iy - 0.075 * H) * s, (ix + 0.04 * W) * s, (iy - 0.02 * H) * s],
                fill=255), 2)
            paint(items, scr, (0.55, 0.66, 0.75))
            m = np.maximum(m, scr)
        else:
            m = mask(W, H, lambda d, s: d.ellipse(
                [(ix - 28) * s, (iy - 15) * s, (ix + 28) * s, (iy + 15) * s], fill=255), 2)
            paint(items, m, (0.95, 0.94, 0.92))
            inner = mask(W, H, lambda d, s: d.ellipse(
                [(ix - 21) * s, (iy - 11) * s, (ix + 21) * s, (iy + 9) * s], fill=255), 2)
            paint(items, inner, (0.32, 0.2, 0.14))
        icover = np.maximum(icover, m)
    items, icover = blur(items, 4), blur(icover, 4)
    img = img * (1 - icover[..., None]) + items

    # Two near chairs' backs, far out of focus, at the bottom corners.
    near = mask(W, H, lambda d, s: (
        d.ellipse([-0.12 * W * s, 0.80 * H * s, 0.22 * W * s, 1.35 * H * s], fill=255),
        d.ellipse([0.80 * W * s, 0.84 * H * s, 1.12 * W * s, 1.4 * H * s], fill=255)))
    paint(img, blur(near, 35), (0.12, 0.11, 0.11), 0.92)

    vignette(img, 0.35)
    return finish(img, rng, grain=4.2, chroma=0.8)


# --------------------------------------------------------------------------------------
# EXIF and output.

MAKE, MODEL = "Nuri Imaging", "NS-1 sample camera"


def dms(value):
    """Decimal degrees as the three (degrees, minutes, seconds) rationals EXIF wants."""
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60, 2)
    return (float(d), float(m), float(s))


def exif_for(taken, gps=None, orientation=None):
    ex = Image.Exif()
    ex[0x010F] = MAKE  # Make
    ex[0x0110] = MODEL  # Model
    ex[0x0131] = "nuri tools/make_sample_photos.py"  # Software
    ex[0x0132] = taken  # DateTime
    if orientation:
        ex[0x0112] = orientation  # Orientation
    sub = ex.get_ifd(0x8769)  # Exif sub-IFD
    sub[0x9003] = taken  # DateTimeOriginal
    sub[0x9004] = taken  # DateTimeDigitized
    sub[0x9011] = "+09:00"  # OffsetTimeOriginal
    if gps:
        lat, lon = gps
        g = ex.get_ifd(0x8825)  # GPS IFD
        g[0x0000] = b"\x02\x03\x00\x00"  # GPSVersionID 2.3.0.0
        g[0x0001] = "N" if lat >= 0 else "S"
        g[0x0002] = dms(abs(lat))
        g[0x0003] = "E" if lon >= 0 else "W"
        g[0x0004] = dms(abs(lon))
    return ex


PHOTOS = {
    "hall": (hall, 11, "content/alliance/2023/AI동맹-출범/hall.jpg",
             dict(taken="2023:12:05 17:42:10", gps=(37.5665, 126.9780))),
    "server": (server, 22, "static/images/photos/server-room.jpg",
               dict(taken="2024:09:19 15:08:44", orientation=6)),
    "city": (city, 33, "static/images/photos/seoul-night.jpg", dict(taken="2025:02:14 20:31:05")),
    "table": (table, 44, "static/images/photos/round-table.jpg", dict(taken="2024:12:03 10:15:27")),
}


def main(names):
    for name in names or PHOTOS:
        if name not in PHOTOS:
            sys.exit(f"unknown photo {name!r}; choose from {', '.join(PHOTOS)}")
        make, seed, rel, meta = PHOTOS[name]
        im = make(np.random.default_rng(seed))
        if meta.get("orientation") == 6:
            # Orientation 6 means "turn 90° clockwise to view": store it turned the other way.
            im = im.transpose(Image.Transpose.ROTATE_90)
        out = ROOT / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        im.save(out, "JPEG", quality=QUALITY, progressive=False, optimize=True, exif=exif_for(**meta))
        shown = ImageOps.exif_transpose(Image.open(out)).size
        print(f"{rel}: stored {im.size[0]}x{im.size[1]}, shown {shown[0]}x{shown[1]}, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
