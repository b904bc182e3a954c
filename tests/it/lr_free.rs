//! Prodigy and Schedule-Free AdamW against their authors' PyTorch packages
//! (`tests/fixtures/lr_free/`, generator beside it): eight steps of a fixed least-squares
//! problem on a matrix and a vector (different ranks, so a per-tensor `d` would differ).

use burn::module::{Module, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use lrfind::optim::{ProdigyConfig, ScheduleFreeConfig, Stepper};
use serde_json::Value;

#[derive(Module, Debug)]
struct Tiny {
    w: Param<Tensor<2>>,
    b: Param<Tensor<1>>,
}

fn fixture() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lr_free/lr_free.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    match v {
        Value::Array(a) => a.iter().flat_map(floats).collect(),
        v => vec![v.as_f64().unwrap() as f32],
    }
}

fn tensor<const D: usize>(v: &Value, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(floats(v), shape), device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_to_vec::<f32>().unwrap()
}

/// Asserts `got` is within `tol` of `want`, relative to the larger magnitude (at least 1e-3).
fn near(got: &[f32], want: &[f32], tol: f32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tol * g.abs().max(w.abs()).max(1e-3),
            "{what}: {got:?} vs {want:?}"
        );
    }
}

/// Runs the fixture's problem for every step of `config`, calling `check` after each.
fn run(name: &str, mut stepper: Stepper, lr: f64, mut check: impl FnMut(&Value, &Tiny, &Stepper)) {
    let fx = fixture();
    let problem = &fx["problem"];
    let device = Device::flex().autodiff();
    let x = tensor(&problem["X"], [4, 3], &device);
    let y = tensor(&problem["Y"], [4, 2], &device);
    let mut model = Tiny {
        w: Param::from_tensor(tensor(&problem["W0"], [3, 2], &device).require_grad()),
        b: Param::from_tensor(tensor(&problem["b0"], [2], &device).require_grad()),
    };
    let steps = fx["configs"][name]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 8);
    for want in steps {
        let pred = x.clone().matmul(model.w.val()) + model.b.val().unsqueeze_dim(0);
        let loss = (pred - y.clone()).powf_scalar(2.0).mean();
        let value = loss.clone().into_scalar::<f64>();
        let expected = want["loss"].as_f64().unwrap();
        assert!(
            (value - expected).abs() < 1e-5 * expected,
            "{name} loss {value} vs {expected}"
        );
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = stepper.step(lr, model, grads);
        check(want, &model, &stepper);
    }
}

fn prodigy(name: &str, config: ProdigyConfig) {
    run(name, config.init().into(), 1.0, |want, model, stepper| {
        let step = want["step"].as_u64().unwrap();
        let what = |p: &str| format!("{name} step {step} {p}");
        near(
            &values(model.w.val()),
            &floats(&want["W"]),
            1e-5,
            &what("W"),
        );
        near(
            &values(model.b.val()),
            &floats(&want["b"]),
            1e-5,
            &what("b"),
        );
        let Stepper::Prodigy(p) = stepper else {
            unreachable!()
        };
        let d = want["d"].as_f64().unwrap();
        assert!(
            (p.d() - d).abs() <= 1e-5 * d,
            "{} d {} vs {d}",
            what("d"),
            p.d()
        );
    });
}

#[test]
fn prodigy_matches_prodigyopt() {
    prodigy("prodigy_default", ProdigyConfig::default());
    prodigy(
        "prodigy_variant",
        ProdigyConfig {
            betas: (0.9, 0.99),
            beta3: Some(0.95),
            weight_decay: 0.1,
            use_bias_correction: true,
            safeguard_warmup: true,
            d_coef: 2.0,
            d0: 1e-5,
            ..ProdigyConfig::default()
        },
    );
    prodigy(
        "prodigy_coupled",
        ProdigyConfig {
            weight_decay: 0.05,
            decouple: false,
            ..ProdigyConfig::default()
        },
    );
}

fn schedule_free(name: &str, config: ScheduleFreeConfig, lr: f64) {
    run(name, config.init().into(), lr, |want, model, stepper| {
        let step = want["step"].as_u64().unwrap();
        let what = |p: &str| format!("{name} step {step} {p}");
        // The training weights are y; the evaluation weights x.
        near(
            &values(model.w.val()),
            &floats(&want["y"]["W"]),
            1e-5,
            &what("y W"),
        );
        near(
            &values(model.b.val()),
            &floats(&want["y"]["b"]),
            1e-5,
            &what("y b"),
        );
        let x = stepper.eval_weights(model.clone());
        near(
            &values(x.w.val()),
            &floats(&want["x"]["W"]),
            1e-5,
            &what("x W"),
        );
        near(
            &values(x.b.val()),
            &floats(&want["x"]["b"]),
            1e-5,
            &what("x b"),
        );
    });
}

