//! Reading the landing's station files: in parallel, in ordered windows,
//! each file decoded, parsed and split into loaded and quarantined rows.

use super::*;

impl FileReader {
    /// Reads `files` in parallel, a window of [`READ_WINDOW`] files at a
    /// time, and sends their loaded rows to `sender` in the files' order
    /// (the landing's: month, then `ps_code`), coalesced into batches of
    /// about [`SENT_ROWS`] rows (a station file holds a few dozen: the
    /// writer's cost is per batch). The lake's files are thus clustered by
    /// station, which lets an audit of a shard skip the others' rows. The
    /// outcomes keep the reports and the quarantined rows.
    pub(super) fn read_all(
        &self,
        files: Vec<StationFile>,
        table: &'static TableDef,
        sender: &lake::RowSender,
    ) -> Vec<FileOutcome> {
        let mut sending = Sending::new(table.lake_schema(), sender);
        let mut files = files.into_iter();
        loop {
            let window: Vec<StationFile> = files.by_ref().take(READ_WINDOW).collect();
            if window.is_empty() {
                break;
            }
            let read: Vec<_> = window
                .into_par_iter()
                .map(|file| {
                    let read = self.read(file);
                    self.progress.step();
                    read
                })
                .collect();
            for (outcome, loaded) in read {
                if let Some(batch) = loaded {
                    sending.push(batch);
                }
                sending.outcomes.push(outcome);
            }
        }
        sending.finish()
    }

    /// Whether the registry knows the station of `file` (a file of a station
    /// it does not know is a file error, never read).
    pub(super) fn knows(&self, file: &StationFile) -> bool {
        self.registry
            .as_ref()
            .is_some_and(|r| r.contains(&file.ps_code))
    }

    /// The file error of a file whose station the registry does not know.
    pub(super) fn unregistered(&self, file: StationFile) -> FileOutcome {
        let why = format!(
            "station `{}` is not in the registry; add it to police_stations.csv or move the folder",
            file.ps_code
        );
        self.progress.step();
        failed(file, None, why)
    }

    fn read(&self, file: StationFile) -> (FileOutcome, Option<RecordBatch>) {
        let injected = self.panic_on_file.as_deref() == Some(file.rel.as_str());
        let read = crate::panic::catch(|| {
            assert!(!injected, "injected panic");
            read_station_file(&file, &self.run_id)
        });
        match read {
            Ok(Ok((report, loaded, quarantined))) => {
                let outcome = FileOutcome {
                    file,
                    report,
                    replaces: true,
                    quarantined,
                };
                (outcome, Some(loaded))
            }
            Ok(Err((encoding, why))) => (failed(file, encoding, why), None),
            Err(at) => (internal_failure(file, &at), None),
        }
    }
}

/// Rows per batch sent to a streamed commit.
const SENT_ROWS: usize = 8192;

/// Station files read at once, in parallel, before their rows are sent in order.
const READ_WINDOW: usize = 64;

/// A commit's files' outcomes, and their loaded rows gathered into batches
/// before they are sent.
pub(super) struct Sending<'a> {
    coalescer: BatchCoalescer,
    sender: &'a lake::RowSender,
    outcomes: Vec<FileOutcome>,
}

impl<'a> Sending<'a> {
    fn new(schema: datafusion::arrow::datatypes::SchemaRef, sender: &'a lake::RowSender) -> Self {
        Sending {
            coalescer: BatchCoalescer::new(schema, SENT_ROWS),
            sender,
            outcomes: Vec::new(),
        }
    }

    /// Adds a file's rows, sending every batch that is complete. Rows the
    /// coalescer refuses (never expected: every file is split into the
    /// table's lake schema) fail the commit rather than go missing.
    fn push(&mut self, batch: RecordBatch) {
        if let Err(e) = self.coalescer.push_batch(batch) {
            self.sender.fail_blocking(e);
        }
        self.send_completed();
    }

    fn send_completed(&mut self) {
        while let Some(batch) = self.coalescer.next_completed_batch() {
            self.sender.send_blocking(batch);
        }
    }

