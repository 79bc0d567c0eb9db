#!/usr/bin/env python3
"""Benchmarks cctns-audit against DuckDB on the same generated data, in one run.

    python3 bench/bench.py                  # tenth of state scale and state scale
    python3 bench/bench.py --scales tenth   # quicker
    python3 bench/bench.py --scales tenth,state,national
    python3 bench/bench.py --report-only    # BENCHMARKS.md again from bench/results.json
    python3 bench/bench.py --scales tenth --engines-only   # only the --engine rows, on kept lakes

For each scale: generate a plain landing folder (UTF-8 CSV, one value form per
column, so that DuckDB's typed read_csv reads the same files), then time and
measure peak memory (RSS) of: our ingest vs DuckDB read_csv -> Parquet; our
audit of the last month (scores, trend and every report) vs DuckDB running
the catalogue as hand-written SQL (duckdb_audit.sql) over the Parquet files of
our lake; and check both report the same violations. Our audit is timed two
ways: as in the monthly routine, where last month's audit left the month
before's scores in the lake's score history (the month before is audited
once, untimed, first), and with --no-history, auditing the month before again
for the trend. Writes BENCHMARKS.md and bench/scaling.svg. DuckDB comes
from PyPI into bench/.venv. Ratios, not absolute times, are what to compare.
"""
import argparse, csv, datetime, json, os, platform, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCALES = {"tenth": 150, "state": 1500, "national": 17000}
# States the districts are spread over: a national lake ranks states (NCRB's league).
STATES = {"tenth": 1, "state": 1, "national": 36}
# The --memory-limit runs: ingest and audits under LIMIT, and one audit under TIGHT.
LIMIT, TIGHT = "1GB", "512MB"
OUTPUTS = ("violations.csv", "scores.csv", "points_lost.csv", "districts.csv")
MONTH = "2024-12"
PREVIOUS = "2024-11"


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def venv_python():
    venv = os.path.join(HERE, ".venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        run([sys.executable, "-m", "venv", venv])
    if subprocess.run([py, "-c", "import duckdb"], capture_output=True).returncode != 0:
        run([py, "-m", "pip", "install", "-q", "duckdb"])
    return py


def binary():
    """The release binary of cctns-audit; the generator, cctns-gen, is built next to it (generator())."""
    run(["cargo", "build", "--release", "-q"], cwd=ROOT)
    run(["cargo", "build", "--release", "-q", "-p", "cctns-gen"], cwd=ROOT)
    run(["cargo", "bench", "-q", "--bench", "scan_floor", "--no-run"], cwd=ROOT)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "cctns-audit")


def generator(exe):
    """The synthetic-data generator (the workspace's gen/ crate), built by binary() next to `exe`."""
    return os.path.join(os.path.dirname(exe), "cctns-gen")


def measure(cmd, quiet=True, check=True):
    """Wall seconds, peak RSS (MB), user and system CPU seconds and exit code of a command, by GNU time."""
    with tempfile.NamedTemporaryFile("r") as t:
        out = subprocess.DEVNULL if quiet else None
        code = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", t.name, *cmd], stdout=out, stderr=out, check=check).returncode
        secs, kb, user, system = t.read().split()[-4:]
    return float(secs), int(kb) / 1024, float(user), float(system), code


