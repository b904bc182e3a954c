//! lrfind and Burn's own `Learner`, both ways: the range test on the model's own `TrainStep`
//! suggests an LR for a small MLP on the digits data; the same test run by the Learner itself
//! (`LearnerRangeTest`: a ramp scheduler, a recording metric, the interrupter) suggests it
//! again; and a 1cycle schedule peaking at that LR
//! (`lrfind::schedule::ChainScheduler`, Burn's `LrScheduler`) trains it with
//! `SupervisedTraining`. Needs Burn's training crate, behind a feature so that it never
//! enters the default build:
//!
//! ```text
//! cargo run --release --features learner --example burn_learner -- [--epochs 3] [--out out]
//! ```

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::AdamWConfig;
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::metric::{AccuracyMetric, LearningRateMetric, LossMetric};
use burn::train::{
    ClassificationOutput, InferenceStep, Interrupter, Learner, SupervisedTraining, TrainOutput,
    TrainStep,
};
use lrfind::config::DataConfig;
use lrfind::finder::{LearnerRangeTest, RangeTest};
use lrfind::schedule::{ChainScheduler, Timeline};
use lrfind::{RangeTestConfig, data, schedule};

#[derive(Module, Debug)]
struct Net {
    hidden: Linear,
    act: Relu,
    output: Linear,
}

impl Net {
    fn new(device: &Device) -> Self {
        Net {
            hidden: LinearConfig::new(64, 128).init(device),
            act: Relu::new(),
            output: LinearConfig::new(128, 10).init(device),
        }
    }

    fn classify(&self, batch: DigitBatch) -> ClassificationOutput {
        let output = self
            .output
            .forward(self.act.forward(self.hidden.forward(batch.inputs)));
        let loss = CrossEntropyLossConfig::new()
            .init(&output.device())
            .forward(output.clone(), batch.targets.clone());
        ClassificationOutput {
            loss,
            output,
            targets: batch.targets,
        }
    }
}

/// One row of the digits data.
#[derive(Debug, Clone)]
struct DigitItem {
    pixels: Vec<f32>,
    label: i64,
}

#[derive(Debug, Clone)]
struct DigitBatch {
    inputs: Tensor<2>,
    targets: Tensor<1, Int>,
}

#[derive(Debug, Clone)]
struct DigitBatcher;

