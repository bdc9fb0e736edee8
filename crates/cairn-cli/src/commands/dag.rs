use std::process::ExitCode;

/// Show the pipeline's stage graph (edges run from producer to consumer)
#[derive(clap::Args)]
pub struct DagArgs {
    /// Only this stage and what it depends on
    target: Option<String>,
    /// Graphviz DOT, as `dvc dag --dot` prints it
    #[arg(long, conflicts_with_all = ["mermaid", "md", "json"])]
    dot: bool,
    /// Mermaid flowchart, as `dvc dag --mermaid` prints it
    #[arg(long, conflicts_with_all = ["md", "json"])]
    mermaid: bool,
    /// Mermaid wrapped in a Markdown code fence
    #[arg(long, conflicts_with = "json")]
    md: bool,
    /// Stages and edges as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: DagArgs) -> anyhow::Result<ExitCode> {
    let graph = super::workspace()?.graph(args.target.as_deref())?;
    let text = if args.dot {
        graph.dot()
    } else if args.mermaid || args.md {
        graph.mermaid(args.md)
    } else if args.json {
        graph.json().to_string() + "\n"
    } else {
        graph.text()
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
