//! Progress of long stages: a bar on a terminal, plain log lines otherwise.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

/// A progress counter for `total` steps of one stage.
pub struct Progress {
    bar: Option<ProgressBar>,
    visible: bool,
    label: String,
    total: u64,
    done: AtomicU64,
}

impl Progress {
    /// A counter; draws a bar only when stderr is a terminal and `visible` is set.
    pub fn new(label: &str, total: u64, visible: bool) -> Progress {
        let bar = (visible && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {per_sec} {eta}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(label.to_string());
            bar
        });
        Progress {
            bar,
            visible,
            label: label.to_string(),
            total,
            done: AtomicU64::new(0),
        }
    }

    /// One step done; when visible but not on a terminal, logs at every tenth of the way.
    pub fn step(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.bar {
            Some(bar) => bar.inc(1),
            None if self.visible => {
                let tenth = (self.total / 10).max(1);
                if done.is_multiple_of(tenth) || done == self.total {
                    tracing::info!(stage = %self.label, done, total = self.total, "progress");
                }
            }
            None => {}
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
