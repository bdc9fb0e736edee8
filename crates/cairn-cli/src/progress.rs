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

/// The bar on screen, with the counts its prefix shows.
struct Shown {
    bar: ProgressBar,
    files_done: u64,
    total_files: Option<u64>,
    /// Whether the bar counts files (no byte total was known).
    by_files: bool,
    bytes_done: u64,
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
                // Counted in bytes when their total is known up front; otherwise (a first
                // walk does not stat) in files, with the bytes as they go by.
                let by_files = total_bytes.is_none() && total_files.is_some();
                let (length, template) = if by_files {
                    (
                        total_files.unwrap_or(0),
                        "{msg:>10} [{bar:30}] {pos}/{len} files {prefix}",
                    )
                } else {
                    (
                        total_bytes.unwrap_or(0),
                        "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {prefix}",
                    )
                };
                let bar = ProgressBar::new(length);
                bar.set_style(
                    ProgressStyle::with_template(template)
                        .expect("valid template")
                        .progress_chars("=> "),
                );
                bar.set_message(phase);
                if let (Some(n), false) = (total_files, by_files) {
                    bar.set_prefix(format!("0/{n} files"));
                }
                *slot = Some(Shown {
                    bar,
                    files_done: 0,
                    total_files,
                    by_files,
                    bytes_done: 0,
                });
            }
            ProgressEvent::Advance { files, bytes } => {
                if let Some(shown) = slot.as_mut() {
                    shown.files_done += files;
                    if shown.by_files {
                        shown.bytes_done += bytes;
                        shown.bar.inc(files);
                        shown
                            .bar
                            .set_prefix(indicatif::HumanBytes(shown.bytes_done).to_string());
                    } else {
                        shown.bar.inc(bytes);
                        if let Some(n) = shown.total_files {
                            shown
                                .bar
                                .set_prefix(format!("{}/{n} files", shown.files_done));
                        }
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
