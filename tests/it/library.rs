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
struct BnNet {
    input: Linear,
    norm: BatchNorm,
    act: Relu,
    output: Linear,
}

impl BnNet {
    fn new(inputs: usize, classes: usize, device: &Device) -> Self {
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
