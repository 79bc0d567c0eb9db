//! Ingest clauses of the data contract, end to end through the lake.

use super::support::{ingest_with, query, rows, Fixture};
use cctns_audit::ingest::IngestOptions;
use cctns_audit::lake::Manifest;
use datafusion::arrow::datatypes::{DataType, TimeUnit};

const FIR_HEADER: &str = "ps_code,fir_no,fir_date,occurrence_from,gd_no,act_sections,place_of_occurrence,latitude,longitude,io_code,entered_at";

fn fir_csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(FIR_HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let bom: [u8; 2] = if little { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
    let units = text.encode_utf16().flat_map(|u| {
        if little {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        }
    });
    bom.into_iter().chain(units).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn devanagari_and_every_encoding_round_trip() {
    let f = Fixture::new();
    let place = "सेक्टर 18, नोएडा";
    let row = format!("UP-GBN-001,0001/2024,2024-04-02 10:00,01/04/2024,12,BNS 303(2),\"  {place}  \",28.57,77.32,IO-1,2024-04-02 11:00");
    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        &[b"\xEF\xBB\xBF".as_slice(), &fir_csv(&[&row])].concat(),
    );
    let le = String::from_utf8(fir_csv(&[&row.replace("UP-GBN-001", "UP-GBN-002")]))
        .unwrap()
        .replace('\n', "\r\n");
    f.put("landing/2024-04/UP-GBN-002/fir.csv", &utf16(&le, true));
    let be = String::from_utf8(fir_csv(&[&row.replace("UP-GBN-001", "UP-LKO-001")])).unwrap();
    f.put("landing/2024-04/UP-LKO-001/fir.csv", &utf16(&be, false));
    let cp1252 = [
        FIR_HEADER.as_bytes(),
        b"\nUP-GBN-001,0002/2024,2024-05-02,,,,Caf\xE9 Corner,,,,\n",
    ]
    .concat();
    f.put("landing/2024-05/UP-GBN-001/fir.csv", &cp1252);
    let report = f.ingest().await;
    let enc = |p: &str| serde_json::to_value(report.files[p].encoding).unwrap();
    assert_eq!(enc("2024-04/UP-GBN-001/fir.csv"), "utf-8");
    assert_eq!(enc("2024-04/UP-GBN-002/fir.csv"), "utf-16le");
    assert_eq!(enc("2024-04/UP-LKO-001/fir.csv"), "utf-16be");
    assert_eq!(enc("2024-05/UP-GBN-001/fir.csv"), "cp1252");
    let places = rows(
        &f.lake(),
        "SELECT place_of_occurrence FROM fir ORDER BY month, ps_code",
    )
    .await;
    assert_eq!(places, vec![place, place, place, "Café Corner"]);
    assert_eq!(places[0].as_bytes(), place.as_bytes());
}

#[tokio::test(flavor = "multi_thread")]
async fn lake_tables_are_typed_and_partitioned_with_lineage() {
    let f = Fixture::new();
    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        &fir_csv(&["UP-GBN-001,0001/2024,2/4/2024 10:00,,,,,\"1,23,456.50\",-77.5,,"]),
    );
    f.put(
        "landing/2024-04/UP-GBN-001/arrest.jsonl",
        br#"{"ps_code":"UP-GBN-001","fir_no":"0001/2024","accused_code":"A1","age":34,"photo_uploaded":"Yes","arrested_at":"2024-04-03T09:30:15"}"#,
    );
    f.ingest().await;
    let lake = f.lake();
    let batches = query(
        &lake,
        "SELECT fir_date, latitude, source_file, record_no, month FROM fir",
    )
    .await;
    let schema = batches[0].schema();
    assert_eq!(
        schema.field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, None)
    );
    assert!(matches!(
        schema.field(1).data_type(),
        DataType::Decimal128(38, 8)
    ));
    assert_eq!(
        rows(
            &lake,
            "SELECT fir_date, latitude, source_file, record_no, month FROM fir"
        )
        .await,
        vec!["2024-04-02T10:00:00|123456.50000000|2024-04/UP-GBN-001/fir.csv|1|2024-04"]
    );
    let arrest = query(&lake, "SELECT age, photo_uploaded, arrested_at FROM arrest").await;
    assert_eq!(arrest[0].schema().field(0).data_type(), &DataType::Int64);
    assert_eq!(arrest[0].schema().field(1).data_type(), &DataType::Boolean);
    assert_eq!(
        rows(&lake, "SELECT age, photo_uploaded, arrested_at FROM arrest").await,
        vec!["34|true|2024-04-03T09:30:15"]
    );
    let manifest = Manifest::load(&lake).unwrap();
    assert!(manifest.tables.contains_key("fir") && manifest.tables.contains_key("registry"));
    assert!(
        lake.table_dir("fir").join("month=2024-04").is_dir(),
        "partitioned by month"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn header_clauses_unknown_missing_and_duplicate_columns() {
    let f = Fixture::new();
    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        b" PS_Code ,FIR_NO,Fir_Date,remarks,\nUP-GBN-001,0001/2024,2024-04-01,x,y\n",
    );
    f.put(
        "landing/2024-04/UP-GBN-001/arrest.csv",
        b"ps_code,fir_no,age\nUP-GBN-001,0001/2024,30\n",
    );
    f.put(
        "landing/2024-04/UP-GBN-001/seizure.csv",
        b"ps_code,fir_no,seizure_no,value_inr,VALUE_INR\nUP-GBN-001,0001/2024,S1,1,2\n",
    );
    let report = f.ingest().await;
    let fir = &report.files["2024-04/UP-GBN-001/fir.csv"];
    assert_eq!(
        (fir.rows_loaded, fir.unknown_columns.clone()),
        (1, vec!["remarks".to_string(), String::new()])
    );
    let arrest = &report.files["2024-04/UP-GBN-001/arrest.csv"];
    assert_eq!(
        arrest.quarantine["row:1"],
        vec!["E-KEY-MISSING:accused_code"]
    );
    let seizure = &report.files["2024-04/UP-GBN-001/seizure.csv"];
    assert_eq!(
        seizure.quarantine["row:1"],
        vec!["E-HEADER-DUPLICATE:value_inr"]
    );
    let lake = f.lake();
    assert_eq!(
        rows(&lake, "SELECT io_code, occurrence_from FROM fir").await,
        vec!["∅|∅"],
        "missing optional columns are null"
    );
    assert_eq!(
        rows(&lake, "SELECT ps_code, table_name, record_no, raw_text, array_to_string(reasons, ';') FROM quarantine ORDER BY table_name").await,
        vec![
            "UP-GBN-001|arrest|1|UP-GBN-001,0001/2024,30|E-KEY-MISSING:accused_code",
            "UP-GBN-001|seizure|1|UP-GBN-001,0001/2024,S1,1,2|E-HEADER-DUPLICATE:value_inr",
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn path_rules_are_file_errors_and_the_rest_loads() {
    let f = Fixture::new();
    let ok = fir_csv(&["UP-GBN-001,0001/2024,2024-04-01,,,,,,,,"]);
    f.put("landing/2024-04/UP-GBN-001/FIR.CSV", &ok);
    f.put("landing/2024-4/UP-GBN-001/fir.csv", &ok);
    f.put("landing/2024-04/UP-XXX-001/fir.csv", &ok);
    f.put("landing/2024-04/UP-GBN-002/victims.csv", &ok);
    f.put("landing/2024-04/UP-GBN-002/notes.txt", b"hello");
    f.put(
        "landing/2024-04/UP-LKO-001/arrest.csv",
        b"ps_code,fir_no,accused_code\n",
    );
    f.put("landing/2024-04/UP-LKO-001/arrest.jsonl", b"");
    f.put("landing/2024-04/UP-LKO-001/fir.xlsx", &ok);
    let report = f.ingest().await;
    let error = |p: &str| (report.files[p].file_error, report.files[p].skipped);
    assert_eq!(report.files["2024-04/UP-GBN-001/FIR.CSV"].rows_loaded, 1);
    assert_eq!(error("2024-4/UP-GBN-001/fir.csv"), (true, false));
    assert_eq!(error("2024-04/UP-XXX-001/fir.csv"), (true, false));
    assert_eq!(error("2024-04/UP-GBN-002/victims.csv"), (true, false));
    assert_eq!(error("2024-04/UP-GBN-002/notes.txt"), (false, true));
    assert_eq!(error("2024-04/UP-LKO-001/arrest.csv"), (true, false));
    assert_eq!(error("2024-04/UP-LKO-001/arrest.jsonl"), (true, false));
    assert_eq!(
        error("2024-04/UP-LKO-001/fir.xlsx"),
        (true, false),
        "a CSV named .xlsx is not a workbook"
    );
    assert!(report.has_file_errors());
    assert!(report
        .error_lines()
        .iter()
        .all(|l| !l.contains('\n') && l.contains("; ")));
}

#[tokio::test(flavor = "multi_thread")]
async fn xlsx_cell_types() {
    let f = Fixture::new();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "ps_code",
        "fir_no",
        "accused_code",
        "age",
        "photo_uploaded",
        "arrested_at",
        "gender",
        "entered_at",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let when = rust_xlsxwriter::ExcelDateTime::parse_from_str("2024-04-03 09:30:00").unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy hh:mm");
    sheet.write_string(1, 0, "UP-GBN-001").unwrap();
    sheet.write_string(1, 1, "0001/2024").unwrap();
    sheet.write_string(1, 2, "A1").unwrap();
    sheet.write_number(1, 3, 34.0).unwrap();
    sheet.write_boolean(1, 4, true).unwrap();
    sheet.write_datetime_with_format(1, 5, &when, &fmt).unwrap();
    sheet.write_number(1, 6, 12.0).unwrap();
    sheet.write_datetime_with_format(1, 7, &when, &fmt).unwrap();
    sheet.write_string(3, 0, "UP-GBN-001").unwrap();
    sheet.write_string(3, 1, "0001/2024").unwrap();
    sheet.write_string(3, 2, "A2").unwrap();
    sheet.write_number(3, 3, 34.5).unwrap();
    f.put(
        "landing/2024-04/UP-GBN-001/arrest.xlsx",
        &book.save_to_buffer().unwrap(),
    );
    let report = f.ingest().await;
    let file = &report.files["2024-04/UP-GBN-001/arrest.xlsx"];
    assert_eq!(
        (file.rows_read, file.rows_loaded),
        (2, 1),
        "an empty sheet row is not a record"
    );
    assert_eq!(
        file.quarantine["row:3"],
        vec!["E-PARSE:age"],
        "record number = sheet row - 1; 34.5 is no integer"
    );
    assert_eq!(
        rows(
            &f.lake(),
            "SELECT age, photo_uploaded, arrested_at, gender FROM arrest"
        )
        .await,
        vec!["34|true|2024-04-03T09:30:00|12"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reingest_is_idempotent_and_replaces_only_what_was_uploaded() {
    let f = Fixture::new();
    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        &fir_csv(&[
            "UP-GBN-001,0001/2024,2024-04-01,,,,,,,,",
            "UP-GBN-001,0002/2024,2024-04-01,,,,,,,,",
        ]),
    );
    f.put(
        "landing/2024-04/UP-GBN-002/fir.csv",
        &fir_csv(&[
            "UP-GBN-002,0001/2024,2024-04-01,,,,,,,,",
            "UP-XXX,0009/2024,2024-04-01,,,,,,,,",
        ]),
    );
    f.ingest().await;
    let count = "SELECT ps_code, count(*) FROM fir GROUP BY ps_code ORDER BY ps_code";
    let qcount = "SELECT count(*) FROM quarantine";
    let first = (rows(&f.lake(), count).await, rows(&f.lake(), qcount).await);
    f.ingest().await;
    assert_eq!(
        (rows(&f.lake(), count).await, rows(&f.lake(), qcount).await),
        first,
        "same files twice: same rows"
    );
    assert_eq!(first.0, vec!["UP-GBN-001|2", "UP-GBN-002|1"]);
    f.remove("landing/2024-04/UP-GBN-002/fir.csv");
    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        &fir_csv(&["UP-GBN-001,0003/2024,2024-04-01,,,,,,,,"]),
    );
    f.ingest().await;
    assert_eq!(
        rows(&f.lake(), count).await,
        vec!["UP-GBN-001|1", "UP-GBN-002|1"],
        "UP-GBN-002 not re-uploaded: kept"
    );
    f.put("landing/2024-04/UP-GBN-001/fir.csv", b"\0binary");
    f.ingest().await;
    assert_eq!(
        rows(&f.lake(), count).await,
        vec!["UP-GBN-001|1", "UP-GBN-002|1"],
        "a file error replaces nothing"
    );
    assert_eq!(rows(&f.lake(), qcount).await, vec!["1"]);
    let kept = "SELECT * FROM fir WHERE ps_code = 'UP-GBN-001' ORDER BY fir_no";
    let before = rows(&f.lake(), kept).await;
    f.put(
        "landing/2024-04/UP-GBN-002/fir.csv",
        &fir_csv(&[
            "UP-GBN-002,0005/2024,2024-04-01,,,,,,,,",
            "UP-GBN-002,0006/2024,2024-04-01,,,,,,,,",
        ]),
    );
    f.ingest().await;
    assert_eq!(
        rows(&f.lake(), count).await,
        vec!["UP-GBN-001|1", "UP-GBN-002|2"],
        "a file error beside a loaded file of its table replaces nothing either"
    );
    assert_eq!(rows(&f.lake(), kept).await, before, "the same rows, kept");
    assert_eq!(rows(&f.lake(), qcount).await, vec!["0"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_ingest_leaves_the_previous_snapshot_and_a_rerun_completes_it() {
    let f = Fixture::new();
    let arrest = |fir: &str, accused: &str| {
        format!("ps_code,fir_no,accused_code\nUP-GBN-001,{fir},{accused}\n").into_bytes()
    };
    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        &fir_csv(&["UP-GBN-001,0001/2024,2024-04-01,,,,,,,,"]),
    );
    f.put(
        "landing/2024-04/UP-GBN-001/arrest.csv",
        &arrest("0001/2024", "A1"),
    );
    f.ingest().await;
    let snapshot =
        "SELECT f.fir_no, a.accused_code FROM fir f JOIN arrest a USING (ps_code, fir_no)";
    let before = rows(&f.lake(), snapshot).await;
    assert_eq!(before, vec!["0001/2024|A1"]);

    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        &fir_csv(&["UP-GBN-001,0002/2024,2024-04-01,,,,,,,,"]),
    );
    f.put(
        "landing/2024-04/UP-GBN-001/arrest.csv",
        &arrest("0002/2024", "B1"),
    );
    let opts = IngestOptions {
        fail_after_commits: Some(1),
        ..IngestOptions::default()
    };
    let failed = ingest_with(&f.landing(), &f.lake(), opts).await;
    assert!(matches!(failed, Err(cctns_audit::Error::Injected(1))));
    assert_eq!(
        rows(&f.lake(), snapshot).await,
        before,
        "the reader still sees the old snapshot, not a mix"
    );

    f.ingest().await;
    assert_eq!(rows(&f.lake(), snapshot).await, vec!["0002/2024|B1"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bug_while_reading_one_file_costs_that_file_only() {
    cctns_audit::panic::record_locations();
    let f = Fixture::new();
    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        &fir_csv(&["UP-GBN-001,0001/2024,2024-04-01,,,,,,,IO-1,"]),
    );
    f.put(
        "landing/2024-04/UP-GBN-002/fir.csv",
        &fir_csv(&["UP-GBN-002,0001/2024,2024-04-01,,,,,,,IO-1,"]),
    );
    let opts = IngestOptions {
        panic_on_file: Some("2024-04/UP-GBN-001/fir.csv".to_string()),
        ..IngestOptions::default()
    };
    let report = ingest_with(&f.landing(), &f.lake(), opts).await.unwrap();
    let hit = &report.files["2024-04/UP-GBN-001/fir.csv"];
    assert!(hit.file_error && hit.internal_error);
    let why = hit.error.as_deref().unwrap();
    assert!(
        why.starts_with("internal error at src/ingest/read.rs:"),
        "{why}"
    );
    assert!(
        !why.contains("injected"),
        "the panic's message is never shown: {why}"
    );
    assert!(report.has_internal_errors());
    let other = &report.files["2024-04/UP-GBN-002/fir.csv"];
    assert_eq!((other.rows_loaded, other.file_error), (1, false));
    assert_eq!(
        rows(&f.lake(), "SELECT ps_code FROM fir").await,
        ["UP-GBN-002"],
        "the other station's file is committed"
    );
}
