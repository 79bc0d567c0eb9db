//! Helpers: the shared conformance folder, small landing folders written on the fly, lake reads.

use cctns_audit::ingest::{ingest, IngestOptions, IngestReport};
use cctns_audit::lake::{register_snapshot, Lake, Manifest};
use cctns_audit::landing::Landing;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use std::path::{Path, PathBuf};

/// `../shared/conformance` beside the checkout (or `$CCTNS_SHARED/conformance`).
pub fn conformance_dir() -> PathBuf {
    let shared = std::env::var_os("CCTNS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let dir = shared.join("conformance");
    assert!(
        dir.is_dir(),
        "conformance set not found at {}; set CCTNS_SHARED",
        dir.display()
    );
    dir
}

/// The registry used by the small fixtures: two districts, three stations.
pub const REGISTRY: &str = "ps_code,ps_name,ps_name_hi,district_code,district_name,state_code\n\
UP-GBN-001,Kotwali,थाना कोतवाली,UP-GBN,Gautam Buddh Nagar,UP\n\
UP-GBN-002,Sadar Bazar,थाना सदर बाजार,UP-GBN,Gautam Buddh Nagar,UP\n\
UP-LKO-001,Kotwali,थाना कोतवाली,UP-LKO,Lucknow,UP\n";

/// A landing folder in a temporary directory, filled file by file.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A landing folder holding the small registry.
    pub fn new() -> Fixture {
        Fixture::new_with_registry(REGISTRY)
    }

    /// A landing folder holding this registry.
    pub fn new_with_registry(registry: &str) -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        f.put("landing/police_stations.csv", registry.as_bytes());
        f
    }

    /// Writes `bytes` at `rel` (relative to the temp dir), creating folders.
    pub fn put(&self, rel: &str, bytes: &[u8]) {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Removes `rel`.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.dir.path().join(rel)).unwrap();
    }

    pub fn landing(&self) -> PathBuf {
        self.dir.path().join("landing")
    }

    /// The lake, in a folder whose name has a space and Devanagari (the
    /// lake's files must be found whatever the folder is called).
    pub fn lake(&self) -> Lake {
        Lake::create(&self.dir.path().join("lake फ़ोल्डर")).unwrap()
    }

    /// Ingests the landing folder into the lake.
    pub async fn ingest(&self) -> IngestReport {
        ingest_with(&self.landing(), &self.lake(), IngestOptions::default())
            .await
            .unwrap()
    }
}

pub async fn ingest_with(
    landing: &Path,
    lake: &Lake,
    opts: IngestOptions,
) -> cctns_audit::Result<IngestReport> {
    let landing = Landing::scan(landing).unwrap();
    ingest(&landing, lake, &opts).await
}

/// Audits `month` of the lake at `lake` into `out` with the pack in `rules`, keeping the score history.
pub async fn audit_month(
    lake: &Path,
    month: &str,
    out: &Path,
    rules: &Path,
) -> cctns_audit::pipeline::AuditDone {
    cctns_audit::pipeline::audit_to_files(
        lake,
        month.parse().unwrap(),
        out,
        rules,
        cctns_audit::pipeline::History::Kept,
    )
    .await
    .unwrap()
}

/// Runs `sql` over the lake's current snapshot.
pub async fn query(lake: &Lake, sql: &str) -> Vec<RecordBatch> {
    let ctx = SessionContext::new();
    let manifest = Manifest::load(lake).unwrap();
    register_snapshot(&ctx, lake, &manifest).await.unwrap();
    ctx.sql(sql).await.unwrap().collect().await.unwrap()
}

/// The rows of a query as text lines `a|b|c`, for easy comparison.
pub async fn rows(lake: &Lake, sql: &str) -> Vec<String> {
    let batches = query(lake, sql).await;
    let mut out = Vec::new();
    for b in &batches {
        let cols: Vec<_> = b
            .columns()
            .iter()
            .map(|c| {
                datafusion::arrow::compute::cast(c, &datafusion::arrow::datatypes::DataType::Utf8)
                    .unwrap()
            })
            .collect();
        for r in 0..b.num_rows() {
            let cells: Vec<String> = cols
                .iter()
                .map(|c| {
                    let s = c
                        .as_any()
                        .downcast_ref::<datafusion::arrow::array::StringArray>()
                        .unwrap();
                    if s.is_null(r) {
                        "∅".to_string()
                    } else {
                        s.value(r).to_string()
                    }
                })
                .collect();
            out.push(cells.join("|"));
        }
    }
    out
}

use datafusion::arrow::array::Array;
