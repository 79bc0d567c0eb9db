//! One landing folder with a record per case; the audit of 2024-08 (and of
//! 2024-07 for month-bound cases) must list exactly the expected failures.
//! Each case's comment says which boundary it sits on.

use super::support::Fixture;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

const FIR: &str = "ps_code,fir_no,fir_date,occurrence_from,gd_no,act_sections,place_of_occurrence,latitude,longitude,io_code,entered_at";
const CD: &str = "ps_code,fir_no,crime_head,entered_at";
const ARR: &str =
    "ps_code,fir_no,accused_code,arrested_at,name,gender,age,address,photo_uploaded,entered_at";
const SEZ: &str = "ps_code,fir_no,seizure_no,property_category,value_inr";
const FRP: &str = "ps_code,fir_no,report_no,report_date,report_type,sent_online";
const CDP: &str = "ps_code,fir_no,court_case_no,disposal_date,result";

/// A clean FIR of P1 registered 2024-08-10 10:00, with `edit` applied to its fields.
fn fir(no: &str, edit: &[(usize, &str)]) -> String {
    let mut f: Vec<String> = [
        "P1",
        no,
        "2024-08-10 10:00",
        "2024-08-09 20:00",
        "001",
        "BNS 303(2)",
        "Market",
        "28.5",
        "77.3",
        "IO1",
        "2024-08-10 12:00",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (i, v) in edit {
        f[*i] = v.to_string();
    }
    f.join(",")
}

fn file(header: &str, rows: &[String]) -> Vec<u8> {
    let mut s = header.to_string();
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

fn august_firs() -> Vec<String> {
    let mut rows = vec![fir("0001/2024", &[])];
    rows.push(fir("0002/2024", &[(9, "")])); // FIR-IO-MISSING
    rows.push(fir("0003/2024", &[(5, "  ")])); // FIR-SECTIONS-MISSING (blank after trim)
    rows.push(fir("0004/2024", &[(3, "")])); // FIR-OCC-MISSING
    rows.push(fir("0005/2024", &[(6, "")])); // FIR-PLACE-MISSING
    rows.push(fir("0006/2024", &[(4, "")])); // FIR-GD-MISSING
    rows.push(fir("105/24", &[])); // FIR-NO-FORMAT: two-digit year
    rows.push(fir("0007/2023", &[])); // FIR-NO-FORMAT: year differs from fir_date's
    rows.push(fir("12345/2024", &[])); // boundary: five digits is fine
    rows.push(fir("123456/2024", &[])); // FIR-NO-FORMAT: six digits
    rows.push(fir("0008/2024", &[])); // FIR-DUPLICATE: also uploaded in July
    rows.push(fir("0010/2024", &[])); // FIR-DUPLICATE: twice in this file, one record
    rows.push(fir("0010/2024", &[(6, "")])); // same record: FIR-PLACE-MISSING through its second row
    rows.push(fir("0011/2024", &[(3, "2024-08-10 10:01")])); // FIR-OCC-AFTER-REG
    rows.push(fir("0012/2024", &[(3, "2024-08-10 10:00")])); // boundary: occurrence = registration
    rows.push(fir(
        "0013/2024",
        &[(2, "2024-09-01 00:00"), (10, "2024-09-01 01:00")],
    )); // FIR-FUTURE: exactly the as-of instant
    rows.push(fir(
        "0014/2024",
        &[(2, "31/08/2024 23:59:59"), (10, "2024-09-01 01:00")],
    )); // boundary: last second of M
    rows.push(fir("0015/2024", &[(3, "2024-07-01 00:00"), (5, "IPC 379")])); // FIR-LAW-REGIME: IPC at the law change
    rows.push(fir("0016/2024", &[(3, "2024-07-01 00:00")])); // boundary: BNS at the law change
    rows.push(fir(
        "0017/2024",
        &[(3, "2024-06-30 23:59"), (5, "ipc 379; bns 303(2)")],
    )); // FIR-LAW-REGIME: BNS before it (act in any case)
    rows.push(fir("0018/2024", &[(3, "2024-06-30 23:59"), (5, "IPC 379")])); // boundary: IPC before it
    rows.push(fir("0019/2024", &[(7, "37.6"), (8, "97.5")])); // boundary: on the bounds
    rows.push(fir("0020/2024", &[(7, "6.0"), (8, "67.99")])); // FIR-GEO
    rows.push(fir("0021/2024", &[(7, ""), (8, "200")])); // boundary: one coordinate blank
    rows.push(fir("0022/2024", &[(10, "2024-08-11 10:00")])); // boundary: exactly 24 h late
    rows.push(fir("0023/2024", &[(10, "2024-08-11 10:01")])); // FIR-LATE-ENTRY
    rows.push(fir("0024/2024", &[(10, "")])); // FIR-LATE-ENTRY: blank
    rows.push(fir(
        "0026/2024",
        &[
            (2, "2024-08-25 00:00"),
            (3, "2024-08-24 00:00"),
            (10, "2024-08-25 01:00"),
        ],
    )); // CD-MISSING boundary: due exactly at the as-of instant
    rows
}

fn july_firs() -> Vec<String> {
    let jul = |no: &str, date: &str| fir(no, &[(2, date), (3, "2024-07-01 05:00"), (10, date)]);
    vec![
        jul("0008/2024", "2024-07-10 10:00"),
        jul("0025/2024", "2024-07-25 00:00"), // CD-MISSING: due 2024-08-01 00:00, the first instant of M
        jul("0040/2024", "2024-07-20 00:00"), // parent of the arrests, seizures, reports below
    ]
}

fn may_june_firs() -> Vec<(String, String)> {
    let at =
        |no: &str, date: &str, acts: &str| fir(no, &[(2, date), (3, date), (5, acts), (10, date)]);
    vec![
        (
            "2024-05".into(),
            at("0030/2024", "2024-05-03 00:00", "IPC 379"),
        ), // FRP-OVERDUE: +90 days = 2024-08-01
        (
            "2024-06".into(),
            at("0031/2024", "2024-06-15 00:00", "POCSO 4; IPC 506"),
        ), // FRP-OVERDUE: sexual, +60 = 2024-08-14
        (
            "2024-06".into(),
            at("0032/2024", "2024-06-15 00:00", "IPC 379"),
        ), // not sexual: +90 = 2024-09-13, not due
        (
            "2024-06".into(),
            at("0033/2024", "2024-06-15 00:00", "IPC 376AB"),
        ), // sexual (376AB is section 376): due, but reported
        (
            "2024-06".into(),
            at("0034/2024", "2024-06-02 00:00", "IPC 3760"),
        ), // section 3760 is no sexual offence: +90 = 08-31, due, fires
    ]
}

fn landing() -> Fixture {
    let f = Fixture::new_with_registry(
        "ps_code,ps_name,ps_name_hi,district_code,district_name,state_code\n\
         P1,One,एक,D1,District One,UP\nP2,Two,दो,D1,District One,UP\nP3,Three,तीन,D2,District Two,UP\n",
    );
    f.put("landing/2024-08/P1/fir.csv", &file(FIR, &august_firs()));
    f.put("landing/2024-07/P1/fir.csv", &file(FIR, &july_firs()));
    for (month, row) in may_june_firs() {
        let path = format!("landing/{month}/P1/fir.csv");
        let existing =
            std::fs::read_to_string(f.dir.path().join(&path)).unwrap_or_else(|_| FIR.to_string());
        f.put(&path, format!("{}\n{row}", existing.trim_end()).as_bytes());
    }
    let aug_cd: Vec<String> = august_firs()
        .iter()
        .map(|r| r.split(',').nth(1).unwrap().to_string())
        .filter(|no| no != "0026/2024")
        .map(|no| format!("P1,{no},Theft,2024-08-12 10:00"))
        .chain(["P1,8888/2024,Theft,2024-08-12 10:00".to_string()]) // CD-ORPHAN
        .collect();
    f.put("landing/2024-08/P1/crime_details.csv", &file(CD, &aug_cd));
    f.put(
        "landing/2024-07/P1/crime_details.csv",
        &file(
            CD,
            &[
                "P1,0008/2024,Theft,2024-07-11 10:00".into(),
                "P1,0040/2024,Theft,2024-07-21 10:00".into(),
            ],
        ),
    );
    let arr =
        |acc: &str, at: &str, name: &str, gender: &str, age: &str, photo: &str, entered: &str| {
            format!("P1,0040/2024,{acc},{at},{name},{gender},{age},Addr,{photo},{entered}")
        };
    let arrests = vec![
        "P1,8887/2024,A1,2024-08-02 10:00,Ram,M,30,Addr,Y,2024-08-02 11:00".to_string(), // ARR-ORPHAN
        arr(
            "A1",
            "2024-07-01 04:59",
            "Ram",
            "M",
            "30",
            "Y",
            "2024-07-01 05:30",
        ), // ARR-BEFORE-OCC: a minute before
        arr(
            "A2",
            "2024-07-01 05:00",
            "Ram",
            "M",
            "30",
            "Y",
            "2024-07-01 05:30",
        ), // boundary: at the occurrence
        arr(
            "A3",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "6",
            "Y",
            "2024-08-02 11:00",
        ), // ARR-AGE: 6
        arr(
            "A4",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "7",
            "Y",
            "2024-08-02 11:00",
        ), // ARR-JUVENILE: 7 (age ok)
        arr(
            "A5",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "100",
            "Y",
            "2024-08-02 11:00",
        ), // boundary: 100
        arr(
            "A6",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "101",
            "Y",
            "2024-08-02 11:00",
        ), // ARR-AGE: 101
        arr(
            "A7",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "",
            "Y",
            "2024-08-02 11:00",
        ), // ARR-AGE: blank
        arr(
            "A8",
            "2024-08-02 10:00",
            "Ram",
            "F",
            "17",
            "Y",
            "2024-08-02 11:00",
        ), // ARR-JUVENILE: 17
        arr(
            "A9",
            "2024-08-02 10:00",
            "Ram",
            "T",
            "18",
            "yes",
            "2024-08-02 11:00",
        ), // boundary: 18, photo yes
        arr(
            "B1",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "30",
            "N",
            "2024-08-02 11:00",
        ), // ARR-PHOTO: N
        arr(
            "B2",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "30",
            "",
            "2024-08-02 11:00",
        ), // ARR-PHOTO: blank
        arr(
            "B3",
            "2024-08-02 10:00",
            "Ram",
            "m",
            "30",
            "Y",
            "2024-08-02 11:00",
        ), // ARR-MANDATORY: codes are exact
        arr(
            "B4",
            "2024-08-02 10:00",
            "",
            "M",
            "30",
            "Y",
            "2024-08-02 11:00",
        ), // ARR-MANDATORY: no name
        arr(
            "B5",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "30",
            "Y",
            "2024-08-03 10:00",
        ), // boundary: exactly 24 h
        arr(
            "B6",
            "2024-08-02 10:00",
            "Ram",
            "M",
            "30",
            "Y",
            "2024-08-03 10:01",
        ), // ARR-LATE-ENTRY
        arr("B7", "2024-08-02 10:00", "Ram", "M", "30", "Y", ""), // ARR-LATE-ENTRY: blank
        arr("B8", "", "Ram", "M", "30", "Y", "2024-08-09 10:00"), // boundary: no arrest time
    ];
    f.put("landing/2024-08/P1/arrest.csv", &file(ARR, &arrests));
    let seizures: Vec<String> = [
        "P1,8886/2024,S1,CASH,10",           // SEZ-ORPHAN
        "P1,0040/2024,S1,CASH,-0.01",        // SEZ-VALUE
        "P1,0040/2024,S2,CASH,0",            // boundary: zero
        "P1,0040/2024,S3,CASH,",             // SEZ-VALUE: blank
        "P1,0040/2024,S4,cash,\"1,00,000\"", // SEZ-CATEGORY: exact codes
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    f.put("landing/2024-08/P1/seizure.csv", &file(SEZ, &seizures));
    let reports: Vec<String> = [
        "P1,8885/2024,CS-01,2024-08-05 10:00,CHARGESHEET,Y", // FRP-ORPHAN
        "P1,0040/2024,CS-01,2024-07-19 23:59,CHARGESHEET,Y", // FRP-BEFORE-FIR
        "P1,0040/2024,CS-02,2024-07-20 00:00,CHARGESHEET,true", // boundary: same instant
        "P1,0040/2024,FR-01,2024-08-05 10:00,chargesheet,Y", // FRP-TYPE
        "P1,0040/2024,FR-02,2024-08-05 10:00,FR_UNTRACED,N", // FRP-NOT-ONLINE
        "P1,0040/2024,FR-03,2024-08-05 10:00,FR_FALSE,",     // FRP-NOT-ONLINE: blank
        "P1,0033/2024,FR-01,2024-08-05 10:00,FR_FALSE,Y",
        "P1,0008/2024,FR-01,2024-08-05 10:00,FR_UNTRACED,Y", // no charge sheet for 0008
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    f.put("landing/2024-08/P1/final_report.csv", &file(FRP, &reports));
    let disposals: Vec<String> = [
        "P1,0008/2024,ST-1,2024-08-20 10:00,CONVICTED", // CDP-ORPHAN: only a closure report
        "P1,0040/2024,ST-2,2024-07-19 23:58,CONVICTED", // CDP-BEFORE-CS: before the earliest charge sheet
        "P1,0040/2024,ST-3,2024-07-19 23:59,ACQUITTED", // boundary: same instant as the earliest
        "P1,0040/2024,ST-4,2024-08-20 10:00,convicted", // CDP-RESULT
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    f.put(
        "landing/2024-08/P1/court_disposal.csv",
        &file(CDP, &disposals),
    );
    // P2: six FIRs in each of May, June and July, nothing loadable in August: PS-VOLUME-DROP,
    // and a quarantined row (ING-QUARANTINE) that still counts as an upload (no PS-NO-UPLOAD).
    for (k, m) in ["2024-05", "2024-06", "2024-07"].iter().enumerate() {
        let rows: Vec<String> = (1..=6)
            .map(|i| {
                format!(
                    "P2,0{}0{i}/2024,{m}-10 10:00,{m}-09 10:00,1,BNS 303,X,,,IO,{m}-10 11:00",
                    k + 1
                )
            })
            .collect();
        f.put(&format!("landing/{m}/P2/fir.csv"), &file(FIR, &rows));
    }
    f.put(
        "landing/2024-08/P2/arrest.csv",
        &file(
            ARR,
            &["P2,0001/2024,A1,2024-08-02 10:00,Ram,M,x,Addr,Y,2024-08-02 11:00".into()],
        ),
    );
    // P3 uploads nothing in August: PS-NO-UPLOAD.
    f.put(
        "landing/2024-07/P3/fir.csv",
        &file(
            FIR,
            &[
                "P3,0001/2024,2024-07-10 10:00,2024-07-09 10:00,1,BNS 303,X,,,IO,2024-07-10 11:00"
                    .into(),
            ],
        ),
    );
    f
}

/// `rule_id -> {(ps_code, table, record_key)}` of one audit.
type ByRule = BTreeMap<String, BTreeSet<(String, String, String)>>;

/// `rule_id -> {(ps_code, table, record_key)}` of the audit of `month`.
fn violations(month: &str) -> &'static ByRule {
    static AUDITS: OnceLock<BTreeMap<String, ByRule>> = OnceLock::new();
    let all = AUDITS.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let f = landing();
            let report = f.ingest().await;
            assert!(!report.has_file_errors(), "{:?}", report.error_lines());
            let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns");
            let mut out = BTreeMap::new();
            for m in ["2024-07", "2024-08"] {
                let dir = f.dir.path().join("out").join(m);
                cctns_audit::pipeline::audit_to_files(
                    f.lake().root(),
                    m.parse().unwrap(),
                    &dir,
                    &rules,
                    cctns_audit::pipeline::History::Kept,
                )
                .await
                .unwrap();
                let mut by_rule = ByRule::new();
                let mut reader = csv::Reader::from_path(dir.join("violations.csv")).unwrap();
                for r in reader.records() {
                    let r = r.unwrap();
                    by_rule.entry(r[4].to_string()).or_default().insert((
                        r[2].to_string(),
                        r[3].to_string(),
                        r[6].to_string(),
                    ));
                }
                out.insert(m.to_string(), by_rule);
            }
            out
        })
    });
    &all[month]
}

