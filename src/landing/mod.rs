//! Landing folder discovery: `<landing>/<YYYY-MM>/<ps_code>/<table>.<ext>`.
//!
//! Input: a landing folder. Output: a [`Landing`] listing every file found
//! with its month, station, table and format, or why it cannot be read (a
//! path rule) or is skipped. Invariant: every file under the folder appears
//! exactly once, or a folder above it that cannot be listed (and an entry
//! whose kind cannot be read) appears as a file error in its place; nothing
//! is read here and no path is normalised.

use crate::contract::{self, Month, TableDef};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The file formats of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// An Excel workbook (first sheet).
    Xlsx,
}

impl Format {
    /// The format of an extension (any case), if the contract has one.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" => Some(Format::Jsonl),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// A station export the path rules accept.
#[derive(Debug, Clone)]
pub struct StationFile {
    /// Path relative to the landing folder, `/`-separated.
    pub rel: String,
    /// Full path.
    pub path: PathBuf,
    /// The upload month of its folder.
    pub month: Month,
    /// The station of its folder.
    pub ps_code: String,
    /// Its contract table.
    pub table: &'static TableDef,
    /// Its format.
    pub format: Format,
}

/// A file the path rules refuse (a file error) or that is not data (skipped).
#[derive(Debug, Clone)]
pub struct Refused {
    /// Path relative to the landing folder.
    pub rel: String,
    /// The month of its folder, when that folder is a valid month.
    pub month: Option<Month>,
    /// The station folder it sits in, if any.
    pub ps_code: Option<String>,
    /// Skipped (not data, no error) rather than a file error.
    pub skipped: bool,
    /// What is wrong and how to fix it.
    pub why: String,
}

/// Everything found in a landing folder.
#[derive(Debug, Default)]
pub struct Landing {
    /// The landing folder.
    pub root: PathBuf,
    /// `police_stations.csv`, if present.
    pub registry_file: Option<PathBuf>,
    /// Station exports to read, ordered by path.
    pub files: Vec<StationFile>,
    /// Refused and skipped files, ordered by path.
    pub refused: Vec<Refused>,
}

impl Landing {
    /// Scans a landing folder by the contract's path rules.
    pub fn scan(root: &Path) -> Result<Landing> {
        if !root.is_dir() {
            return Err(Error::usage(
                root,
                "the landing folder does not exist or is not a folder",
                "pass the folder that holds police_stations.csv and the YYYY-MM folders",
            ));
        }
        let entries = sorted_entries(root).map_err(|e| {
            Error::usage(
                root,
                format!("cannot list the landing folder ({e})"),
                "let the user running the ingest read and enter it",
            )
        })?;
        let mut landing = Landing {
            root: root.to_path_buf(),
            ..Landing::default()
        };
        for entry in entries {
            let name = file_name(&entry);
            match landing.kind(&entry, &name, None, None) {
                Some(Kind::Folder) => landing.scan_month(&entry, &name),
                Some(Kind::File) if name.eq_ignore_ascii_case("police_stations.csv") => {
                    landing.registry_file = Some(entry);
                }
                Some(_) => landing.skip(&name, None, None, "not in a YYYY-MM/<ps_code>/ folder"),
                None => {}
            }
        }
        Ok(landing)
    }

    /// The months of the station files, ascending.
    pub fn months(&self) -> Vec<Month> {
        let mut months: Vec<Month> = self.files.iter().map(|f| f.month).collect();
        months.sort();
        months.dedup();
        months
    }

    fn scan_month(&mut self, dir: &Path, name: &str) {
        let month = name.parse::<Month>().ok();
        for entry in self.entries(dir, name, month, None) {
            let ps = file_name(&entry);
            let rel = format!("{name}/{ps}");
            let Some(kind) = self.kind(&entry, &rel, month, None) else {
                continue;
            };
            match (month, kind == Kind::Folder) {
                (Some(m), true) => self.scan_station(&entry, m, &ps),
                (Some(m), false) => self.skip(&rel, Some(m), None, "not in a <ps_code>/ folder"),
                (None, _) => {
                    let why = format!(
                        "folder `{name}` is not a month; name it YYYY-MM, for example 2024-04"
                    );
                    self.refuse_tree(&entry, &rel, &why)
                }
            }
        }
    }

