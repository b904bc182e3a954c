//! Progress on stderr: an indicatif bar when stderr is a terminal, nothing otherwise or
//! with `--quiet`.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::finder::Progress;

/// A bar named `label` for `total` steps, hidden when stderr is not a terminal or `quiet`
/// is set.
pub fn bar(label: &str, total: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {label} [{{bar:30}}] {{pos}}/{{len}} {{msg}} ({{elapsed}}, {{eta}} left)"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// Bar units per configuration of a sweep (so the bar moves, and the time left is estimated,
/// within a configuration).
pub const PER_CONFIGURATION: usize = 1000;

/// A bar over `configs` configurations, its message saying which one and how fast; hidden
/// as [`bar`] is.
pub fn configurations_bar(label: &str, configs: usize, quiet: bool) -> ProgressBar {
    let total = (configs * PER_CONFIGURATION) as u64;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {label} [{{bar:30}}] {{msg}} ({{elapsed}}, {{eta}} left)"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// Steps per second of the configuration in training, measured from the first step it
/// reported (restarted when a new configuration begins); `None` until there are two.
#[derive(Debug, Default)]
pub struct Rate {
    /// Configuration, its first reported step and when.
    current: Option<(usize, usize, Instant)>,
}

impl Rate {
    /// Steps per second so far of configuration `index`, now at `step`.
    pub fn update(&mut self, index: usize, step: usize) -> Option<f64> {
        match self.current {
            Some((i, first, started)) if i == index && step > first => {
                Some((step - first) as f64 / started.elapsed().as_secs_f64().max(1e-9))
            }
            Some((i, ..)) if i == index => None,
            _ => {
                self.current = Some((index, step, Instant::now()));
                None
            }
        }
    }
}

/// Updates the bar after one iteration.
pub fn update(bar: &ProgressBar, p: &Progress) {
    bar.set_position(p.iteration as u64 + 1);
    bar.set_message(format!("lr {:.2e} loss {:.4}", p.lr, p.smoothed));
}
