//! Token sequences, one per row: read as ragged runs of ids, then padded (or truncated,
//! keeping the first tokens) into one row-major u32 array that batches slice from.
//!
//! Id `t` of the data is stored as `t + 1`, so 0 is the padding id the model reserves and
//! the data's own id 0 stays a token.

use serde::{Deserialize, Serialize};

/// Padded token sequences of a table's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Tokens {
    /// The column they came from.
    pub column: String,
    /// Row-major ids, `rows × seq_len`, each the data's id plus one; 0 is padding.
    pub ids: Vec<u32>,
    /// Tokens per row after padding or truncation.
    pub seq_len: usize,
    /// The data's ids run from 0 to `vocab - 1` (the embedding has `vocab + 1` rows).
    pub vocab: usize,
    /// The stats of the sequences as read.
    pub stats: TokenStats,
}

/// What the sequences looked like before padding.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TokenStats {
    /// Shortest sequence, in tokens.
    pub shortest: usize,
    /// Longest sequence, in tokens.
    pub longest: usize,
    /// Mean length.
    pub mean: f64,
    /// Rows longer than the sequence length, whose tail was cut.
    pub truncated: usize,
}

impl Tokens {
    /// Row `r`'s `seq_len` ids.
    pub fn row(&self, r: usize) -> &[u32] {
        &self.ids[r * self.seq_len..(r + 1) * self.seq_len]
    }

    /// Copies the rows in `rows`, in that order, into one row-major array.
    pub fn gather(&self, rows: &[usize]) -> Vec<u32> {
        let mut out = Vec::with_capacity(rows.len() * self.seq_len);
        for &r in rows {
            out.extend_from_slice(self.row(r));
        }
        out
    }
}

/// Sequences as read: every id (already shifted by one) end to end, and each row's length.
#[derive(Debug, Clone, Default)]
pub struct Ragged {
    /// The ids of every row, end to end (each the data's id plus one).
    pub values: Vec<u32>,
    /// Tokens per row (0 for a row whose cell was missing).
    pub lengths: Vec<u32>,
}

impl Ragged {
    /// Appends a later block's rows.
    pub fn append(&mut self, more: Ragged) {
        self.values.extend(more.values);
        self.lengths.extend(more.lengths);
    }

    /// Pads or truncates the rows in `keep` (in order) to `seq_len` tokens, default the
    /// longest kept row capped at `max_default`, and frees the ragged copy as it goes.
    pub fn pad(
        self,
        column: &str,
        keep: &[usize],
        seq_len: Option<usize>,
        max_default: usize,
        vocab: usize,
    ) -> Tokens {
        let mut starts = Vec::with_capacity(self.lengths.len());
        let mut at = 0usize;
        for &n in &self.lengths {
            starts.push(at);
            at += n as usize;
        }
        let kept = || keep.iter().map(|&r| self.lengths[r] as usize);
        let longest = kept().max().unwrap_or(0);
        let shortest = kept().min().unwrap_or(0);
        let mean = kept().sum::<usize>() as f64 / keep.len().max(1) as f64;
        let seq_len = seq_len.unwrap_or(longest.min(max_default)).max(1);
        let truncated = kept().filter(|&n| n > seq_len).count();
        let mut ids = vec![0u32; keep.len() * seq_len];
        for (row, &r) in ids.chunks_mut(seq_len).zip(keep) {
            let n = (self.lengths[r] as usize).min(seq_len);
            row[..n].copy_from_slice(&self.values[starts[r]..starts[r] + n]);
        }
        Tokens {
            column: column.into(),
            ids,
            seq_len,
            vocab,
            stats: TokenStats {
                shortest,
                longest,
                mean,
                truncated,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_truncates_and_skips_dropped_rows() {
        let ragged = Ragged {
            values: vec![1, 2, 3, 4, 5, 6, 7, 8],
            lengths: vec![3, 0, 1, 4],
        };
        let t = ragged.pad("seq", &[0, 2, 3], Some(3), 512, 9);
        assert_eq!(t.ids, vec![1, 2, 3, 4, 0, 0, 5, 6, 7]);
        assert_eq!(t.stats.truncated, 1);
        assert_eq!((t.stats.shortest, t.stats.longest), (1, 4));
        let ragged = Ragged {
            values: vec![1, 2, 3, 4],
            lengths: vec![3, 1],
        };
        let t = ragged.pad("seq", &[0, 1], None, 2, 9);
        assert_eq!(t.seq_len, 2);
        assert_eq!(t.gather(&[1, 0]), vec![4, 0, 1, 2]);
    }
}
