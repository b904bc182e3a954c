//! The built-in model (an MLP) and the loss for each task.
//!
//! The output is sized from the task: K logits with softmax cross-entropy for K classes, one
//! logit with binary cross-entropy on logits for two classes (or two logits with `--binary-head
//! ce`), one output with mean squared error for regression.

use burn::module::Module;
use burn::nn::loss::{BinaryCrossEntropyLossConfig, CrossEntropyLossConfig, MseLoss, Reduction};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, Relu};
use burn::tensor::{Device, Tensor};

use crate::config::{BinaryHead, ModelConfig};
use crate::data::{Batch, Targets, Task};

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

/// A multi-layer perceptron: Linear → ReLU (→ Dropout) for each hidden layer, then Linear.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Vec<Linear>,
    output: Linear,
    activation: Relu,
    dropout: Dropout,
}

impl Mlp {
    /// A freshly initialised MLP on `device` (seed the device first for reproducible weights).
    pub fn new(inputs: usize, config: &ModelConfig, head: Head, device: &Device) -> Self {
        let mut width = inputs;
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
            hidden,
            output: LinearConfig::new(width, head.outputs()).init(device),
            activation: Relu::new(),
            dropout: DropoutConfig::new(config.dropout).init(),
        }
    }

    /// `[batch, inputs]` → `[batch, outputs]`.
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        let mut x = input; // [batch, inputs]
        for layer in &self.hidden {
            x = self
                .dropout
                .forward(self.activation.forward(layer.forward(x))); // [batch, hidden]
        }
        self.output.forward(x) // [batch, outputs]
    }

    /// A name like "MLP 64-128-10".
    pub fn describe(&self, inputs: usize) -> String {
        let mut widths = vec![inputs];
        widths.extend(self.hidden.iter().map(|l| l.weight.val().dims()[1]));
        widths.push(self.output.weight.val().dims()[1]);
        format!(
            "MLP {}",
            widths
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("-")
        )
    }
}
