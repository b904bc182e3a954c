//! Mini-batches as tensors: a [`Batcher`] cycles over a set of rows, reshuffling (seeded)
//! at the start of every epoch, and yields [`Batch`]es forever as an iterator.

use std::sync::Arc;

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::split::push_row;
use super::{Prepared, Standardizer, Tokens};
use crate::rng::Rng;

/// How targets are encoded as tensors; set by the model's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    /// Class index per row, `[batch]` Int (softmax cross-entropy).
    ClassIndex,
    /// 0/1 per row, `[batch, 1]` Int (binary cross-entropy on one logit).
    Binary,
    /// Value per row, `[batch, 1]` float (mean squared error).
    Value,
}

/// One mini-batch.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Features, `[batch, features]` (`[batch, 0]` for a sequence table without features).
    pub inputs: Tensor<2>,
    /// Token ids, `[batch, seq_len]`, each the data's id plus one, 0 for padding (sequence
    /// tables only; see [`super::Tokens`]).
    pub tokens: Option<Tensor<2, Int>>,
    /// Class indices `[batch]` (ClassIndex).
    pub classes: Option<Tensor<1, Int>>,
    /// 0/1 labels `[batch, 1]` (Binary).
    pub binary: Option<Tensor<2, Int>>,
    /// Values `[batch, 1]` (Value).
    pub values: Option<Tensor<2>>,
    /// The targets on the host (class index or value per row), for metrics.
    pub labels: Vec<f64>,
}

impl Batch {
    /// Builds a batch from row-major features and targets.
    pub fn new(
        features: Vec<f32>,
        targets: &[f64],
        width: usize,
        encoding: Targets,
        device: &Device,
    ) -> Self {
        let n = targets.len();
        let inputs = Tensor::<2>::from_data(TensorData::new(features, [n, width]), device);
        let ints = || targets.iter().map(|&t| t as i64).collect::<Vec<i64>>();
        let (mut classes, mut binary, mut values) = (None, None, None);
        match encoding {
            Targets::ClassIndex => {
                classes = Some(Tensor::from_data(TensorData::new(ints(), [n]), device))
            }
            Targets::Binary => {
                binary = Some(Tensor::from_data(TensorData::new(ints(), [n, 1]), device))
            }
            Targets::Value => {
                let v: Vec<f32> = targets.iter().map(|&t| t as f32).collect();
                values = Some(Tensor::from_data(TensorData::new(v, [n, 1]), device));
            }
        }
        Batch {
            inputs,
            tokens: None,
            classes,
            binary,
            values,
            labels: targets.to_vec(),
        }
    }

    /// The batch with row-major token ids (`seq_len` per row) added.
    pub fn with_tokens(mut self, ids: &[u32], seq_len: usize, device: &Device) -> Self {
        let n = ids.len() / seq_len.max(1);
        let ids: Vec<i64> = ids.iter().map(|&t| i64::from(t)).collect();
        self.tokens = Some(Tensor::from_data(
            TensorData::new(ids, [n, seq_len]),
            device,
        ));
        self
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.inputs.dims()[0]
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Random stream reserved for batch order.
const SHUFFLE_STREAM: u64 = 2;

/// Cycles over a set of rows in mini-batches, reshuffling at every epoch. By default only
/// full batches are yielded (the remainder of an epoch is dropped, as fastai's training
/// loader does), so every step sees the same batch size; with the data's
/// [`Prepared::keep_last_batch`] each epoch ends on its short batch, as PyTorch's, Keras'
/// and Burn's loaders do.
#[derive(Debug, Clone)]
pub struct Batcher {
    /// The table's features, targets and tokens, shared (not copied) with the table.
    features: Arc<Vec<f32>>,
    width: usize,
    standardizer: Option<Standardizer>,
    target: Arc<Vec<f64>>,
    tokens: Option<Arc<Tokens>>,
    /// The table rows this batcher covers.
    rows: Vec<usize>,
    batch_size: usize,
    keep_last: bool,
    encoding: Targets,
    device: Device,
    rng: Rng,
    order: Vec<usize>,
    pos: usize,
    epoch: usize,
}

impl Batcher {
    /// A batcher over `rows` of the prepared dataset (batches of at most `rows.len()`).
    pub fn new(
        data: &Prepared,
        rows: &[usize],
        batch_size: usize,
        encoding: Targets,
        device: &Device,
        seed: u64,
    ) -> Self {
        Batcher {
            features: data.table.features.clone(),
            width: data.table.width(),
            standardizer: data.standardizer.clone(),
            target: data.table.target.clone(),
            tokens: data.table.tokens.clone(),
            rows: rows.to_vec(),
            batch_size: super::batch_rows(batch_size, rows.len()),
            keep_last: data.keep_last_batch,
            encoding,
            device: device.clone(),
            rng: Rng::new(seed, SHUFFLE_STREAM),
            order: (0..rows.len()).collect(),
            pos: usize::MAX,
            epoch: 0,
        }
    }

    /// The batch of the batcher's rows at positions `picked`, in that order.
    fn batch(&self, picked: impl Iterator<Item = usize> + Clone) -> Batch {
        let n = picked.clone().count();
        let mut f = Vec::with_capacity(n * self.width);
        for i in picked.clone() {
            let s = self.standardizer.as_ref();
            push_row(&self.features, self.width, s, self.rows[i], &mut f);
        }
        let t: Vec<f64> = picked.clone().map(|i| self.target[self.rows[i]]).collect();
        let b = Batch::new(f, &t, self.width, self.encoding, &self.device);
        match &self.tokens {
            Some(tokens) => {
                let mut ids = Vec::with_capacity(n * tokens.seq_len);
                for i in picked {
                    ids.extend_from_slice(tokens.row(self.rows[i]));
                }
                b.with_tokens(&ids, tokens.seq_len, &self.device)
            }
            None => b,
        }
    }

    /// Number of rows covered.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it covers no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Batches per epoch (the last one short when it is kept).
    pub fn batches_per_epoch(&self) -> usize {
        if self.rows.is_empty() {
            return 0;
        }
        super::batches_per_epoch(self.rows.len(), self.batch_size, self.keep_last)
    }

    /// Epochs started so far.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Every row once, in order, in batches of at most `size` (for evaluation).
    pub fn in_order(&self, size: usize) -> Vec<Batch> {
        self.in_order_iter(size).collect()
    }

    /// Every row once, in order, in batches of at most `size`, each built when asked for (an
    /// evaluation pass holds one batch's tensors at a time).
    pub fn in_order_iter(&self, size: usize) -> impl Iterator<Item = Batch> + '_ {
        let (n, size) = (self.rows.len(), size.max(1));
        (0..n)
            .step_by(size)
            .map(move |start| self.batch(start..(start + size).min(n)))
    }
}

impl Iterator for Batcher {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        if self.rows.is_empty() {
            return None;
        }
        let epoch_over = if self.keep_last {
            self.pos >= self.order.len()
        } else {
            self.pos.saturating_add(self.batch_size) > self.order.len()
        };
        if epoch_over {
            self.rng.shuffle(&mut self.order);
            self.pos = 0;
            self.epoch += 1;
        }
        let start = self.pos;
        self.pos = (start + self.batch_size).min(self.order.len());
        let picked = self.order[start..self.pos].iter().copied();
        Some(self.batch(picked))
    }
}
