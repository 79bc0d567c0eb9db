//! Zones, groups of states and ranks in a group (spec scoring.md v1.4) on
//! the national conformance set, whose expected files predate v1.4: the
//! expected values below are computed by hand from the expected scores
//! (`nation/expected/<M>/{scores,districts,states}.csv`) and the model's
//! bands (green from 75, blue from 65, red from 0).

use super::conformance::{csv_rows, lake_of, Row};
use super::support::{audit_month, conformance_dir};
use std::collections::BTreeMap;
use std::path::Path;

const MONTHS: [&str; 3] = ["2024-06", "2024-07", "2024-08"];

/// The units that are not green, by month, with their zone: every station
/// scores 75.75 or more but two that uploaded nothing (0.00); districts
/// DL-PRJ (71.44 in July) and HR-VNS (66.00 in August) are blue; every state
/// scores 80.35 or more.
fn not_green(month: &str) -> BTreeMap<&'static str, &'static str> {
    match month {
        "2024-07" => [("DL-PRJ-004", "red"), ("DL-PRJ", "blue")].into(),
        "2024-08" => [("HR-VNS-003", "red"), ("HR-VNS", "blue")].into(),
        _ => BTreeMap::new(),
    }
}

/// `code column` → `zone` of every row of a CSV file.
fn zones(rows: &[Row], code: &str) -> BTreeMap<String, String> {
    rows.iter()
        .map(|r| (r[code].clone(), r["zone"].clone()))
        .collect()
}

/// The columns of a Parquet file.
fn parquet_columns(path: &Path) -> Vec<String> {
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    schema
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect()
}

fn header(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_national_lake_in_miniature_has_the_zones_computed_by_hand() {
    let dir = conformance_dir().join("nation");
    let (tmp, lake_dir, rules) = lake_of(&dir.join("landing")).await;
    for m in MONTHS {
        let out = tmp.path().join("out").join(m);
        audit_month(&lake_dir, m, &out, &rules).await;
        let odd = not_green(m);
        let want = |code: &String| odd.get(code.as_str()).copied().unwrap_or("green");
        let mut units = zones(&csv_rows(&out.join("scores.csv")), "ps_code");
        units.extend(zones(
            &csv_rows(&out.join("districts.csv")),
            "district_code",
        ));
        units.extend(zones(&csv_rows(&out.join("states.csv")), "state_code"));
        assert_eq!(units.len(), 24 + 6 + 3, "{m}");
        for (code, zone) in &units {
            assert_eq!(zone, want(code), "{m} {code}");
        }
        let states = csv_rows(&out.join("states.csv"));
        assert!(
            states
                .iter()
                .all(|s| s["group_id"].is_empty() && s["rank_in_group"].is_empty()),
            "{m}: UP, HR and DL are in no group of the default model"
        );
        let paths = csv_rows(&out.join("path_to_first.csv"));
        assert!(paths.iter().all(|p| p["scope"] != "group"), "{m}");
        assert_eq!(
            header(&out.join("states.csv")),
            [
                "month",
                "state_code",
                "stations",
                "districts",
                "score",
                "rank_in_country",
                "group_id",
                "rank_in_group",
                "zone"
            ]
        );
        for table in ["scores", "districts", "states"] {
            let csv = header(&out.join(format!("{table}.csv")));
            assert_eq!(csv.last().map(String::as_str), Some("zone"), "{table}.csv");
            let parquet = parquet_columns(&out.join(format!("{table}.parquet")));
            assert_eq!(parquet, csv, "{table}.parquet has the CSV's columns");
        }
    }
}

/// The built-in pack with its group replaced by `north` (HR, DL and HP,
/// which the lake does not hold), in a folder of `tmp`.
fn pack_with_north_group(tmp: &Path, rules: &Path) -> std::path::PathBuf {
    let pack = tmp.join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    for entry in std::fs::read_dir(rules).unwrap() {
        let path = entry.unwrap().path();
        let mut text = std::fs::read_to_string(&path).unwrap();
        if path.file_name().unwrap() == "scoring.yaml" {
            let hilly = "states: [HP, UK, JK, LA, AR, AS, MN, ML, MZ, NL, SK, TR]";
            assert!(text.contains(hilly));
            text = text
                .replace(hilly, "states: [HR, DL, HP]")
                .replace("id: hilly-ne", "id: north");
        }
        std::fs::write(pack.join(path.file_name().unwrap()), text).unwrap();
    }
    pack
}

/// `(state, group_id, rank_in_group)` as computed by hand from the expected
/// `states.csv`: HR 96.46 above DL 95.04 in June, HR 94.25 above DL 82.72
/// in July, DL 94.12 above HR 80.35 in August; UP in no group; HP listed
/// but not in the registry, so not ranked.
fn north_ranks(month: &str) -> Vec<(&'static str, &'static str, &'static str)> {
    let (first, second) = match month {
        "2024-08" => ("DL", "HR"),
        _ => ("HR", "DL"),
    };
    let mut ranks = vec![
        (first, "north", "1"),
        (second, "north", "2"),
        ("UP", "", ""),
    ];
    ranks.sort();
    ranks
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_of_two_states_ranks_them_among_themselves_as_computed_by_hand() {
    let dir = conformance_dir().join("nation");
    let (tmp, lake_dir, rules) = lake_of(&dir.join("landing")).await;
    let pack = pack_with_north_group(tmp.path(), &rules);
    for m in MONTHS {
        let out = tmp.path().join("out").join(m);
        audit_month(&lake_dir, m, &out, &pack).await;
        let states = csv_rows(&out.join("states.csv"));
        let mut ranks: Vec<(&str, &str, &str)> = states
            .iter()
            .map(|s| {
                (
                    s["state_code"].as_str(),
                    s["group_id"].as_str(),
                    s["rank_in_group"].as_str(),
                )
            })
            .collect();
        ranks.sort();
        assert_eq!(ranks, north_ranks(m), "{m}");
        let paths = csv_rows(&out.join("path_to_first.csv"));
        let path = |scope: &str, code: &str| -> Option<Row> {
            paths
                .iter()
                .find(|p| p["scope"] == scope && p["code"] == code)
                .cloned()
        };
        let group: Vec<&Row> = paths.iter().filter(|p| p["scope"] == "group").collect();
        assert_eq!(group.len(), 2, "{m}: a path in the group for HR and DL");
        for (code, _, rank) in north_ranks(m).into_iter().filter(|r| !r.1.is_empty()) {
            let p = path("group", code).unwrap();
            assert_eq!(p["current_rank"], rank, "{m} {code}");
            let country = path("state", code).unwrap();
            let (group_needs, country_needs) =
                (num(&p["records_needed"]), num(&country["records_needed"]));
            match (rank, m) {
                ("1", _) => assert_eq!(group_needs, 0.0, "{m} {code} leads its group"),
                // June: the group's leader HR leads the country too: the same climb.
                (_, "2024-06") => assert_eq!(group_needs, country_needs, "{m} {code}"),
                // A group's leader scores no more than the country's.
                _ => assert!(group_needs <= country_needs, "{m} {code}"),
            }
        }
    }
}

/// A `records_needed` cell as a number; empty (fixing everything is not enough) is infinite.
fn num(cell: &str) -> f64 {
    cell.parse().unwrap_or(f64::INFINITY)
}
