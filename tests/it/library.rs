//! The library API on a model defined here, with BatchNorm: the range test runs through
//! `finder::range_test` and leaves the caller's model exactly as it was.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, Relu};
use burn::optim::AdamWConfig;
use burn::tensor::{Device, Int, Tensor, TensorData};
use lrfind::config::DataConfig;
use lrfind::{RangeTestConfig, data, finder};

#[derive(Module, Debug)]
pub(crate) struct BnNet {
    input: Linear,
    norm: BatchNorm,
    act: Relu,
    output: Linear,
}

impl BnNet {
    pub(crate) fn new(inputs: usize, classes: usize, device: &Device) -> Self {
        BnNet {
            input: LinearConfig::new(inputs, 32).init(device),
            norm: BatchNormConfig::new(32).init(device),
            act: Relu::new(),
            output: LinearConfig::new(32, classes).init(device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let h = self.norm.forward(self.input.forward(x)); // [batch, 32]
        self.output.forward(self.act.forward(h)) // [batch, classes]
    }
}

/// Every float in the module (parameters and running statistics), in visiting order.
fn flat(model: &BnNet) -> Vec<f32> {
    let record = model.clone().into_record();
    let mut out = Vec::new();
    let norm = &model.norm;
    for t in [
        model.input.weight.val().into_data(),
        norm.running_mean.value().into_data(),
        norm.running_var.value().into_data(),
        norm.gamma.val().into_data(),
        model.output.weight.val().into_data(),
    ] {
        out.extend(t.try_to_vec::<f32>().unwrap());
    }
    drop(record);
    out
}

#[test]
fn range_test_leaves_the_model_and_its_batchnorm_statistics_unchanged() {
    let config = DataConfig {
        data: "breast_cancer".into(),
        ..Default::default()
    };
    let prepared = data::prepare(data::load(&config).unwrap(), &config, 0).unwrap();
    let device = Device::flex().autodiff();
    device.seed(1);
    let model = BnNet::new(prepared.table.width(), 2, &device);
    let before = flat(&model);

    let batches = data::Batcher::new(
        &prepared,
        prepared.train(),
        32,
        data::Targets::ClassIndex,
        &device,
        0,
    );
    let loss = CrossEntropyLossConfig::new().init(&device);
    let rt = RangeTestConfig {
        iters: 60,
        start_lr: 1e-5,
        end_lr: 1.0,
        ..Default::default()
    };
    let result = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        batches,
        |m: &BnNet, b: &data::Batch| {
            let targets: Tensor<1, Int> = b.classes.clone().unwrap();
            loss.forward(m.forward(b.inputs.clone()), targets)
        },
        &rt,
        finder::Hooks::default(),
    )
    .unwrap();

    assert!(result.iterations() > 20, "the test trained");
    let after = flat(&model);
    assert_eq!(
        before, after,
        "parameters and running statistics are restored"
    );
    // Sanity: the running statistics really are shared by clones, so restoring mattered.
    let clone = model.clone();
    clone.norm.running_mean.update(Tensor::from_data(
        TensorData::new(vec![9.0f32; 32], [32]),
        &device,
    ));
    let _ = clone.norm.running_mean.value_sync();
    assert_ne!(
        flat(&model),
        before,
        "clones share running statistics in Burn"
    );
}

#[test]
fn the_loss_falls_on_real_data_and_every_rule_answers_or_explains() {
    let config = DataConfig::default(); // digits
    let prepared = data::prepare(data::load(&config).unwrap(), &config, 0).unwrap();
    let device = Device::flex().autodiff();
    device.seed(0);
    let model = BnNet::new(64, 10, &device);
    let batches = data::Batcher::new(
        &prepared,
        prepared.train(),
        64,
        data::Targets::ClassIndex,
        &device,
        0,
    );
    let loss = CrossEntropyLossConfig::new().init(&device);
    let rt = RangeTestConfig {
        iters: 100,
        ..Default::default()
    };
    let result = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        batches,
        |m: &BnNet, b: &data::Batch| {
            loss.forward(m.forward(b.inputs.clone()), b.classes.clone().unwrap())
        },
        &rt,
        finder::Hooks::default(),
    )
    .unwrap();
    let best = result
        .smoothed
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    assert!(
        best < 0.8 * result.smoothed[0],
        "loss fell from {} to {best}",
        result.smoothed[0]
    );
    for s in &result.suggestions.all {
        assert!(s.lr.is_some() || s.reason.is_some());
    }
}

