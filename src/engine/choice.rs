//! `--engine local | standalone | ballista://HOST:PORT`: where an audit's
//! plans run.

use std::fmt;
use std::str::FromStr;

/// The port a Ballista scheduler listens on unless told otherwise.
pub const DEFAULT_SCHEDULER_PORT: u16 = 50050;

/// Where the audit's rule plans are executed. The plans, the findings and
/// every output file are the same whichever runs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Engine {
    /// DataFusion in this process (the default).
    #[default]
    Local,
    /// A Ballista scheduler and executor started inside this process: the
    /// plans go through Ballista's serialisation and shuffles, on one machine.
    Standalone,
    /// A running Ballista cluster: its scheduler's host and port.
    Cluster {
        /// The scheduler's host name or address.
        host: String,
        /// The scheduler's gRPC port.
        port: u16,
    },
}

impl Engine {
    /// Whether the plans leave this process's DataFusion.
    pub fn is_distributed(&self) -> bool {
        !matches!(self, Engine::Local)
    }
}

impl FromStr for Engine {
    type Err = String;

    fn from_str(text: &str) -> Result<Engine, String> {
        let wrong = || {
            format!(
                "`{text}` is not an engine; write local, standalone or ballista://HOST:PORT \
                 (e.g. ballista://127.0.0.1:{DEFAULT_SCHEDULER_PORT})"
            )
        };
        let trimmed = text.trim();
        match trimmed {
            "local" => return Ok(Engine::Local),
            "standalone" => return Ok(Engine::Standalone),
            _ => {}
        }
        let rest = trimmed.strip_prefix("ballista://").ok_or_else(wrong)?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (host, port.parse::<u16>().map_err(|_| wrong())?),
            None => (rest, DEFAULT_SCHEDULER_PORT),
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) || port == 0 {
            return Err(wrong());
        }
        Ok(Engine::Cluster {
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Local => f.write_str("local"),
            Engine::Standalone => f.write_str("standalone"),
            Engine::Cluster { host, port } => write!(f, "ballista://{host}:{port}"),
        }
    }
}

/// In a pipeline file: `engine: local`, `standalone` or `ballista://HOST:PORT`.
impl<'de> serde::Deserialize<'de> for Engine {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Engine, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_read_as_written() {
        let engine = |t: &str| t.parse::<Engine>();
        assert_eq!(engine("local"), Ok(Engine::Local));
        assert_eq!(engine(" standalone "), Ok(Engine::Standalone));
        let cluster = |host: &str, port| Engine::Cluster {
            host: host.into(),
            port,
        };
        assert_eq!(
            engine("ballista://127.0.0.1:50070"),
            Ok(cluster("127.0.0.1", 50070))
        );
        assert_eq!(
            engine("ballista://scheduler"),
            Ok(cluster("scheduler", DEFAULT_SCHEDULER_PORT))
        );
        for bad in [
            "",
            "cluster",
            "ballista://",
            "ballista://h:port",
            "http://h:1",
        ] {
            assert!(engine(bad).is_err(), "{bad}");
        }
        for text in ["local", "standalone", "ballista://localhost:50050"] {
            assert_eq!(engine(text).unwrap().to_string(), text);
        }
    }
}
