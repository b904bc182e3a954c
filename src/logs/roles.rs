//! The table that matches a log's metric names to the roles `compare --logs` reads.
//!
//! A name is lower-cased and read in three parts:
//! 1. a split marker at the start: `val_`, `valid_`, `validation_`, `eval_`, `test_` (or the
//!    same with `/`, as TensorBoard folders and Burn's `valid/` give them) makes it a
//!    validation metric; `train_`, `training_` (or `/`) a training one; none is training;
//! 2. Keras' `epoch_` prefix and Lightning's `_epoch` / `_step` suffixes are dropped;
//! 3. what is left: `loss` is a loss; `acc`, `accuracy`, `categorical_accuracy`,
//!    `sparse_categorical_accuracy` and `binary_accuracy` an accuracy; `lr`,
//!    `learning_rate` and Lightning's `lr-<optimizer>` (`lr-Adam`, `lr-SGD/pg1`) the LR.
//!
//! So `loss`, `train_loss_epoch`, `train/epoch_loss` and Burn's `train/Loss` are the
//! training loss; `val_loss`, `eval_loss`, `validation/epoch_loss` and `valid/Loss` the
//! validation loss. Anything else (`grad_norm`, `f1`) is left unmatched and listed;
//! `--metric ROLE=NAME` names a role's metric exactly.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What a metric means to `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Training loss.
    Loss,
    /// Validation loss.
    ValLoss,
    /// Training accuracy.
    Accuracy,
    /// Validation accuracy.
    ValAccuracy,
    /// Learning rate.
    Lr,
}

impl Role {
    /// Every role, in the order tables list them.
    pub const ALL: [Role; 5] = [
        Role::Loss,
        Role::ValLoss,
        Role::Accuracy,
        Role::ValAccuracy,
        Role::Lr,
    ];

    /// The role's name on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Role::Loss => "loss",
            Role::ValLoss => "val_loss",
            Role::Accuracy => "accuracy",
            Role::ValAccuracy => "val_accuracy",
            Role::Lr => "lr",
        }
    }

    /// Words for reports.
    pub fn text(self) -> &'static str {
        match self {
            Role::Loss => "training loss",
            Role::ValLoss => "validation loss",
            Role::Accuracy => "training accuracy",
            Role::ValAccuracy => "validation accuracy",
            Role::Lr => "learning rate",
        }
    }

    /// Parses `--metric ROLE=NAME`.
    pub fn parse_override(text: &str) -> Result<(Role, String)> {
        let (role, name) = text
            .split_once('=')
            .filter(|(_, n)| !n.is_empty())
            .ok_or_else(|| {
                Error::option("--metric", format!("expected ROLE=NAME, got '{text}'"))
            })?;
        let role = Role::ALL
            .into_iter()
            .find(|r| r.name() == role)
            .ok_or_else(|| {
                Error::option(
                    "--metric",
                    format!(
                        "unknown role '{role}'; roles are loss, val_loss, accuracy, val_accuracy, lr"
                    ),
                )
            })?;
        Ok((role, name.to_string()))
    }
}

const VALIDATION: [&str; 5] = ["validation", "valid", "val", "eval", "test"];
const TRAINING: [&str; 2] = ["training", "train"];

fn strip_split<'a>(name: &'a str, splits: &[&str]) -> Option<&'a str> {
    splits.iter().find_map(|s| {
        let rest = name.strip_prefix(s)?;
        rest.strip_prefix('_').or_else(|| rest.strip_prefix('/'))
    })
}

/// The role of a metric name, by the table in the module documentation.
pub fn role_of(name: &str) -> Option<Role> {
    let lower = name.to_ascii_lowercase();
    let (validation, rest) = match strip_split(&lower, &VALIDATION) {
        Some(rest) => (true, rest),
        None => (false, strip_split(&lower, &TRAINING).unwrap_or(&lower)),
    };
    let rest = rest.strip_prefix("epoch_").unwrap_or(rest);
    let rest = rest
        .strip_suffix("_epoch")
        .or_else(|| rest.strip_suffix("_step"))
        .unwrap_or(rest);
    let role = match rest {
        "loss" => Role::Loss,
        "acc"
        | "accuracy"
        | "categorical_accuracy"
        | "sparse_categorical_accuracy"
        | "binary_accuracy" => Role::Accuracy,
        "lr" | "learning_rate" => Role::Lr,
        s if s.starts_with("lr-") => Role::Lr,
        _ => return None,
    };
    match (validation, role) {
        (false, r) => Some(r),
        (true, Role::Loss) => Some(Role::ValLoss),
        (true, Role::Accuracy) => Some(Role::ValAccuracy),
        (true, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_every_format() {
        let cases = [
            // Keras CSVLogger and TensorBoard callback
            ("loss", Some(Role::Loss)),
            ("val_loss", Some(Role::ValLoss)),
            ("accuracy", Some(Role::Accuracy)),
            ("val_sparse_categorical_accuracy", Some(Role::ValAccuracy)),
            ("lr", Some(Role::Lr)),
            ("learning_rate", Some(Role::Lr)),
            ("train/epoch_loss", Some(Role::Loss)),
            ("validation/epoch_accuracy", Some(Role::ValAccuracy)),
            ("train/epoch_learning_rate", Some(Role::Lr)),
            ("validation/evaluation_loss_vs_iterations", None),
            // Lightning
            ("train_loss_step", Some(Role::Loss)),
            ("train_loss_epoch", Some(Role::Loss)),
            ("val_acc", Some(Role::ValAccuracy)),
            ("lr-Adam", Some(Role::Lr)),
            ("lr-SGD/pg1", Some(Role::Lr)),
            ("epoch", None),
            // Hugging Face
            ("eval_loss", Some(Role::ValLoss)),
            ("eval_accuracy", Some(Role::ValAccuracy)),
            ("grad_norm", None),
            ("eval_runtime", None),
            // Burn
            ("train/Loss", Some(Role::Loss)),
            ("valid/Accuracy", Some(Role::ValAccuracy)),
            ("train/Learning_Rate", Some(Role::Lr)),
            ("val_lr", None),
        ];
        for (name, role) in cases {
            assert_eq!(role_of(name), role, "{name}");
        }
    }

    #[test]
    fn overrides_parse_or_name_the_flag() {
        assert_eq!(
            Role::parse_override("val_accuracy=my_acc").unwrap(),
            (Role::ValAccuracy, "my_acc".to_string())
        );
        let e = Role::parse_override("speed=x").unwrap_err().to_string();
        assert!(e.starts_with("--metric: unknown role 'speed'"), "{e}");
        assert!(Role::parse_override("loss=").is_err());
    }
}