/// The digits training batches (64 rows) on an autodiff device, and the validation part in
/// batches on the plain device.
pub(crate) fn digits(device: &Device) -> (data::Batcher, Vec<data::Batch>) {
    let config = DataConfig::default();
    let prepared = data::prepare(data::load(&config).unwrap(), &config, 0).unwrap();
    let train = data::Batcher::new(
        &prepared,
        prepared.train(),
        64,
        data::Targets::ClassIndex,
        device,
        0,
    );
    let plain = Device::flex();
    let valid = data::Batcher::new(
        &prepared,
        prepared.valid(),
        512,
        data::Targets::ClassIndex,
        &plain,
        0,
    )
    .in_order(512);
    (train, valid)
}

pub(crate) fn ce(m: &BnNet, b: &data::Batch) -> Tensor<1> {
    let loss = CrossEntropyLossConfig::new().init(&b.inputs.device());
    loss.forward(m.forward(b.inputs.clone()), b.classes.clone().unwrap())
}

#[test]
fn accumulation_steps_once_per_k_batches_on_their_mean_gradient() {
    let device = Device::flex().autodiff();
    let (batches, _) = digits(&device);
    let plain: Vec<data::Batch> = batches.take(20).collect();
    let rt = |k: usize| RangeTestConfig {
        iters: 20,
        diverge: 0.0,
        accumulation_steps: k,
        ..Default::default()
    };
    device.seed(0);
    let model = BnNet::new(64, 10, &device);
    let single = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        plain.clone(),
        ce,
        &rt(1),
        finder::Hooks::default(),
    )
    .unwrap();

    // Every batch three times: the mean gradient of three copies is the batch's gradient,
    // so one step per three micro-batches retraces the single-batch run.
    let tripled: Vec<data::Batch> = plain
        .iter()
        .flat_map(|b| [b.clone(), b.clone(), b.clone()])
        .collect();
    let mut calls = Vec::new();
    let accumulated = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        tripled,
        |m: &BnNet, b: &data::Batch| {
            let loss = ce(m, b);
            calls.push(loss.clone().into_scalar::<f64>());
            loss
        },
        &rt(3),
        finder::Hooks::default(),
    )
    .unwrap();
    assert_eq!(calls.len(), 60, "three micro-batches per iteration");
    assert_eq!(accumulated.iterations(), 20);
    assert_eq!(accumulated.lrs, single.lrs, "one LR step per iteration");
    for (i, (a, s)) in accumulated.losses.iter().zip(&single.losses).enumerate() {
        let mean = calls[3 * i..3 * i + 3].iter().sum::<f64>() / 3.0;
        assert_eq!(
            *a, mean,
            "iteration {i}: the loss is the micro-batches' mean"
        );
        assert!((a - s).abs() < 1e-4 * s.abs(), "iteration {i}: {a} vs {s}");
    }
    // Too few batches for a whole iteration: the test stops, reporting it.
    let short = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        plain.into_iter().take(7),
        ce,
        &rt(3),
        finder::Hooks::default(),
    )
    .unwrap();
    assert_eq!(short.stop, finder::Stop::DataExhausted { index: 2 });
}

#[test]
fn validation_mode_records_every_kth_iteration_and_can_choose_the_suggestion() {
    let device = Device::flex().autodiff();
    let (batches, valid) = digits(&device);
    device.seed(0);
    let model = BnNet::new(64, 10, &device);
    let mut evaluations = 0;
    let mut validate = |m: &BnNet| {
        evaluations += 1;
        let m = m.valid();
        let rows: usize = valid.iter().map(|b| b.len()).sum();
        let total: f64 = valid
            .iter()
            .map(|b| ce(&m, b).into_scalar::<f64>() * b.len() as f64)
            .sum();
        total / rows as f64
    };
    let rt = RangeTestConfig {
        iters: 60,
        diverge: 0.0,
        val_every: 5,
        suggest_on: lrfind::config::CurveKind::Validation,
        ..Default::default()
    };
    let result = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        batches,
        ce,
        &rt,
        finder::Hooks {
            validate: Some(&mut validate),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(evaluations, 12);
    let v = result.validation.as_ref().unwrap();
    assert_eq!(v.iterations, (0..12).map(|j| 5 * j + 4).collect::<Vec<_>>());
    assert_eq!(
        v.lrs,
        v.iterations
            .iter()
            .map(|&i| rt.lr_at(i))
            .collect::<Vec<_>>()
    );
    assert!(v.losses.iter().all(|l| l.is_finite()));
    assert_eq!(result.suggested(), &v.suggestions);
    assert_ne!(
        result.suggested(),
        &result.suggestions,
        "both curves were analysed"
    );

    // Asking for one without the other is an error naming the setting.
    let no_hook = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        digits(&device).0,
        ce,
        &rt,
        finder::Hooks::default(),
    );
    assert!(no_hook.unwrap_err().to_string().starts_with("val_every"));
}