def measure_alternately(cmds, runs):
    """Median wall seconds and peak RSS (MB) of each command, run in turns (a, b, a, b, ...)
    so that a noisy neighbour on the machine slows both alike."""
    samples = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            samples[i].append(measure(cmd))
    return [(sorted(s)[len(s) // 2][0], max(m[1] for m in s)) for s in samples]


def scan_floor(lake):
    """Seconds of a bare DataFusion scan of the columns the rules read (benches/scan_floor.rs)."""
    out = subprocess.run(["cargo", "bench", "-q", "--bench", "scan_floor", "--", lake, MONTH],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["scan_ms"] / 1000


def violations(path):
    with open(path) as f:
        rows = csv.DictReader(f)
        return {(r["ps_code"], r["table"], r["rule_id"], r["record_key"]) for r in rows}


def same_outputs(a, b):
    """Whether two audit folders hold byte-identical report files."""
    def read(d, f):
        path = os.path.join(d, f)
        return open(path, "rb").read() if os.path.exists(path) else None
    return all(read(a, f) == read(b, f) for f in OUTPUTS + ("states.csv",))


def limited_runs(exe, landing, lake, out):
    """Ingest and audit again under --memory-limit: times, peak RSS and whether the files match."""
    limited_lake = lake + "-limited"
    ingest = measure([exe, "ingest", landing, "--lake", limited_lake, "--quiet", "--memory-limit", LIMIT])
    run([exe, "audit", "--lake", limited_lake, "--month", PREVIOUS, "--out", out + "-limited-previous", "--memory-limit", LIMIT],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    monthly = measure([exe, "audit", "--lake", limited_lake, "--month", MONTH, "--out", out + "-limited", "--memory-limit", LIMIT])
    cold = measure([exe, "audit", "--lake", limited_lake, "--month", MONTH, "--out", out + "-limited-cold", "--no-history",
                    "--memory-limit", LIMIT])
    tight = measure([exe, "audit", "--lake", limited_lake, "--month", MONTH, "--out", out + "-tight", "--no-history",
                     "--memory-limit", TIGHT], check=False)
    shutil.rmtree(limited_lake, ignore_errors=True)
    return dict(limit=LIMIT, tight=TIGHT,
                ingest_limited_s=ingest[0], ingest_limited_mb=ingest[1],
                audit_limited_s=monthly[0], audit_limited_mb=monthly[1],
                audit_limited_cold_s=cold[0], audit_limited_cold_mb=cold[1],
                audit_tight_s=tight[0], audit_tight_mb=tight[1], audit_tight_exit=tight[4],
                same_limited=same_outputs(out, out + "-limited") and same_outputs(out + "-cold", out + "-limited-cold"),
                same_tight=tight[4] == 0 and same_outputs(out + "-cold", out + "-tight"))


def peak_rss_mb(pid_file):
    """Peak RSS (MB) so far of the running process whose id is in `pid_file` (VmHWM)."""
    with open(pid_file) as f:
        pid = f.read().strip()
    with open(f"/proc/{pid}/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    return kb / 1024


def stages_in(log_text):
    """Distinct (job, stage) pairs of the tasks Ballista's executors logged (`Execute task : [TID job/stage.…]`)."""
    return len(set(re.findall(r"Execute task\s*: \[TID ([0-9A-Za-z]+)/(\d+)\.", log_text)))


def measure_logged(cmd, env):
    """`measure`, with the command's log (stderr) kept: (measurement, log text)."""
    with tempfile.NamedTemporaryFile("r") as t, tempfile.NamedTemporaryFile("r") as log:
        with open(log.name, "w") as err:
            code = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", t.name, *cmd], stdout=subprocess.DEVNULL,
                                  stderr=err, env=env).returncode
        secs, kb, user, system = t.read().split()[-4:]
        return (float(secs), int(kb) / 1024, float(user), float(system), code), log.read()


def engine_runs(exe, lake, out, work):
    """The cold audit on each engine: local, Ballista standalone (in process) and a cluster of a
    scheduler and two executors (scripts/ballista-cluster.sh, the audit in two shards so both work);
    the time, the peak RSS of the client process and of each executor, the stages each Ballista
    audit ran (from the executors' task lines), and whether the files match."""
    cold = [exe, "audit", "--lake", lake, "--month", MONTH, "--no-history"]
    local = measure(cold + ["--out", out + "-engine-local"])
    logged = dict(os.environ, RUST_LOG="warn,cctns_audit=info,ballista_executor=info")
    standalone, standalone_log = measure_logged(cold + ["--out", out + "-engine-standalone", "--engine", "standalone"], logged)
    ballista_dir = os.path.join(work, "ballista")
    shutil.rmtree(ballista_dir, ignore_errors=True)
    env = dict(os.environ, CCTNS_AUDIT=exe, BALLISTA_DIR=ballista_dir, BALLISTA_PORT="50350")
    env.pop("RUST_LOG", None)
    script = [os.path.join(ROOT, "scripts", "ballista-cluster.sh")]
    engine = subprocess.run(script + ["start"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    try:
        cluster = measure(cold + ["--out", out + "-engine-cluster", "--engine", engine, "--shards", "2"], check=False)
        executors_mb = [peak_rss_mb(os.path.join(ballista_dir, f"executor-{i}.pid")) for i in (1, 2)]
    finally:
        run(script + ["stop"], env=env)
    cluster_log = "".join(open(os.path.join(ballista_dir, f"executor-{i}.log")).read() for i in (1, 2))
    same = same_outputs(out + "-engine-local", out + "-engine-standalone") and cluster[4] == 0 \
        and same_outputs(out + "-engine-local", out + "-engine-cluster")
    return dict(engine_local_s=local[0], engine_local_mb=local[1], engine_standalone_s=standalone[0],
                engine_standalone_mb=standalone[1], engine_standalone_stages=stages_in(standalone_log),
                engine_cluster_s=cluster[0], engine_cluster_mb=cluster[1], engine_cluster_exit=cluster[4],
                engine_cluster_stages=stages_in(cluster_log), engine_executor_mb=executors_mb, same_engines=same)


def engines_on_kept_lake(name, exe, work):
    """engine_runs on the lake of scale `name` in `work` (generated and ingested first when missing)."""
    d = os.path.join(work, name)
    landing, lake, out = (os.path.join(d, x) for x in ("landing", "lake", "out"))
    if not os.path.exists(os.path.join(lake, "_lake.json")):
        shutil.rmtree(d, ignore_errors=True)
        stations = SCALES[name]
        run([generator(exe), "--out", landing, "--stations", str(stations), "--districts", str(max(1, stations // 20)),
             "--states", str(STATES[name]), "--months", "2024-01..2024-12", "--firs-per-station-month", "50",
             "--defect-rate", "0.01", "--seed", "1", "--plain"], stdout=subprocess.DEVNULL)
        run([exe, "ingest", landing, "--lake", lake, "--quiet"], stdout=subprocess.DEVNULL)
    result = engine_runs(exe, lake, out, d)
    print(json.dumps(result), flush=True)
    return result


def bench_scale(name, stations, exe, py, work):
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    landing, lake, duck, out = (os.path.join(d, x) for x in ("landing", "lake", "duck", "out"))
    os.makedirs(duck)
    gen = measure([generator(exe), "--out", landing, "--stations", str(stations), "--districts", str(max(1, stations // 20)),
                   "--states", str(STATES[name]), "--months", "2024-01..2024-12", "--firs-per-station-month", "50", "--defect-rate", "0.01",
                   "--seed", "1", "--plain"])
    files = sum(len(fs) for _, _, fs in os.walk(landing)) - 2
    size = sum(os.path.getsize(os.path.join(p, f)) for p, _, fs in os.walk(landing) for f in fs)
    rows = sum(1 for p, _, fs in os.walk(landing) for f in fs if f.endswith(".csv") and f != "police_stations.csv" for _ in open(os.path.join(p, f))) - files
    ours_ingest = measure([exe, "ingest", landing, "--lake", lake, "--quiet"])
    duck_ingest = measure([py, os.path.join(HERE, "duck_ingest.py"), landing, duck])
    duck_csv = os.path.join(d, "duck_violations.csv")
    run([exe, "audit", "--lake", lake, "--month", PREVIOUS, "--out", out + "-previous"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours_audit, ours_cold, duck_audit = measure_alternately([
        [exe, "audit", "--lake", lake, "--month", MONTH, "--out", out],
        [exe, "audit", "--lake", lake, "--month", MONTH, "--out", out + "-cold", "--no-history"],
        [py, os.path.join(HERE, "duck_audit.py"), lake, MONTH, os.path.join(HERE, "duckdb_audit.sql"), duck_csv]], runs=5)
    floor = scan_floor(lake)
    a, b = violations(os.path.join(out, "violations.csv")), violations(duck_csv)
    cold = violations(os.path.join(out + "-cold", "violations.csv"))
    result = dict(scale=name, stations=stations, files=files, rows=rows, mb=size / 1e6, generate_s=gen[0], generate_user_s=gen[2], generate_sys_s=gen[3],
                  ingest_ours_s=ours_ingest[0], ingest_ours_mb=ours_ingest[1], ingest_duck_s=duck_ingest[0], ingest_duck_mb=duck_ingest[1],
                  audit_ours_s=ours_audit[0], audit_ours_mb=ours_audit[1], audit_duck_s=duck_audit[0], audit_duck_mb=duck_audit[1],
                  audit_cold_s=ours_cold[0], audit_cold_mb=ours_cold[1],
                  scan_floor_s=floor,
                  violations=len(a), same_violations=a == b and cold == a, only_ours=len(a - b), only_duck=len(b - a))
    result.update(limited_runs(exe, landing, lake, out))
    result.update(engine_runs(exe, lake, out, d))
    print(json.dumps(result), flush=True)
    shutil.rmtree(landing, ignore_errors=True)
    return result


def svg(results, path):
    """Time against rows for both tools, ingest and audit, log-free and self-contained."""
    w, h, pad = 640, 360, 50
    xs = [r["rows"] for r in results]
    ys = [v for r in results for k in ("ingest_ours_s", "ingest_duck_s", "audit_ours_s", "audit_cold_s", "audit_duck_s") for v in [r.get(k, 0)]]
    xmax, ymax = max(xs) * 1.05, max(ys) * 1.1
    sx = lambda x: pad + (w - 2 * pad) * x / xmax
    sy = lambda y: h - pad - (h - 2 * pad) * y / ymax
    lines = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<line x1="{pad}" y1="{h-pad}" x2="{w-pad}" y2="{h-pad}" stroke="black"/><line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h-pad}" stroke="black"/>',
             f'<text x="{w/2}" y="{h-10}" text-anchor="middle">rows in the lake (millions)</text>',
             f'<text x="12" y="{h/2}" transform="rotate(-90 12 {h/2})" text-anchor="middle">seconds</text>']
    series = [("ingest_ours_s", "#1f6feb", "cctns-audit ingest"), ("ingest_duck_s", "#8b949e", "DuckDB read_csv"),
              ("audit_ours_s", "#d73a49", "cctns-audit audit"), ("audit_cold_s", "#6f42c1", "cctns-audit audit --no-history"),
              ("audit_duck_s", "#e36209", "DuckDB catalogue SQL")]
    series = [s for s in series if all(s[0] in r for r in results)]
    for i, (key, colour, label) in enumerate(series):
        pts = " ".join(f"{sx(r['rows']):.1f},{sy(r[key]):.1f}" for r in results)
        lines.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        lines += [f'<circle cx="{sx(r["rows"]):.1f}" cy="{sy(r[key]):.1f}" r="3" fill="{colour}"/>' for r in results]
        lines.append(f'<text x="{pad + 10}" y="{pad + 15 * i}" fill="{colour}">{label}</text>')
    for r in results:
        lines.append(f'<text x="{sx(r["rows"]):.1f}" y="{h-pad+15}" text-anchor="middle">{r["rows"]/1e6:.2f}</text>')
    lines.append(f'<text x="{pad-5}" y="{sy(ymax/1.1):.1f}" text-anchor="end">{ymax/1.1:.1f}</text></svg>')
    with open(path, "w") as f:
        f.write("\n".join(lines))


def machine():
    """Where and when a run is measured: the date, cores, CPU, memory and DuckDB's version."""
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    duck = subprocess.run([venv_python(), "-c", "import duckdb; print(duckdb.__version__)"], capture_output=True, text=True).stdout.strip()
    return dict(measured=str(datetime.date.today()), cores=os.cpu_count(), cpu=cpu,
                gib=round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30), duckdb=duck)


def merged(fresh, path):
    """The rows just measured, and the kept rows of the scales not run this time (each names its own run)."""
    kept = json.load(open(path)) if os.path.exists(path) else []
    run_now = {r["scale"] for r in fresh}
    rows = fresh + [r for r in kept if r["scale"] not in run_now]
    return sorted(rows, key=lambda r: list(SCALES).index(r["scale"]) if r["scale"] in SCALES else len(SCALES))


def report(results, path):
    runs = []
    for r in results:
        m = r.get("machine") or results[0].get("machine") or machine()
        r["machine"] = m
        if m not in runs:
            runs.append(m)
    m = runs[0]
    if len(runs) > 1:
        each = [f"{x['measured']} ({', '.join(r['scale'] for r in results if r['machine'] == x)}: {x['cpu']}, DuckDB {x['duckdb']})"
                for x in runs]
        m = dict(m, measured=" and ".join(each), cpu="the CPU named per run", duckdb="as named per run")
    head = ["# Benchmarks", "", f"Measured {m['measured']} on {m['cores']} cores ({m['cpu']}), {m['gib']} GiB, "
            f"with `python3 bench/bench.py` (DuckDB {m['duckdb']} from PyPI).",
            "Both tools run on the same generated files in the same run; compare the ratios, not the seconds. "
            "Audit times are the median of five runs, ours and DuckDB's in turns. *Audit ours* is the monthly routine: "
            "last month's audit left the month before's scores in the lake's score history, so the trend costs a lookup; "
            "*cold* is `--no-history`, which audits the month before again for the trend.", "",
            "| scale | stations | files | rows | MB | ingest ours s | DuckDB s | ratio | ours MB RSS | DuckDB MB | audit ours s | DuckDB s | ratio | ours MB RSS | DuckDB MB | cold s | cold ratio | cold MB RSS | bare scan s | audit ÷ scan | violations | same |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        head.append(f"| {r['scale']} | {r['stations']} | {r['files']} | {r['rows']} | {r['mb']:.0f} | {r['ingest_ours_s']:.2f} | {r['ingest_duck_s']:.2f} | "
                    f"{r['ingest_ours_s'] / r['ingest_duck_s']:.2f} | {r['ingest_ours_mb']:.0f} | {r['ingest_duck_mb']:.0f} | {r['audit_ours_s']:.2f} | "
                    f"{r['audit_duck_s']:.2f} | {r['audit_ours_s'] / r['audit_duck_s']:.2f} | {r['audit_ours_mb']:.0f} | {r['audit_duck_mb']:.0f} | "
                    f"{r.get('audit_cold_s', float('nan')):.2f} | {r.get('audit_cold_s', float('nan')) / r['audit_duck_s']:.2f} | {r.get('audit_cold_mb', float('nan')):.0f} | "
                    f"{r['scan_floor_s']:.2f} | {r['audit_ours_s'] / max(r['scan_floor_s'], 1e-3):.0f}× | "
                    f"{r['violations']} | {'yes' if r['same_violations'] else 'NO: %d only ours, %d only DuckDB' % (r['only_ours'], r['only_duck'])} |")
    limited = [r for r in results if "ingest_limited_s" in r]
    if limited:
        head += ["", f"Under `--memory-limit`: the same landing folder ingested into a second lake and audited with "
                 f"`--memory-limit {limited[0]['limit']}` (monthly and cold), and cold with `--memory-limit {limited[0]['tight']}`; "
                 "*same* compares violations, scores, points lost, districts and states byte for byte with the runs without a limit "
                 "(— where the run stopped, exit 2, over its limit). "
                 "Each is one run (not a median).", "",
                 f"| scale | ingest s | ingest MB RSS | audit s | audit MB RSS | cold s | cold MB RSS | same | cold under {limited[0]['tight']} s | MB RSS | same |",
                 "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in limited:
            head.append(f"| {r['scale']} | {r['ingest_limited_s']:.2f} | {r['ingest_limited_mb']:.0f} | {r['audit_limited_s']:.2f} | "
                        f"{r['audit_limited_mb']:.0f} | {r['audit_limited_cold_s']:.2f} | {r['audit_limited_cold_mb']:.0f} | "
                        f"{'yes' if r['same_limited'] else 'NO'} | "
                        f"{r['audit_tight_s']:.2f}{'' if r.get('audit_tight_exit', 0) == 0 else ' (exit %d)' % r['audit_tight_exit']} | {r['audit_tight_mb']:.0f} | "
                        f"{'yes' if r.get('same_tight') else '—' if r.get('audit_tight_exit', 0) else 'NO'} |")
    engines = [r for r in results if "engine_cluster_s" in r]
    if engines:
        head += ["", "The cold audit (`--no-history`) on each `--engine`: DataFusion in the process (*local*), Ballista's "
                 "scheduler and executor started inside it (*standalone*), and a cluster of a scheduler and two executors, "
                 "each a separate process on loopback (`scripts/ballista-cluster.sh`, one task per executor; the audit in "
                 "two shards, `--shards 2`, so that both work). Each shard's findings plan is one Ballista job of one stage "
                 "(`WholePlan`, docs/scaling.md): *stages* counts the stages the executors ran for the audit. *MB RSS* is "
                 "the peak of the process that runs `audit` (for the cluster, the client alone) and *executors MB* each "
                 "executor's. *same* compares the files byte for byte with local's. One run each.", "",
                 "| scale | rows | local s | MB RSS | standalone s | MB RSS | stages | cluster s | client MB RSS | executors MB | stages | same |",
                 "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in engines:
            executors = " + ".join(f"{mb:.0f}" for mb in r.get("engine_executor_mb", [])) or "—"
            head.append(f"| {r['scale']} | {r['rows']} | {r['engine_local_s']:.2f} | {r['engine_local_mb']:.0f} | "
                        f"{r['engine_standalone_s']:.2f} | {r['engine_standalone_mb']:.0f} | {r.get('engine_standalone_stages', '—')} | "
                        f"{r['engine_cluster_s']:.2f}{'' if r.get('engine_cluster_exit', 0) == 0 else ' (exit %d)' % r['engine_cluster_exit']} | "
                        f"{r['engine_cluster_mb']:.0f} | {executors} | {r.get('engine_cluster_stages', '—')} | "
                        f"{'yes' if r['same_engines'] else 'NO'} |")
    head += ["", "Generating the landing folder (`cctns-gen --plain`): rows per second per core, of the generator's own work "
             "(user CPU) and of the wall time on all cores (which includes the kernel creating every file).", "",
             "| scale | wall s | user CPU s | system CPU s | rows/s per core, user CPU | rows/s per core, wall |", "|---|---|---|---|---|---|"]
    for r in results:
        if "generate_user_s" in r:
            head.append(f"| {r['scale']} | {r['generate_s']:.2f} | {r['generate_user_s']:.2f} | {r['generate_sys_s']:.2f} | "
                        f"{r['rows'] / max(r['generate_user_s'], 1e-3) / 1e6:.2f} M | {r['rows'] / r['generate_s'] / os.cpu_count() / 1e6:.2f} M |")
    notes = open(os.path.join(HERE, "NOTES.md")).read() if os.path.exists(os.path.join(HERE, "NOTES.md")) else ""
    with open(path, "w") as f:
        f.write("\n".join(head) + "\n\n![time against scale](bench/scaling.svg)\n\n" + notes)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="tenth,state")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "cctns-bench"))
    ap.add_argument("--engines-only", action="store_true",
                    help="measure only the --engine runs (on the lake a full run left in --work, or a new one) "
                         "and add them to the kept rows of bench/results.json")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite BENCHMARKS.md and the plot from bench/results.json (e.g. after editing NOTES.md)")
    args = ap.parse_args()
    if args.report_only:
        with open(os.path.join(HERE, "results.json")) as f:
            results = json.load(f)
    elif args.engines_only:
        exe = binary()
        with open(os.path.join(HERE, "results.json")) as f:
            results = json.load(f)
        for name in args.scales.split(","):
            row = next(r for r in results if r["scale"] == name)
            row.update(engines_on_kept_lake(name, exe, args.work), engines_measured=str(datetime.date.today()))
        with open(os.path.join(HERE, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
    else:
        py, exe = venv_python(), binary()
        here = machine()
        fresh = [dict(bench_scale(s, SCALES[s], exe, py, args.work), machine=here) for s in args.scales.split(",")]
        results = merged(fresh, os.path.join(HERE, "results.json"))
        with open(os.path.join(HERE, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
    svg(results, os.path.join(HERE, "scaling.svg"))
    report(results, os.path.join(ROOT, "BENCHMARKS.md"))


if __name__ == "__main__":
    main()
