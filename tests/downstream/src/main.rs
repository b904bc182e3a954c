//! A Burn user's crate: their own model, Dataset, Batcher and DataLoader, and lrfind's range
//! test in one call, with `default-features = false` (plus `dataloader`). Reads iris (150
//! rows, shipped in lrfind's assets) by hand, trains a 4-16-3 MLP through the range test
//! and prints the suggestion. Exits non-zero when something a user relies on breaks.

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::AdamWConfig;
use burn::tensor::{Device, Tensor};
use lrfind::compare::{LrSpec, Setting};
use lrfind::config::OptimizerConfig;
use lrfind::finder::{RangeTest, Stop};
use lrfind::sweep::sweep_models;
use lrfind::train::Evaluation;

mod iris;

use iris::{IrisBatch, IrisBatcher};

#[derive(Module, Debug)]
struct Mlp {
    hidden: Linear,
    out: Linear,
    act: Relu,
}

impl Mlp {
    fn new(device: &Device) -> Self {
        Mlp {
            hidden: LinearConfig::new(4, 16).init(device),
            out: LinearConfig::new(16, 3).init(device),
            act: Relu::new(),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.out.forward(self.act.forward(self.hidden.forward(x)))
    }
}

fn main() -> Result<(), lrfind::Error> {
    let device = Device::flex().autodiff();
    device.seed(7);
    // 150 rows in batches of 16: 10 batches a pass, so 100 iterations need 10 passes.
    let loader = DataLoaderBuilder::new(IrisBatcher)
        .batch_size(16)
        .shuffle(7)
        .set_device(device.clone())
        .build(InMemDataset::new(iris::rows()));
    let model = Mlp::new(&device);
    let ce = CrossEntropyLossConfig::new().init(&device);
    let loss = |m: &Mlp, b: &IrisBatch| ce.forward(m.forward(b.x.clone()), b.y.clone());
    let result = RangeTest::new()
        .iters(100)
        .lr_range(1e-5, 10.0)
        .steps(200)
        .run(&model, AdamWConfig::new().init(), &loader, loss)?;
    let chosen = result.chosen();
    let lr = chosen.lr.unwrap_or_else(|| {
        eprintln!(
            "no suggestion: {}",
            chosen.reason.clone().unwrap_or_default()
        );
        std::process::exit(3);
    });
    println!(
        "suggested LR {lr:.3e} after {} iterations ({:?})",
        result.iterations(),
        result.stop
    );
    // The loader was read pass after pass: the test did not end with the first pass.
    if matches!(result.stop, Stop::DataExhausted { .. }) || result.iterations() <= 10 {
        eprintln!("the data loader was not cycled: {:?}", result.stop);
        std::process::exit(1);
    }

    // `sweep` on this model: a constant LR for 5 epochs at three LRs around the suggestion,
    // each run on a fresh loader with the same seed (the same batches in the same order),
    // judged on every row (a smoke check of the lean build, not a model selection).
    let setting = Setting::from_spec("constant", &OptimizerConfig::default(), LrSpec::Value(lr))?
        .resolve(None, 5, 16)?;
    let rows = iris::rows();
    let all = IrisBatcher.batch(rows.clone(), &device);
    let sweep = sweep_models(
        &model,
        &setting,
        &[lr / 10.0, lr, lr * 10.0],
        |_| {
            DataLoaderBuilder::new(IrisBatcher)
                .batch_size(16)
                .shuffle(7)
                .set_device(device.clone())
                .build(InMemDataset::new(rows.clone()))
        },
        loss,
        |m: &Mlp| {
            let logits = m.valid().forward(all.x.clone().inner());
            let eval = CrossEntropyLossConfig::new().init(&logits.device());
            let loss = eval
                .forward(logits.clone(), all.y.clone().inner())
                .into_scalar::<f64>();
            let predicted = logits.argmax(1).flatten::<1>(0, 1);
            let correct = predicted
                .equal(all.y.clone().inner())
                .int()
                .sum()
                .into_scalar::<i64>();
            Evaluation {
                loss,
                metric: correct as f64 / rows.len() as f64,
            }
        },
        Some(lr),
    )?;
    let best = sweep.best_lr().unwrap_or_else(|| {
        eprintln!("the sweep recommends no LR: {:?}", sweep.conclusion.lines);
        std::process::exit(1);
    });
    println!("sweep of 3 LRs: best {best:.3e}");
    Ok(())
}
