//! lrfind inside a Burn user's training code (feature `learner`), on iris with a model that
//! has BatchNorm, checked as it runs (a non-zero exit on any failure):
//!
//! 1. `RangeTest::run_train_step`: the model's own `TrainStep` gives the loss and the
//!    gradients; the curve equals the loss-closure run's, loss for loss, and the model comes
//!    back unchanged.
//! 2. A loss that is not finite stops the test there without moving the weights.
//! 3. `LearnerRangeTest`: Burn's `Learner` runs the test (a ramp scheduler, a recording
//!    metric, the interrupter); on the same batches in the same order its curve retraces
//!    the direct run's, and the user's model is unchanged, BatchNorm statistics included.

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, Relu};
use burn::optim::AdamWConfig;
use burn::tensor::Device;
use burn::train::{
    ClassificationOutput, InferenceStep, Interrupter, Learner, SupervisedTraining, TrainOutput,
    TrainStep,
};
use lrfind::RangeTestConfig;
use lrfind::finder::{LearnerRangeTest, RangeTest, Stop};

// The same iris reader and batcher as the lean downstream crate.
#[path = "../../downstream/src/iris.rs"]
mod iris;

use iris::{IrisBatch, IrisBatcher, Row};

const BATCH: usize = 16;

#[derive(Module, Debug)]
struct Net {
    hidden: Linear,
    norm: BatchNorm,
    act: Relu,
    out: Linear,
}

impl Net {
    fn new(device: &Device) -> Self {
        Net {
            hidden: LinearConfig::new(4, 16).init(device),
            norm: BatchNormConfig::new(16).init(device),
            act: Relu::new(),
            out: LinearConfig::new(16, 3).init(device),
        }
    }

    fn classify(&self, b: IrisBatch) -> ClassificationOutput {
        let h = self
            .act
            .forward(self.norm.forward(self.hidden.forward(b.x)));
        let output = self.out.forward(h);
        let loss = CrossEntropyLossConfig::new()
            .init(&output.device())
            .forward(output.clone(), b.y.clone());
        ClassificationOutput {
            loss,
            output,
            targets: b.y,
        }
    }
}

impl TrainStep for Net {
    type Input = IrisBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: IrisBatch) -> TrainOutput<ClassificationOutput> {
        let out = self.classify(batch);
        TrainOutput::new(self, out.loss.backward(), out)
    }
}

impl InferenceStep for Net {
    type Input = IrisBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: IrisBatch) -> ClassificationOutput {
        self.classify(batch)
    }
}

/// Iris in a fixed mixed order (the file is sorted by class), cut to whole batches.
fn iris() -> Vec<Row> {
    let rows = iris::rows();
    // 150 rows visited with a step coprime to 150: every class in every batch.
    let mixed: Vec<Row> = (0..rows.len())
        .map(|i| rows[(i * 77) % rows.len()].clone())
        .collect();
    mixed[..rows.len() / BATCH * BATCH].to_vec()
}

/// Every float of the model: weights and BatchNorm running statistics.
fn snapshot(m: &Net) -> Vec<f32> {
    let mut out = Vec::new();
    for t in [
        m.hidden.weight.val().into_data(),
        m.norm.running_mean.value().into_data(),
        m.norm.running_var.value().into_data(),
        m.out.weight.val().into_data(),
    ] {
        out.extend(t.try_to_vec::<f32>().expect("f32 values"));
    }
    out
}

fn check(ok: bool, what: String) {
    if !ok {
        eprintln!("FAILED: {what}");
        std::process::exit(1);
    }
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (x - y).abs() <= tol * x.abs().max(y.abs()).max(1e-12))
}

