//! Long work the app waits on (hashing data, checking it out, cloning, looking for
//! repositories) reported as [`ApiEvent::Progress`] while the command runs, so every
//! frontend can show live progress — and cancel what can be cancelled — without polling.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cairn_core::{Progress, ProgressEvent};

use crate::dto::TaskArgs;
use crate::error::{ApiError, ApiResult};
use crate::{Api, ApiEvent};

/// Updates closer together than this are folded into the next one: a 10,000-file add
/// should cost the frontend a few dozen events, not 10,000.
const MIN_INTERVAL: Duration = Duration::from_millis(100);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One piece of long work. Sends a first event when started, throttled updates, and a
/// `finished` event when dropped, however the work ended.
pub(crate) struct Task {
    api: Api,
    id: String,
    project: String,
    title: String,
    cancel: Option<Arc<AtomicBool>>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    phase: String,
    done: u64,
    total: Option<u64>,
    bytes: u64,
    total_bytes: Option<u64>,
    last_sent: Option<Instant>,
}

impl Task {
    /// Starts a task about `project` (a root path, or a folder) titled for people, e.g.
    /// "Tracking data". A cancellable task can be stopped with `cancel_task`.
    pub(crate) fn start(api: &Api, project: &str, title: &str, cancellable: bool) -> Task {
        let id = format!("task-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
        let cancel = cancellable.then(|| {
            let flag = Arc::new(AtomicBool::new(false));
            api.tasks().insert(id.clone(), flag.clone());
            flag
        });
        let task = Task {
            api: api.clone(),
            id,
            project: project.to_string(),
            title: title.to_string(),
            cancel,
            state: Mutex::new(State::default()),
        };
        task.send(&mut task.lock(), false);
        task
    }

    /// Set by `cancel_task`; work checks it between steps.
    pub(crate) fn cancel_flag(&self) -> &AtomicBool {
        static NEVER: AtomicBool = AtomicBool::new(false);
        self.cancel.as_deref().unwrap_or(&NEVER)
    }

    /// Reports `done` of `total` units in `phase`, entering the phase if it is new.
    pub(crate) fn report(&self, phase: &str, done: u64, total: Option<u64>) {
        let mut s = self.lock();
        let new_phase = s.phase != phase;
        if new_phase {
            s.phase = phase.to_string();
            s.bytes = 0;
            s.total_bytes = None;
        }
        s.done = done;
        s.total = total;
        if new_phase {
            self.send(&mut s, false);
        } else {
            self.send_throttled(&mut s);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send_throttled(&self, s: &mut State) {
        if s.last_sent.is_none_or(|t| t.elapsed() >= MIN_INTERVAL) {
            self.send(s, false);
        }
    }

    fn send(&self, s: &mut State, finished: bool) {
        s.last_sent = Some(Instant::now());
        self.api.emit(ApiEvent::Progress {
            project: self.project.clone(),
            task: self.id.clone(),
            title: self.title.clone(),
            phase: s.phase.clone(),
            done: s.done,
            total: s.total,
            bytes: s.bytes,
            total_bytes: s.total_bytes,
            cancellable: self.cancel.is_some(),
            finished,
        });
    }
}

impl Progress for Task {
    fn event(&self, event: ProgressEvent) {
        let mut s = self.lock();
        match event {
            ProgressEvent::Start {
                phase,
                total_files,
                total_bytes,
            } => {
                s.phase = phase.to_string();
                s.done = 0;
                s.bytes = 0;
                s.total = total_files;
                s.total_bytes = total_bytes;
                self.send(&mut s, false);
            }
            ProgressEvent::Advance { files, bytes } => {
                s.done += files;
                s.bytes += bytes;
                self.send_throttled(&mut s);
            }
            ProgressEvent::Finish => self.send(&mut s, false),
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        if self.cancel.is_some() {
            self.api.tasks().remove(&self.id);
        }
        let mut s = self.lock();
        self.send(&mut s, true);
    }
}

impl Api {
    /// `cancel_task`: asks a cancellable task (a clone) to stop; it ends with a
    /// "cancelled" error and leaves nothing half-done.
    pub fn cancel_task(&self, args: TaskArgs) -> ApiResult<()> {
        match self.tasks().get(&args.task) {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                Ok(())
            }
            None => Err(ApiError::not_found(format!(
                "{} is not running (it may have just finished)",
                args.task
            ))),
        }
    }
}
