//! The built-in model (an MLP, with a pooled token embedding in front for sequence data)
//! and the loss for each task.
//!
//! The output is sized from the task: K logits with softmax cross-entropy for K classes, one
//! logit with binary cross-entropy on logits for two classes (or two logits with `--binary-head
//! ce`), one output with mean squared error for regression.

use burn::module::Module;
use burn::nn::loss::{BinaryCrossEntropyLossConfig, CrossEntropyLossConfig, MseLoss, Reduction};
use burn::nn::{Dropout, DropoutConfig, Embedding, EmbeddingConfig, Linear, LinearConfig, Relu};
use burn::tensor::{Device, Int, Tensor};

use crate::config::{BinaryHead, MAX_EMBEDDING, ModelConfig, Pooling};
use crate::data::{Batch, Table, Targets, Task};
use crate::error::{Error, Result};

/// The model's output layer and loss, from the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// K logits, softmax cross-entropy.
    Classes(usize),
    /// One logit, binary cross-entropy on logits.
    BinaryLogit,
    /// One output, mean squared error.
    Regression,
}

impl Head {
    /// The head for a task and config.
    pub fn for_task(task: &Task, binary_head: BinaryHead) -> Self {
        match task.num_classes() {
            0 => Head::Regression,
            2 if binary_head == BinaryHead::Bce => Head::BinaryLogit,
            k => Head::Classes(k),
        }
    }

    /// Width of the output layer.
    pub fn outputs(self) -> usize {
        match self {
            Head::Classes(k) => k,
            Head::BinaryLogit | Head::Regression => 1,
        }
    }

    /// How batches must encode targets for this head.
    pub fn targets(self) -> Targets {
        match self {
            Head::Classes(_) => Targets::ClassIndex,
            Head::BinaryLogit => Targets::Binary,
            Head::Regression => Targets::Value,
        }
    }

    /// Mean loss of a batch, `[1]`.
    pub fn loss(self, output: Tensor<2>, batch: &Batch) -> Tensor<1> {
        let device = output.device();
        match self {
            Head::Classes(_) => CrossEntropyLossConfig::new()
                .init(&device)
                .forward(output, batch.classes.clone().expect("class targets")),
            Head::BinaryLogit => BinaryCrossEntropyLossConfig::new()
                .with_logits(true)
                .init(&device)
                .forward(output, batch.binary.clone().expect("binary targets")),
            Head::Regression => MseLoss::new().forward(
                output,
                batch.values.clone().expect("value targets"),
                Reduction::Mean,
            ),
        }
    }

    /// A short description, e.g. "10-class cross-entropy".
    pub fn describe(self) -> String {
        match self {
            Head::Classes(k) => format!("{k}-class cross-entropy"),
            Head::BinaryLogit => "binary cross-entropy on one logit".into(),
            Head::Regression => "mean squared error".into(),
        }
    }
}

/// The sequence part of the model: each token's embedding, pooled over the sequence with the
/// padding masked out; by default the mean and the maximum, concatenated (`[batch, 2 ×
/// embed_dim]`). Mean pooling hears how often tokens occur, max pooling whether one occurs
/// at all; a few telling tokens in a long sequence are nearly lost in the mean alone.
#[derive(Module, Debug)]
pub struct TokenPool {
    embedding: Embedding,
    #[module(skip)]
    pooling: Pooling,
}

impl TokenPool {
    /// An embedding of `vocab` ids (plus the padding id 0) into `embed_dim` values.
    pub fn new(vocab: usize, embed_dim: usize, pooling: Pooling, device: &Device) -> Self {
        TokenPool {
            embedding: EmbeddingConfig::new(vocab + 1, embed_dim).init(device),
            pooling,
        }
    }

    /// Width of the pooled output.
    pub fn outputs(&self) -> usize {
        let dim = self.embedding.weight.val().dims()[1];
        match self.pooling {
            Pooling::MeanMax => 2 * dim,
            Pooling::Mean | Pooling::Max => dim,
        }
    }

    /// `[batch, seq_len]` ids (0 = padding; every row has at least one token) →
    /// `[batch, outputs]`.
    pub fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<2> {
        let mask = tokens
            .clone()
            .not_equal_elem(0)
            .float()
            .unsqueeze_dim::<3>(2); // [b, s, 1]
        let embedded = self.embedding.forward(tokens); // [b, s, e]
        let mean = |e: Tensor<3>, mask: Tensor<3>| {
            let count = mask.clone().sum_dim(1).clamp_min(1.0); // [b, 1, 1]
            (e * mask).sum_dim(1) / count // [b, 1, e]
        };
        // Padding pushed far below any embedding value, so the maximum never picks it.
        let max = |e: Tensor<3>, mask: Tensor<3>| (e + (mask - 1.0) * 1e9).max_dim(1); // [b, 1, e]
        let pooled = match self.pooling {
            Pooling::MeanMax => Tensor::cat(
                vec![mean(embedded.clone(), mask.clone()), max(embedded, mask)],
                2,
            ), // [b, 1, 2e]
            Pooling::Mean => mean(embedded, mask),
            Pooling::Max => max(embedded, mask),
        };
        pooled.squeeze_dim::<2>(1)
    }

