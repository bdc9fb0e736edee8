//! `cairn`: the command-line face of Cairn. Each subcommand parses its arguments,
//! calls the library, and renders the result for people (or as JSON with `--json`).

mod commands;
mod output;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Local-first ML projects on DVC's formats: version data, run pipelines, compare experiments.
#[derive(Parser)]
#[command(name = "cairn", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Init(commands::init::InitArgs),
    Add(commands::add::AddArgs),
    Commit(commands::commit::CommitArgs),
    Status(commands::status::StatusArgs),
    Checkout(commands::checkout::CheckoutArgs),
    CheckIgnore(commands::check_ignore::CheckIgnoreArgs),
    Move(commands::move_data::MoveArgs),
    Unprotect(commands::unprotect::UnprotectArgs),
    Push(commands::sync::PushArgs),
    Fetch(commands::sync::FetchArgs),
    Pull(commands::sync::PullArgs),
    Remote(commands::remote::RemoteArgs),
    Config(commands::config::ConfigArgs),
    Diff(commands::diff::DiffArgs),
    Data(commands::data::DataArgs),
    Show(commands::show::ShowArgs),
    Gc(commands::gc::GcArgs),
    Fsck(commands::fsck::FsckArgs),
    Dag(commands::dag::DagArgs),
    Repro(commands::repro::ReproArgs),
    Stage(commands::stage::StageArgs),
    Remove(commands::remove::RemoveArgs),
    Root(commands::root::RootArgs),
    #[command(visible_alias = "ls")]
    List(commands::list::ListArgs),
    Freeze(commands::freeze::FreezeArgs),
    /// Unfreeze stages, as `dvc unfreeze` does
    Unfreeze(commands::freeze::FreezeArgs),
    Runs(commands::runs::RunsArgs),
    Ui(commands::ui::UiArgs),
    Exp(commands::exp::ExpArgs),
    Metrics(commands::metrics::MetricsArgs),
    Params(commands::params::ParamsArgs),
    Queue(commands::queue::QueueArgs),
    Plots(commands::plots::PlotsArgs),
    Models(commands::models::ModelsArgs),
    Report(commands::report::ReportArgs),
    #[command(hide = true)]
    Worker(commands::worker::WorkerArgs),
}

fn main() -> ExitCode {
    cairn_api::workspace::prepare_process();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(a) => commands::init::run(a),
        Command::Add(a) => commands::add::run(a),
        Command::Commit(a) => commands::commit::run(a),
        Command::Status(a) => commands::status::run(a),
        Command::Checkout(a) => commands::checkout::run(a),
        Command::CheckIgnore(a) => commands::check_ignore::run(a),
        Command::Move(a) => commands::move_data::run(a),
        Command::Unprotect(a) => commands::unprotect::run(a),
        Command::Push(a) => commands::sync::push(a),
        Command::Fetch(a) => commands::sync::fetch(a),
        Command::Pull(a) => commands::sync::pull(a),
        Command::Remote(a) => commands::remote::run(a),
        Command::Config(a) => commands::config::run(a),
        Command::Diff(a) => commands::diff::run(a),
        Command::Data(a) => commands::data::run(a),
        Command::Show(a) => commands::show::run(a),
        Command::Gc(a) => commands::gc::run(a),
        Command::Fsck(a) => commands::fsck::run(a),
        Command::Dag(a) => commands::dag::run(a),
        Command::Repro(a) => commands::repro::run(a),
        Command::Stage(a) => commands::stage::run(a),
        Command::Remove(a) => commands::remove::run(a),
        Command::Root(a) => commands::root::run(a),
        Command::List(a) => commands::list::run(a),
        Command::Freeze(a) => commands::freeze::freeze(a),
        Command::Unfreeze(a) => commands::freeze::unfreeze(a),
        Command::Runs(a) => commands::runs::run(a),
        Command::Ui(a) => commands::ui::run(a),
        Command::Worker(a) => commands::worker::run(a),
        Command::Exp(a) => commands::exp::run(a),
        Command::Metrics(a) => commands::metrics::run(a),
        Command::Params(a) => commands::params::run(a),
        Command::Queue(a) => commands::queue::run(a),
        Command::Plots(a) => commands::plots::run(a),
        Command::Models(a) => commands::models::run(a),
        Command::Report(a) => commands::report::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            output::error(&e);
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Clap checks a command tree only when it is parsed; check every subcommand here.
    #[test]
    fn every_command_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
