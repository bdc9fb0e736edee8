//! `-S` overrides applied to YAML params files must give the bytes DVC 3.67.1 writes
//! (`dvc.utils.hydra.apply_overrides`, ruamel round trip). The fixture was produced by
//! running DVC's own function on every (document, overrides) pair that DVC accepts.

use cairn_exp::overrides::apply_to_data;
use cairn_exp::yamledit::rewrite;

#[test]
fn yaml_rewrites_match_dvc() {
    let text = include_str!("../fixtures/yaml_overrides.json");
    let cases: Vec<serde_json::Value> = serde_json::from_str(text).expect("fixture");
    let mut failures = Vec::new();
    for c in &cases {
        let input = c["input"].as_str().expect("input");
        let ovs: Vec<String> = c["overrides"]
            .as_array()
            .expect("overrides")
            .iter()
            .map(|o| o.as_str().expect("str").to_string())
            .collect();
        let want = c["output"].as_str().expect("output");
        let mut data = cairn_pipeline::params_file::parse("params.yaml", input).expect("parse");
        let got = match apply_to_data(&mut data, &ovs, "params.yaml") {
            Ok(()) => rewrite(input, &data),
            Err(e) => format!("error: {e}"),
        };
        if got != want {
            failures.push(format!(
                "{ovs:?} on\n{input}--- dvc\n{want}--- cairn\n{got}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}/{} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
