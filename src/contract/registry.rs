//! The registry of police stations: which stations exist and their districts.

use std::collections::BTreeMap;

/// One police station (thana) of the registry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Station {
    /// Station code, e.g. `UP-GBN-012`.
    pub ps_code: String,
    /// English name.
    pub ps_name: Option<String>,
    /// Name in Devanagari.
    pub ps_name_hi: Option<String>,
    /// District code, e.g. `UP-GBN`.
    pub district_code: String,
    /// District name.
    pub district_name: Option<String>,
    /// State code, e.g. `UP`.
    pub state_code: Option<String>,
}

/// The stations of the registry, keyed and ordered by `ps_code`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    stations: BTreeMap<String, Station>,
}

impl Registry {
    /// A registry of these stations (the first of a repeated `ps_code` wins).
    pub fn new(stations: impl IntoIterator<Item = Station>) -> Registry {
        let mut map = BTreeMap::new();
        for s in stations {
            map.entry(s.ps_code.clone()).or_insert(s);
        }
        Registry { stations: map }
    }

    /// The station with this code, if registered.
    pub fn station(&self, ps_code: &str) -> Option<&Station> {
        self.stations.get(ps_code)
    }

    /// Whether the registry knows this station.
    pub fn contains(&self, ps_code: &str) -> bool {
        self.stations.contains_key(ps_code)
    }

    /// All stations, ordered by `ps_code`.
    pub fn stations(&self) -> impl Iterator<Item = &Station> {
        self.stations.values()
    }

    /// Number of stations.
    pub fn len(&self) -> usize {
        self.stations.len()
    }

    /// Whether the registry has no station.
    pub fn is_empty(&self) -> bool {
        self.stations.is_empty()
    }
}