fn main() -> Result<(), lrfind::Error> {
    let device = Device::flex().autodiff();
    device.seed(3);
    let rows = iris();
    let batches: Vec<IrisBatch> = rows
        .chunks(BATCH)
        .map(|c| IrisBatcher.batch(c.to_vec(), &device))
        .collect();
    let model = Net::new(&device);
    let before = snapshot(&model);
    let config = RangeTestConfig {
        iters: 300,
        start_lr: 1e-4,
        end_lr: 10.0,
        steps: Some(100),
        ..Default::default()
    };

    // 1. The model's own TrainStep against a loss closure on the same batches.
    let test = RangeTest::with_config(config.clone());
    let by_step = test.run_train_step(&model, AdamWConfig::new().init(), &batches)?;
    let by_loss = test.run(
        &model,
        AdamWConfig::new().init(),
        &batches,
        |m: &Net, b: &IrisBatch| m.classify(b.clone()).loss,
    )?;
    check(
        by_step.losses.len() == by_loss.losses.len()
            && close(&by_step.losses, &by_loss.losses, 1e-6),
        format!(
            "TrainStep curve {:?} differs from the closure's {:?}",
            by_step.losses, by_loss.losses
        ),
    );
    check(
        by_step.chosen().lr == by_loss.chosen().lr,
        "the suggestions differ".into(),
    );
    check(
        snapshot(&model) == before,
        "run_train_step changed the model".into(),
    );
    let lr = by_step.chosen().lr;
    check(
        lr.is_some(),
        format!("no suggestion: {:?}", by_step.chosen().reason),
    );
    println!(
        "TrainStep: suggested LR {:.3e} after {} iterations ({:?}), the closure's curve retraced",
        lr.unwrap_or(f64::NAN),
        by_step.iterations(),
        by_step.stop
    );

    // 2. A loss that is not finite (a batch with a NaN feature): the test stops at that
    //    step, and the step's gradients are never applied.
    let mut poisoned = rows[..BATCH].to_vec();
    poisoned[0].x[0] = f32::NAN;
    let poisoned = vec![IrisBatcher.batch(poisoned, &device)];
    let nan = RangeTest::new().run_train_step(&model, AdamWConfig::new().init(), &poisoned)?;
    check(
        nan.stop == Stop::NonFinite { index: 0 } && nan.losses.len() == 1,
        format!("a NaN loss should stop the test at once: {:?}", nan.stop),
    );
    check(
        snapshot(&model) == before,
        "a NaN step changed the model".into(),
    );
    println!("TrainStep with a NaN loss: stopped at {:?}", nan.stop);

    // 3. The Learner runs the test on the same batches in the same order.
    let interrupter = Interrupter::new();
    let in_learner = LearnerRangeTest::new(config, interrupter.clone())?;
    let loader = |rows: Vec<Row>| {
        DataLoaderBuilder::new(IrisBatcher)
            .batch_size(BATCH)
            .set_device(device.clone())
            .build(InMemDataset::new(rows))
    };
    let dir =
        std::env::temp_dir().join(format!("lrfind-downstream-learner-{}", std::process::id()));
    let restore = LearnerRangeTest::remember(&model);
    let trained = SupervisedTraining::new(&dir, loader(rows.clone()), loader(rows.clone()))
        .metric_train(in_learner.recorder())
        .with_interrupter(interrupter)
        .num_epochs(in_learner.epochs_for(batches.len()))
        .launch(Learner::new(
            model.clone(),
            AdamWConfig::new().init(),
            in_learner.scheduler(),
        ));
    restore();
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(error) = trained.error {
        eprintln!("FAILED: the Learner stopped with an error: {error:?}");
        std::process::exit(1);
    }
    let result = in_learner.result()?;
    let n = result.losses.len().min(by_loss.losses.len());
    check(n >= 20, format!("the Learner recorded only {n} points"));
    check(
        close(&result.lrs[..n], &by_loss.lrs[..n], 1e-9),
        format!(
            "the Learner's LRs {:?} are not the ramp's",
            &result.lrs[..n]
        ),
    );
    check(
        close(&result.losses[..n], &by_loss.losses[..n], 1e-4),
        format!(
            "the Learner's curve {:?} does not retrace the direct run's {:?}",
            &result.losses[..n],
            &by_loss.losses[..n]
        ),
    );
    check(
        snapshot(&model) == before,
        "the Learner changed the user's model".into(),
    );
    println!(
        "Learner: suggested LR {:.3e} after {} iterations ({:?}); the direct run suggested {:.3e}",
        result.chosen().lr.unwrap_or(f64::NAN),
        result.iterations(),
        result.stop,
        by_loss.chosen().lr.unwrap_or(f64::NAN)
    );
    Ok(())
}