    /// Sends what is left and returns the outcomes.
    fn finish(mut self) -> Vec<FileOutcome> {
        if let Err(e) = self.coalescer.finish_buffered_batch() {
            self.sender.fail_blocking(e);
        }
        self.send_completed();
        self.outcomes
    }
}

/// A file read and split: its report, loaded rows and quarantined rows.
type Split = (FileReport, RecordBatch, Vec<QuarantinedRow>);

/// Why a file is a file error, with the encoding it was read in.
type FileError = (Encoding, String);

pub(super) fn read_station_file(file: &StationFile, run_id: &str) -> Result<Split, FileError> {
    let bytes = std::fs::read(&file.path).map_err(|e| {
        (
            None,
            format!("cannot read ({e}); check the file's permissions"),
        )
    })?;
    let (parsed, encoding) = parse_bytes(file, bytes).map_err(|(why, encoding)| (encoding, why))?;
    let unknown_columns = parsed.header.unknown.clone();
    let month = file.month.to_string();
    let origin = Origin {
        ps_code: &file.ps_code,
        month: &month,
        source_file: &file.rel,
        run_id,
    };
    let s = split(parsed, file.table, &origin).map_err(|e| {
        (
            encoding,
            format!("cannot type the rows ({e}); report this as a bug"),
        )
    })?;
    let mut report = base_report(file, encoding);
    report.rows_loaded = s.loaded.num_rows() as u64;
    report.rows_quarantined = s.quarantined.len() as u64;
    report.rows_read = report.rows_loaded + report.rows_quarantined;
    report.unknown_columns = unknown_columns;
    report.quarantine = s
        .quarantined
        .iter()
        .map(|q| {
            (
                format!("row:{}", q.record_no),
                q.reasons.iter().map(ToString::to_string).collect(),
            )
        })
        .collect();
    Ok((report, s.loaded, s.quarantined))
}

type Encoding = Option<decode::Encoding>;

/// Decodes and reads a file as its format.
pub(super) fn parse_bytes(
    file: &StationFile,
    bytes: Vec<u8>,
) -> Result<(Parsed, Encoding), (String, Encoding)> {
    if file.format == Format::Xlsx {
        if bytes.is_empty() {
            return csv::read_csv(String::new(), file.table)
                .map(|p| (p, None))
                .map_err(|e| (e, None));
        }
        return xlsx::read_xlsx(bytes, file.table)
            .map(|p| (p, None))
            .map_err(|e| {
                (
                    format!("{e}; save it from Excel as .xlsx, or export it as CSV"),
                    None,
                )
            });
    }
    let decoded = decode::decode(bytes).map_err(|e| (e.describe(), None))?;
    let encoding = Some(decoded.encoding);
    let parsed = match file.format {
        Format::Jsonl => jsonl::read_jsonl(decoded.text, file.table),
        _ => csv::read_csv(decoded.text, file.table)
            .map_err(|e| (format!("{e}; save it as CSV"), encoding))?,
    };
    Ok((parsed, encoding))
}

pub(super) fn base_report(file: &StationFile, encoding: Encoding) -> FileReport {
    FileReport {
        table: Some(file.table.name),
        format: Some(file.format),
        encoding,
        month: Some(file.month),
        ps_code: Some(file.ps_code.clone()),
        ..FileReport::default()
    }
}

pub(super) fn failed(file: StationFile, encoding: Encoding, why: String) -> FileOutcome {
    let mut report = base_report(&file, encoding);
    report.file_error = true;
    report.error = Some(why);
    FileOutcome {
        file,
        report,
        replaces: false,
        quarantined: Vec::new(),
    }
}

/// A file whose reading hit a bug: a file error marked internal, so the run
/// loads the other files and then exits 3.
pub(super) fn internal_failure(file: StationFile, at: &crate::panic::PanicAt) -> FileOutcome {
    tracing::debug!(file = %file.rel, place = %at.0, "internal error while reading a file");
    let why = format!(
        "{at} while reading this file; nothing of it was loaded, the other files were; report this as a bug"
    );
    let mut outcome = failed(file, None, why);
    outcome.report.internal_error = true;
    outcome
}
