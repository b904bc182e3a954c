//! Training logs that other frameworks wrote, read into one shape for `compare --logs`.
//!
//! A reader (one per format, behind the `tables` feature) turns a log into named
//! [`Metric`]s, each a list of points that belong to an epoch (and, for per-step metrics, to a
//! step). [`TrainingLog::from_metrics`] then matches metric names to the five [`Role`]s
//! `compare` reads (training loss, validation loss, training and validation accuracy, LR) with
//! [`role_of`], and makes one [`LogEpoch`] per epoch:
//! - a metric with one point per epoch gives that value;
//! - a per-step metric gives the mean of the epoch's points, weighted by their batch counts
//!   where the log has them (Burn), or the epoch's last value for the LR;
//! - when several metrics match a role (Lightning's `train_loss_epoch` and
//!   `train_loss_step`), the per-epoch one gives the epoch values and the per-step one the
//!   step curve (for the LR, the per-step one gives both: its value at the epoch's end).
//!
//! Nothing is invented: a role the log lacks stays empty.

#[cfg(feature = "tables")]
mod burn;
#[cfg(feature = "tables")]
mod csv;
#[cfg(feature = "tables")]
mod detect;
#[cfg(feature = "tables")]
mod huggingface;
mod roles;
#[cfg(feature = "tables")]
mod tfevents;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[cfg(feature = "tables")]
pub use detect::read;
pub use roles::{Role, role_of};

/// The formats `compare --logs` reads, each detected from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Keras' `CSVLogger` (one row per epoch, epochs counted from 0).
    KerasCsv,
    /// Lightning's `CSVLogger` `metrics.csv` (sparse rows, per step and per epoch).
    LightningCsv,
    /// Hugging Face `Trainer`'s `trainer_state.json` (`log_history`).
    HuggingFace,
    /// A Burn `Learner` artifact folder (`train/epoch-N/*.log`, `valid/epoch-N/*.log`).
    Burn,
    /// TensorBoard event files (`events.out.tfevents.*`), scalars only.
    TensorBoard,
    /// A CSV with an `epoch` column and metric columns.
    PlainCsv,
}

impl LogFormat {
    /// The format in words, as the outputs name it.
    pub fn text(self) -> &'static str {
        match self {
            LogFormat::KerasCsv => "Keras CSVLogger",
            LogFormat::LightningCsv => "Lightning CSVLogger",
            LogFormat::HuggingFace => "Hugging Face trainer_state.json",
            LogFormat::Burn => "Burn Learner artifacts",
            LogFormat::TensorBoard => "TensorBoard events",
            LogFormat::PlainCsv => "CSV",
        }
    }
}

/// One logged value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The 1-based epoch it belongs to.
    pub epoch: usize,
    /// The global step, when the log gives one.
    pub step: Option<u64>,
    /// The value.
    pub value: f64,
    /// Its weight in the epoch's mean (a batch's row count, or 1).
    pub weight: f64,
    /// Wall-clock time in seconds (any origin), when the log gives one.
    pub wall: Option<f64>,
}

/// A metric as the log names it, with its points in the log's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The log's name, e.g. `val_loss` or `validation/epoch_loss`.
    pub name: String,
    /// Its points.
    pub points: Vec<Point>,
}

impl Metric {
    /// Whether some epoch holds more than one point.
    pub fn per_step(&self) -> bool {
        self.points.windows(2).any(|w| w[0].epoch == w[1].epoch)
    }
}

/// Appends `points` to the metric `name` (made if new); nothing when there are none.
#[cfg(feature = "tables")]
pub(crate) fn push_points(metrics: &mut Vec<Metric>, name: &str, points: Vec<Point>) {
    if points.is_empty() {
        return;
    }
    match metrics.iter_mut().find(|m| m.name == name) {
        Some(m) => m.points.extend(points),
        None => metrics.push(Metric {
            name: name.to_string(),
            points,
        }),
    }
}

/// What a reader found in a log.
#[derive(Debug, Clone, PartialEq)]
pub struct RawLog {
    /// The format.
    pub format: LogFormat,
    /// The metrics.
    pub metrics: Vec<Metric>,
    /// The training's wall time in seconds, when the log states it (Hugging Face's
    /// `train_runtime`); otherwise it comes from the points' wall times.
    pub seconds: Option<f64>,
    /// What the reader chose, e.g. which of several `version_N` folders it read.
    pub note: Option<String>,
}

