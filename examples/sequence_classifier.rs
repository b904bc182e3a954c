//! A token-sequence binary classifier, the model family of a typical LR-sweep write-up, with
//! lrfind's own sequence model (the one `--tokens` trains): embedding, masked mean+max
//! pooling over the sequence, one logit, binary cross-entropy on logits,
//! sequences of 256 tokens, imbalanced labels (about 1 positive in 8). The sequences are
//! generated here (seeded): positives use a handful of "signal" tokens a little more often.
//! The range test runs in validation-loss mode too, so both curves are drawn.
//!
//! ```text
//! cargo run --release --example sequence_classifier -- [--rows 4000] [--iters 300] [--out out]
//! ```

use burn::optim::AdamWConfig;
use burn::tensor::Device;
use lrfind::config::{CurveKind, ModelConfig, Pooling};
use lrfind::data::{Batch, Targets};
use lrfind::model::{Head, Mlp, TokenPool};
use lrfind::rng::Rng;
use lrfind::{RangeTestConfig, finder, plot, train};

const SEQ_LEN: usize = 256;
const VOCAB: usize = 1000;
const SIGNAL: [usize; 5] = [3, 17, 42, 256, 777];
const POSITIVE_RATE: usize = 8; // one in eight

/// `rows` labelled sequences: tokens uniform over the vocabulary, except that each token of
/// a positive sequence is a signal token with probability 1/16. Ids are stored plus one, as
/// lrfind's sequence batches hold them (0 is the padding id).
fn generate(rows: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let mut rng = Rng::new(seed, 0);
    let (mut tokens, mut labels) = (Vec::with_capacity(rows * SEQ_LEN), Vec::with_capacity(rows));
    for _ in 0..rows {
        let positive = rng.below(POSITIVE_RATE) == 0;
        labels.push(f64::from(u8::from(positive)));
        for _ in 0..SEQ_LEN {
            let token = if positive && rng.below(16) == 0 {
                SIGNAL[rng.below(SIGNAL.len())]
            } else {
                rng.below(VOCAB)
            };
            tokens.push(token as u32 + 1);
        }
    }
    (tokens, labels)
}

/// Sequence batches of `size` rows (no feature columns, one 0/1 label per row).
fn batches(tokens: &[u32], labels: &[f64], size: usize, device: &Device) -> Vec<Batch> {
    labels
        .chunks(size)
        .zip(tokens.chunks(size * SEQ_LEN))
        .map(|(l, t)| {
            Batch::new(Vec::new(), l, 0, Targets::Binary, device).with_tokens(t, SEQ_LEN, device)
        })
        .collect()
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = arg("--rows").map_or(Ok(4000), |s| s.parse())?;
    let iters: usize = arg("--iters").map_or(Ok(300), |s| s.parse())?;
    let out = std::path::PathBuf::from(arg("--out").unwrap_or_else(|| "out".into()));
    std::fs::create_dir_all(&out)?;

    let device = Device::flex().autodiff();
    device.seed(0);
    let (tokens, labels) = generate(rows, 7);
    let positives = labels.iter().filter(|&&l| l == 1.0).count();
    println!("{rows} sequences of {SEQ_LEN} tokens, {positives} positive");
    // 80 % training batches (cycled), 20 % a fixed validation set on a plain device.
    let cut = rows * 4 / 5;
    let train = batches(&tokens[..cut * SEQ_LEN], &labels[..cut], 32, &device);
    let plain = Device::flex();
    let valid = batches(&tokens[cut * SEQ_LEN..], &labels[cut..], 256, &plain);

    // lrfind's own sequence model (what `--tokens` trains): a 32-wide embedding, masked
    // mean+max pooling, straight to one logit.
    let head = Head::BinaryLogit;
    let config = ModelConfig {
        hidden: Vec::new(),
        ..ModelConfig::default()
    };
    let pool = TokenPool::new(VOCAB, 32, Pooling::MeanMax, &device);
    let model = Mlp::with_pool(Some(pool), 0, &config, head, &device);
    let loss_fn = |m: &Mlp, b: &Batch| head.loss(m.forward(b), b);
    let mut validate = |m: &Mlp| train::evaluate(m, Mlp::forward, head, &valid, 1.0).loss;
    let result = finder::range_test(
        &model,
        AdamWConfig::new().init(),
        train.iter().cloned().cycle(),
        loss_fn,
        &RangeTestConfig {
            iters,
            val_every: 10,
            ..Default::default()
        },
        finder::Hooks {
            validate: Some(&mut validate),
            ..Default::default()
        },
    )?;

    for (name, suggestions) in [
        ("training", &result.suggestions),
        (
            "validation",
            &result
                .validation
                .as_ref()
                .expect("validation mode")
                .suggestions,
        ),
    ] {
        let chosen = suggestions.chosen();
        match chosen.lr {
            Some(lr) => println!(
                "suggested LR on the {name} curve: {lr:.2e} ({})",
                chosen.method.name()
            ),
            None => println!(
                "no suggestion on the {name} curve: {}",
                chosen.reason.as_deref().unwrap_or("")
            ),
        }
    }
    assert_eq!(result.suggest_on, CurveKind::Training);
    let png = out.join("lr_find_sequences.png");
    plot::lr_find(
        &result,
        "LR range test: token-sequence classifier",
        Some(&png),
        None,
    )?;
    println!("wrote {}", png.display());
    Ok(())
}
