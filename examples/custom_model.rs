//! Your own Burn model through lrfind's library: a small CNN over the 8x8 digits images,
//! the range test, the suggestion printed and the plot saved; then `compare` on the same
//! CNN (a constant LR against 1cycle, both at the suggestion), its table written to
//! `compare.md`.
//!
//! ```text
//! cargo run --release --example custom_model -- [--iters 300] [--epochs 5] [--out out]
//! ```

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::optim::AdamWConfig;
use burn::tensor::{Device, Tensor};
use lrfind::compare::{LrSpec, Setting};
use lrfind::config::DataConfig;
use lrfind::config::OptimizerConfig;
use lrfind::model::Head;
use lrfind::{RangeTestConfig, compare, data, finder, pipeline, plot, report, train};

/// Two 3x3 convolutions, a 2x2 max-pool and a linear head: 10 logits per image.
#[derive(Module, Debug)]
struct DigitsCnn {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    act: Relu,
    head: Linear,
}

impl DigitsCnn {
    fn new(device: &Device) -> Self {
        let conv = |channels| {
            Conv2dConfig::new(channels, [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .init(device)
        };
        DigitsCnn {
            conv1: conv([1, 16]),
            conv2: conv([16, 32]),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            act: Relu::new(),
            head: LinearConfig::new(32 * 4 * 4, 10).init(device),
        }
    }

    /// `[batch, 64]` pixels → `[batch, 10]` logits.
    fn forward(&self, pixels: Tensor<2>) -> Tensor<2> {
        let [n, _] = pixels.dims();
        let x = pixels.reshape([n, 1, 8, 8]);
        let x = self.act.forward(self.conv1.forward(x)); // [n, 16, 8, 8]
        let x = self.act.forward(self.conv2.forward(x)); // [n, 32, 8, 8]
        let x = self.pool.forward(x); // [n, 32, 4, 4]
        self.head.forward(x.reshape([n, 32 * 4 * 4]))
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iters: usize = arg("--iters").map_or(Ok(300), |s| s.parse())?;
    let out = std::path::PathBuf::from(arg("--out").unwrap_or_else(|| "out".into()));
    std::fs::create_dir_all(&out)?;

    // lrfind's data layer: the built-in digits, split and standardised, in batches of 64.
    let config = DataConfig::default();
    let digits = data::prepare(data::load(&config)?, &config, 0)?;
    let device = Device::flex().autodiff();
    device.seed(0);
    let batches = data::Batcher::new(
        &digits,
        digits.train(),
        64,
        data::Targets::ClassIndex,
        &device,
        0,
    );

    let model = DigitsCnn::new(&device);
    let loss = CrossEntropyLossConfig::new().init(&device);
    let result = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        batches,
        |m: &DigitsCnn, b: &data::Batch| {
            loss.forward(
                m.forward(b.inputs.clone()),
                b.classes.clone().expect("class targets"),
            )
        },
        &RangeTestConfig {
            iters,
            ..Default::default()
        },
        finder::Hooks::default(),
    )?;

    let chosen = result.chosen();
    match chosen.lr {
        Some(lr) => println!(
            "suggested LR for the CNN: {lr:.2e} ({})",
            chosen.method.name()
        ),
        None => println!("no suggestion: {}", chosen.reason.as_deref().unwrap_or("")),
    }
    let png = out.join("lr_find_cnn.png");
    plot::lr_find(&result, "LR range test: digits CNN", Some(&png), None)?;
    println!("wrote {}", png.display());

    // compare on the same CNN: constant against 1cycle at the suggestion, from the same
    // initial weights, every run reading the same batches (a fresh, equally seeded batcher per
    // run), evaluated on the validation part.
    let Some(lr) = chosen.lr else {
        return Ok(());
    };
    let epochs: usize = arg("--epochs").map_or(Ok(5), |s| s.parse())?;
    let settings = ["constant", "onecycle"]
        .iter()
        .map(|spec| {
            Setting::from_spec(spec, &OptimizerConfig::default(), LrSpec::Value(lr))?
                .resolve(None, epochs, 64)
        })
        .collect::<lrfind::Result<Vec<_>>>()?;
    let valid = pipeline::eval_set(
        &digits,
        digits.valid(),
        Head::Classes(10),
        Default::default(),
    );
    let runs = compare::compare_models(
        &model,
        &settings,
        |_| {
            device.seed(0);
            let mut batcher = data::Batcher::new(
                &digits,
                digits.train(),
                64,
                data::Targets::ClassIndex,
                &device,
                0,
            );
            let per_epoch = batcher.batches_per_epoch();
            finder::Passes(move || batcher.by_ref().take(per_epoch).collect::<Vec<_>>())
        },
        |m: &DigitsCnn, b: &data::Batch| {
            loss.forward(
                m.forward(b.inputs.clone()),
                b.classes.clone().expect("class targets"),
            )
        },
        |m: &DigitsCnn| {
            train::evaluate(
                m,
                |m: &DigitsCnn, b: &data::Batch| m.forward(b.inputs.clone()),
                Head::Classes(10),
                valid.in_order_iter(pipeline::EVAL_BATCH),
                1.0,
            )
        },
        &[0.5, 0.8, 0.9],
        true,
    )?;
    let md = report::runs_md(
        "Constant against 1cycle on the digits CNN",
        &runs,
        &[0.5, 0.8, 0.9],
        true,
    );
    report::write_atomic(&out.join("compare.md"), md.as_bytes())?;
    plot::runs(
        &runs,
        "Constant against 1cycle on the digits CNN",
        true,
        Some(&out.join("compare.png")),
        None,
    )?;
    for run in &runs {
        println!(
            "{}: final validation accuracy {:.1} % after {} epoch(s) ({})",
            run.setting.name,
            100.0 * run.summary.final_metric.unwrap_or(f64::NAN),
            run.epochs.len(),
            run.summary.verdict.text()
        );
    }
    println!("wrote {} and compare.png", out.join("compare.md").display());
    Ok(())
}