    /// E.g. "embedding 1001×64, masked mean+max pooling".
    pub fn describe(&self) -> String {
        let [ids, dim] = self.embedding.weight.val().dims();
        let how = match self.pooling {
            Pooling::MeanMax => "mean+max",
            Pooling::Mean => "mean",
            Pooling::Max => "max",
        };
        format!("embedding {ids}×{dim}, masked {how} pooling")
    }
}

/// The built-in model: an optional [`TokenPool`] over the row's token sequence, its output
/// put before the row's features, then a multi-layer perceptron (Linear → ReLU (→ Dropout)
/// for each hidden layer, then Linear).
#[derive(Module, Debug)]
pub struct Mlp {
    tokens: Option<TokenPool>,
    hidden: Vec<Linear>,
    output: Linear,
    activation: Relu,
    dropout: Dropout,
}

impl Mlp {
    /// A freshly initialised MLP on `inputs` features, on `device` (seed the device first for
    /// reproducible weights).
    pub fn new(inputs: usize, config: &ModelConfig, head: Head, device: &Device) -> Self {
        Self::with_pool(None, inputs, config, head, device)
    }

    /// The model for a table: a sequence model ([`TokenPool`] of `config.embed_dim`) when it
    /// has token sequences, then the MLP on the pooled tokens and the features. Refuses an
    /// embedding of more than [`MAX_EMBEDDING`] values (a stray huge token id would
    /// otherwise exhaust memory).
    pub fn for_table(
        table: &Table,
        config: &ModelConfig,
        head: Head,
        device: &Device,
    ) -> Result<Self> {
        if let Some(t) = &table.tokens {
            let values = (t.vocab as u128 + 1) * config.embed_dim as u128;
            if values > MAX_EMBEDDING as u128 {
                return Err(Error::Data {
                    source_name: table.source.clone(),
                    message: format!(
                        "column '{}': {} token ids x --embed-dim {} make an embedding of {values} values, more than {MAX_EMBEDDING} (give a smaller --embed-dim, or renumber the ids from 0)",
                        t.column, t.vocab, config.embed_dim
                    ),
                });
            }
        }
        let pool = table
            .tokens
            .as_ref()
            .map(|t| TokenPool::new(t.vocab, config.embed_dim, config.pooling, device));
        Ok(Self::with_pool(pool, table.width(), config, head, device))
    }

    /// A model on `features` feature columns, with `tokens` pooled in front of them when
    /// given (for sequence batches built by hand, see `examples/sequence_classifier.rs`).
    pub fn with_pool(
        tokens: Option<TokenPool>,
        features: usize,
        config: &ModelConfig,
        head: Head,
        device: &Device,
    ) -> Self {
        let mut width = features + tokens.as_ref().map_or(0, TokenPool::outputs);
        let hidden = config
            .hidden
            .iter()
            .map(|&h| {
                let layer = LinearConfig::new(width, h).init(device);
                width = h;
                layer
            })
            .collect();
        Mlp {
            tokens,
            hidden,
            output: LinearConfig::new(width, head.outputs()).init(device),
            activation: Relu::new(),
            dropout: DropoutConfig::new(config.dropout).init(),
        }
    }

    /// A batch → `[batch, outputs]`. A sequence model needs the batch's tokens (it panics
    /// without them); a model without a [`TokenPool`] reads the features only.
    pub fn forward(&self, batch: &Batch) -> Tensor<2> {
        let mut x = match (&self.tokens, &batch.tokens) {
            (Some(pool), Some(ids)) => {
                let pooled = pool.forward(ids.clone()); // [batch, 2e]
                if batch.inputs.dims()[1] > 0 {
                    Tensor::cat(vec![pooled, batch.inputs.clone()], 1) // [batch, 2e + features]
                } else {
                    pooled
                }
            }
            (Some(_), None) => {
                panic!("a sequence model needs batches with tokens (Batch::with_tokens)")
            }
            (None, _) => batch.inputs.clone(), // [batch, features]
        };
        for layer in &self.hidden {
            x = self
                .dropout
                .forward(self.activation.forward(layer.forward(x))); // [batch, hidden]
        }
        self.output.forward(x) // [batch, outputs]
    }

    /// A name like "MLP 64-128-10", or "embedding 1001×64, masked mean+max pooling, MLP
    /// 128-128-1" for a sequence model.
    pub fn describe(&self) -> String {
        let first = self.hidden.first().unwrap_or(&self.output);
        let mut widths = vec![first.weight.val().dims()[0]];
        widths.extend(self.hidden.iter().map(|l| l.weight.val().dims()[1]));
        widths.push(self.output.weight.val().dims()[1]);
        let mlp = format!(
            "MLP {}",
            widths
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("-")
        );
        match &self.tokens {
            Some(pool) => format!("{}, {mlp}", pool.describe()),
            None => mlp,
        }
    }
}
