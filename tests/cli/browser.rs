//! `report.html` and the handouts opened in a real browser: Debian's
//! headless Chromium with Devanagari fonts and poppler-utils, installed by
//! `scripts/browser-env.sh`. The DOM after the page's script ran, a
//! screenshot, hostile text shown as text, a handout printed to one A4 page.

use crate::support::{audit_into, run_expecting, s, sample_lake};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Headless Chromium with the flags the machine needs and a new, empty profile per run.
struct Browser {
    exe: PathBuf,
}

impl Browser {
    fn installed() -> Browser {
        let setup = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/browser-env.sh"))
            .output()
            .unwrap();
        assert!(
            setup.status.success(),
            "scripts/browser-env.sh: {}",
            String::from_utf8_lossy(&setup.stderr)
        );
        let exe = String::from_utf8(setup.stdout).unwrap().trim().to_string();
        Browser { exe: exe.into() }
    }

    /// Runs Chromium on `url` with `args`, returning its stdout.
    fn run(&self, url: &str, args: &[String]) -> String {
        let profile = tempfile::tempdir().unwrap();
        let out = Command::new(&self.exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
            ])
            .arg(format!("--user-data-dir={}", s(profile.path())))
            .args(args)
            .arg(url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "chromium {args:?} {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The DOM once the page loaded and its script ran.
    fn dom(&self, url: &str) -> String {
        self.run(url, &["--dump-dom".to_string()])
    }

    fn screenshot(&self, url: &str, png: &Path, width: u32, height: u32) {
        self.run(
            url,
            &[
                format!("--screenshot={}", s(png)),
                format!("--window-size={width},{height}"),
                "--hide-scrollbars".to_string(),
            ],
        );
        let bytes = std::fs::read(png).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{png:?}"
        );
    }

    fn pdf(&self, url: &str, pdf: &Path) {
        self.run(
            url,
            &[
                format!("--print-to-pdf={}", s(pdf)),
                "--no-pdf-header-footer".to_string(),
            ],
        );
    }
}

fn file_url(path: &Path) -> String {
    format!("file://{}", s(&path.canonicalize().unwrap()))
}

/// The `<details class="ps" …>` opening tags of the DOM, by ps_code.
fn station_tags(dom: &str) -> Vec<(String, String)> {
    let tag = Regex::new(r#"<details class="ps"[^>]*>"#).unwrap();
    let code = Regex::new(r#"data-ps="([^"]*)""#).unwrap();
    tag.find_iter(dom)
        .map(|m| {
            let t = m.as_str().to_string();
            (code.captures(&t).unwrap()[1].to_string(), t)
        })
        .collect()
}

fn attribute(tag: &str, name: &str) -> String {
    let re = Regex::new(&format!(r#"{name}="([^"]*)""#)).unwrap();
    re.captures(tag)
        .map(|c| c[1].to_string())
        .unwrap_or_default()
}

/// `(code, text)` pairs read from a CSV file.
type Pairs = Vec<(String, String)>;

/// `(ps_code, ps_name_hi)` of the registry, and `(ps_code, score)` of scores.csv.
fn registry_and_scores(out: &Path) -> (Pairs, Pairs) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut registry = Vec::new();
    let mut r = csv::Reader::from_path(root.join("sample-data/police_stations.csv")).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        registry.push((row[0].to_string(), row[2].to_string()));
    }
    let mut scores = Vec::new();
    let mut r = csv::Reader::from_path(out.join("scores.csv")).unwrap();
    let score_at = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "score")
        .unwrap();
    for row in r.records() {
        let row = row.unwrap();
        scores.push((row[2].to_string(), row[score_at].to_string()));
    }
    (registry, scores)
}

fn parameters_in_model() -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = std::fs::read_to_string(root.join("rules/cctns/scoring.yaml")).unwrap();
    model
        .lines()
        .filter(|l| l.trim_start().starts_with("- id: P"))
        .count()
}

/// Where the screenshots go: `CCTNS_SCREENSHOTS` (scripts/screenshots.sh sets it to docs/), else a temporary folder.
fn screenshot_dir(tmp: &Path) -> PathBuf {
    std::env::var_os("CCTNS_SCREENSHOTS").map_or_else(|| tmp.to_path_buf(), PathBuf::from)
}

