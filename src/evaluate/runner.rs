//! The one evaluation, over any model: for every seed the range test and the constant-LR
//! grid as long as the longest budget, refined around each budget's best; the range-test
//! lengths compared on the first seed; every rule scored per budget; the recipes trained.
//! What it needs of a model and its data is a [`Trainer`]: the built-in MLP on tables
//! ([`crate::pipeline::evaluate`]) and a model of your own ([`super::evaluate_models`]) are
//! its two clients.

use super::trainer::{Protocol, Trainer, setting};
use super::{ArmScore, ModelEvaluation, arms, grid_best, loss_after, score_budget};
use crate::analysis::conclusion::lr_text;
use crate::analysis::evaluation::{grid_summary, refine_lrs};
use crate::error::{Error, Result};
use crate::run::Run;

/// Runs the evaluation; `on_progress(done, total)` after each range test and training.
pub(crate) fn evaluate_with(
    trainer: &mut dyn Trainer,
    p: &Protocol,
    on_progress: &mut dyn FnMut(usize, usize),
) -> Result<ModelEvaluation> {
    let plan = p.plan;
    plan.validate()?;
    crate::compare::check_targets("targets", &plan.targets, !p.higher_is_better)?;
    let max_epochs = *plan.epochs_list.last().expect("validated");
    let per_seed_arms = arms::trainings(&plan.arms, plan.epochs_list.len());
    let mut progress = Progress {
        done: 0,
        total: plan.seeds * (plan.lrs.len() + 1 + per_seed_arms) + plan.iters_list.len(),
        report: on_progress,
    };
    let grid_runs =
        |trainer: &mut dyn Trainer, seed: usize, lrs: &[f64], progress: &mut Progress| {
            lrs.iter()
                .map(|&lr| {
                    let run = trainer.train(
                        seed,
                        &setting(&lr_text(lr), p.optimizer, lr, "constant", max_epochs),
                    );
                    progress.tick(1);
                    run
                })
                .collect::<Result<Vec<Run>>>()
        };
    let mut range_tests = Vec::with_capacity(plan.seeds);
    let mut runs: Vec<Vec<Run>> = Vec::with_capacity(plan.seeds);
    for seed in 0..plan.seeds {
        range_tests.push(trainer.range_test(seed, p.optimizer, None)?);
        progress.tick(1);
        runs.push(grid_runs(trainer, seed, &plan.lrs, &mut progress)?);
    }
    // Refine around each budget's best on the coarse grid, on every seed.
    let mut extra: Vec<f64> = Vec::new();
    for &e in &plan.epochs_list {
        if let Some(g) = grid_summary(&plan.lrs, &losses_after(&runs, e)) {
            for lr in refine_lrs(&plan.lrs, g.lrs[g.best], plan.refine_per_decade) {
                if !extra.iter().any(|&x| (x / lr - 1.0).abs() < 1e-9) {
                    extra.push(lr);
                }
            }
        }
    }
    extra.sort_by(f64::total_cmp);
    progress.total += plan.seeds * extra.len();
    for (seed, seed_runs) in runs.iter_mut().enumerate() {
        seed_runs.extend(grid_runs(trainer, seed, &extra, &mut progress)?);
        seed_runs.sort_by(|a, b| a.setting.lr.total_cmp(&b.setting.lr));
    }
    let mut lrs = plan.lrs.clone();
    lrs.extend(&extra);
    lrs.sort_by(f64::total_cmp);
    let steps_per_epoch = runs[0][0].steps_per_epoch;
    // Sensitivity to the number of iterations, on the first seed.
    let mut by_iters = Vec::with_capacity(plan.iters_list.len());
    for &iters in &plan.iters_list {
        by_iters.push(trainer.range_test(0, p.optimizer, Some(iters))?);
        progress.tick(1);
    }
    let mut budgets = Vec::with_capacity(plan.epochs_list.len());
    for &epochs in &plan.epochs_list {
        let losses = losses_after(&runs, epochs);
        let grid = grid_summary(&lrs, &losses).ok_or_else(|| {
            Error::option(
                "lrs",
                format!(
                    "every grid LR diverged within {epochs} epoch(s) on some seed: lower the range"
                ),
            )
        })?;
        budgets.push(score_budget(
            p.method,
            epochs,
            epochs * steps_per_epoch,
            losses,
            grid,
            &range_tests,
            &by_iters,
        ));
    }
    if !plan.arms.is_empty() {
        let mut per_seed = Vec::with_capacity(plan.seeds);
        for (seed, test) in range_tests.iter().enumerate() {
            per_seed.push(arms::run_arms(
                trainer,
                seed,
                test,
                p,
                steps_per_epoch,
                &mut |n| progress.tick(n),
            )?);
        }
        for (b, budget) in budgets.iter_mut().enumerate() {
            budget.arms = plan
                .arms
                .iter()
                .enumerate()
                .map(|(a, &arm)| ArmScore {
                    arm,
                    seeds: per_seed.iter().map(|s| s[b][a].clone()).collect(),
                })
                .collect();
            let best = budget.grid.lrs[budget.grid.best];
            let at_best: Vec<&Run> = runs
                .iter()
                .filter_map(|s| s.iter().find(|r| (r.setting.lr / best - 1.0).abs() < 1e-9))
                .collect();
            budget.grid_best = Some(grid_best(
                &at_best,
                best,
                budget.epochs,
                &plan.targets,
                p.higher_is_better,
                lrs.len() * budget.steps,
            ));
        }
    }
    progress.finish();
    Ok(ModelEvaluation {
        plan: plan.clone(),
        method: p.method,
        higher_is_better: p.higher_is_better,
        lrs,
        steps_per_epoch,
        range_tests,
        budgets,
    })
}

/// Counts the range tests and trainings done.
struct Progress<'a> {
    done: usize,
    total: usize,
    report: &'a mut dyn FnMut(usize, usize),
}

impl Progress<'_> {
    fn tick(&mut self, n: usize) {
        self.done += n;
        (self.report)(self.done, self.total);
    }

    fn finish(&self) {
        debug_assert_eq!(self.done, self.total, "every training counted once");
    }
}

/// `[seed][lr]` validation losses after `epochs`.
fn losses_after(runs: &[Vec<Run>], epochs: usize) -> Vec<Vec<f64>> {
    runs.iter()
        .map(|seed| seed.iter().map(|run| loss_after(run, epochs)).collect())
        .collect()
}