/// Digits, a loss and the validation set for the runs on a model of one's own: fresh batch
/// sources, the batch loss and the validation evaluation a user passes in.
struct Digits {
    prepared: data::Prepared,
    device: Device,
    loss: burn::nn::loss::CrossEntropyLoss,
    valid: data::Batcher,
}

impl Digits {
    fn new() -> Self {
        let config = DataConfig::default(); // digits
        let prepared = data::prepare(data::load(&config).unwrap(), &config, 0).unwrap();
        let device = Device::flex().autodiff();
        let valid = lrfind::pipeline::eval_set(
            &prepared,
            prepared.valid(),
            lrfind::model::Head::Classes(10),
            Default::default(),
        );
        Digits {
            loss: CrossEntropyLossConfig::new().init(&device),
            prepared,
            device,
            valid,
        }
    }

    /// One epoch of the training rows per pass, in the order `seed` gives.
    fn batches(&self, seed: u64) -> finder::Passes<impl FnMut() -> Vec<data::Batch> + '_> {
        let mut batcher = data::Batcher::new(
            &self.prepared,
            self.prepared.train(),
            64,
            data::Targets::ClassIndex,
            &self.device,
            seed,
        );
        let per_epoch = batcher.batches_per_epoch();
        finder::Passes(move || batcher.by_ref().take(per_epoch).collect::<Vec<_>>())
    }

    fn loss(&self, m: &BnNet, b: &data::Batch) -> Tensor<1> {
        self.loss
            .forward(m.forward(b.inputs.clone()), b.classes.clone().unwrap())
    }

    fn evaluate(&self, m: &BnNet) -> lrfind::train::Evaluation {
        lrfind::train::evaluate(
            m,
            |m: &BnNet, b: &data::Batch| m.forward(b.inputs.clone()),
            lrfind::model::Head::Classes(10),
            self.valid.in_order_iter(lrfind::pipeline::EVAL_BATCH),
            1.0,
        )
    }
}

