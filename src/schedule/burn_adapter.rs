//! A [`Chain`] as Burn's [`LrScheduler`], so a Burn user can hand an lrfind schedule to
//! Burn's own `Learner` or call it in a hand-written loop. The state is the step count,
//! saved and restored through the scheduler record.
//!
//! Reduce-on-plateau needs the validation loss, which Burn's trait does not carry: a chain's
//! plateau part is ignored here (use [`super::Plateau`] beside it).

use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};

use super::{Chain, Timeline};

/// A schedule chain at a base LR over a timeline, stepping once per optimizer step.
#[derive(Debug, Clone)]
pub struct ChainScheduler {
    chain: Chain,
    base_lr: f64,
    timeline: Timeline,
    step: usize,
}

impl ChainScheduler {
    /// A scheduler that starts at step 0.
    pub fn new(chain: Chain, base_lr: f64, timeline: Timeline) -> Self {
        Self {
            chain,
            base_lr,
            timeline,
            step: 0,
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> usize {
        self.step
    }
}

impl LrScheduler for ChainScheduler {
    fn step(&mut self) -> f64 {
        let lr = self.base_lr * self.chain.factor(self.step, &self.timeline);
        self.step += 1;
        lr
    }

    fn to_record(&self) -> LrSchedulerRecord {
        step_record(self.step)
    }

    fn load_record(&mut self, record: LrSchedulerRecord) {
        if let Some(step) = saved_step(&record) {
            self.step = step;
        }
    }
}

/// The record of a scheduler whose state is its step count.
pub(crate) fn step_record(step: usize) -> LrSchedulerRecord {
    LrSchedulerRecord::new().with_scalar("step", step as u64)
}

/// The step count a [`step_record`] saved.
pub(crate) fn saved_step(record: &LrSchedulerRecord) -> Option<usize> {
    record.scalar::<u64>("step").map(|s| s as usize)
}