/// The log metric read for a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matched {
    /// The role.
    pub role: Role,
    /// The metric giving the per-epoch values.
    pub metric: String,
    /// The per-step metric giving the step curve (training loss and LR only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_metric: Option<String>,
}

/// One epoch of a log; a value the log does not have is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEpoch {
    /// 1-based epoch.
    pub epoch: usize,
    /// Training loss.
    pub loss: Option<f64>,
    /// Validation loss.
    pub val_loss: Option<f64>,
    /// Training accuracy in [0, 1].
    pub accuracy: Option<f64>,
    /// Validation accuracy in [0, 1].
    pub val_accuracy: Option<f64>,
    /// LR at the epoch's end.
    pub lr: Option<f64>,
    /// Seconds from the log's first record to the epoch's last.
    pub seconds: Option<f64>,
}

impl LogEpoch {
    /// The value of `role`.
    pub fn get(&self, role: Role) -> Option<f64> {
        match role {
            Role::Loss => self.loss,
            Role::ValLoss => self.val_loss,
            Role::Accuracy => self.accuracy,
            Role::ValAccuracy => self.val_accuracy,
            Role::Lr => self.lr,
        }
    }

    fn set(&mut self, role: Role, v: f64) {
        let slot = match role {
            Role::Loss => &mut self.loss,
            Role::ValLoss => &mut self.val_loss,
            Role::Accuracy => &mut self.accuracy,
            Role::ValAccuracy => &mut self.val_accuracy,
            Role::Lr => &mut self.lr,
        };
        *slot = Some(v);
    }
}

/// A training log, per epoch, ready to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingLog {
    /// The name given on the command line.
    pub name: String,
    /// The file or folder given.
    pub path: String,
    /// The format detected.
    pub format: LogFormat,
    /// What the reader chose, when there was a choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Which log metric filled each role.
    pub matched: Vec<Matched>,
    /// Log metrics no role took.
    pub unmatched: Vec<String>,
    /// Per-epoch values.
    pub epochs: Vec<LogEpoch>,
    /// Training loss per logged step, `(epoch position, loss)`: step `i` of `k` in epoch `e`
    /// sits at `e - 1 + i / k`.
    pub step_losses: Vec<(f64, f64)>,
    /// LR per logged step, positioned the same way.
    pub step_lrs: Vec<(f64, f64)>,
    /// Wall time of the training in seconds, when the log has it.
    pub seconds: Option<f64>,
}

impl TrainingLog {
    /// Whether any epoch has a value for `role`.
    pub fn has(&self, role: Role) -> bool {
        self.epochs.iter().any(|e| e.get(role).is_some())
    }

    /// The `(epoch, value)` pairs of `role`.
    pub fn series(&self, role: Role) -> Vec<(usize, f64)> {
        self.epochs
            .iter()
            .filter_map(|e| Some((e.epoch, e.get(role)?)))
            .collect()
    }

