#!/usr/bin/env python3
"""Measures report.html at scale: its size and how long headless Chromium takes to reach `load`.

    python3 bench/page.py                    # state scale (1,500 thanas)
    python3 bench/page.py --scales state,national

For each scale: generate a landing folder, ingest it, audit its last month, then open
report.html in Debian's headless Chromium (scripts/browser-env.sh installs it) five
times. A copy of the page gets one extra line of script that logs `performance.now()`
at the `load` event (the time from navigation to load, as the page's reader waits for
it); the page itself is not changed. Also reported: the wall time of the whole
Chromium process against the same for an empty page (start-up cost). Results go to
bench/page-results.json; BENCHMARKS.md quotes them.
"""
import argparse, json, os, re, shutil, statistics, subprocess, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCALES = {"tenth": 150, "state": 1500, "national": 17000}
MONTH = "2024-12"
PROBE = "<script>addEventListener('load',function(){console.log('cctns-load '+performance.now())})</script>"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--enable-logging=stderr", "--v=0"]


def binary():
    """The release binary, built as .ci/run builds it (the same cache outside the clone)."""
    target = os.environ.setdefault("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/cctns-audit/target"))
    subprocess.run(["cargo", "test", "--release", "--no-run", "-q"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "cctns-gen"], cwd=ROOT, check=True)
    return os.path.join(target, "release", "cctns-audit")


def chromium():
    return subprocess.run(["bash", os.path.join(ROOT, "scripts", "browser-env.sh")],
                          check=True, capture_output=True, text=True).stdout.strip()


def open_page(browser, path):
    """(ms to the load event, wall seconds of the Chromium process) for one fresh profile."""
    with tempfile.TemporaryDirectory() as profile:
        start = time.monotonic()
        out = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", "file://" + path],
                             capture_output=True, text=True, timeout=600)
        wall = time.monotonic() - start
    m = re.search(r"cctns-load ([0-9.]+)", out.stderr)
    return (float(m.group(1)) if m else float("nan")), wall


def bench_scale(name, stations, exe, browser, work):
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    landing, lake, out = (os.path.join(d, x) for x in ("landing", "lake", "out"))
    run = lambda *a: subprocess.run([exe, *a], check=True, stdout=subprocess.DEVNULL)
    generator = os.path.join(os.path.dirname(exe), "cctns-gen")
    subprocess.run([generator, "--out", landing, "--stations", str(stations), "--districts", str(max(1, stations // 20)),
                    "--months", "2024-11..2024-12", "--firs-per-station-month", "50", "--defect-rate", "0.01", "--seed", "1"],
                   check=True, stdout=subprocess.DEVNULL)
    run("ingest", landing, "--lake", lake, "--quiet")
    run("audit", "--lake", lake, "--month", MONTH, "--out", out)
    page = os.path.join(out, "report.html")
    probe = os.path.join(out, "report-probe.html")
    with open(page, encoding="utf-8") as f:
        html = f.read()
    with open(probe, "w", encoding="utf-8") as f:
        f.write(html.replace("</body>", PROBE + "</body>", 1))
    blank = os.path.join(d, "blank.html")
    with open(blank, "w") as f:
        f.write("<!DOCTYPE html><title>blank</title>" + PROBE)
    runs = [open_page(browser, probe) for _ in range(5)]
    blanks = [open_page(browser, blank) for _ in range(3)]
    pages = os.path.join(out, "report-districts")
    district_pages = [os.path.join(pages, f) for f in os.listdir(pages)] if os.path.isdir(pages) else []
    result = dict(scale=name, stations=stations, page_mb=os.path.getsize(page) / 1e6,
                  sections=html.count('<details class="ps"'), rows=html.count('<tr class="ps"'),
                  district_pages=len(district_pages),
                  largest_district_page_mb=max((os.path.getsize(p) for p in district_pages), default=0) / 1e6,
                  load_ms=statistics.median(r[0] for r in runs),
                  process_s=statistics.median(r[1] for r in runs),
                  blank_process_s=statistics.median(b[1] for b in blanks))
    print(json.dumps(result), flush=True)
    shutil.rmtree(landing, ignore_errors=True)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="state")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "cctns-page-bench"))
    args = ap.parse_args()
    exe, browser = binary(), chromium()
    results = [bench_scale(s, SCALES[s], exe, browser, args.work) for s in args.scales.split(",")]
    with open(os.path.join(HERE, "page-results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
