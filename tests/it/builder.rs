//! The range test in one call (`finder::RangeTest`): a `Vec` of batches is cycled where a
//! plain iterator ends the test, a `Passes` closure starts a pass each time, the planned
//! training in epochs takes the slice's length, validation batches make the validation
//! curve the reported one, and `chosen()` is that curve's answer.

use burn::module::Module;
use burn::optim::AdamWConfig;
use burn::tensor::Device;
use lrfind::config::CurveKind;
use lrfind::data::Batch;
use lrfind::finder::{self, Passes, RangeTest, Stop};

use crate::library::{BnNet, ce, digits};

/// Five digits batches of 64 rows on an autodiff device, and a model for them.
fn five(seed: u64) -> (Vec<Batch>, BnNet) {
    let device = Device::flex().autodiff();
    device.seed(seed);
    let (batches, _) = digits(&device);
    let model = BnNet::new(64, 10, &device);
    (batches.take(5).collect(), model)
}

#[test]
fn a_vec_is_cycled_where_a_plain_iterator_ends_the_test() {
    let (few, model) = five(3);
    let test = RangeTest::new().iters(40).lr_range(1e-5, 1e-2).diverge(0.0);
    let cycled = test
        .run(&model, AdamWConfig::new().init(), &few, ce)
        .unwrap();
    assert_eq!(cycled.iterations(), 40);
    assert_eq!(cycled.stop, Stop::Completed);

    let plain = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        few.iter().cloned(),
        ce,
        test.config(),
        finder::Hooks::default(),
    )
    .unwrap();
    assert_eq!(plain.stop, Stop::DataExhausted { index: 5 });
    // The same model and batches: the first pass is the same training.
    for (a, b) in cycled.losses[..5].iter().zip(&plain.losses) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn passes_start_a_new_pass_each_time_and_an_empty_source_stops_at_once() {
    let (few, model) = five(4);
    let mut calls = 0;
    let result = RangeTest::new()
        .iters(22)
        .diverge(0.0)
        .run(
            &model,
            AdamWConfig::new().init(),
            Passes(|| {
                calls += 1;
                few.clone()
            }),
            ce,
        )
        .unwrap();
    assert_eq!(result.iterations(), 22);
    assert_eq!(
        calls, 5,
        "22 iterations of 5 batches a pass start five passes"
    );

    let empty = RangeTest::new()
        .iters(20)
        .run(
            &model,
            AdamWConfig::new().init(),
            Passes(Vec::<Batch>::new),
            ce,
        )
        .unwrap();
    assert_eq!(empty.stop, Stop::DataExhausted { index: 0 });
}

#[test]
fn epochs_of_a_slice_count_its_batches() {
    let (few, model) = five(5);
    let result = RangeTest::new()
        .iters(30)
        .epochs(4)
        .run(&model, AdamWConfig::new().init(), few.as_slice(), ce)
        .unwrap();
    assert_eq!(result.planned_steps, Some(20), "4 epochs of 5 batches");
    // Without a length the source cannot tell, the library asks for one by field name.
    let err = RangeTest::new()
        .iters(30)
        .epochs(4)
        .run(
            &model,
            AdamWConfig::new().init(),
            Passes(|| few.clone()),
            ce,
        )
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("batches_per_epoch: "), "{err}");
}

#[test]
fn library_errors_name_fields_where_the_command_line_names_flags() {
    let (few, model) = five(8);
    let refused = |test: RangeTest| {
        test.run(&model, AdamWConfig::new().init(), &few, ce)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refused(RangeTest::new().iters(5)),
        "iters: must be at least 20, got 5"
    );
    assert_eq!(
        refused(RangeTest::new().lr_range(1.0, 0.1)),
        "start_lr: must be below `end_lr` (1 is not below 0.1)"
    );
    // The same configuration inside the command line's SuggestConfig names the flags.
    let mut config = lrfind::config::SuggestConfig::default();
    config.range_test.start_lr = 1.0;
    config.range_test.end_lr = 0.1;
    assert_eq!(
        config.validate().unwrap_err().to_string(),
        "--start-lr: must be below --end-lr (1 is not below 0.1)"
    );
}