    /// Matches the metrics of `raw` to roles and builds the per-epoch values. `overrides`
    /// (`--metric ROLE=NAME`) name a role's metric exactly; a name this log does not have is
    /// ignored here (the caller checks that some log has it).
    pub fn from_metrics(
        name: &str,
        path: &str,
        raw: RawLog,
        overrides: &[(Role, String)],
    ) -> Result<TrainingLog> {
        let mut matched = Vec::new();
        let mut used = vec![false; raw.metrics.len()];
        for role in Role::ALL {
            let forced = overrides
                .iter()
                .find(|(r, n)| *r == role && raw.metrics.iter().any(|m| &m.name == n));
            let candidates: Vec<usize> = match forced {
                Some((_, n)) => raw
                    .metrics
                    .iter()
                    .position(|m| &m.name == n)
                    .into_iter()
                    .collect(),
                None => (0..raw.metrics.len())
                    .filter(|&i| {
                        role_of(&raw.metrics[i].name) == Some(role)
                            && !overrides.iter().any(|(_, n)| *n == raw.metrics[i].name)
                    })
                    .collect(),
            };
            // The per-epoch values come from the metric with the fewest points per epoch,
            // the step curve from a per-step one.
            let per_epoch = |i: &usize| {
                let m = &raw.metrics[*i];
                let epochs = m.points.iter().map(|p| p.epoch).collect::<Vec<_>>();
                let distinct = epochs.windows(2).filter(|w| w[0] != w[1]).count() + 1;
                m.points.len() as f64 / distinct as f64
            };
            let step_src = candidates
                .iter()
                .copied()
                .filter(|&i| raw.metrics[i].per_step())
                .max_by_key(|&i| raw.metrics[i].points.len())
                .filter(|_| matches!(role, Role::Loss | Role::Lr));
            // The LR at an epoch's end is its last step's, not an epoch average.
            let Some(epoch_src) = step_src.filter(|_| role == Role::Lr).or_else(|| {
                candidates
                    .iter()
                    .copied()
                    .min_by(|a, b| per_epoch(a).total_cmp(&per_epoch(b)))
            }) else {
                continue;
            };
            for &i in &candidates {
                used[i] = true;
            }
            matched.push((role, epoch_src, step_src));
        }
        let unmatched: Vec<String> = raw
            .metrics
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(m, _)| m.name.clone())
            .collect();
        if matched.is_empty() {
            let names: Vec<&str> = raw.metrics.iter().map(|m| m.name.as_str()).collect();
            return Err(Error::option(
                "--logs",
                format!(
                    "{name}={path}: no metric is a loss, accuracy or LR (metrics: {}); name one with --metric ROLE=NAME",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            ));
        }

        let origin = raw
            .metrics
            .iter()
            .flat_map(|m| m.points.iter().filter_map(|p| p.wall))
            .fold(f64::INFINITY, f64::min);
        let mut epochs: Vec<LogEpoch> = Vec::new();
        let slot = |epochs: &mut Vec<LogEpoch>, e: usize| -> usize {
            match epochs.binary_search_by_key(&e, |r| r.epoch) {
                Ok(i) => i,
                Err(i) => {
                    epochs.insert(
                        i,
                        LogEpoch {
                            epoch: e,
                            loss: None,
                            val_loss: None,
                            accuracy: None,
                            val_accuracy: None,
                            lr: None,
                            seconds: None,
                        },
                    );
                    i
                }
            }
        };
        let mut step_losses = Vec::new();
        let mut step_lrs = Vec::new();
        for &(role, src, step_src) in &matched {
            let metric = &raw.metrics[src];
            for (epoch, points) in by_epoch(&metric.points) {
                let value = if role == Role::Lr {
                    points[points.len() - 1].value
                } else {
                    let w: f64 = points.iter().map(|p| p.weight).sum();
                    points.iter().map(|p| p.value * p.weight).sum::<f64>()
                        / w.max(f64::MIN_POSITIVE)
                };
                let i = slot(&mut epochs, epoch);
                epochs[i].set(role, value);
            }
            if let Some(s) = step_src {
                let curve = step_positions(&raw.metrics[s].points);
                match role {
                    Role::Loss => step_losses = curve,
                    _ => step_lrs = curve,
                }
            }
        }
        if origin.is_finite() {
            for &(_, src, _) in &matched {
                for (epoch, points) in by_epoch(&raw.metrics[src].points) {
                    let last = points
                        .iter()
                        .filter_map(|p| p.wall)
                        .fold(f64::NAN, f64::max);
                    if let (Ok(i), true) = (
                        epochs.binary_search_by_key(&epoch, |r| r.epoch),
                        last.is_finite(),
                    ) {
                        let s = &mut epochs[i].seconds;
                        *s = Some(s.unwrap_or(0.0).max(last - origin));
                    }
                }
            }
        }
        let seconds = raw
            .seconds
            .or_else(|| epochs.iter().filter_map(|e| e.seconds).reduce(f64::max));
        Ok(TrainingLog {
            name: name.to_string(),
            path: path.to_string(),
            format: raw.format,
            note: raw.note,
            matched: matched
                .iter()
                .map(|&(role, src, step)| Matched {
                    role,
                    metric: raw.metrics[src].name.clone(),
                    step_metric: step
                        .filter(|&s| s != src)
                        .map(|s| raw.metrics[s].name.clone()),
                })
                .collect(),
            unmatched,
            epochs,
            step_losses,
            step_lrs,
            seconds,
        })
    }
}