#[test]
fn the_sample_report_reads_in_chromium_with_every_station_its_hindi_name_and_charts() {
    let browser = Browser::installed();
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let out = tmp.path().join("out");
    audit_into(&lake, "2024-08", &out, &[]);
    let page = out.join("report.html");
    let dom = browser.dom(&file_url(&page));
    let stations = station_tags(&dom);
    let (registry, scores) = registry_and_scores(&out);
    assert_eq!(
        stations.len(),
        registry.len(),
        "one section per registry station"
    );
    for (code, name_hi) in &registry {
        let section = Regex::new(&format!(
            r#"(?s)<details class="ps"[^>]*data-ps="{code}".*?</summary>"#
        ))
        .unwrap();
        let summary = section
            .find(&dom)
            .unwrap_or_else(|| panic!("{code} has a section"));
        assert!(
            summary
                .as_str()
                .contains(&format!("<span lang=\"hi\">{name_hi}</span>")),
            "{code} shows its Hindi name: {}",
            summary.as_str()
        );
    }
    for (code, score) in &scores {
        let (_, tag) = stations.iter().find(|(c, _)| c == code).unwrap();
        assert_eq!(
            &attribute(tag, "data-score"),
            score,
            "{code}: the page's score is scores.csv's"
        );
    }
    let charts = Regex::new(r#"(?s)<svg class="params[^"]*".*?</svg>"#).unwrap();
    let bars = Regex::new(r#"<rect\b"#).unwrap();
    let mut count = 0;
    for chart in charts.find_iter(&dom) {
        assert_eq!(
            bars.find_iter(chart.as_str()).count(),
            parameters_in_model(),
            "{}",
            chart.as_str()
        );
        count += 1;
    }
    assert!(
        count > registry.len(),
        "a chart per station, per district and the state: {count}"
    );
    let links = Regex::new(r#"\b(?:src|href|action|poster|srcset)="([^"]*)""#).unwrap();
    for link in links.captures_iter(&dom) {
        assert!(
            link[1].starts_with('#'),
            "a link leaves the file: {}",
            &link[1]
        );
    }
    let raw = std::fs::read_to_string(&page).unwrap();
    assert!(!raw.contains("url(") && !raw.contains("@import") && !raw.contains("https://"));
    let hidden = |t: &str| t.contains(" hidden=");
    assert!(
        stations
            .iter()
            .all(|(_, t)| !hidden(t) && !t.contains(" open=")),
        "all shown, collapsed"
    );

    let found = station_tags(&browser.dom(&format!("{}#find=UP-GBN-003", file_url(&page))));
    let visible: Vec<&String> = found
        .iter()
        .filter(|(_, t)| !hidden(t))
        .map(|(c, _)| c)
        .collect();
    assert_eq!(
        visible,
        ["UP-GBN-003"],
        "the search box filters to one thana"
    );

    let shots = screenshot_dir(tmp.path());
    browser.screenshot(
        &format!("{}#find=UP-GBN-003", file_url(&page)),
        &shots.join("report.png"),
        1100,
        1500,
    );
}

#[test]
fn a_station_name_and_a_record_key_holding_script_show_as_text() {
    let browser = Browser::installed();
    let tmp = tempfile::tempdir().unwrap();
    let landing = hostile_landing(tmp.path());
    let lake = tmp.path().join("lake");
    run_expecting(0, &["ingest", s(&landing), "--lake", s(&lake), "--quiet"]);
    let out = tmp.path().join("out");
    audit_into(&lake, "2024-08", &out, &[]);
    let dom = browser.dom(&file_url(&out.join("report.html")));
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(
        dom.contains("&lt;script&gt;alert(\"name\")&lt;/script&gt;"),
        "the name as text"
    );
    assert!(
        dom.contains("&lt;script&gt;key&lt;/script&gt;"),
        "the record key as text"
    );
    run_expecting(0, &["handout", "--out", s(&out), "--ps", "UP-GBN-003"]);
    let handout = browser.dom(&file_url(&out.join("handout-UP-GBN-003.html")));
    assert!(!handout.contains("<script") && handout.contains("&lt;script&gt;key&lt;/script&gt;"));
}

/// sample-data with UP-GBN-003's name and one of its FIR numbers made `<script>` elements.
fn hostile_landing(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let landing = dir.join("landing");
    copy_dir(&root.join("sample-data"), &landing);
    let registry = landing.join("police_stations.csv");
    let text = std::fs::read_to_string(&registry).unwrap();
    std::fs::write(
        &registry,
        text.replace(
            "UP-GBN-003,Phase 2,",
            "UP-GBN-003,\"<script>alert(\"\"name\"\")</script>\",",
        ),
    )
    .unwrap();
    let fir = landing.join("2024-08/UP-GBN-003/fir.csv");
    let text = std::fs::read_to_string(&fir).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let at = header.iter().position(|h| *h == "fir_no").unwrap();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    cells[at] = "<script>key</script>".to_string();
    lines[1] = cells.join(",");
    std::fs::write(&fir, lines.join("\n") + "\n").unwrap();
    landing
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

#[test]
fn a_handout_prints_to_one_a4_page_with_the_score_and_the_top_record() {
    let browser = Browser::installed();
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let out = tmp.path().join("out");
    audit_into(&lake, "2024-08", &out, &[]);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let worst = report["stations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["records_to_fix_first"].as_array().unwrap().is_empty())
        .max_by_key(|s| s["records_to_fix_first"].as_array().unwrap().len())
        .unwrap();
    let code = worst["ps_code"].as_str().unwrap();
    let top = worst["records_to_fix_first"][0]["record_key"]
        .as_str()
        .unwrap();
    let printed = run_expecting(0, &["handout", "--out", s(&out), "--ps", code]);
    let html = PathBuf::from(String::from_utf8(printed.stdout).unwrap().trim());
    assert_eq!(html, out.join(format!("handout-{code}.html")));
    let pdf = tmp.path().join("handout.pdf");
    browser.pdf(&file_url(&html), &pdf);
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Pages:", "1"]),
        "{info}"
    );
    assert!(info.contains("(A4)"), "A4: {info}");
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let score = format!("{:.2}", worst["score"].as_f64().unwrap());
    assert!(text.contains(&score), "the score {score} in: {text}");
    assert!(text.contains(top), "the top record {top} in: {text}");
    let shots = screenshot_dir(tmp.path());
    browser.screenshot(&file_url(&html), &shots.join("handout.png"), 794, 1123);
}
