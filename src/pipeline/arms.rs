//! The recipes of `evaluate --arms` trained on the built-in MLP: each seed's data, initial
//! weights and batch order as the grid had them ([`crate::evaluate::Arm`] says what each
//! recipe is).

use crate::analysis::suggest_all;
use crate::config::{OptimizerConfig, OptimizerKind, SuggestConfig};
use crate::data::{self, Table};
use crate::error::Result;
use crate::evaluate::{Arm, ArmOutcome};
use crate::finder::{Hooks, RangeTestResult};
use crate::model::{Head, Mlp};
use crate::optim::SCHEDULE_FREE_LR;
use crate::pipeline::{self, RunContext, train_run};
use crate::run::{Resolved, Run};
use crate::schedule;

/// Everything one seed needs to train a setting as the grid did.
struct Setup {
    data: data::Prepared,
    head: Head,
    valid: data::Batcher,
    device: burn::tensor::Device,
    initial: Mlp,
}

fn setup(config: &SuggestConfig, table: &Table) -> Result<Setup> {
    let data = data::prepare(table.clone(), &config.data, config.seed)?;
    let head = Head::for_task(&data.table.task, config.model.binary_head);
    let device = pipeline::device(config.backend);
    device.seed(config.seed);
    let initial = Mlp::for_table(&data.table, &config.model, head, &device)?;
    let valid = pipeline::eval_set(&data, data.valid(), head, config.backend);
    Ok(Setup {
        data,
        head,
        valid,
        device,
        initial,
    })
}

impl Setup {
    fn train(&self, config: &SuggestConfig, setting: &Resolved) -> Run {
        let ctx = RunContext {
            data: &self.data,
            head: self.head,
            valid: &self.valid,
            device: &self.device,
            seed: config.seed,
            targets: &[],
            stop: None,
        };
        train_run(&ctx, &self.initial, setting, |_, _| {}, |_, _| {}).0
    }
}

fn setting(
    name: &str,
    optimizer: OptimizerConfig,
    lr: f64,
    chain: &str,
    epochs: usize,
    batch: usize,
) -> Resolved {
    Resolved {
        name: name.into(),
        optimizer,
        lr,
        schedule: schedule::parse(chain).expect("a valid built-in chain"),
        schedule_text: chain.into(),
        epochs,
        batch_size: batch,
    }
}

/// `[budget][arm]` outcomes of one seed. `range_test` is the seed's range test (with the
/// configured optimizer); `epochs_list` the budgets, `steps_per_epoch` the grid's.
pub(crate) fn run_arms(
    config: &SuggestConfig,
    table: &Table,
    range_test: &RangeTestResult,
    arms: &[Arm],
    epochs_list: &[usize],
    steps_per_epoch: usize,
    targets: &[f64],
) -> Result<Vec<Vec<ArmOutcome>>> {
    let s = setup(config, table)?;
    let higher = s.head != Head::Regression;
    let batch = config.data.batch_size;
    let max_epochs = *epochs_list.last().expect("validated");
    let suggestion = |r: &RangeTestResult, steps: usize| {
        suggest_all(
            &r.suggested_rule_curve().planned(Some(steps)),
            config.range_test.method,
        )
        .chosen()
        .lr
    };
    // The learning-rate-free optimizers at their defaults (no weight decay, no clipping).
    let defaults = |optimizer: OptimizerKind| OptimizerConfig {
        optimizer,
        weight_decay: None,
        momentum: None,
        clip_norm: None,
    };
    // Schedule-Free's own range test, when an arm needs it.
    let sf_optimizer = defaults(OptimizerKind::ScheduleFreeAdamw);
    let sf_test = if arms.contains(&Arm::ScheduleFreeSuggested) {
        let mut c = config.clone();
        c.optimizer = sf_optimizer.clone();
        Some(pipeline::suggest(&c, &s.data, Hooks::default())?.result)
    } else {
        None
    };
    // The learning-rate-free arms run once, to the longest budget.
    let free_run = |kind: OptimizerKind, lr: f64| {
        s.train(
            config,
            &setting(
                kind.name(),
                defaults(kind),
                lr,
                "constant",
                max_epochs,
                batch,
            ),
        )
    };
    let prodigy = arms
        .contains(&Arm::Prodigy)
        .then(|| free_run(OptimizerKind::Prodigy, 1.0));
    let sf = arms
        .contains(&Arm::ScheduleFreeAdamw)
        .then(|| free_run(OptimizerKind::ScheduleFreeAdamw, SCHEDULE_FREE_LR));
    let rt_cost = range_test.iterations();
    let mut out = Vec::with_capacity(epochs_list.len());
    for &epochs in epochs_list {
        let steps = epochs * steps_per_epoch;
        let mut row = Vec::with_capacity(arms.len());
        for &arm in arms {
            let outcome = match arm {
                Arm::Constant | Arm::Onecycle => match suggestion(range_test, steps) {
                    None => ArmOutcome::refused(rt_cost, targets.len()),
                    Some(lr) => {
                        let chain = if arm == Arm::Constant {
                            "constant"
                        } else {
                            "onecycle"
                        };
                        let run = s.train(
                            config,
                            &setting(
                                arm.name(),
                                config.optimizer.clone(),
                                lr,
                                chain,
                                epochs,
                                batch,
                            ),
                        );
                        ArmOutcome::of(&run, lr, epochs, targets, higher, rt_cost + steps)
                    }
                },
                Arm::Prodigy | Arm::ScheduleFreeAdamw => {
                    let (run, lr) = match arm {
                        Arm::Prodigy => (prodigy.as_ref().expect("ran"), 1.0),
                        _ => (sf.as_ref().expect("ran"), SCHEDULE_FREE_LR),
                    };
                    ArmOutcome::of(run, lr, epochs, targets, higher, steps)
                }
                Arm::ScheduleFreeSuggested => {
                    let test = sf_test.as_ref().expect("ran");
                    let cost = test.iterations();
                    match suggestion(test, steps) {
                        None => ArmOutcome::refused(cost, targets.len()),
                        Some(lr) => {
                            let run = s.train(
                                config,
                                &setting(
                                    arm.name(),
                                    sf_optimizer.clone(),
                                    lr,
                                    "constant",
                                    epochs,
                                    batch,
                                ),
                            );
                            ArmOutcome::of(&run, lr, epochs, targets, higher, cost + steps)
                        }
                    }
                }
            };
            row.push(outcome);
        }
        out.push(row);
    }
    Ok(out)
}