impl Batcher<DigitItem, DigitBatch> for DigitBatcher {
    fn batch(&self, items: Vec<DigitItem>, device: &Device) -> DigitBatch {
        let n = items.len();
        let pixels: Vec<f32> = items.iter().flat_map(|i| i.pixels.clone()).collect();
        let labels: Vec<i64> = items.iter().map(|i| i.label).collect();
        DigitBatch {
            inputs: Tensor::from_data(TensorData::new(pixels, [n, 64]), device),
            targets: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

impl TrainStep for Net {
    type Input = DigitBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: DigitBatch) -> TrainOutput<ClassificationOutput> {
        let out = self.classify(batch);
        TrainOutput::new(self, out.loss.backward(), out)
    }
}

impl InferenceStep for Net {
    type Input = DigitBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: DigitBatch) -> ClassificationOutput {
        self.classify(batch)
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn items(prepared: &data::Prepared, rows: &[usize]) -> Vec<DigitItem> {
    rows.iter()
        .map(|&r| DigitItem {
            pixels: {
                let mut pixels = Vec::new();
                prepared.push_features(r, &mut pixels);
                pixels
            },
            label: prepared.table.target[r] as i64,
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let epochs: usize = arg("--epochs").map_or(Ok(3), |s| s.parse())?;
    let out = std::path::PathBuf::from(arg("--out").unwrap_or_else(|| "out".into()));
    let batch_size = 64;

    let config = DataConfig::default();
    let digits = data::prepare(data::load(&config)?, &config, 0)?;
    let (train, valid) = (
        items(&digits, digits.train()),
        items(&digits, digits.valid()),
    );

    // 1. The range test on the user's model and batches.
    let device = Device::flex().autodiff();
    device.seed(0);
    let model = Net::new(&device);
    let batches: Vec<DigitBatch> = train
        .chunks(batch_size)
        .filter(|c| c.len() == batch_size)
        .map(|c| DigitBatcher.batch(c.to_vec(), &device))
        .collect();
    let steps_per_epoch = batches.len();
    // The model's own TrainStep gives the loss: no closure.
    let result = RangeTest::new().run_train_step(&model, AdamWConfig::new().init(), &batches)?;
    let lr = result
        .chosen()
        .lr
        .ok_or("the range test found no suggestion")?;
    println!(
        "range test: suggested LR {lr:.2e} after {} iterations; 1cycle peaks there over {epochs} epoch(s)",
        result.iterations()
    );

    // 1b. The same test run by Burn's Learner itself (its loaders, metrics and interrupter),
    // on a clone of the model whose shared state is put back afterwards.
    let interrupter = Interrupter::new();
    let in_learner = LearnerRangeTest::new(RangeTestConfig::default(), interrupter.clone())?;
    let unshuffled = |items: Vec<DigitItem>| {
        DataLoaderBuilder::new(DigitBatcher)
            .batch_size(batch_size)
            .build(InMemDataset::new(items))
    };
    let whole = train.len() / batch_size * batch_size;
    let restore = LearnerRangeTest::remember(&model);
    let tested = SupervisedTraining::new(
        out.join("burn_learner_range_test"),
        unshuffled(train[..whole].to_vec()),
        unshuffled(valid.clone()),
    )
    .metric_train(in_learner.recorder())
    .with_interrupter(interrupter)
    .num_epochs(in_learner.epochs_for(steps_per_epoch))
    .launch(Learner::new(
        model.clone(),
        AdamWConfig::new().init(),
        in_learner.scheduler(),
    ));
    restore();
    if let Some(error) = tested.error {
        return Err(format!("the Learner's range test failed: {error:?}").into());
    }
    let by_learner = in_learner.result()?;
    println!(
        "range test inside the Learner: suggested LR {:.2e} after {} iterations",
        by_learner.chosen().lr.unwrap_or(f64::NAN),
        by_learner.iterations()
    );

    // 2. A 1cycle schedule at that LR, as Burn's LrScheduler, driving Burn's Learner.
    let scheduler = ChainScheduler::new(
        schedule::parse("onecycle")?,
        lr,
        Timeline {
            total_steps: epochs * steps_per_epoch,
            steps_per_epoch,
        },
    );
    let loader = |items: Vec<DigitItem>, shuffle: bool| {
        let builder = DataLoaderBuilder::new(DigitBatcher).batch_size(batch_size);
        let builder = if shuffle { builder.shuffle(0) } else { builder };
        builder.build(InMemDataset::new(items))
    };
    let (train_loader, valid_loader) = (loader(train, true), loader(valid.clone(), false));
    let training = SupervisedTraining::new(out.join("burn_learner"), train_loader, valid_loader)
        .metric_train_numeric(LossMetric::new())
        .metric_train_numeric(AccuracyMetric::new())
        .metric_train_numeric(LearningRateMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .metric_valid_numeric(AccuracyMetric::new())
        .num_epochs(epochs);
    let trained = training.launch(Learner::new(model, AdamWConfig::new().init(), scheduler));
    if let Some(error) = trained.error {
        return Err(format!("training failed: {error:?}").into());
    }

    // 3. The trained model on the validation rows.
    let plain = Device::flex();
    let model = trained.model.valid();
    let batch = DigitBatcher.batch(valid, &plain);
    let out = model.classify(batch);
    let rows = out.output.dims()[0];
    let predicted = out.output.argmax(1).squeeze_dim::<1>(1);
    let correct: i64 = predicted
        .equal(out.targets)
        .int()
        .sum()
        .into_scalar::<i64>();
    println!(
        "validation accuracy after {epochs} epoch(s): {:.1} %",
        100.0 * correct as f64 / rows as f64
    );
    Ok(())
}
