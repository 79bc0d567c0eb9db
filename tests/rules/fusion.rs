//! The fusion proof: a month's audit scans each table's month once for all of
//! its `row`, `unique` and `parent` rules (one projection of one boolean column
//! per rule); parents come from the aggregates shared by the whole audit (in
//! memory, built once). Asserted on the physical plans, not on timing.

use super::support::Fixture;
use cctns_audit::engine::lake_session;
use cctns_audit::lake::Manifest;
use cctns_audit::rules::compile::compile;
use cctns_audit::rules::{Kind, RulePack};
use datafusion::physical_plan::displayable;
use std::path::Path;

/// The file scans of a physical plan.
fn file_scans(plan: &str) -> Vec<String> {
    plan.lines()
        .filter(|l| l.contains("DataSourceExec: file_groups"))
        .map(|l| l.trim().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_table_is_scanned_once_for_all_its_row_rules() {
    let f = Fixture::new();
    let fir = "ps_code,fir_no,fir_date\nUP-GBN-001,0001/2024,2024-04-01\n";
    f.put("landing/2024-04/UP-GBN-001/fir.csv", fir.as_bytes());
    f.put(
        "landing/2024-04/UP-GBN-001/arrest.csv",
        b"ps_code,fir_no,accused_code\nUP-GBN-001,0001/2024,A1\n",
    );
    f.put(
        "landing/2024-05/UP-GBN-001/fir.csv",
        fir.replace("0001", "0002").as_bytes(),
    );
    f.ingest().await;
    let lake = f.lake();
    let ctx = lake_session(&lake, &Manifest::load(&lake).unwrap())
        .await
        .unwrap();
    let pack = RulePack::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns")).unwrap();
    let groups = compile(&ctx, &pack, "2024-04".parse().unwrap())
        .await
        .unwrap();
    for table in ["fir", "arrest"] {
        let group = groups.iter().find(|g| g.label == table).unwrap();
        let row_rules = pack
            .rules
            .iter()
            .filter(|r| r.table == table && matches!(r.kind, Kind::Row { .. }))
            .count();
        let in_group = group
            .rules
            .iter()
            .filter(|&&i| matches!(pack.rules[i].kind, Kind::Row { .. }))
            .count();
        assert_eq!(
            in_group, row_rules,
            "every row rule of {table} is in its one plan"
        );
        let plan = group.plan.clone().create_physical_plan().await.unwrap();
        let text = displayable(plan.as_ref()).indent(true).to_string();
        let scans = file_scans(&text);
        assert_eq!(
            scans.len(),
            1,
            "{table}: one file scan for all its rules:\n{text}"
        );
        assert!(
            scans[0].contains("month=2024-04") && !scans[0].contains("month=2024-05"),
            "only the audited month is read:\n{text}"
        );
        assert!(
            text.contains("DataSourceExec: partitions=1"),
            "{table}: the parent comes from the shared in-memory aggregate:\n{text}"
        );
    }
}