    fn scan_station(&mut self, dir: &Path, month: Month, ps: &str) {
        let mut by_table: BTreeMap<&'static str, Vec<StationFile>> = BTreeMap::new();
        let folder = format!("{month}/{ps}");
        for entry in self.entries(dir, &folder, Some(month), Some(ps)) {
            let name = file_name(&entry);
            let rel = format!("{folder}/{name}");
            let Some(kind) = self.kind(&entry, &rel, Some(month), Some(ps)) else {
                continue;
            };
            if matches!(kind, Kind::Folder | Kind::Link) {
                self.refuse_tree(&entry, &rel, "not a file of a station folder; move it out");
                continue;
            }
            if kind != Kind::File {
                let why = "not a regular file (a pipe, socket or device), never read; put the exported file here";
                self.refused
                    .push(refused(&rel, Some(month), Some(ps), false, why.to_string()));
                continue;
            }
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
            let Some(format) = Format::from_extension(ext) else {
                self.skip(
                    &rel,
                    Some(month),
                    Some(ps),
                    "not a .csv, .jsonl or .xlsx file",
                );
                continue;
            };
            let Some(table) = contract::table(&stem.to_ascii_lowercase()) else {
                let why = format!(
                    "unknown table `{stem}`; name the file fir, crime_details, arrest, seizure, final_report or court_disposal"
                );
                self.refused
                    .push(refused(&rel, Some(month), Some(ps), false, why));
                continue;
            };
            let file = StationFile {
                rel,
                path: entry,
                month,
                ps_code: ps.to_string(),
                table,
                format,
            };
            by_table.entry(table.name).or_default().push(file);
        }
        for (table, files) in by_table {
            if files.len() == 1 {
                self.files.extend(files);
                continue;
            }
            let names: Vec<&str> = files
                .iter()
                .map(|f| f.rel.rsplit('/').next().unwrap_or(""))
                .collect();
            let why = format!(
                "{} files of table {table} in one folder ({}); keep exactly one",
                files.len(),
                names.join(", ")
            );
            for f in &files {
                self.refused
                    .push(refused(&f.rel, Some(month), Some(ps), false, why.clone()));
            }
        }
    }

    /// Refuses every file under `path` (or `path` itself) with the same
    /// reason; a folder of it that cannot be listed is refused whole.
    fn refuse_tree(&mut self, path: &Path, rel: &str, why: &str) {
        let listed = match kind_of(path) {
            Ok(Kind::Folder) => sorted_entries(path).ok(),
            _ => None,
        };
        match listed {
            Some(entries) => {
                for entry in entries {
                    let child = format!("{rel}/{}", file_name(&entry));
                    self.refuse_tree(&entry, &child, why);
                }
            }
            None => self
                .refused
                .push(refused(rel, None, None, false, why.to_string())),
        }
    }

    /// The entries of the folder `dir` (at `rel` in the landing), sorted. A
    /// folder that cannot be listed is a file error naming it: nothing under
    /// it is read, and the rest of the landing still is.
    fn entries(
        &mut self,
        dir: &Path,
        rel: &str,
        month: Option<Month>,
        ps: Option<&str>,
    ) -> Vec<PathBuf> {
        sorted_entries(dir).unwrap_or_else(|e| {
            self.unreadable(rel, month, ps, "folder", &e);
            Vec::new()
        })
    }

    /// What the entry at `rel` is, or `None` (a file error naming it) when
    /// that cannot be read.
    fn kind(
        &mut self,
        path: &Path,
        rel: &str,
        month: Option<Month>,
        ps: Option<&str>,
    ) -> Option<Kind> {
        kind_of(path)
            .map_err(|e| self.unreadable(rel, month, ps, "entry", &e))
            .ok()
    }

    fn unreadable(
        &mut self,
        rel: &str,
        month: Option<Month>,
        ps: Option<&str>,
        what: &str,
        e: &std::io::Error,
    ) {
        let why = format!(
            "cannot read this {what} ({e}); let the user running the ingest read and enter it, then ingest again"
        );
        self.refused.push(refused(rel, month, ps, false, why));
    }

    fn skip(&mut self, rel: &str, month: Option<Month>, ps: Option<&str>, why: &str) {
        self.refused
            .push(refused(rel, month, ps, true, why.to_string()));
    }
}

fn refused(
    rel: &str,
    month: Option<Month>,
    ps: Option<&str>,
    skipped: bool,
    why: String,
) -> Refused {
    Refused {
        rel: rel.to_string(),
        month,
        ps_code: ps.map(str::to_string),
        skipped,
        why,
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What an entry of a folder is, itself (a link is never followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A folder.
    Folder,
    /// A regular file: only these are read (reading a pipe would wait forever).
    File,
    /// A symbolic link.
    Link,
    /// A pipe, socket or device.
    Other,
}

fn kind_of(path: &Path) -> std::io::Result<Kind> {
    let t = fs::symlink_metadata(path)?.file_type();
    Ok(if t.is_symlink() {
        Kind::Link
    } else if t.is_dir() {
        Kind::Folder
    } else if t.is_file() {
        Kind::File
    } else {
        Kind::Other
    })
}
