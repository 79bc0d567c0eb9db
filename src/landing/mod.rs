//! Landing folder discovery: `<landing>/<YYYY-MM>/<ps_code>/<table>.<ext>`.
//!
//! Input: a landing folder. Output: a [`Landing`] listing every file found
//! with its month, station, table and format, or why it cannot be read (a
//! path rule) or is skipped. Invariant: every file under the folder appears
//! exactly once; nothing is read here and no path is normalised.

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
        let mut landing = Landing {
            root: root.to_path_buf(),
            ..Landing::default()
        };
        for entry in sorted_entries(root)? {
            let name = file_name(&entry);
            if entry.is_dir() && !is_symlink(&entry) {
                landing.scan_month(&entry, &name)?;
            } else if name.eq_ignore_ascii_case("police_stations.csv") && is_regular_file(&entry) {
                landing.registry_file = Some(entry);
            } else {
                landing.skip(&name, None, None, "not in a YYYY-MM/<ps_code>/ folder");
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

    fn scan_month(&mut self, dir: &Path, name: &str) -> Result<()> {
        let month = name.parse::<Month>().ok();
        for entry in sorted_entries(dir)? {
            let ps = file_name(&entry);
            let rel = format!("{name}/{ps}");
            match (month, entry.is_dir() && !is_symlink(&entry)) {
                (Some(m), true) => self.scan_station(&entry, m, &ps)?,
                (Some(m), false) => self.skip(&rel, Some(m), None, "not in a <ps_code>/ folder"),
                (None, _) => {
                    let why = format!(
                        "folder `{name}` is not a month; name it YYYY-MM, for example 2024-04"
                    );
                    self.refuse_tree(&entry, &rel, &why)?
                }
            }
        }
        Ok(())
    }

    fn scan_station(&mut self, dir: &Path, month: Month, ps: &str) -> Result<()> {
        let mut by_table: BTreeMap<&'static str, Vec<StationFile>> = BTreeMap::new();
        for entry in sorted_entries(dir)? {
            let name = file_name(&entry);
            let rel = format!("{month}/{ps}/{name}");
            if entry.is_dir() || is_symlink(&entry) {
                self.refuse_tree(&entry, &rel, "not a file of a station folder; move it out")?;
                continue;
            }
            if !is_regular_file(&entry) {
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
        Ok(())
    }

    /// Refuses every file under `path` (or `path` itself) with the same reason.
    fn refuse_tree(&mut self, path: &Path, rel: &str, why: &str) -> Result<()> {
        if path.is_dir() && !is_symlink(path) {
            for entry in sorted_entries(path)? {
                let child = format!("{rel}/{}", file_name(&entry));
                self.refuse_tree(&entry, &child, why)?;
            }
        } else {
            self.refused
                .push(refused(rel, None, None, false, why.to_string()));
        }
        Ok(())
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

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let read = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut entries = read
        .map(|e| e.map(|e| e.path()).map_err(|err| Error::io(dir, err)))
        .collect::<Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// A regular file itself, not a link to one: reading a pipe would wait forever.
fn is_regular_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}