/// Consecutive runs of points with the same epoch.
fn by_epoch(points: &[Point]) -> Vec<(usize, &[Point])> {
    let mut out: Vec<(usize, &[Point])> = Vec::new();
    let mut start = 0;
    for i in 1..=points.len() {
        if i == points.len() || points[i].epoch != points[start].epoch {
            out.push((points[start].epoch, &points[start..i]));
            start = i;
        }
    }
    out
}

/// Per-step points placed at fractional epochs: the `i`-th of `k` points of epoch `e` at
/// `e - 1 + i / k`.
fn step_positions(points: &[Point]) -> Vec<(f64, f64)> {
    by_epoch(points)
        .into_iter()
        .flat_map(|(e, pts)| {
            let k = pts.len() as f64;
            pts.iter()
                .enumerate()
                .map(move |(i, p)| (e as f64 - 1.0 + (i + 1) as f64 / k, p.value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(name: &str, pts: &[(usize, f64)]) -> Metric {
        Metric {
            name: name.into(),
            points: pts
                .iter()
                .map(|&(epoch, value)| Point {
                    epoch,
                    step: None,
                    value,
                    weight: 1.0,
                    wall: None,
                })
                .collect(),
        }
    }

    fn raw(metrics: Vec<Metric>) -> RawLog {
        RawLog {
            format: LogFormat::PlainCsv,
            metrics,
            seconds: None,
            note: None,
        }
    }

    #[test]
    fn epoch_metrics_win_and_step_metrics_give_the_curve() {
        let log = TrainingLog::from_metrics(
            "a",
            "a.csv",
            raw(vec![
                metric("train_loss_step", &[(1, 2.0), (1, 1.0), (2, 0.8), (2, 0.6)]),
                metric("train_loss_epoch", &[(1, 1.4), (2, 0.7)]),
                metric("val_acc", &[(1, 0.5), (2, 0.75)]),
                metric("lr-Adam", &[(1, 0.1), (1, 0.2), (2, 0.3), (2, 0.4)]),
                metric("grad_norm", &[(1, 3.0)]),
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(log.series(Role::Loss), [(1, 1.4), (2, 0.7)]);
        assert_eq!(log.series(Role::ValAccuracy), [(1, 0.5), (2, 0.75)]);
        // The LR of an epoch is its last step's.
        assert_eq!(log.series(Role::Lr), [(1, 0.2), (2, 0.4)]);
        assert_eq!(
            log.step_losses,
            [(0.5, 2.0), (1.0, 1.0), (1.5, 0.8), (2.0, 0.6)]
        );
        assert_eq!(log.unmatched, ["grad_norm"]);
        let loss = &log.matched[0];
        assert_eq!(
            (loss.metric.as_str(), loss.step_metric.as_deref()),
            ("train_loss_epoch", Some("train_loss_step"))
        );
        assert!(!log.has(Role::ValLoss));
    }

    #[test]
    fn weighted_means_and_overrides() {
        let mut m = metric("train/Loss", &[(1, 1.0), (1, 4.0)]);
        m.points[1].weight = 2.0;
        let log = TrainingLog::from_metrics(
            "b",
            "b",
            raw(vec![m, metric("my_score", &[(1, 0.9)])]),
            &[(Role::ValAccuracy, "my_score".into())],
        )
        .unwrap();
        assert_eq!(log.series(Role::Loss), [(1, 3.0)]);
        assert_eq!(log.series(Role::ValAccuracy), [(1, 0.9)]);
    }

    #[test]
    fn a_log_without_known_metrics_is_refused_by_name() {
        let e = TrainingLog::from_metrics("c", "c.csv", raw(vec![metric("f1", &[(1, 0.5)])]), &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "--logs: c=c.csv: no metric is a loss, accuracy or LR (metrics: f1); name one with --metric ROLE=NAME"
        );
    }
}