/// `sweep_models` on a model defined here (BatchNorm included) and the digits data: every
/// grid LR trained from the same weights, the far too large LR not recommended, the best
/// inside the grid's sensible decades, the conclusion placing a suggestion; a bad grid is
/// refused by field name.
#[test]
fn sweep_on_a_model_of_your_own_concludes_like_the_command() {
    use lrfind::compare::{LrSpec, Setting};
    use lrfind::config::OptimizerConfig;
    use lrfind::sweep;

    let d = Digits::new();
    d.device.seed(0);
    let model = BnNet::new(64, 10, &d.device);
    let setting = Setting::from_spec("constant", &OptimizerConfig::default(), LrSpec::Value(1e-3))
        .unwrap()
        .resolve(None, 2, 64)
        .unwrap();
    let run = |setting: &lrfind::run::Resolved, lrs: &[f64]| {
        sweep::sweep_models(
            &model,
            setting,
            lrs,
            |_| d.batches(0),
            |m: &BnNet, b: &data::Batch| d.loss(m, b),
            |m: &BnNet| d.evaluate(m),
            Some(5e-3),
        )
    };
    let lrs = [1e-5, 1e-3, 1e-2, 30.0];
    let s = run(&setting, &lrs).unwrap();
    assert_eq!(s.runs.len(), lrs.len());
    for (r, lr) in s.runs.iter().zip(lrs) {
        assert_eq!(r.setting.lr, lr);
        assert_eq!(r.setting.epochs, 2);
    }
    // Every run starts from the same weights.
    let initial: Vec<f64> = s.runs.iter().map(|r| r.initial.loss).collect();
    assert!(initial.windows(2).all(|w| w[0] == w[1]), "{initial:?}");
    let best = s.best_lr().expect("a recommendation");
    assert!(
        (1e-3..=1e-2).contains(&best),
        "best {best:e}: {:?}",
        s.outcomes
    );
    // LR 30 fails (diverges or stalls): never the recommendation.
    let at_30 = &s.outcomes[3];
    assert!(at_30.failed(), "{at_30:?}");
    assert_ne!(s.conclusion.best, Some(3));
    let (lo, hi) = s.conclusion.interval.expect("a promising interval");
    assert!(lo <= best && best <= hi);
    assert!(s.conclusion.suggestion.is_some(), "{:?}", s.conclusion);
    assert!(!s.conclusion.lines.is_empty());
    for bad in [&[][..], &[1e-3, 1e-4][..], &[0.0, 1e-3][..]] {
        let e = run(&setting, bad).unwrap_err().to_string();
        assert!(e.starts_with("lrs: "), "{e}");
    }
    assert!(s.reports.is_empty());
    // With the per-split report: the validation split's accuracy is the run's final metric,
    // and the report feeds the conclusion as in the command.
    let reported = sweep::sweep_models_reported(
        &model,
        &setting,
        &lrs[..3],
        |_| d.batches(0),
        |m: &BnNet, b: &data::Batch| d.loss(m, b),
        |m: &BnNet| d.evaluate(m),
        None,
        |m: &BnNet| {
            let head = lrfind::model::Head::Classes(10);
            let p = lrfind::train::predict(
                m,
                |m: &BnNet, b: &data::Batch| m.forward(b.inputs.clone()),
                head,
                d.valid.in_order_iter(lrfind::pipeline::EVAL_BATCH),
            );
            vec![sweep::split_report(
                "validation",
                head,
                &p,
                0.5,
                (0.0, 1.0),
                false,
            )]
        },
    )
    .unwrap();
    assert_eq!(reported.reports.len(), 3);
    for (run, reports) in reported.runs.iter().zip(&reported.reports) {
        let accuracy = reports[0].accuracy().unwrap();
        let metric = run.summary.final_metric.unwrap();
        assert!(
            (accuracy - metric).abs() < 1e-9,
            "{accuracy} against {metric}"
        );
    }
    assert_eq!(reported.best_lr(), s.best_lr());
    // The library names the optimizer's fields, not the command line's flags.
    let mut with_momentum = setting.clone();
    with_momentum.optimizer.momentum = Some(0.9);
    let e = run(&with_momentum, &[1e-3]).unwrap_err().to_string();
    assert_eq!(
        e, "momentum: setting '1e-3': applies to `optimizer` sgd only",
        "{e}"
    );
}

