//! A Burn user's own data pipeline through lrfind: the 8x8 digits images as a Burn
//! `Dataset` (`InMemDataset`), a `Batcher` into image tensors, `DataLoaderBuilder`, a small
//! CNN, and the range test in one call (`RangeTest`) for a 10-epoch training; prints the
//! suggestion and saves the plot. Needs the `dataloader` and `plot` features (both default).
//!
//! ```text
//! cargo run --release --example burn_dataloader -- [--iters 300] [--out out]
//! ```

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::{Dataset, InMemDataset};
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::pool::AdaptiveAvgPool2d;
use burn::nn::pool::AdaptiveAvgPool2dConfig;
use burn::nn::{Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::optim::AdamWConfig;
use burn::tensor::{Device, Int, Tensor, TensorData};
use lrfind::finder::RangeTest;
use lrfind::plot;

/// One image: 64 pixel intensities (0 to 16) and its digit.
#[derive(Clone, Debug)]
struct DigitItem {
    pixels: Vec<f32>,
    label: i64,
}

/// A batch: images `[n, 1, 8, 8]` scaled to [0, 1], and the digits `[n]`.
#[derive(Clone, Debug)]
struct DigitBatch {
    images: Tensor<4>,
    labels: Tensor<1, Int>,
}

struct DigitBatcher;

impl Batcher<DigitItem, DigitBatch> for DigitBatcher {
    fn batch(&self, items: Vec<DigitItem>, device: &Device) -> DigitBatch {
        let n = items.len();
        let pixels: Vec<f32> = items
            .iter()
            .flat_map(|i| i.pixels.iter().map(|p| p / 16.0))
            .collect();
        let labels: Vec<i64> = items.iter().map(|i| i.label).collect();
        DigitBatch {
            images: Tensor::from_data(TensorData::new(pixels, [n, 1, 8, 8]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

/// A 3x3 convolution to 24 channels, global average pooling and a linear head.
#[derive(Module, Debug)]
struct SmallCnn {
    conv: Conv2d,
    pool: AdaptiveAvgPool2d,
    act: Relu,
    head: Linear,
}

impl SmallCnn {
    fn new(device: &Device) -> Self {
        SmallCnn {
            conv: Conv2dConfig::new([1, 24], [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .init(device),
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            act: Relu::new(),
            head: LinearConfig::new(24, 10).init(device),
        }
    }

    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let n = images.dims()[0];
        let x = self
            .pool
            .forward(self.act.forward(self.conv.forward(images))); // [n, 24, 1, 1]
        self.head.forward(x.reshape([n, 24]))
    }
}

/// The digits images of lrfind's assets, read as a user reads their own files.
fn digits() -> Result<Vec<DigitItem>, Box<dyn std::error::Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/digits.csv");
    let text = std::fs::read_to_string(path)?;
    let mut items = Vec::new();
    for line in text.lines().skip(1) {
        let cells = line
            .split(',')
            .map(str::parse::<f32>)
            .collect::<Result<Vec<_>, _>>()?;
        let (pixels, label) = cells.split_at(64);
        items.push(DigitItem {
            pixels: pixels.to_vec(),
            label: label[0] as i64,
        });
    }
    Ok(items)
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

    let device = Device::flex().autodiff();
    device.seed(0);
    let dataset = InMemDataset::new(digits()?);
    let batch_size = 64;
    let batches_per_epoch = dataset.len().div_ceil(batch_size);
    // The test gets a loader of its own: Burn's loaders shuffle from one shared RNG, so a
    // test on the training loader would move the training's later shuffles.
    let loader = DataLoaderBuilder::new(DigitBatcher)
        .batch_size(batch_size)
        .shuffle(42)
        .set_device(device.clone())
        .build(dataset);

    let model = SmallCnn::new(&device);
    let ce = CrossEntropyLossConfig::new().init(&device);
    let loss =
        |m: &SmallCnn, b: &DigitBatch| ce.forward(m.forward(b.images.clone()), b.labels.clone());
    let result = RangeTest::new()
        .iters(iters)
        .epochs(10)
        .batches_per_epoch(batches_per_epoch)
        .run(&model, AdamWConfig::new().init(), &loader, loss)?;

    let chosen = result.chosen();
    match chosen.lr {
        Some(lr) => println!(
            "suggested LR {lr:.2e} for 10 epochs of {batches_per_epoch} batches ({}, {} iterations)",
            chosen.method.name(),
            result.iterations()
        ),
        None => println!("no suggestion: {}", chosen.reason.as_deref().unwrap_or("")),
    }
    let png = out.join("lr_find_dataloader.png");
    plot::lr_find(
        &result,
        "LR range test: digits CNN, Burn DataLoader",
        Some(&png),
        None,
    )?;
    println!("wrote {}", png.display());
    Ok(())
}
