use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Open the Cairn app in a browser: serves the UI and API on 127.0.0.1 with a per-launch token
#[derive(clap::Args)]
pub struct UiArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 7780)]
    port: u16,
    /// Print the URL but do not open a browser
    #[arg(long)]
    no_open: bool,
    /// Project to add and open first
    #[arg(long, value_name = "PATH")]
    project: Option<PathBuf>,
    /// Open the bundled demo project (installing it if needed)
    #[arg(long, conflicts_with = "project")]
    demo: bool,
    /// Address to bind; anything but loopback exposes your projects to the network
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
}

pub fn run(args: UiArgs) -> anyhow::Result<ExitCode> {
    let project = match args.project {
        Some(p) => Some(
            p.canonicalize()
                .with_context(|| format!("{}: no such folder", p.display()))?,
        ),
        None => None,
    };
    let api = cairn_api::Api::new(cairn_api::ApiConfig {
        data_dir: None,
        initial_project: project,
        install_demo: true,
        open_demo: args.demo,
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let dist = cairn_server::find_dist();
    if dist.is_none() {
        eprintln!(
            "warning: ui/dist not found (run `npm --prefix ui run build` or set CAIRN_UI_DIST)"
        );
    }
    // A busy default port falls back to a free one; an explicit one is an error.
    let mut port = args.port;
    if port == 7780 && std::net::TcpListener::bind((args.host, port)).is_err() {
        port = 0;
    }
    let cfg = cairn_server::ServerConfig {
        host: args.host,
        port,
        dist,
        token: None,
    };
    let no_open = args.no_open;
    cairn_server::run_blocking(api, cfg, move |url| {
        println!("Cairn is running. Open this URL in a browser (Ctrl-C to stop):\n\n    {url}\n");
        if !no_open {
            let opener = if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            };
            let _ = std::process::Command::new(opener)
                .arg(url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
    })
    .context("cannot serve the UI")?;
    Ok(ExitCode::SUCCESS)
}