/// `evaluate_models` on a model defined here and digits: two seeds, a coarse grid refined
/// around each budget's best, every rule scored at 1 and 3 epochs, a second range-test
/// length compared and the recipes trained, as the command does on its MLP; bad plans are
/// refused by field name.
#[test]
fn evaluate_on_a_model_of_your_own_scores_every_rule_per_budget() {
    use lrfind::config::OptimizerConfig;
    use lrfind::evaluate::{Arm, EvaluationPlan, evaluate_models};

    let d = Digits::new();
    let test = finder::RangeTest::new().iters(100);
    let run = |plan: &EvaluationPlan| {
        evaluate_models(
            plan,
            |seed| {
                d.device.seed(seed);
                BnNet::new(64, 10, &d.device)
            },
            &test,
            &OptimizerConfig::default(),
            |seed| d.batches(seed),
            |m: &BnNet, b: &data::Batch| d.loss(m, b),
            |m: &BnNet| d.evaluate(m),
            true,
        )
    };
    let coarse = [1e-4, 1e-3, 1e-2, 1e-1, 1.0];
    let plan = EvaluationPlan::new(2, &coarse, &[1, 3])
        .refine(2)
        .iters_list(&[60])
        .arms(&[Arm::Prodigy]);
    let e = run(&plan).unwrap();
    assert_eq!(e.range_tests.len(), 2);
    assert!(e.lrs.len() > coarse.len(), "refined: {:?}", e.lrs);
    assert!(e.lrs.windows(2).all(|w| w[0] < w[1]), "{:?}", e.lrs);
    assert!(coarse.iter().all(|lr| e.lrs.contains(lr)));
    let per_epoch = d.prepared.train().len().div_ceil(64);
    assert!(e.steps_per_epoch == per_epoch || e.steps_per_epoch == per_epoch - 1);
    assert_eq!(e.budgets.len(), 2);
    for (b, epochs) in e.budgets.iter().zip([1, 3]) {
        assert_eq!(b.epochs, epochs);
        assert_eq!(b.steps, epochs * e.steps_per_epoch);
        assert_eq!(b.losses.len(), 2);
        let (lo, hi) = b.grid.interval;
        let best = b.grid.lrs[b.grid.best];
        assert!(lo <= best && best <= hi);
        // Adam on digits trains best between 1e-3 and 1e-1 at these lengths.
        assert!(
            (1e-3..=1e-1).contains(&best),
            "best {best:e} at {epochs} epoch(s)"
        );
        assert_eq!(b.rules.len(), lrfind::Method::ALL.len());
        let knee = b
            .rules
            .iter()
            .find(|r| r.method == lrfind::Method::Knee)
            .unwrap();
        assert_eq!(knee.outside.len(), 2);
        assert!(
            knee.outside.iter().all(|d| (0.0..1.0).contains(d)),
            "{:?}",
            knee.outside
        );
        // The shorter range test, on the first seed.
        assert_eq!(knee.by_iters.len(), 1);
        assert!(knee.by_iters[0].is_some());
        // The recipes: the range test's own first, each on both seeds.
        let arms: Vec<Arm> = b.arms.iter().map(|a| a.arm).collect();
        assert_eq!(arms, [Arm::Constant, Arm::Onecycle, Arm::Prodigy]);
        let constant = &b.arms[0];
        for (seed, outcome) in constant.seeds.iter().enumerate() {
            // Trained at the knee's suggestion for this budget, costed with its range test.
            assert_eq!(outcome.lr, knee.suggestions[seed]);
            assert_eq!(outcome.cost_steps, 100 + b.steps);
            assert!(outcome.val_metric > 0.5, "{outcome:?}");
        }
        // The grid's best as a recipe is the grid's own run at the best LR.
        let grid_best = b.grid_best.as_ref().unwrap();
        assert_eq!(grid_best.lr, best);
        let at = e.lrs.iter().position(|&lr| lr == best).unwrap();
        for (seed, outcome) in grid_best.seeds.iter().enumerate() {
            assert_eq!(outcome.val_loss, b.losses[seed][at]);
        }
        // Prodigy runs once, to the longest budget, and is read after each.
        assert_eq!(b.arms[2].seeds[0].cost_steps, b.steps);
    }
    // The command's report and figure, for this model.
    let md = lrfind::report::model_evaluation_md(&e, "BnNet on digits", "evaluation.png");
    for part in [
        "# How good are the suggestions? BnNet on digits",
        "## 3 epoch(s)",
        "| knee |",
        "| prodigy |",
        "| grid's best (the bar) |",
        "## Confidence",
    ] {
        assert!(md.contains(part), "{part} missing from:\n{md}");
    }
    let dir = crate::TempDir::new();
    let png = dir.path().join("evaluation.png");
    lrfind::plot::evaluation(&e, "BnNet on digits", Some(&png), None).unwrap();
    assert_eq!(image::image_dimensions(&png).unwrap(), (960, 600));
    let bad = [
        (EvaluationPlan::new(2, &coarse, &[3, 1]), "epochs_list: "),
        (EvaluationPlan::new(2, &coarse, &[0]), "epochs_list: "),
        (EvaluationPlan::new(2, &[1e-2, 1e-3], &[1]), "lrs: "),
        (EvaluationPlan::new(0, &coarse, &[1]), "seeds: "),
        (
            EvaluationPlan::new(1, &coarse, &[1]).iters_list(&[5]),
            "iters_list: ",
        ),
        (
            EvaluationPlan::new(1, &coarse, &[1]).arms(&[Arm::Prodigy, Arm::Prodigy]),
            "arms: ",
        ),
    ];
    for (plan, field) in bad {
        let err = run(&plan).unwrap_err().to_string();
        assert!(err.starts_with(field), "{err}");
    }
}