fn fails(month: &str, rule: &str) -> BTreeSet<String> {
    violations(month)
        .get(rule)
        .map(|s| s.iter().map(|(ps, t, k)| format!("{ps} {t} {k}")).collect())
        .unwrap_or_default()
}

fn keys(expected: &[&str]) -> BTreeSet<String> {
    expected.iter().map(|s| s.to_string()).collect()
}

macro_rules! rule_case {
    ($name:ident, $month:literal, $rule:literal, [$($key:literal),* $(,)?]) => {
        #[test]
        fn $name() {
            assert_eq!(fails($month, $rule), keys(&[$($key),*]), "{} in {}", $rule, $month);
        }
    };
}

rule_case!(
    fir_io_missing,
    "2024-08",
    "FIR-IO-MISSING",
    ["P1 fir 0002/2024"]
);
rule_case!(
    fir_sections_missing,
    "2024-08",
    "FIR-SECTIONS-MISSING",
    ["P1 fir 0003/2024"]
);
rule_case!(
    fir_occ_missing,
    "2024-08",
    "FIR-OCC-MISSING",
    ["P1 fir 0004/2024"]
);
rule_case!(
    fir_place_missing,
    "2024-08",
    "FIR-PLACE-MISSING",
    ["P1 fir 0005/2024", "P1 fir 0010/2024"]
);
rule_case!(
    fir_gd_missing,
    "2024-08",
    "FIR-GD-MISSING",
    ["P1 fir 0006/2024"]
);
rule_case!(
    fir_no_format,
    "2024-08",
    "FIR-NO-FORMAT",
    ["P1 fir 105/24", "P1 fir 0007/2023", "P1 fir 123456/2024"]
);
rule_case!(
    fir_duplicate,
    "2024-08",
    "FIR-DUPLICATE",
    ["P1 fir 0008/2024", "P1 fir 0010/2024"]
);
rule_case!(
    fir_duplicate_not_before_the_second_upload,
    "2024-07",
    "FIR-DUPLICATE",
    []
);
rule_case!(
    fir_occ_after_reg,
    "2024-08",
    "FIR-OCC-AFTER-REG",
    ["P1 fir 0011/2024"]
);
rule_case!(fir_future, "2024-08", "FIR-FUTURE", ["P1 fir 0013/2024"]);
rule_case!(
    fir_law_regime,
    "2024-08",
    "FIR-LAW-REGIME",
    ["P1 fir 0015/2024", "P1 fir 0017/2024"]
);
rule_case!(fir_geo, "2024-08", "FIR-GEO", ["P1 fir 0020/2024"]);
rule_case!(
    fir_late_entry,
    "2024-08",
    "FIR-LATE-ENTRY",
    ["P1 fir 0023/2024", "P1 fir 0024/2024"]
);
rule_case!(cd_missing, "2024-08", "CD-MISSING", ["P1 fir 0025/2024"]);
// 0025/2024 is due at the as-of instant of July: not yet; P2 and P3 never send crime details.
rule_case!(
    cd_missing_in_july,
    "2024-07",
    "CD-MISSING",
    [
        "P2 fir 0301/2024",
        "P2 fir 0302/2024",
        "P2 fir 0303/2024",
        "P2 fir 0304/2024",
        "P2 fir 0305/2024",
        "P2 fir 0306/2024",
        "P3 fir 0001/2024",
    ]
);
rule_case!(
    cd_orphan,
    "2024-08",
    "CD-ORPHAN",
    ["P1 crime_details 8888/2024"]
);
rule_case!(
    arr_orphan,
    "2024-08",
    "ARR-ORPHAN",
    ["P1 arrest 8887/2024#A1"]
);
rule_case!(
    arr_before_occ,
    "2024-08",
    "ARR-BEFORE-OCC",
    ["P1 arrest 0040/2024#A1"]
);
rule_case!(
    arr_age,
    "2024-08",
    "ARR-AGE",
    [
        "P1 arrest 0040/2024#A3",
        "P1 arrest 0040/2024#A6",
        "P1 arrest 0040/2024#A7"
    ]
);
rule_case!(
    arr_juvenile,
    "2024-08",
    "ARR-JUVENILE",
    ["P1 arrest 0040/2024#A4", "P1 arrest 0040/2024#A8"]
);
rule_case!(
    arr_photo,
    "2024-08",
    "ARR-PHOTO",
    ["P1 arrest 0040/2024#B1", "P1 arrest 0040/2024#B2"]
);
rule_case!(
    arr_mandatory,
    "2024-08",
    "ARR-MANDATORY",
    ["P1 arrest 0040/2024#B3", "P1 arrest 0040/2024#B4"]
);
rule_case!(
    arr_late_entry,
    "2024-08",
    "ARR-LATE-ENTRY",
    ["P1 arrest 0040/2024#B6", "P1 arrest 0040/2024#B7"]
);
rule_case!(
    sez_orphan,
    "2024-08",
    "SEZ-ORPHAN",
    ["P1 seizure 8886/2024#S1"]
);
rule_case!(
    sez_value,
    "2024-08",
    "SEZ-VALUE",
    ["P1 seizure 0040/2024#S1", "P1 seizure 0040/2024#S3"]
);
rule_case!(
    sez_category,
    "2024-08",
    "SEZ-CATEGORY",
    ["P1 seizure 0040/2024#S4"]
);
rule_case!(
    frp_orphan,
    "2024-08",
    "FRP-ORPHAN",
    ["P1 final_report 8885/2024#CS-01"]
);
rule_case!(
    frp_before_fir,
    "2024-08",
    "FRP-BEFORE-FIR",
    ["P1 final_report 0040/2024#CS-01"]
);
rule_case!(
    frp_type,
    "2024-08",
    "FRP-TYPE",
    ["P1 final_report 0040/2024#FR-01"]
);
rule_case!(
    frp_not_online,
    "2024-08",
    "FRP-NOT-ONLINE",
    [
        "P1 final_report 0040/2024#FR-02",
        "P1 final_report 0040/2024#FR-03"
    ]
);
// P2's May FIRs (2024-05-10 + 90 days = 2024-08-08) have no final report either.
rule_case!(
    frp_overdue,
    "2024-08",
    "FRP-OVERDUE",
    [
        "P1 fir 0030/2024",
        "P1 fir 0031/2024",
        "P1 fir 0034/2024",
        "P2 fir 0101/2024",
        "P2 fir 0102/2024",
        "P2 fir 0103/2024",
        "P2 fir 0104/2024",
        "P2 fir 0105/2024",
        "P2 fir 0106/2024",
    ]
);
rule_case!(
    cdp_orphan,
    "2024-08",
    "CDP-ORPHAN",
    ["P1 court_disposal 0008/2024#ST-1"]
);
rule_case!(
    cdp_before_cs,
    "2024-08",
    "CDP-BEFORE-CS",
    ["P1 court_disposal 0040/2024#ST-2"]
);
rule_case!(
    cdp_result,
    "2024-08",
    "CDP-RESULT",
    ["P1 court_disposal 0040/2024#ST-4"]
);
rule_case!(ps_no_upload, "2024-08", "PS-NO-UPLOAD", ["P3 station P3"]);
// P2: 0 FIRs after 6, 6, 6; P3: 0 after 0, 0, 1 (0 < 1/6); P1: 27 after 1, 4, 3.
rule_case!(
    ps_volume_drop,
    "2024-08",
    "PS-VOLUME-DROP",
    ["P2 station P2", "P3 station P3"]
);
rule_case!(
    ing_quarantine,
    "2024-08",
    "ING-QUARANTINE",
    ["P2 arrest row:1"]
);
rule_case!(ps_no_upload_none_in_july, "2024-07", "PS-NO-UPLOAD", []);
