//! A progress bar on stderr when it is a terminal; nothing otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;

use cairn_api::workspace::{Progress, ProgressEvent};
use indicatif::{ProgressBar, ProgressStyle};

/// Renders engine progress events with indicatif.
pub struct Bar {
    bar: Mutex<Option<Shown>>,
    enabled: bool,
}

/// The bar on screen, with the file counts its prefix shows.
struct Shown {
    bar: ProgressBar,
    files_done: u64,
    total_files: Option<u64>,
}

impl Bar {
    /// A bar that draws only if stderr is a terminal.
    pub fn new() -> Bar {
        Bar {
            bar: Mutex::new(None),
            enabled: std::io::stderr().is_terminal(),
        }
    }
}

impl Progress for Bar {
    fn event(&self, event: ProgressEvent) {
        if !self.enabled {
            return;
        }
        let mut slot = self.bar.lock().expect("progress mutex");
        match event {
            ProgressEvent::Start {
                phase,
                total_files,
                total_bytes,
            } => {
                let bar = ProgressBar::new(total_bytes.unwrap_or(0));
                bar.set_style(
                    ProgressStyle::with_template("{msg:>10} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {prefix}")
                        .expect("valid template")
                        .progress_chars("=> "),
                );
                bar.set_message(phase);
                if let Some(n) = total_files {
                    bar.set_prefix(format!("0/{n} files"));
                }
                bar.set_length(total_bytes.unwrap_or(0));
                bar.set_position(0);
                *slot = Some(Shown {
                    bar,
                    files_done: 0,
                    total_files,
                });
            }
            ProgressEvent::Advance { files, bytes } => {
                if let Some(shown) = slot.as_mut() {
                    shown.bar.inc(bytes);
                    shown.files_done += files;
                    if let Some(n) = shown.total_files {
                        shown
                            .bar
                            .set_prefix(format!("{}/{n} files", shown.files_done));
                    }
                }
            }
            ProgressEvent::Finish => {
                if let Some(shown) = slot.take() {
                    shown.bar.finish_and_clear();
                }
            }
        }
    }
}