/// `compare_models` on a model defined here: a constant LR against 1cycle at the same peak,
/// both from the same weights and batches; each run keeps its schedule's LRs, the speed-ups
/// are against the first, and the figure of any runs is drawn.
#[test]
fn compare_on_a_model_of_your_own_trains_every_setting_alike() {
    use lrfind::compare::{LrSpec, Setting, compare_models};
    use lrfind::config::OptimizerConfig;

    let d = Digits::new();
    d.device.seed(0);
    let model = BnNet::new(64, 10, &d.device);
    let settings: Vec<_> = ["constant", "onecycle"]
        .iter()
        .map(|spec| {
            Setting::from_spec(spec, &OptimizerConfig::default(), LrSpec::Value(5e-3))
                .unwrap()
                .resolve(None, 2, 64)
                .unwrap()
        })
        .collect();
    let runs = compare_models(
        &model,
        &settings,
        |_| d.batches(0),
        |m: &BnNet, b: &data::Batch| d.loss(m, b),
        |m: &BnNet| d.evaluate(m),
        &[0.5, 0.8],
        true,
    )
    .unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs[0].initial, runs[1].initial,
        "the same starting weights"
    );
    let steps = runs[0].steps_per_epoch * 2;
    assert_eq!(runs[0].step_lrs, vec![5e-3; steps]);
    let peak = runs[1].step_lrs.iter().copied().fold(0.0, f64::max);
    assert!(
        (peak - 5e-3).abs() < 1e-9 && runs[1].step_lrs[0] < 1e-3,
        "{peak}"
    );
    for run in &runs {
        assert_eq!(run.epochs.len(), 2);
        assert!(run.summary.final_metric.unwrap() > 0.8, "{:?}", run.summary);
    }
    assert_eq!(runs[1].summary.speedup_epochs.len(), 2);
    let dir = crate::TempDir::new();
    let png = dir.path().join("runs.png");
    lrfind::plot::runs(&runs, "constant against 1cycle", true, Some(&png), None).unwrap();
    assert_eq!(image::image_dimensions(&png).unwrap(), (1200, 820));
}

/// An epoch of the batcher covers every training row once: with the last short batch
/// dropped (the default) in full batches only, with it kept (PyTorch's, Keras' and Burn's
/// way) in `ceil(rows / batch)` batches, the last one short.
#[test]
fn a_batcher_keeps_or_drops_the_last_short_batch() {
    let device = Device::flex();
    for keep in [false, true] {
        let config = DataConfig {
            data: "assets/iris.csv".into(),
            keep_last_batch: keep,
            ..Default::default()
        };
        let prepared = data::prepare(data::load(&config).unwrap(), &config, 0).unwrap();
        let rows = prepared.train().len();
        assert_eq!(rows, 120);
        let batcher_of = |size| {
            let classes = data::Targets::ClassIndex;
            data::Batcher::new(&prepared, prepared.train(), size, classes, &device, 0)
        };
        let mut batcher = batcher_of(50);
        let per_epoch = batcher.batches_per_epoch();
        assert_eq!(per_epoch, if keep { 3 } else { 2 });
        assert_eq!(prepared.batches_per_epoch(50), per_epoch);
        // The training part's labels, sorted: a kept epoch holds each row once.
        let sorted = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v
        };
        let all = sorted(
            prepared
                .train()
                .iter()
                .map(|&r| prepared.table.target[r])
                .collect(),
        );
        let mut orders = Vec::new();
        for epoch in 1..=3 {
            let batches: Vec<data::Batch> = batcher.by_ref().take(per_epoch).collect();
            assert_eq!(batcher.epoch(), epoch);
            let sizes: Vec<usize> = batches.iter().map(|b| b.len()).collect();
            let labels: Vec<f64> = batches.iter().flat_map(|b| b.labels.clone()).collect();
            if keep {
                assert_eq!(sizes, [50, 50, 20], "every row once a pass");
                assert_eq!(sorted(labels.clone()), all);
            } else {
                assert_eq!(sizes, [50, 50], "20 rows left out of each pass");
            }
            orders.push(labels);
        }
        assert!(
            orders[0] != orders[1] && orders[1] != orders[2],
            "reshuffled every epoch"
        );
        // A batch larger than the rows is all of them, in either mode.
        let mut whole = batcher_of(200);
        assert_eq!(whole.batches_per_epoch(), 1);
        assert_eq!(whole.next().unwrap().len(), 120);
    }
}
