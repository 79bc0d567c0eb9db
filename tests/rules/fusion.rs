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

/// Ingests the fixture; a session over its lake and the default pack.
async fn ingested(f: &Fixture) -> (datafusion::prelude::SessionContext, RulePack) {
    f.ingest().await;
    let lake = f.lake();
    let ctx = lake_session(&lake, &Manifest::load(&lake).unwrap())
        .await
        .unwrap();
    let pack = RulePack::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns")).unwrap();
    (ctx, pack)
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
    let (ctx, pack) = ingested(&f).await;
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
            text.contains("partition_sizes="),
            "{table}: the parent comes from the shared in-memory aggregate:\n{text}"
        );
    }
}

/// Failing records of a month's findings: (rule id, record key).
fn failures(
    pack: &RulePack,
    found: &cctns_audit::audit::Findings,
) -> std::collections::BTreeSet<(String, String)> {
    found
        .violations(pack)
        .into_iter()
        .map(|v| (v.rule_id, v.record_key))
        .collect()
}

/// When M−1 and M are audited together the aggregates are built once over
/// the lake up to M, and the due records of both months are looked up in one
/// read of the child tables: M−1 must still see the lake as it stood at M−1.
/// Four cases where M's rows would change M−1's findings: a FIR of M−1
/// entered again in M (a duplicate only in M), an arrest of M−1 whose FIR is
/// first uploaded in M (an orphan in M−1), a FIR of March uploaded late in M
/// (its crime-details deadline falls in M−1, when the lake did not hold it),
/// and a FIR due in M−1 whose crime details arrive only in M.
#[tokio::test(flavor = "multi_thread")]
async fn the_month_before_sees_the_lake_as_it_stood_then() {
    let f = Fixture::new();
    let fir_header = "ps_code,fir_no,fir_date,entered_at";
    f.put(
        "landing/2024-04/UP-GBN-001/fir.csv",
        format!(
            "{fir_header}\nUP-GBN-001,0001/2024,2024-04-02 10:00,2024-04-02 11:00\n\
             UP-GBN-001,0004/2024,2024-03-28 10:00,2024-04-02 11:00\n"
        )
        .as_bytes(),
    );
    f.put(
        "landing/2024-05/UP-GBN-001/crime_details.csv",
        b"ps_code,fir_no\nUP-GBN-001,0004/2024\n",
    );
    f.put(
        "landing/2024-04/UP-GBN-001/arrest.csv",
        b"ps_code,fir_no,accused_code\nUP-GBN-001,0002/2024,A1\n",
    );
    f.put(
        "landing/2024-05/UP-GBN-001/fir.csv",
        format!(
            "{fir_header}\nUP-GBN-001,0001/2024,2024-04-02 10:00,2024-05-02 11:00\n\
             UP-GBN-001,0002/2024,2024-04-20 10:00,2024-05-02 11:00\n\
             UP-GBN-001,0003/2024,2024-03-25 10:00,2024-05-02 11:00\n"
        )
        .as_bytes(),
    );
    let (ctx, pack) = ingested(&f).await;
    let (april, may) = ("2024-04".parse().unwrap(), "2024-05".parse().unwrap());
    let together = cctns_audit::audit::audit_months(&ctx, &pack, &[april, may])
        .await
        .unwrap();
    let april_alone = cctns_audit::audit::audit(&ctx, &pack, april).await.unwrap();
    let may_alone = cctns_audit::audit::audit(&ctx, &pack, may).await.unwrap();
    let in_april = failures(&pack, &together[0]);
    assert_eq!(in_april, failures(&pack, &april_alone));
    assert_eq!(failures(&pack, &together[1]), failures(&pack, &may_alone));
    let has = |rule: &str, key: &str| in_april.contains(&(rule.to_string(), key.to_string()));
    assert!(!has("FIR-DUPLICATE", "0001/2024"), "{in_april:?}");
    assert!(has("ARR-ORPHAN", "0002/2024#A1"), "{in_april:?}");
    assert!(!has("CD-MISSING", "0003/2024"), "{in_april:?}");
    assert!(has("CD-MISSING", "0004/2024"), "{in_april:?}");
    let in_may = failures(&pack, &together[1]);
    assert!(in_may.contains(&("FIR-DUPLICATE".into(), "0001/2024".into())));
}
