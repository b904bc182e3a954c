//! A Burn user's crate: their own model, Dataset, Batcher and DataLoader, and lrfind's range
//! test in one call, with `default-features = false` (plus `dataloader`). Reads iris (150
//! rows, shipped in lrfind's assets) by hand, trains a 4-16-3 MLP through the range test
//! and prints the suggestion, then sweeps three LRs and evaluates the rules on it, each run
//! on a loader of its own. Exits non-zero when something a user relies on breaks.

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
use lrfind::evaluate::{EvaluationPlan, evaluate_models};
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
    let evaluate = |m: &Mlp| {
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
    };
    // Each run gets a loader of its own, handed over owned, with the same shuffle seed.
    let loader = |seed: u64| {
        DataLoaderBuilder::new(IrisBatcher)
            .batch_size(16)
            .shuffle(seed)
            .set_device(device.clone())
            .build(InMemDataset::new(rows.clone()))
    };
    let sweep = sweep_models(
        &model,
        &setting,
        &[lr / 10.0, lr, lr * 10.0],
        |_| loader(7),
        loss,
        evaluate,
        Some(lr),
    )?;
    let best = sweep.best_lr().unwrap_or_else(|| {
        eprintln!("the sweep recommends no LR: {:?}", sweep.conclusion.lines);
        std::process::exit(1);
    });
    println!("sweep of 3 LRs: best {best:.3e}");

    // `evaluate` on this model: two seeds (initial weights and shuffles), a four-LR grid at
    // 1 and 3 epochs, every rule scored against it.
    let plan = EvaluationPlan::new(2, &[1e-3, 1e-2, 1e-1, 1.0], &[1, 3]);
    let scores = evaluate_models(
        &plan,
        |seed| {
            device.seed(seed);
            Mlp::new(&device)
        },
        &RangeTest::new().iters(100).lr_range(1e-5, 10.0),
        &OptimizerConfig::default(),
        loader,
        loss,
        evaluate,
        true,
    )?;
    let knee = &scores.budgets[1].rules[0];
    if knee.method != lrfind::Method::Knee || knee.outside.iter().any(|d| !d.is_finite()) {
        eprintln!("evaluate did not score knee: {knee:?}");
        std::process::exit(1);
    }
    println!(
        "evaluate at 3 epochs: best {:.3e}, knee {:.2} decades outside",
        scores.budgets[1].grid.lrs[scores.budgets[1].grid.best],
        knee.mean_outside().unwrap_or(f64::NAN)
    );
    Ok(())
}