#[test]
fn validation_batches_make_the_validation_curve_the_reported_one() {
    let device = Device::flex().autodiff();
    device.seed(6);
    let (batches, valid) = digits(&device); // valid: on the plain device
    let train: Vec<Batch> = batches.take(5).collect();
    let model = BnNet::new(64, 10, &device);
    let test = RangeTest::new().iters(60);
    let result = test
        .run_validated(&model, AdamWConfig::new().init(), &train, &valid, 5, ce)
        .unwrap();
    let v = result.validation.as_ref().expect("a validation curve");
    assert_eq!(v.iterations.first(), Some(&4));
    assert_eq!(result.suggested_curve(), CurveKind::Validation);
    assert_eq!(result.chosen(), v.suggestions.chosen());

    // The same test through range_test with a hand-written hook: the mean batch loss of the
    // model in evaluation mode. The curves must agree (not one batch, not training mode).
    let mut hook = |m: &BnNet| {
        let m = m.valid();
        valid
            .iter()
            .map(|b| ce(&m, b).into_scalar::<f64>())
            .sum::<f64>()
            / valid.len() as f64
    };
    let mut config = test.config().clone();
    config.val_every = 5;
    config.suggest_on = CurveKind::Validation;
    let by_hand = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        train.iter().cycle().cloned(),
        ce,
        &config,
        finder::Hooks {
            validate: Some(&mut hook),
            ..Default::default()
        },
    )
    .unwrap();
    let w = by_hand.validation.as_ref().unwrap();
    assert_eq!(v.losses.len(), w.losses.len());
    for (a, b) in v.losses.iter().zip(&w.losses) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }

    // A validation source that yields nothing is an error, not a silent NaN curve.
    let err = test
        .run_validated(
            &model,
            AdamWConfig::new().init(),
            &train,
            &Vec::<Batch>::new(),
            5,
            ce,
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the validation source yielded no batch"),
        "{err}"
    );
}

/// Hands each stored batch through unchanged (a Burn DataLoader over ready-made batches).
struct Whole;

impl burn::data::dataloader::batcher::Batcher<Batch, Batch> for Whole {
    fn batch(&self, mut items: Vec<Batch>, _device: &Device) -> Batch {
        items.remove(0)
    }
}

#[test]
fn a_burn_dataloader_is_read_epoch_after_epoch_like_the_same_vec() {
    use burn::data::dataloader::DataLoaderBuilder;
    use burn::data::dataset::InMemDataset;
    let (few, model) = five(7);
    let loader = DataLoaderBuilder::new(Whole)
        .batch_size(1)
        .build(InMemDataset::new(few.clone()));
    let test = RangeTest::new().iters(23).lr_range(1e-5, 1e-2).diverge(0.0);
    let from_loader = test
        .run(&model, AdamWConfig::new().init(), &loader, ce)
        .unwrap();
    let from_vec = test
        .run(&model, AdamWConfig::new().init(), &few, ce)
        .unwrap();
    assert_eq!(
        from_loader.iterations(),
        23,
        "five passes of five batches, cut at 23"
    );
    for (a, b) in from_loader.losses.iter().zip(&from_vec.losses) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}

/// The runs' factory can build a fresh Burn loader per run and hand it over owned: with the
/// same shuffle seed every run sees the same batches in the same order, pass after pass,
/// where one shared loader shuffles anew for each run (Burn's loaders share one RNG).
#[test]
fn an_owned_loader_per_run_gives_every_run_the_same_shuffled_batches() {
    use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
    use burn::data::dataset::InMemDataset;
    use lrfind::compare::{LrSpec, Setting, compare_models};
    use lrfind::config::OptimizerConfig;
    use lrfind::train::Evaluation;
    use std::sync::Arc;

    let (few, model) = five(9);
    let build = || -> Arc<dyn DataLoader<Batch>> {
        DataLoaderBuilder::new(Whole)
            .batch_size(1)
            .shuffle(7)
            .build(InMemDataset::new(few.clone()))
    };
    let setting = Setting::from_spec("constant", &OptimizerConfig::default(), LrSpec::Value(3e-3))
        .unwrap()
        .resolve(None, 3, 64)
        .unwrap();
    let settings = [setting.clone(), setting];
    let evaluate = |_: &BnNet| Evaluation {
        loss: 1.0,
        metric: 0.5,
    };
    let owned = compare_models(&model, &settings, |_| build(), ce, evaluate, &[], true).unwrap();
    for run in &owned {
        assert_eq!(run.steps_per_epoch, 5);
        assert_eq!(run.step_losses.len(), 15, "three passes of five batches");
    }
    assert_eq!(owned[0].step_losses, owned[1].step_losses);

    let shared = build();
    let borrowed = compare_models(&model, &settings, |_| &shared, ce, evaluate, &[], true).unwrap();
    assert_ne!(
        borrowed[1].step_losses, borrowed[0].step_losses,
        "the shared loader's shuffles moved on"
    );
}
