//! `ozmap-mock`: serve generated OZmap networks on loopback.

use clap::Parser;
use ozmap_mock::{demo_isps, IspSpec, NetworkSpec};

/// A local OZmap API v2 for development and tests.
///
/// Serves /api/v2/{boxes,buildings,splitters,switches}[/{id}] and
/// /api/v2/authenticated with the list envelope (total, count, start, limit,
/// rows, hasNextPage, nextUrl with a cursor), `page`/`limit` for old
/// clients, and `filter` (=, !=, <, <=, >, >=, in, notin, like, exists, all,
/// and on `coords`: near {lat, lng, radius}, within a GeoJSON Polygon)
/// from the query string or a JSON body. The API key goes in Authorization,
/// raw or as `Bearer <key>`; a wrong key is 401, unknown routes and ids 404.
///
/// Test admin API (no auth):
///   GET  /__mock/isps                         the ISPs and their sizes
///   PUT  /__mock/isps/{key}/faults            JSON faults, replaces the old ones:
///        latency_ms, hang_ms, fail_first, fail_rate, fail_status,
///        unauthorized_after_pages, truncate, html, endless, next_loop,
///        empty, bad_coords, legacy_pagination
///   PUT  /__mock/isps/{key}/network           {"seed", "boxes", "centre"}: regenerate
///   POST /__mock/isps/{key}/drop-half         remove every other box and building
///   GET  /__mock/isps/{key}/expected[?require_free_port=true]
///                                             the positions generated to be eligible
///   GET  /__mock/isps/{key}/requests          API requests and pages served
#[derive(Parser)]
#[command(name = "ozmap-mock", version, verbatim_doc_comment)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 9994)]
    port: u16,
    /// An ISP as KEY:NAME:SEED:BOXES[:LNG,LAT]; repeatable. Without any, the three demo ISPs.
    #[arg(long = "isp", value_parser = parse_isp)]
    isps: Vec<IspSpec>,
    /// Boxes per demo ISP.
    #[arg(long, default_value_t = 3_000)]
    demo_boxes: usize,
}

fn parse_isp(s: &str) -> Result<IspSpec, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let [key, name, seed, boxes, rest @ ..] = parts.as_slice() else {
        return Err("expected KEY:NAME:SEED:BOXES[:LNG,LAT]".into());
    };
    let centre = match rest {
        [] => coverage::synth::CITY_CENTRE,
        [c] => {
            let (a, b) = c.split_once(',').ok_or("centre must be LNG,LAT")?;
            [
                a.parse().map_err(|_| "bad longitude")?,
                b.parse().map_err(|_| "bad latitude")?,
            ]
        }
        _ => return Err("too many fields".into()),
    };
    Ok(IspSpec {
        key: key.to_string(),
        name: name.to_string(),
        network: NetworkSpec {
            seed: seed.parse().map_err(|_| "SEED must be a number")?,
            boxes: boxes.parse().map_err(|_| "BOXES must be a number")?,
            centre,
        },
    })
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let isps = if args.isps.is_empty() {
        demo_isps(args.demo_boxes)
    } else {
        args.isps
    };
    let names: Vec<String> = isps.iter().map(|i| format!("{} (key {})", i.name, i.key)).collect();
    match ozmap_mock::start(&format!("127.0.0.1:{}", args.port), isps) {
        Ok(server) => {
            println!("ozmap-mock listening on {} serving {}", server.url, names.join(", "));
            loop {
                std::thread::park();
            }
        }
        Err(e) => {
            eprintln!("ozmap-mock: cannot listen on 127.0.0.1:{}: {e}", args.port);
            std::process::ExitCode::from(2)
        }
    }
}
