//! `lrfind compare --logs`: read other frameworks' training logs, compare them, write what
//! `compare` writes.

use std::path::Path;

use super::compare::CompareArgs;
use crate::compare;
use crate::error::{Error, Result};
use crate::logs::{self, Role};
use crate::{plot, report};

/// Runs `lrfind compare --logs`: every log is read and checked before the output folder is
/// made.
pub fn run(a: &CompareArgs) -> Result<i32> {
    let overrides = a
        .metrics
        .iter()
        .map(|m| Role::parse_override(m))
        .collect::<Result<Vec<_>>>()?;
    compare::check_targets("--targets", &a.targets, false)?;
    let mut logs = Vec::with_capacity(a.logs.len());
    for spec in &a.logs {
        let (name, path) = spec
            .split_once('=')
            .filter(|(n, p)| !n.is_empty() && !p.is_empty())
            .ok_or_else(|| Error::option("--logs", format!("expected NAME=PATH, got '{spec}'")))?;
        if logs.iter().any(|l: &logs::TrainingLog| l.name == name) {
            return Err(Error::option(
                "--logs",
                format!("the name '{name}' is given twice"),
            ));
        }
        logs.push(logs::read(name, Path::new(path), &overrides)?);
    }
    if let Some((role, name)) = overrides.iter().find(|(role, name)| {
        !logs.iter().any(|l| {
            l.matched
                .iter()
                .any(|m| m.role == *role && m.metric == *name)
        })
    }) {
        return Err(Error::option(
            "--metric",
            format!("no log has a metric named '{name}' (for {})", role.name()),
        ));
    }
    let comparison = compare::compare_logs(logs, &a.targets)?;

    report::prepare_output_dir(&a.common.run.out)?;
    super::compare::write_outputs(
        &a.common.run,
        &report::logs_json(&comparison),
        &report::logs_csv(&comparison),
        &report::logs_md(&comparison, "compare.png"),
        |png, svg| plot::logs(&comparison, Some(png), Some(svg)),
    )
}
