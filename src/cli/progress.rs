//! Progress on stderr: an indicatif bar when stderr is a terminal, nothing otherwise or
//! with `--quiet`.

use std::io::IsTerminal;

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

/// Updates the bar after one iteration.
pub fn update(bar: &ProgressBar, p: &Progress) {
    bar.set_position(p.iteration as u64 + 1);
    bar.set_message(format!("lr {:.2e} loss {:.4}", p.lr, p.smoothed));
}
