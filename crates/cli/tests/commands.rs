//! The real `coverage` binary on real files.

// Test helpers may unwrap: a panic here is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coverage"))
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("coverage-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn build_prints_one_json_line_and_writes_geojson() {
    let pts = write("pts.json", "[[-48.5482,-27.5949],[-48.5470,-27.5960],[-48.60,-27.60]]");
    let out = std::env::temp_dir().join(format!("cov-{}.geojson", std::process::id()));
    let (code, stdout, stderr) = run(&[
        "build",
        "--points",
        pts.to_str().unwrap_or(""),
        "--radius",
        "300",
        "--out",
        out.to_str().unwrap_or(""),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json line");
    assert_eq!(v["elements"], 3);
    assert_eq!(v["parts"], 2);
    assert_eq!(v["holes"], 0);
    assert!(v["area_km2"].as_f64().is_some_and(|a| a > 0.5 && a < 0.85), "{v}");
    assert!(v["vertices"].as_u64().is_some_and(|n| n > 50));
    assert!(v["build_ms"].as_f64().is_some());
    let gj: geojson::GeoJson = std::fs::read_to_string(&out)
        .expect("written")
        .parse()
        .expect("valid GeoJSON");
    let geojson::GeoJson::Feature(f) = gj else {
        panic!("a Feature")
    };
    assert!(matches!(
        f.geometry.map(|g| g.value),
        Some(geojson::GeometryValue::MultiPolygon { .. })
    ));
}

#[test]
fn lookup_answers_in_order() {
    let pts = write(
        "pts2.json",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-48.5482,-27.5949]}}]}"#,
    );
    let qs = write(
        "qs.json",
        "[[-48.5482,-27.5949],[-48.5482,-27.5989],[-48.5482,-27.5960]]",
    );
    let (code, stdout, stderr) = run(&[
        "lookup",
        "--points",
        pts.to_str().unwrap_or(""),
        "--radius",
        "300",
        "--queries",
        qs.to_str().unwrap_or(""),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("json array");
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["covered"], true);
    assert_eq!(v[0]["distance_m"], 0.0);
    assert_eq!(v[1]["covered"], false, "443 m away");
    let d1 = v[1]["distance_m"].as_f64().unwrap_or(0.0);
    assert!((d1 - 443.3).abs() < 1.0, "{d1}");
    assert_eq!(v[2]["covered"], true);
}

#[test]
fn bad_input_is_one_line_and_status_2() {
    let good = write("good.json", "[[-48.5,-27.6]]");
    let g = good.to_str().unwrap_or("");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "build".into(),
                "--points".into(),
                "/nonexistent/x.json".into(),
                "--radius".into(),
                "300".into(),
            ],
            "nonexistent",
        ),
        (
            vec![
                "build".into(),
                "--points".into(),
                write("bad.json", "[[1,2").to_string_lossy().into(),
                "--radius".into(),
                "300".into(),
            ],
            "not valid JSON",
        ),
        (
            vec![
                "build".into(),
                "--points".into(),
                write("lat.json", "[[0,91]]").to_string_lossy().into(),
                "--radius".into(),
                "300".into(),
            ],
            "latitude 91",
        ),
        (
            vec![
                "build".into(),
                "--points".into(),
                write("str.json", r#"[["x",1]]"#).to_string_lossy().into(),
                "--radius".into(),
                "300".into(),
            ],
            "item 0",
        ),
        (
            vec![
                "build".into(),
                "--points".into(),
                g.into(),
                "--radius".into(),
                "-5".into(),
            ],
            "radius -5",
        ),
        (
            vec![
                "build".into(),
                "--points".into(),
                g.into(),
                "--radius".into(),
                "1e9".into(),
            ],
            "radius 1000000000",
        ),
        (
            vec![
                "build".into(),
                "--points".into(),
                g.into(),
                "--radius".into(),
                "NaN".into(),
            ],
            "radius NaN",
        ),
        (
            vec![
                "lookup".into(),
                "--points".into(),
                g.into(),
                "--radius".into(),
                "300".into(),
                "--queries".into(),
                write("q.json", "[[200,0]]").to_string_lossy().into(),
            ],
            "longitude 200",
        ),
        (vec!["build".into(), "--radius".into(), "300".into()], "--points"),
    ];
    for (args, needle) in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(&refs);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr:?} lacks {needle:?}");
    }
}

#[test]
fn fetch_counts_a_mock_network_and_feeds_build() {
    let spec = ozmap_mock::IspSpec {
        key: "k".into(),
        name: "T".into(),
        network: ozmap_mock::NetworkSpec {
            seed: 4,
            boxes: 400,
            centre: [-48.5482, -27.5949],
        },
    };
    let m = ozmap_mock::start("127.0.0.1:0", vec![spec]).expect("mock");
    let out = write("elements.json", "");
    let (code, stdout, stderr) = run(&[
        "fetch",
        "--ozmap-url",
        &m.url,
        "--api-key",
        "k",
        "--out",
        out.to_str().unwrap_or(""),
        "--page-size",
        "64",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("one json line");
    assert_eq!(
        v["boxes"].as_u64().unwrap_or(0) + v["buildings"].as_u64().unwrap_or(0),
        400
    );
    let excluded: u64 = ["in_project", "no_connectable", "no_free_port", "bad_coords"]
        .iter()
        .map(|k| v["excluded"][k].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(v["eligible"].as_u64().unwrap_or(0) + excluded, 400);
    let (code, stdout, _) = run(&["build", "--points", out.to_str().unwrap_or(""), "--radius", "200"]);
    assert_eq!(code, 0);
    let b: serde_json::Value = serde_json::from_str(&stdout).expect("build line");
    assert_eq!(b["elements"], v["eligible"]);

    let (code, _, stderr) = run(&[
        "fetch",
        "--ozmap-url",
        &m.url,
        "--api-key",
        "wrong",
        "--out",
        out.to_str().unwrap_or(""),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("rejected the API key"), "{stderr}");
    m.stop();
}
