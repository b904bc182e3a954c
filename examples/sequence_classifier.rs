//! A token-sequence binary classifier, the model family of a typical LR-sweep write-up:
//! embedding, mean pooling over the sequence, one logit, binary cross-entropy on logits,
//! sequences of 256 tokens, imbalanced labels (about 1 positive in 8). The sequences are
//! generated here (seeded): positives use a handful of "signal" tokens a little more often.
//! The range test runs in validation-loss mode too, so both curves are drawn.
//!
//! ```text
//! cargo run --release --example sequence_classifier -- [--rows 4000] [--iters 300] [--out out]
//! ```

use burn::module::Module;
use burn::nn::loss::BinaryCrossEntropyLossConfig;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::optim::AdamWConfig;
use burn::tensor::{Device, Int, Tensor, TensorData};
use lrfind::config::CurveKind;
use lrfind::rng::Rng;
use lrfind::{RangeTestConfig, finder, plot};

const SEQ_LEN: usize = 256;
const VOCAB: usize = 1000;
const SIGNAL: [usize; 5] = [3, 17, 42, 256, 777];
const POSITIVE_RATE: usize = 8; // one in eight

#[derive(Module, Debug)]
struct SequenceClassifier {
    embedding: Embedding,
    output: Linear,
}

impl SequenceClassifier {
    fn new(device: &Device) -> Self {
        SequenceClassifier {
            embedding: EmbeddingConfig::new(VOCAB, 32).init(device),
            output: LinearConfig::new(32, 1).init(device),
        }
    }

    /// `[batch, SEQ_LEN]` tokens → `[batch, 1]` logits.
    fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<2> {
        let embedded = self.embedding.forward(tokens); // [batch, SEQ_LEN, 32]
        let pooled = embedded.mean_dim(1).squeeze_dim::<2>(1); // [batch, 32]
        self.output.forward(pooled)
    }
}

#[derive(Debug, Clone)]
struct SeqBatch {
    tokens: Tensor<2, Int>,
    labels: Tensor<2, Int>,
}

/// `rows` labelled sequences: tokens uniform over the vocabulary, except that each token of
/// a positive sequence is a signal token with probability 1/16.
fn generate(rows: usize, seed: u64) -> (Vec<i64>, Vec<i64>) {
    let mut rng = Rng::new(seed, 0);
    let (mut tokens, mut labels) = (Vec::with_capacity(rows * SEQ_LEN), Vec::with_capacity(rows));
    for _ in 0..rows {
        let positive = rng.below(POSITIVE_RATE) == 0;
        labels.push(i64::from(positive));
        for _ in 0..SEQ_LEN {
            let token = if positive && rng.below(16) == 0 {
                SIGNAL[rng.below(SIGNAL.len())]
            } else {
                rng.below(VOCAB)
            };
            tokens.push(token as i64);
        }
    }
    (tokens, labels)
}

fn batches(tokens: &[i64], labels: &[i64], size: usize, device: &Device) -> Vec<SeqBatch> {
    labels
        .chunks(size)
        .zip(tokens.chunks(size * SEQ_LEN))
        .map(|(l, t)| SeqBatch {
            tokens: Tensor::from_data(TensorData::new(t.to_vec(), [l.len(), SEQ_LEN]), device),
            labels: Tensor::from_data(TensorData::new(l.to_vec(), [l.len(), 1]), device),
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
    let positives = labels.iter().filter(|&&l| l == 1).count();
    println!("{rows} sequences of {SEQ_LEN} tokens, {positives} positive");
    // 80 % training batches (cycled), 20 % a fixed validation set on a plain device.
    let cut = rows * 4 / 5;
    let train = batches(&tokens[..cut * SEQ_LEN], &labels[..cut], 32, &device);
    let plain = Device::flex();
    let valid = batches(&tokens[cut * SEQ_LEN..], &labels[cut..], 256, &plain);

    let model = SequenceClassifier::new(&device);
    let bce = BinaryCrossEntropyLossConfig::new().with_logits(true);
    let loss_fn = |m: &SequenceClassifier, b: &SeqBatch| {
        bce.init(&b.tokens.device())
            .forward(m.forward(b.tokens.clone()), b.labels.clone())
    };
    let mut validate = |m: &SequenceClassifier| {
        let m = m.valid();
        let n: usize = valid.iter().map(|b| b.labels.dims()[0]).sum();
        let total: f64 = valid
            .iter()
            .map(|b| loss_fn(&m, b).into_scalar::<f64>() * b.labels.dims()[0] as f64)
            .sum();
        total / n as f64
    };
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
