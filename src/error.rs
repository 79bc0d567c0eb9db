//! The crate's one error type and its exit-code mapping.
//!
//! Every variant renders as one line, `{path}:{place}: {what}; {fix}`, and
//! never quotes a cell value.

use std::path::{Path, PathBuf};

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, where, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad usage or bad input: an argument, a path, a YAML file, a rule pack.
    #[error("{place}: {what}; {fix}")]
    Usage {
        /// The file, argument or file:line concerned.
        place: String,
        /// What is wrong.
        what: String,
        /// How to fix it.
        fix: String,
    },
    /// Several problems found while validating one input (a rule pack, a pipeline).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<Error>),
    /// A file or folder could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The lake (Delta Lake) failed.
    #[error("{context}: {}", first_line(.source))]
    Lake {
        /// Which table or step.
        context: String,
        /// delta-rs's error.
        source: Box<deltalake_core::DeltaTableError>,
    },
    /// The query engine failed.
    #[error("{context}: {}", first_line(.source))]
    Engine {
        /// Which rule, table or step.
        context: String,
        /// DataFusion's error.
        source: Box<datafusion::error::DataFusionError>,
    },
    /// An Arrow or Parquet operation failed.
    #[error("{context}: {}", first_line(.source))]
    Arrow {
        /// Which table or file.
        context: String,
        /// Arrow's error.
        source: Box<datafusion::arrow::error::ArrowError>,
    },
    /// A query needed more memory than `--memory-limit` gives it.
    #[error("{context}: needs more memory than --memory-limit {limit} allows; raise --memory-limit (or leave it out)")]
    OverMemoryLimit {
        /// Which step.
        context: String,
        /// The limit, as written.
        limit: String,
    },
    /// A service the run needs is not there: a Ballista scheduler that
    /// does not answer, a port another process holds.
    #[error("{place}: {what}; {fix}")]
    Unavailable {
        /// The address or service concerned.
        place: String,
        /// What failed.
        what: String,
        /// How to fix it.
        fix: String,
    },
    /// A fault injected by a test (`IngestOptions::fail_after_commits`).
    #[error("injected failure after {0} table commits")]
    Injected(usize),
}

/// The first line of another crate's error: delta-rs's kernel errors carry
/// a backtrace on the lines after it when `RUST_BACKTRACE` is set, and an
/// error is one line.
fn first_line(source: &dyn std::fmt::Display) -> String {
    let text = source.to_string();
    text.lines()
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

impl Error {
    /// A usage or input error at `place`.
    pub fn usage(
        place: impl AsRef<Path>,
        what: impl Into<String>,
        fix: impl Into<String>,
    ) -> Error {
        Error::Usage {
            place: place.as_ref().display().to_string(),
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// A service at `place` that is not there (exit 3).
    pub fn unavailable(
        place: impl Into<String>,
        what: impl Into<String>,
        fix: impl Into<String>,
    ) -> Error {
        Error::Unavailable {
            place: place.into(),
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A lake error in `context`.
    pub fn lake(
        context: impl Into<String>,
    ) -> impl FnOnce(deltalake_core::DeltaTableError) -> Error {
        let context = context.into();
        move |source| Error::Lake {
            context,
            source: Box::new(source),
        }
    }

    /// An engine error in `context`.
    pub fn engine(
        context: impl Into<String>,
    ) -> impl FnOnce(datafusion::error::DataFusionError) -> Error {
        let context = context.into();
        move |source| Error::Engine {
            context,
            source: Box::new(source),
        }
    }

    /// An Arrow error in `context`.
    pub fn arrow(
        context: impl Into<String>,
    ) -> impl FnOnce(datafusion::arrow::error::ArrowError) -> Error {
        let context = context.into();
        move |source| Error::Arrow {
            context,
            source: Box::new(source),
        }
    }

    /// This error, told as [`Error::OverMemoryLimit`] when the engine ran
    /// out of the memory `limit` gives it (DataFusion's `ResourcesExhausted`).
    pub fn beyond(self, limit: Option<crate::memory::MemoryLimit>) -> Error {
        let Some(limit) = limit else {
            return self;
        };
        match self {
            Error::Engine { context, source } if is_exhausted(&source) => {
                tracing::debug!(error = %source.find_root(), "over the memory limit");
                Error::OverMemoryLimit {
                    context,
                    limit: limit.to_string(),
                }
            }
            Error::Many(all) => {
                Error::Many(all.into_iter().map(|e| e.beyond(Some(limit))).collect())
            }
            other => other,
        }
    }

    /// Whether the engine ran out of the memory its pool gives it
    /// (DataFusion's `ResourcesExhausted`, here or in one of several errors).
    pub fn is_out_of_memory(&self) -> bool {
        match self {
            Error::Engine { source, .. } => is_exhausted(source),
            Error::Many(all) => all.iter().any(Error::is_out_of_memory),
            _ => false,
        }
    }

    /// The process exit code (outputs.md v1.3): 2 for bad usage or input, 3
    /// when the tool itself could not finish (I/O of the lake, the engine, an
    /// internal error), so CI can tell a broken tool from a bad upload.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage { .. } | Error::OverMemoryLimit { .. } => 2,
            Error::Many(all) => all.iter().map(Error::exit_code).max().unwrap_or(2),
            Error::Io { .. }
            | Error::Lake { .. }
            | Error::Engine { .. }
            | Error::Arrow { .. }
            | Error::Unavailable { .. }
            | Error::Injected(_) => 3,
        }
    }
}

/// Whether DataFusion's `error` is, at its root, an exhausted memory pool
/// (a Ballista executor's comes back as the text of a failed job).
pub(crate) fn is_exhausted(error: &datafusion::error::DataFusionError) -> bool {
    matches!(
        error.find_root(),
        datafusion::error::DataFusionError::ResourcesExhausted(_)
    ) || error.to_string().contains("Resources exhausted")
}
