//! Which elements can serve a client, as a pure function with reasons.
//!
//! The deployment state is inferred from three booleans (ozmap-api.md §5.1,
//! unknown 2). This table is the whole mapping; `draft` wins over the others
//! because OZmap's own viability rule is "not Em projeto" first:
//!
//! | draft | implanted | certified | state          | eligible |
//! |-------|-----------|-----------|----------------|----------|
//! | true  | any       | any       | Em projeto     | no       |
//! | —     | any       | true      | Certificado    | yes      |
//! | —     | true      | —         | Implantado     | yes      |
//! | —     | false/—   | —         | Não implantado | yes      |
//!
//! (— = false or absent.) Then the element must hold a client-facing
//! splitter (`isDrop`) or a switch, optionally one with a free, unblocked
//! port, and have usable coordinates. Each excluded element is counted under
//! the first rule it fails, in that order.

use crate::model::{Place, Splitter, Switch};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The UI's four deployment states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    EmProjeto,
    NaoImplantado,
    Implantado,
    Certificado,
}

pub fn state(p: &Place) -> State {
    match (p.draft, p.implanted, p.certified) {
        (Some(true), _, _) => State::EmProjeto,
        (_, _, Some(true)) => State::Certificado,
        (_, Some(true), _) => State::Implantado,
        _ => State::NaoImplantado,
    }
}

/// Why an element was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    InProject,
    NoConnectable,
    NoFreePort,
    BadCoords,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    pub in_project: usize,
    pub no_connectable: usize,
    pub no_free_port: usize,
    pub bad_coords: usize,
}

impl Excluded {
    pub fn add(&mut self, r: Reason) {
        match r {
            Reason::InProject => self.in_project += 1,
            Reason::NoConnectable => self.no_connectable += 1,
            Reason::NoFreePort => self.no_free_port += 1,
            Reason::BadCoords => self.bad_coords += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.in_project + self.no_connectable + self.no_free_port + self.bad_coords
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityOptions {
    /// Only elements with at least one free, unblocked port count.
    pub require_free_port: bool,
}

/// What a place holds that a client can connect to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Connectables {
    pub count: usize,
    /// Free ports over all of them; `None` if OZmap never said for any.
    pub free: Option<usize>,
}

impl Connectables {
    /// Counts one more splitter or switch with `free` ports (`None`: unknown).
    pub fn add(&mut self, free: Option<usize>) {
        self.count += 1;
        self.free = match (self.free, free) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
}

/// Connectables per parent id: client-facing splitters and all switches.
pub fn connectables_by_parent(splitters: &[Splitter], switches: &[Switch]) -> HashMap<String, Connectables> {
    let mut map: HashMap<String, Connectables> = HashMap::new();
    let mut add = |parent: &Option<String>, free: Option<usize>| {
        if let Some(p) = parent {
            map.entry(p.clone()).or_default().add(free);
        }
    };
    for s in splitters.iter().filter(|s| s.is_drop == Some(true)) {
        add(&s.parent, s.free_ports());
    }
    for s in switches {
        add(&s.parent, s.free_ports());
    }
    map
}

/// The decision for one place.
pub fn decide(p: &Place, holds: Option<&Connectables>, opts: EligibilityOptions) -> Result<[f64; 2], Reason> {
    if state(p) == State::EmProjeto {
        return Err(Reason::InProject);
    }
    let Some(c) = holds.filter(|c| c.count > 0) else {
        return Err(Reason::NoConnectable);
    };
    // Unknown occupancy counts as free: OZmap did not say it is full.
    if opts.require_free_port && c.free == Some(0) {
        return Err(Reason::NoFreePort);
    }
    p.position().ok_or(Reason::BadCoords)
}

/// The eligible elements of a network and the count of every exclusion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Eligibility {
    /// `[lng, lat]` of each eligible box or building.
    pub points: Vec<[f64; 2]>,
    pub excluded: Excluded,
}

pub fn eligible_elements(
    places: &[Place],
    splitters: &[Splitter],
    switches: &[Switch],
    opts: EligibilityOptions,
) -> Eligibility {
    let holds = connectables_by_parent(splitters, switches);
    let mut out = Eligibility::default();
    for p in places {
        match decide(p, p.key().and_then(|k| holds.get(k)), opts) {
            Ok(pt) => out.points.push(pt),
            Err(r) => out.excluded.add(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn place(v: serde_json::Value) -> Place {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_state_table() {
        let s = |d, i, c| {
            state(&Place {
                draft: d,
                implanted: i,
                certified: c,
                ..Place::default()
            })
        };
        assert_eq!(s(Some(true), Some(true), Some(true)), State::EmProjeto);
        assert_eq!(s(Some(false), Some(false), Some(true)), State::Certificado);
        assert_eq!(s(None, Some(true), None), State::Implantado);
        assert_eq!(s(Some(false), Some(false), Some(false)), State::NaoImplantado);
        assert_eq!(s(None, None, None), State::NaoImplantado);
    }

    #[test]
    fn every_exclusion_is_counted_under_its_first_reason() {
        let places = vec![
            place(json!({"id": "draft", "draft": true, "coords": [-48.5, -27.6]})),
            place(json!({"id": "empty", "coords": [-48.5, -27.6]})),
            place(json!({"id": "netonly", "coords": [-48.5, -27.6]})),
            place(json!({"id": "full", "coords": [-48.5, -27.6]})),
            place(json!({"id": "nocoords", "implanted": true})),
            place(json!({"id": "ok", "implanted": true, "coords": [-48.51, -27.61]})),
            place(json!({"id": "sw", "coords": [-48.52, -27.62]})),
        ];
        let splitters: Vec<Splitter> = serde_json::from_value(json!([
            {"parent": "draft", "isDrop": true},
            {"parent": "netonly", "isDrop": false},
            {"parent": "full", "isDrop": true, "connectables": {"output": ["a", "b"]}},
            {"parent": "nocoords", "isDrop": true},
            {"parent": {"id": "ok"}, "isDrop": true, "connectables": {"output": [null, "x"]}}
        ]))
        .unwrap();
        let switches: Vec<Switch> = serde_json::from_value(json!([{"parent": "sw", "connectables": [null]}])).unwrap();
        let lax = eligible_elements(&places, &splitters, &switches, EligibilityOptions::default());
        assert_eq!(lax.points, vec![[-48.5, -27.6], [-48.51, -27.61], [-48.52, -27.62]]);
        assert_eq!(
            lax.excluded,
            Excluded {
                in_project: 1,
                no_connectable: 2,
                no_free_port: 0,
                bad_coords: 1
            }
        );
        let strict = eligible_elements(
            &places,
            &splitters,
            &switches,
            EligibilityOptions {
                require_free_port: true,
            },
        );
        assert_eq!(strict.points.len(), 2);
        assert_eq!(strict.excluded.no_free_port, 1);
        assert_eq!(strict.excluded.total() + strict.points.len(), places.len());
    }
}
