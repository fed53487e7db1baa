//! Generated OZmap networks of realistic shape: city-like street grids (a
//! box every ~90 m), buildings, the four deployment states, client-facing
//! and network splitters, switches, free/occupied/blocked ports, and a few
//! records written the loose way real servers write them.
//!
//! Each box is generated *for* an outcome ([`Truth`]), so tests compare
//! what a client concludes against what the mock meant, not against a copy
//! of the client's own rules.

use coverage::synth::{city_around, Rng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What a generated element is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    Eligible,
    /// Eligible unless a free port is required.
    Full,
    InProject,
    NoConnectable,
    BadCoords,
}

/// How to generate one ISP's network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkSpec {
    pub seed: u64,
    pub boxes: usize,
    /// `[lng, lat]` of the metro centre.
    pub centre: [f64; 2],
}

#[derive(Debug, Clone, Default)]
pub struct Network {
    pub boxes: Vec<Value>,
    pub buildings: Vec<Value>,
    pub splitters: Vec<Value>,
    pub switches: Vec<Value>,
    /// For every box and building: its id, position and intended outcome.
    pub truth: Vec<(String, [f64; 2], Truth)>,
}

fn object_id(seed: u64, kind: u8, n: u64) -> String {
    format!(
        "{:08x}{:02x}{:014x}",
        (seed as u32) ^ 0x66a1_f0c2,
        kind,
        n & 0x00ff_ffff_ffff_ffff
    )
}

const PROJECT: &str = "65f0aa10e4b0a1b2c3d40001";

impl Network {
    pub fn generate(spec: &NetworkSpec) -> Self {
        let mut rng = Rng::new(spec.seed.wrapping_mul(31).wrapping_add(7));
        let mut net = Network::default();
        let positions = city_around(spec.centre, spec.boxes, spec.seed);
        let mut next_conn = 0u64;
        for (i, pos) in positions.iter().enumerate() {
            let building = i % 20 == 19;
            let kind_tag = if building { 2 } else { 1 };
            let id = object_id(spec.seed, kind_tag, i as u64);
            let roll = rng.f64();
            let truth = match roll {
                r if r < 0.08 => Truth::InProject,
                r if r < 0.16 => Truth::NoConnectable,
                r if r < 0.21 => Truth::Full,
                r if r < 0.23 => Truth::BadCoords,
                _ => Truth::Eligible,
            };
            let mut coords = json!([pos[0], pos[1]]);
            let (mut lng, mut lat) = (json!(pos[0]), json!(pos[1]));
            if truth == Truth::BadCoords {
                match i % 3 {
                    0 => (coords, lng, lat) = (Value::Null, Value::Null, Value::Null),
                    1 => (coords, lng, lat) = (json!([200.5, -95.0]), json!(200.5), json!(-95.0)),
                    _ => (coords, lng, lat) = (json!(["x", "y"]), Value::Null, Value::Null),
                }
            } else if i % 23 == 5 {
                // Loose servers: numbers as strings, coords only in lng/lat.
                coords = Value::Null;
                lng = json!(pos[0].to_string());
                lat = json!(pos[1].to_string());
            }
            let state = rng.f64();
            let (draft, implanted, certified) = match truth {
                Truth::InProject => (true, false, state < 0.3),
                _ if state < 0.15 => (false, false, false),
                _ if state < 0.75 => (false, true, false),
                _ => (false, true, true),
            };
            let mut rec = json!({
                "id": id,
                "kind": if building { "Building" } else { "Box" },
                "name": format!("{}-{:05}", if building { "PRED" } else { "CTO" }, i),
                "coords": coords, "lng": lng, "lat": lat,
                "project": if i % 10 == 0 { json!({"id": PROJECT, "name": "Rede"}) } else { json!(PROJECT) },
                "implanted": implanted,
                "tags": [], "cables": [],
                "createdAt": "2024-07-25T14:02:11.120Z", "updatedAt": "2025-01-10T09:41:03.877Z"
            });
            if !building {
                rec["draft"] = json!(draft);
                rec["certified"] = json!(certified);
                rec["hierarchyLevel"] = json!(2);
                rec["boxType"] = json!("589ddcf07dfe452f10d7c274");
            } else if draft {
                rec["draft"] = json!(true);
            }
            // What it holds.
            let parent_ref = |k: u64| {
                if k % 10 == 3 {
                    json!({"id": id, "name": "x"})
                } else {
                    json!(id)
                }
            };
            match truth {
                Truth::NoConnectable => {
                    if rng.f64() < 0.5 {
                        net.splitters.push(splitter(
                            spec.seed,
                            &mut next_conn,
                            parent_ref(i as u64),
                            false,
                            8,
                            3,
                            0,
                        ));
                    }
                }
                Truth::Full => {
                    net.splitters
                        .push(splitter(spec.seed, &mut next_conn, parent_ref(i as u64), true, 8, 6, 2));
                }
                _ => {
                    if rng.f64() < 0.1 {
                        net.switches.push(switch(spec.seed, &mut next_conn, json!(id), 4, 1));
                    } else {
                        let used = (rng.f64() * 6.0) as usize;
                        net.splitters.push(splitter(
                            spec.seed,
                            &mut next_conn,
                            parent_ref(i as u64),
                            true,
                            8,
                            used,
                            1,
                        ));
                    }
                    if rng.f64() < 0.3 {
                        net.splitters
                            .push(splitter(spec.seed, &mut next_conn, json!(id), false, 2, 1, 0));
                    }
                }
            }
            net.truth.push((id, *pos, truth));
            if building {
                net.buildings.push(rec);
            } else {
                net.boxes.push(rec);
            }
        }
        net
    }

