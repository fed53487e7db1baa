//! `coverage`: the geometry and the OZmap client, natively, from files.
//! Every failure is one line on stderr naming the problem, and exit status 2.

use clap::{Parser, Subcommand};
use coverage::{input::parse_points, Coverage, DEFAULT_MAX_ERROR_M};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "coverage", version, about = "Coverage areas from OZmap networks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the coverage of a set of points; prints one JSON line of statistics.
    Build {
        /// JSON array of [lng, lat] or a GeoJSON FeatureCollection of Points.
        #[arg(long)]
        points: PathBuf,
        /// Maximum distance from an element, metres.
        #[arg(long, allow_hyphen_values = true)]
        radius: f64,
        /// Write the coverage as a GeoJSON Feature here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Maximum distance between the polygon and the exact circles, metres.
        #[arg(long, default_value_t = DEFAULT_MAX_ERROR_M)]
        max_error: f64,
    },
    /// Fetch an OZmap network; prints one JSON line of counts and writes the
    /// eligible points in the format `build` reads.
    Fetch {
        /// The OZmap address, e.g. https://empresa.ozmap.com.br:9994
        #[arg(long)]
        ozmap_url: String,
        /// The OZmap API key (sent raw in Authorization).
        #[arg(long, env = "OZMAP_API_KEY", hide_env_values = true)]
        api_key: String,
        /// Where to write the eligible points (JSON array of [lng, lat]).
        #[arg(long)]
        out: PathBuf,
        /// Skip buildings (condomínios verticais).
        #[arg(long)]
        no_buildings: bool,
        /// Only elements with a free, unblocked port.
        #[arg(long)]
        require_free_port: bool,
        /// Rows per page.
        #[arg(long, default_value_t = 500)]
        page_size: u32,
        /// Seconds to wait for each answer.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Also write every fetched row, by route, to this directory (boxes.json, …).
        #[arg(long)]
        raw_out: Option<PathBuf>,
    },
    /// Answer points: prints a JSON array of {"covered", "distance_m"}, in order
    /// (distances in metres, to the millimetre: the index's precision).
    Lookup {
        #[arg(long)]
        points: PathBuf,
        #[arg(long, allow_hyphen_values = true)]
        radius: f64,
        /// JSON array of [lng, lat].
        #[arg(long)]
        queries: PathBuf,
    },
}

fn read_points(path: &Path) -> Result<Vec<[f64; 2]>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_points(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn build(points: &Path, radius: f64, max_error: f64) -> Result<(Coverage, f64), String> {
    let pts = read_points(points)?;
    if !(max_error.is_finite() && max_error > 0.0) {
        return Err(format!("--max-error {max_error} must be a positive number of metres"));
    }
    let t = Instant::now();
    let cov = Coverage::build(&pts, radius, max_error).map_err(|e| format!("{}: {e}", points.display()))?;
    Ok((cov, t.elapsed().as_secs_f64() * 1e3))
}

#[allow(clippy::too_many_arguments)] // one per command-line flag
fn fetch(
    url: &str,
    key: &str,
    out: &Path,
    include_buildings: bool,
    require_free_port: bool,
    page_size: u32,
    timeout_s: u64,
    raw_out: Option<&Path>,
) -> Result<(), String> {
    use ozmap::{block_on, http::NativeHttp, BaseUrl, Client, ClientOptions, EligibilityOptions};
    let base = BaseUrl::parse(url).map_err(|e| format!("--ozmap-url: {e}"))?;
    if !(1..=1_000).contains(&page_size) {
        return Err(format!("--page-size {page_size} must be within 1..1000"));
    }
    let opts = ClientOptions {
        page_size,
        ..ClientOptions::default()
    };
    let client = Client::new(
        base,
        key,
        NativeHttp::new(std::time::Duration::from_secs(timeout_s.max(1))),
        opts,
    );
    let net = block_on(client.network(include_buildings)).map_err(|e| e.to_string())?;
    if let Some(dir) = raw_out {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let ids = |v: Vec<Option<String>>| serde_json::to_string(&v).unwrap_or_default();
        let files = [
            ("boxes.json", serde_json::to_string(&net.boxes).unwrap_or_default()),
            (
                "buildings.json",
                serde_json::to_string(&net.buildings).unwrap_or_default(),
            ),
            (
                "splitters.json",
                ids(net.splitters.iter().map(|s| s.id.clone()).collect()),
            ),
            (
                "switches.json",
                ids(net.switches.iter().map(|s| s.id.clone()).collect()),
            ),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    let places = [net.boxes.as_slice(), net.buildings.as_slice()].concat();
    let e = ozmap::eligible_elements(
        &places,
        &net.splitters,
        &net.switches,
        EligibilityOptions { require_free_port },
    );
    let text = serde_json::to_string(&e.points).map_err(|e| e.to_string())?;
    std::fs::write(out, text).map_err(|err| format!("{}: {err}", out.display()))?;
    println!(
        "{}",
        json!({"boxes": net.boxes.len(), "buildings": net.buildings.len(), "splitters": net.splitters.len(),
               "switches": net.switches.len(), "eligible": e.points.len(), "excluded": e.excluded})
    );
    Ok(())
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Build {
            points,
            radius,
            out,
            max_error,
        } => {
            let (cov, build_ms) = build(&points, radius, max_error)?;
            if let Some(out) = out {
                let text = serde_json::to_string(&cov.to_feature()).map_err(|e| e.to_string())?;
                std::fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
            }
            let s = &cov.stats;
            println!(
                "{}",
                json!({"elements": s.elements, "area_km2": s.area_km2, "parts": s.parts, "holes": s.holes,
                       "vertices": s.vertices, "build_ms": build_ms})
            );
        }
        Command::Fetch {
            ozmap_url,
            api_key,
            out,
            no_buildings,
            require_free_port,
            page_size,
            timeout,
            raw_out,
        } => {
            fetch(
                &ozmap_url,
                &api_key,
                &out,
                !no_buildings,
                require_free_port,
                page_size,
                timeout,
                raw_out.as_deref(),
            )?;
        }
        Command::Lookup {
            points,
            radius,
            queries,
        } => {
            let (cov, _) = build(&points, radius, DEFAULT_MAX_ERROR_M)?;
            let qs = read_points(&queries)?;
            for (i, q) in qs.iter().enumerate() {
                coverage::check_query(i, *q).map_err(|e| format!("{}: {e}", queries.display()))?;
            }
            // To the millimetre: the query table keeps offsets to a fraction
            // of one (see coverage's `nearest_table`), so finer digits are noise.
            let answers: Vec<_> = qs
                .iter()
                .map(|q| {
                    let mut a = cov.index.query(*q);
                    a.distance_m = a.distance_m.map(|d| (d * 1e3).round() / 1e3);
                    a
                })
                .collect();
            println!("{}", serde_json::to_string(&answers).map_err(|e| e.to_string())?);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // clap's message is several lines; the contract is one.
            let text = e.to_string();
            let first: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(|l| l.trim().trim_start_matches("error: "))
                .collect();
            let first = first.join(" ");
            eprintln!("coverage: {first} (see coverage --help)");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("coverage: {e}");
            ExitCode::from(2)
        }
    }
}
