//! The emitter against ruamel.yaml itself: random documents dumped by DVC's own dumper
//! (`dvc.utils.serialize._yaml.dumps_yaml`, from the reference venv) must come out
//! byte-identical from `cairn_yaml::to_string`.

use std::io::Write;
use std::process::{Command, Stdio};

use cairn_yaml::{Node, Value};
use serde_json::{Value as J, json};

fn python() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let from_env = std::env::var_os("CAIRN_DVC")
        .map(std::path::PathBuf::from)
        .and_then(|d| d.parent().map(|p| p.join("python")));
    let p = from_env.unwrap_or_else(|| root.join(".venv-dvc/bin/python"));
    assert!(
        p.exists(),
        "reference python with dvc not found at {}; run scripts/ensure-dvc.sh",
        p.display()
    );
    p
}

fn to_node(v: &J) -> Node {
    Node::new(match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) if n.is_i64() => Value::Int(n.as_i64().unwrap()),
        J::Number(n) => Value::Float(n.as_f64().unwrap()),
        J::String(s) => Value::Str(s.clone()),
        J::Array(a) => Value::Seq(a.iter().map(to_node).collect()),
        J::Object(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (Node::new(Value::Str(k.clone())), to_node(v)))
                .collect(),
        ),
    })
}

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "a",
    "data",
    "model.pkl",
    " ",
    " ",
    " ",
    "  ",
    ":",
    ": ",
    " #",
    "#",
    "-",
    "- ",
    "'",
    "\"",
    "\\",
    "\t",
    "\n",
    "é",
    "数据",
    "😀",
    "1",
    "2.0",
    "1e-5",
    "true",
    "null",
    "~",
    "[",
    "]",
    "{",
    "}",
    ",",
    "?",
    "|",
    ">",
    "%",
    "@",
    "`",
    "&",
    "*",
    "!",
    "=",
    "<<",
    "python src/train.py --epochs 10 --lr 0.001",
    "aVeryLongWordWithoutAnySpacesThatGoesOnAndOnForMoreThanEightyCharactersInTotalLength_xxxxxxxx",
    "echo",
    "--flag=value",
    "${item}",
    "0o17",
    "0x1F",
    "2024-01-31",
    "yes",
    "on",
    "\u{a0}",
    "\u{85}",
    "\u{7f}",
    "\u{1}",
];

fn random_string(r: &mut Rng) -> String {
    let n = r.below(12) as usize;
    (0..n).map(|_| *r.pick(PIECES)).collect()
}

fn random_scalar(r: &mut Rng) -> J {
    match r.below(10) {
        0 => json!(r.below(100000) as i64 - 50000),
        1 => json!([0.1, 1e-5, 2.5e20, 1.0, -0.0, 123456.789, 3.0e-7][r.below(7) as usize]),
        2 => json!(r.below(2) == 0),
        3 => J::Null,
        _ => json!(random_string(r)),
    }
}

fn random_doc(r: &mut Rng, depth: u32) -> J {
    let mut m = serde_json::Map::new();
    for _ in 0..1 + r.below(4) {
        let key = match r.below(4) {
            0 => random_string(r),
            _ => r
                .pick(&[
                    "cmd",
                    "path",
                    "md5",
                    "outs",
                    "params.yaml",
                    "lr",
                    "train.epochs",
                    "size",
                ])
                .to_string(),
        };
        let v = match (r.below(5), depth) {
            (0, d) if d < 3 => random_doc(r, d + 1),
            (1, d) if d < 3 => J::Array(
                (0..r.below(4))
                    .map(|_| {
                        if r.below(3) == 0 && d < 2 {
                            random_doc(r, d + 2)
                        } else {
                            random_scalar(r)
                        }
                    })
                    .collect(),
            ),
            _ => random_scalar(r),
        };
        m.insert(key, v);
    }
    J::Object(m)
}

#[test]
fn emitter_matches_ruamel_on_random_documents() {
    let mut r = Rng(0x2545F4914F6CDD1D);
    let docs: Vec<J> = (0..4000).map(|_| random_doc(&mut r, 0)).collect();
    let script = r#"
import json, sys
from dvc.utils.serialize._yaml import dumps_yaml
docs = json.load(sys.stdin)
out = []
for d in docs:
    try:
        out.append(dumps_yaml(d))
    except Exception as e:
        out.append(None)
json.dump(out, sys.stdout)
"#;
    let mut child = Command::new(python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&docs).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let expected: Vec<Option<String>> = serde_json::from_slice(&out.stdout).unwrap();
    let mut failures = Vec::new();
    for (doc, want) in docs.iter().zip(&expected) {
        let Some(want) = want else { continue };
        let got = cairn_yaml::to_string(&to_node(doc));
        if &got != want {
            let line = want
                .lines()
                .zip(got.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let show = |t: &str| {
                t.lines()
                    .skip(line.saturating_sub(1))
                    .take(3)
                    .map(|l| format!("{l:?}"))
                    .collect::<Vec<_>>()
                    .join("\n    ")
            };
            failures.push(format!(
                "doc: {doc:?}\n  ruamel (from line {}):\n    {}\n  cairn:\n    {}",
                line + 1,
                show(want),
                show(&got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} documents differ; first ones:\n{}",
        failures.len(),
        docs.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