    pub fn route(&self, route: &str) -> Option<&[Value]> {
        match route {
            "boxes" => Some(&self.boxes),
            "buildings" => Some(&self.buildings),
            "splitters" => Some(&self.splitters),
            "switches" => Some(&self.switches),
            _ => None,
        }
    }

    /// Positions meant to be eligible.
    pub fn expected(&self, require_free_port: bool) -> Vec<[f64; 2]> {
        self.truth
            .iter()
            .filter(|(_, _, t)| *t == Truth::Eligible || (*t == Truth::Full && !require_free_port))
            .map(|(_, p, _)| *p)
            .collect()
    }

    /// Removes every other box and building (a "half the network is gone" fault).
    pub fn drop_half(&mut self) {
        let keep = |v: &Vec<Value>| v.iter().step_by(2).cloned().collect::<Vec<_>>();
        self.boxes = keep(&self.boxes);
        self.buildings = keep(&self.buildings);
        let ids: std::collections::HashSet<String> = self
            .boxes
            .iter()
            .chain(&self.buildings)
            .filter_map(|b| b["id"].as_str().map(str::to_string))
            .collect();
        self.truth.retain(|(id, _, _)| ids.contains(id));
    }
}

fn splitter(
    seed: u64,
    n: &mut u64,
    parent: Value,
    is_drop: bool,
    outputs: usize,
    used: usize,
    blocked: usize,
) -> Value {
    *n += 1;
    let id = object_id(seed, 3, *n);
    let output: Vec<Value> = (0..outputs)
        .map(|k| {
            if k < used {
                json!(object_id(seed, 4, *n * 16 + k as u64))
            } else {
                Value::Null
            }
        })
        .collect();
    let ports: Vec<Value> = (0..outputs)
        .map(|k| json!({"id": object_id(seed, 5, *n * 16 + k as u64), "index": k, "blocked": k >= outputs - blocked, "tags": []}))
        .collect();
    json!({
        "id": id, "kind": "Splitter", "name": format!("Splitter {n}"), "parent": parent, "project": PROJECT,
        "implanted": true, "isDrop": is_drop, "isBalanced": true,
        "ratio": {"input": 1, "output": outputs},
        "connectables": {"input": [object_id(seed, 6, *n)], "output": output},
        "ports": ports
    })
}

fn switch(seed: u64, n: &mut u64, parent: Value, ports: usize, used: usize) -> Value {
    *n += 1;
    let connectables: Vec<Value> = (0..ports)
        .map(|k| {
            if k < used {
                json!(object_id(seed, 7, *n * 16 + k as u64))
            } else {
                Value::Null
            }
        })
        .collect();
    json!({
        "id": object_id(seed, 8, *n), "kind": "Switch", "name": format!("SW-{n}"), "parent": parent,
        "project": PROJECT, "implanted": true, "isDrop": false, "manageable": true,
        "connectables": connectables, "port_labels": vec![Value::Null; ports], "shelf": null
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_has_every_kind_of_element() {
        let n = Network::generate(&NetworkSpec {
            seed: 1,
            boxes: 2_000,
            centre: coverage::synth::CITY_CENTRE,
        });
        assert_eq!(n.boxes.len() + n.buildings.len(), 2_000);
        assert!(n.buildings.len() >= 90);
        for t in [
            Truth::Eligible,
            Truth::Full,
            Truth::InProject,
            Truth::NoConnectable,
            Truth::BadCoords,
        ] {
            assert!(n.truth.iter().filter(|x| x.2 == t).count() > 10, "{t:?}");
        }
        assert!(n.splitters.iter().any(|s| s["isDrop"] == false));
        assert!(!n.switches.is_empty());
        let again = Network::generate(&NetworkSpec {
            seed: 1,
            boxes: 2_000,
            centre: coverage::synth::CITY_CENTRE,
        });
        assert_eq!(again.boxes, n.boxes, "deterministic from the seed");
    }
}
