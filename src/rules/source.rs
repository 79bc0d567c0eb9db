//! Where a rule pack comes from: a folder on disk, or the default pack
//! `rules/cctns` built into the binary, so that a binary copied to an SCRB
//! server or installed with `cargo install` has its default pack.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The files of the default pack, as built into the binary. A unit test
/// keeps this list equal to the folder's YAML files.
const BUILT_IN: &[(&str, &str)] = &[
    ("arrest.yaml", include_str!("../../rules/cctns/arrest.yaml")),
    ("checks.yaml", include_str!("../../rules/cctns/checks.yaml")),
    (
        "court_disposal.yaml",
        include_str!("../../rules/cctns/court_disposal.yaml"),
    ),
    (
        "crime_details.yaml",
        include_str!("../../rules/cctns/crime_details.yaml"),
    ),
    (
        "final_report.yaml",
        include_str!("../../rules/cctns/final_report.yaml"),
    ),
    ("fir.yaml", include_str!("../../rules/cctns/fir.yaml")),
    (
        "quarantine.yaml",
        include_str!("../../rules/cctns/quarantine.yaml"),
    ),
    (
        "scoring.yaml",
        include_str!("../../rules/cctns/scoring.yaml"),
    ),
    (
        "seizure.yaml",
        include_str!("../../rules/cctns/seizure.yaml"),
    ),
    (
        "station.yaml",
        include_str!("../../rules/cctns/station.yaml"),
    ),
];

/// How the built-in pack is named in reports and error messages.
pub const BUILT_IN_LABEL: &str = "built-in rules/cctns";

/// Where to load a rule pack from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    /// The default pack built into the binary.
    BuiltIn,
    /// A pack folder on disk.
    Dir(PathBuf),
}

impl PackSource {
    /// `--rules DIR` when given, else `$CCTNS_RULES`, else the built-in pack.
    pub fn choose(given: Option<PathBuf>) -> PackSource {
        given
            .or_else(|| std::env::var_os("CCTNS_RULES").map(PathBuf::from))
            .map_or(PackSource::BuiltIn, PackSource::Dir)
    }

    /// How reports name the pack.
    pub fn label(&self) -> String {
        match self {
            PackSource::BuiltIn => BUILT_IN_LABEL.to_string(),
            PackSource::Dir(dir) => dir.display().to_string(),
        }
    }

    /// The pack's YAML files.
    pub fn files(&self) -> Result<PackFiles> {
        match self {
            PackSource::BuiltIn => Ok(PackFiles::built_in()),
            PackSource::Dir(dir) => PackFiles::read(dir),
        }
    }
}

/// One YAML file of a pack.
#[derive(Debug, Clone)]
pub struct PackFile {
    /// Its path, as error messages name it.
    pub path: PathBuf,
    /// Its file name.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// The YAML files of a pack, sorted by name.
#[derive(Debug, Clone)]
pub struct PackFiles {
    /// The folder (or the built-in pack's label).
    pub dir: PathBuf,
    /// The files.
    pub files: Vec<PackFile>,
}

impl PackFiles {
    /// The built-in pack's files.
    pub fn built_in() -> PackFiles {
        let dir = PathBuf::from(BUILT_IN_LABEL);
        let files = BUILT_IN
            .iter()
            .map(|(name, text)| PackFile {
                path: dir.join(name),
                name: name.to_string(),
                text: text.to_string(),
            })
            .collect();
        PackFiles { dir, files }
    }

    /// Every `*.yaml` / `*.yml` file of `dir`.
    pub fn read(dir: &Path) -> Result<PackFiles> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::usage(
                dir,
                format!("cannot read the rule folder ({e})"),
                "pass --rules <DIR> with the YAML rule files",
            )
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        let files = paths
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Ok(PackFile { path, name, text })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(PackFiles {
            dir: dir.to_path_buf(),
            files,
        })
    }

    /// The file named `name`, if the pack has it.
    pub fn file(&self, name: &str) -> Option<&PackFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Writes the files into `dir` (created if missing), all or none: when
    /// any of them is there already (a link included), nothing is written;
    /// when a write fails, the files it created are removed.
    pub fn export(&self, dir: &Path) -> Result<()> {
        if dir.symlink_metadata().is_ok() && !dir.is_dir() {
            return Err(Error::usage(
                dir,
                "is not a folder",
                "export into a new or empty folder",
            ));
        }
        let taken = self
            .files
            .iter()
            .map(|f| dir.join(&f.name))
            .find(|path| path.symlink_metadata().is_ok());
        if let Some(path) = taken {
            return Err(Error::usage(
                &path,
                "already exists, so nothing was written",
                "export into a new or empty folder, or move the file away",
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut created = Vec::new();
        for f in &self.files {
            let path = dir.join(&f.name);
            if let Err(e) = write_new(&path, &f.text, &mut created) {
                for path in &created {
                    let _ = std::fs::remove_file(path);
                }
                return Err(match e.kind() {
                    std::io::ErrorKind::AlreadyExists => Error::usage(
                        &path,
                        "appeared while the pack was exported, so nothing was written",
                        "export into a new or empty folder",
                    ),
                    _ => Error::io(&path, e),
                });
            }
        }
        Ok(())
    }
}

/// Writes `text` into a new file at `path`, never over one that is there,
/// and adds `path` to `created` once the file is made.
fn write_new(path: &Path, text: &str, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    created.push(path.to_path_buf());
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_of_the_built_in_pack_says_what_it_checks_in_hindi() {
        let pack = crate::rules::RulePack::from_files(&PackFiles::built_in()).unwrap();
        for rule in &pack.rules {
            let hi = rule.description_hi.as_deref().unwrap_or_default();
            assert!(
                hi.chars().any(|c| ('\u{900}'..='\u{97f}').contains(&c)),
                "{}: no Hindi description",
                rule.id
            );
        }
    }

    #[test]
    fn the_built_in_pack_is_the_rules_cctns_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns");
        let on_disk = PackFiles::read(&dir).unwrap();
        let built_in = PackFiles::built_in();
        let names = |p: &PackFiles| p.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&on_disk),
            names(&built_in),
            "add the file to BUILT_IN"
        );
        for (disk, built) in on_disk.files.iter().zip(&built_in.files) {
            assert_eq!(disk.text, built.text, "{}", disk.name);
        }
    }
}
