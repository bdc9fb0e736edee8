//! Rendering the stage graph: Graphviz dot and Mermaid byte-identical to `dvc dag --dot` /
//! `--mermaid` (3.67.1), plus a plain text listing.
//!
//! The functions return exactly what DVC writes to stdout, trailing newlines included
//! (`write_dot` ends the graph with `}\n` and DVC's `ui.write` adds one more newline).

use crate::dag::Dag;

/// DVC's `_quote_label`: wrap in double quotes unless the label already starts or ends
/// with one.
fn quote(label: &str) -> String {
    if !label.starts_with('"') && !label.ends_with('"') {
        format!("\"{label}\"")
    } else {
        label.to_string()
    }
}

/// `dvc dag --dot`: a strict digraph, nodes in project order, then edges producer → consumer.
pub fn to_dot(dag: &Dag) -> String {
    let mut out = String::from("strict digraph {\n");
    for n in &dag.nodes {
        out.push_str(&quote(n));
        out.push_str(";\n");
    }
    for (p, c) in dag.edges() {
        out.push_str(&format!(
            "{} -> {};\n",
            quote(&dag.nodes[p]),
            quote(&dag.nodes[c])
        ));
    }
    out.push_str("}\n\n");
    out
}

/// The weakly connected components in networkx's order: each discovered from its first
/// node in project order.
pub fn pipelines(dag: &Dag) -> Vec<Vec<usize>> {
    let n = dag.nodes.len();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (c, ps) in dag.deps_of.iter().enumerate() {
        for &p in ps {
            adj[c].push(p);
            adj[p].push(c);
        }
    }
    let mut seen = vec![false; n];
    let mut out = Vec::new();
    for start in 0..n {
        if seen[start] {
            continue;
        }
        let mut comp = Vec::new();
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(v) = stack.pop() {
            comp.push(v);
            for &w in &adj[v] {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        comp.sort_unstable();
        out.push(comp);
    }
    out
}

/// `dvc dag --mermaid` (or `--md` with `markdown`): per pipeline, nodes sorted by name and
/// numbered across pipelines, then edges sorted by (producer, consumer) name.
pub fn to_mermaid(dag: &Dag, markdown: bool) -> String {
    let mut graph = String::from("flowchart TD");
    let mut total = 0;
    let edges = dag.edges();
    for comp in pipelines(dag) {
        let mut names: Vec<&str> = comp.iter().map(|&i| dag.nodes[i].as_str()).collect();
        names.sort_unstable();
        let mut ids: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
        for name in names {
            total += 1;
            let id = format!("node{total}");
            graph.push_str(&format!("\n\t{id}[\"{name}\"]"));
            ids.insert(name, id);
        }
        let mut es: Vec<(&str, &str)> = edges
            .iter()
            .filter(|(p, _)| comp.binary_search(p).is_ok())
            .map(|&(p, c)| (dag.nodes[p].as_str(), dag.nodes[c].as_str()))
            .collect();
        es.sort_unstable();
        for (a, b) in es {
            graph.push_str(&format!("\n\t{}-->{}", ids[a], ids[b]));
        }
    }
    if markdown {
        format!("```mermaid\n{graph}\n```\n")
    } else {
        format!("{graph}\n")
    }
}

/// A readable listing: each pipeline's stages in execution order with what they need.
pub fn to_text(dag: &Dag) -> String {
    let order = dag.postorder(None, false);
    let mut out = String::new();
    for (i, comp) in pipelines(dag).iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for &s in order.iter().filter(|s| comp.binary_search(s).is_ok()) {
            out.push_str(&dag.nodes[s]);
            if !dag.deps_of[s].is_empty() {
                let names: Vec<&str> = dag.deps_of[s]
                    .iter()
                    .map(|&d| dag.nodes[d].as_str())
                    .collect();
                out.push_str(&format!("  <- {}", names.join(", ")));
            }
            out.push('\n');
        }
    }
    out
}
