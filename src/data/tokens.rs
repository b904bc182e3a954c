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
    /// longest kept row capped at `max_default`, in place: the padded array reuses the ragged
    /// one's memory, so the peak is about the larger of the two (plus 8 bytes per row), not
    /// both.
    pub fn pad(
        self,
        column: &str,
        keep: &[usize],
        seq_len: Option<usize>,
        max_default: usize,
        vocab: usize,
    ) -> Tokens {
        let Ragged {
            mut values,
            lengths,
        } = self;
        let mut starts = Vec::with_capacity(lengths.len());
        let mut at = 0usize;
        for &n in &lengths {
            starts.push(at);
            at += n as usize;
        }
        let kept = || keep.iter().map(|&r| lengths[r] as usize);
        let longest = kept().max().unwrap_or(0);
        let shortest = kept().min().unwrap_or(0);
        let mean = kept().sum::<usize>() as f64 / keep.len().max(1) as f64;
        let seq_len = seq_len.unwrap_or(longest.min(max_default)).max(1);
        let truncated = kept().filter(|&n| n > seq_len).count();
        // Forward: each kept row's first tokens moved to the front, end to end (each lands at
        // or before where it was, so nothing unread is overwritten).
        let mut end = 0;
        for &r in keep {
            let n = (lengths[r] as usize).min(seq_len);
            values.copy_within(starts[r]..starts[r] + n, end);
            end += n;
        }
        // Backward: each row spread to its slot (at or after where it now is), padding zeroed.
        values.resize(keep.len() * seq_len, 0);
        for (k, &r) in keep.iter().enumerate().rev() {
            let n = (lengths[r] as usize).min(seq_len);
            let dst = k * seq_len;
            values.copy_within(end - n..end, dst);
            values[dst + n..dst + seq_len].fill(0);
            end -= n;
        }
        values.shrink_to_fit();
        Tokens {
            column: column.into(),
            ids: values,
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
        assert_eq!((t.row(0), t.row(1)), (&[1, 2][..], &[4, 0][..]));
    }

    #[test]
    fn in_place_padding_matches_a_plain_copy() {
        let mut rng = crate::rng::Rng::new(3, 0);
        for _ in 0..200 {
            let rows = 1 + rng.below(8);
            let lengths: Vec<u32> = (0..rows).map(|_| rng.below(6) as u32).collect();
            let total: u32 = lengths.iter().sum();
            let values: Vec<u32> = (1..=total).collect();
            let keep: Vec<usize> = (0..rows).filter(|_| rng.below(4) > 0).collect();
            let seq_len = 1 + rng.below(5);
            // The plain copy: each kept row's first tokens, zero-padded.
            let mut expected = Vec::new();
            for &r in &keep {
                let start: u32 = lengths[..r].iter().sum();
                let n = (lengths[r] as usize).min(seq_len);
                expected.extend((0..n).map(|i| start + 1 + i as u32));
                expected.extend(std::iter::repeat_n(0, seq_len - n));
            }
            let ragged = Ragged { values, lengths };
            let t = ragged.pad("seq", &keep, Some(seq_len), 512, 99);
            assert_eq!(t.ids, expected);
        }
    }
}
