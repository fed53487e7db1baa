//! A local stand-in for OZmap API v2, faithful to what `ozmap-api.md`
//! documents: raw-key (or `Bearer`) auth, the list envelope with
//! `hasNextPage`/cursor-style `nextUrl` and page-based access for old
//! clients, filters from the query or a JSON body, 401/404 like OZmap.
//! Networks are generated from a seed; faults are injected per ISP.

pub mod filter;
pub mod network;
pub mod server;

pub use network::{Network, NetworkSpec, Truth};
pub use server::{start, Faults, IspSpec, MockServer};

/// The demo ISPs `make dev` registers: three networks overlapping in
/// Florianópolis, one key each.
pub fn demo_isps(boxes: usize) -> Vec<IspSpec> {
    let c = coverage::synth::CITY_CENTRE;
    vec![
        IspSpec {
            key: "demo-key-fibra-ilha".into(),
            name: "Fibra Ilha".into(),
            network: NetworkSpec {
                seed: 1,
                boxes,
                centre: c,
            },
        },
        IspSpec {
            key: "demo-key-conecta-sul".into(),
            name: "Conecta Sul".into(),
            network: NetworkSpec {
                seed: 2,
                boxes,
                centre: [c[0] + 0.04, c[1] - 0.03],
            },
        },
        IspSpec {
            key: "demo-key-luz-net".into(),
            name: "LuzNet".into(),
            network: NetworkSpec {
                seed: 3,
                boxes: boxes / 2,
                centre: [c[0] - 0.03, c[1] + 0.04],
            },
        },
    ]
}