#[test]
fn schedule_free_adamw_matches_schedulefree() {
    schedule_free("sf_default", ScheduleFreeConfig::default(), 0.0025);
    schedule_free(
        "sf_variant",
        ScheduleFreeConfig {
            betas: (0.9, 0.99),
            warmup_steps: 3,
            weight_decay: 0.01,
            ..ScheduleFreeConfig::default()
        },
        0.05,
    );
}

/// The settings files README shows train on digits to 90 % within 10 epochs, neither
/// diverging nor stalling, and the names work in every command.
#[test]
fn prodigy_and_schedule_free_in_every_command() {
    let dir = crate::TempDir::new();
    let out = dir.path().join("compare");
    let root = env!("CARGO_MANIFEST_DIR");
    let (p, s) = (
        format!("{root}/examples/prodigy.toml"),
        format!("{root}/examples/schedule_free.toml"),
    );
    let o = out.to_str().unwrap();
    crate::lrfind_ok(&[
        "compare", "-q", "--epochs", "10", "--config", &p, "--config", &s, "--out", o,
    ]);
    let doc = crate::read_json(&out.join("compare.json"));
    for (run, name) in doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["prodigy", "schedule-free-adamw"])
    {
        assert_eq!(run["setting"]["optimizer"]["optimizer"], name);
        let verdict = run["summary"]["verdict"].as_str().unwrap();
        assert!(
            !["diverged", "stalled"].contains(&verdict),
            "{name}: {verdict}"
        );
        let to_90 = run["summary"]["epochs_to_target"][2].as_u64();
        assert!(to_90.is_some_and(|e| e <= 10), "{name}: {}", run["summary"]);
    }
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(
        md.contains("| Prodigy |") && md.contains("| Schedule-Free AdamW |"),
        "{md}"
    );

    let sweep = dir.path().join("sweep");
    crate::lrfind_ok(&[
        "sweep",
        "-q",
        "--optimizers",
        "prodigy,schedule-free-adamw",
        "--lrs",
        "0.01,1",
        "--epochs",
        "1",
        "--out",
        sweep.to_str().unwrap(),
    ]);
    assert_eq!(
        crate::read_json(&sweep.join("sweep.json"))["results"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let suggest = crate::lrfind_ok(&[
        "suggest",
        "--optimizer",
        "prodigy",
        "--out",
        dir.path().join("suggest").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&suggest.stdout);
    assert!(text.contains("Prodigy: the LR is a multiplier"), "{text}");
}

#[derive(Module, Debug)]
struct Normed {
    linear: burn::nn::Linear,
    norm: burn::nn::BatchNorm,
}

/// Evaluating Schedule-Free at `x` on a model with BatchNorm: the running statistics,
/// gathered at `y` during training, are recomputed at `x` by train-mode forward passes.
#[test]
fn schedule_free_recalibrates_batchnorm_at_the_averaged_weights() {
    use burn::nn::{BatchNormConfig, LinearConfig};
    let device = Device::flex().autodiff();
    device.seed(7);
    let mut model = Normed {
        linear: LinearConfig::new(3, 2).init(&device),
        norm: BatchNormConfig::new(2).init(&device),
    };
    let x = Tensor::<2>::random(
        [64, 3],
        burn::tensor::Distribution::Normal(1.0, 2.0),
        &device,
    );
    let forward = |m: &Normed, x: &Tensor<2>| m.norm.forward(m.linear.forward(x.clone()));
    let mut optim = ScheduleFreeConfig::default().init();
    for _ in 0..20 {
        let loss =
            forward(&model, &x).powf_scalar(2.0).mean() + model.linear.forward(x.clone()).mean();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(0.05, model, grads);
    }
    let at_x = optim.eval_weights(model.clone());
    let batch_mean = |m: &Normed| values(m.linear.forward(x.clone()).mean_dim(0).reshape([2]));
    let running = |m: &Normed| values(m.norm.running_mean.value());
    let stale = running(&at_x);
    let want = batch_mean(&at_x);
    let fresh =
        lrfind::optim::recalibrate_batchnorm(at_x, std::iter::repeat_n(x.clone(), 100), |m, b| {
            let _ = forward(m, b);
        });
    let got = running(&fresh);
    // The statistics now belong to x (100 passes at momentum 0.1 leave 0.9^100 of the old).
    near(&got, &want, 1e-3, "recalibrated running mean");
    assert!(
        stale.iter().zip(&want).any(|(s, w)| (s - w).abs() > 1e-3),
        "the statistics gathered at y differ from x's: {stale:?} vs {want:?}"
    );
    // The weights are x's, untouched by the passes.
    near(
        &values(fresh.linear.weight.val()),
        &values(optim.eval_weights(model).linear.weight.val()),
        0.0,
        "weights",
    );
}
