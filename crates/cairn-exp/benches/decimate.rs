//! Series decimation speed: a 1,000,000-point series decimated for a 1,000-pixel
//! chart, whole range and a zoomed range, plus loading a 1M-row DVCLive `.tsv`.
//! `cargo bench -p cairn-exp --bench decimate` (a plain timing harness: best of runs).

mod common;

use cairn_exp::series::{decimate, parse_plot_file};

fn main() {
    let n = 1_000_000;
    let pts: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let x = i as f64;
            let spike = if i % 99_991 == 0 { 50.0 } else { 0.0 };
            (x, (x / 5000.0).sin() + (x * 0.37).sin() * 0.1 + spike)
        })
        .collect();
    let (ms, k) = common::best_ms(20, || decimate(&pts, 1000, None).len());
    println!("decimate 1M points -> {k} points for 1000 px: {ms:.2} ms");
    let (ms, k) = common::best_ms(20, || {
        decimate(&pts, 1000, Some((250_000.0, 260_000.0))).len()
    });
    println!("zoom 10k-point range of 1M -> {k} points: {ms:.3} ms");
    let mut tsv = String::from("step\tloss\n");
    for (x, y) in &pts {
        tsv.push_str(&format!("{x}\t{y}\n"));
    }
    let (ms, k) = common::best_ms(5, || {
        parse_plot_file(
            "dvclive/plots/metrics/loss.tsv",
            tsv.as_bytes(),
            None,
            &[],
            "",
        )[0]
        .points
        .len()
    });
    println!(
        "parse 1M-row DVCLive tsv ({} MB) -> {k} points: {ms:.1} ms",
        tsv.len() / 1_000_000
    );
}
