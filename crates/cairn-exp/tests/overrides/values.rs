//! `-S x=VALUE` values must get the types Hydra gives them inside `dvc exp run`
//! (fixture generated with DVC's own `apply_overrides` on a JSON params file).

use cairn_exp::overrides::apply_to_data;
use cairn_pipeline::data::Data;

/// Values Cairn deliberately does not reproduce: non-finite floats and integers beyond
/// 64 bits cannot be held by the JSON model params are compared in.
const NOT_REPRODUCED: &[&str] = &["inf", "-inf", "nan", "1e400", "123456789012345678901"];

#[test]
fn override_values_are_typed_like_hydra() {
    let text = include_str!("../fixtures/override_values.json");
    let cases: Vec<serde_json::Value> = serde_json::from_str(text).expect("fixture");
    let mut failures = Vec::new();
    for c in &cases {
        let v = c["value"].as_str().expect("value");
        if NOT_REPRODUCED.contains(&v) {
            continue;
        }
        let mut d = Data::from_json(&serde_json::json!({"x": 0}));
        let r = apply_to_data(&mut d, &[format!("x={v}")], "p.json");
        match (c.get("json").and_then(|j| j.as_str()), r) {
            (Some(want), Ok(())) => {
                let got = cairn_core::pyjson::dumps(&d.to_json(), false);
                if got != want {
                    failures.push(format!("x={v}: dvc {want}, cairn {got}"));
                }
            }
            (None, Err(_)) => {}
            (Some(want), Err(e)) => failures.push(format!("x={v}: dvc {want}, cairn error {e}")),
            (None, Ok(())) => failures.push(format!("x={v}: dvc refuses it, cairn accepts")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
