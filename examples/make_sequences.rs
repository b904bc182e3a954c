//! Writes a token-sequence classification file (CSV or Parquet, by extension) for
//! `lrfind --tokens`: columns `label` (0/1) and `tokens` (the ids; a Parquet list of
//! integers, or a CSV text of integers separated by spaces), seeded, streamed in blocks so
//! millions of rows need little memory.
//!
//! Each sequence's length is uniform in `[--min-len, --seq-len]` and its tokens uniform over
//! `--vocab` ids, except that in a positive (a `--positives` fraction of rows) each token is
//! one of 10 "signal" ids with probability `--signal / length`: a positive carries `--signal`
//! signal tokens on average on top of the background (length × 10 / vocab). The signal is
//! learnable and not trivial: a count of signal tokens separates the classes to a ROC-AUC
//! of about 0.90 at the defaults (Poisson counts of 2.25 against 0.26), not 1.
//!
//! ```text
//! cargo run --release --example make_sequences -- --out seq.parquet [--rows 2000000]
//!     [--seq-len 256] [--min-len 256] [--vocab 10000] [--positives 0.06] [--signal 2]
//!     [--seed 0]
//! ```
//! The defaults are the LR-sweep write-up's shape (2 million rows of 256 tokens, 6 %
//! positives: with `--split 0.9,0.05,0.05`, 1.8 million to train on and 100,000 each to
//! validate and test). `tests/fixtures/sequences/` holds small files made with it.

use std::io::Write;
use std::path::Path;

use lrfind::rng::Rng;
use polars::prelude::*;

const SIGNAL_IDS: usize = 10;
const BLOCK_ROWS: usize = 65_536;

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name}: expected a value")),
        None => default,
    }
}

struct Shape {
    seq_len: usize,
    min_len: usize,
    vocab: usize,
    positives: f64,
    signal: f64,
}

/// Uniform in [0, 1).
fn uniform(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// One row: label and tokens.
fn row(rng: &mut Rng, shape: &Shape, signal_ids: &[u32]) -> (u8, Vec<u32>) {
    let len = shape.min_len + rng.below(shape.seq_len - shape.min_len + 1);
    let positive = uniform(rng) < shape.positives;
    let p_signal = if positive {
        shape.signal / len as f64
    } else {
        0.0
    };
    let tokens = (0..len)
        .map(|_| {
            if uniform(rng) < p_signal {
                signal_ids[rng.below(signal_ids.len())]
            } else {
                rng.below(shape.vocab) as u32
            }
        })
        .collect();
    (u8::from(positive), tokens)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = arg("--rows", 2_000_000);
    let shape = Shape {
        seq_len: arg("--seq-len", 256),
        min_len: arg("--min-len", 256),
        vocab: arg("--vocab", 10_000),
        positives: arg("--positives", 0.06),
        signal: arg("--signal", 2.0),
    };
    let seed: u64 = arg("--seed", 0);
    let out: String = arg("--out", String::new());
    assert!(
        !out.is_empty(),
        "--out FILE.csv or FILE.parquet is required"
    );
    assert!(
        shape.min_len >= 1 && shape.min_len <= shape.seq_len,
        "need 1 <= --min-len <= --seq-len"
    );
    assert!(shape.vocab > SIGNAL_IDS, "--vocab must exceed {SIGNAL_IDS}");

    let mut rng = Rng::new(seed, 0);
    let signal_ids: Vec<u32> = (0..SIGNAL_IDS)
        .map(|_| rng.below(shape.vocab) as u32)
        .collect();
    let path = Path::new(&out);
    let tmp = path.with_extension("partial");
    let parquet = path
        .extension()
        .is_some_and(|e| e == "parquet" || e == "pq");
    let file = std::fs::File::create(&tmp)?;
    let mut positives = 0usize;
    if parquet {
        let schema = Schema::from_iter([
            Field::new("label".into(), DataType::Int32),
            Field::new("tokens".into(), DataType::List(Box::new(DataType::UInt32))),
        ]);
        let mut writer = ParquetWriter::new(file).batched(&schema)?;
        let mut done = 0;
        while done < rows {
            let n = BLOCK_ROWS.min(rows - done);
            let (labels, lists): (Vec<i32>, Vec<Series>) = (0..n)
                .map(|_| {
                    let (l, t) = row(&mut rng, &shape, &signal_ids);
                    (i32::from(l), Series::new("".into(), t))
                })
                .unzip();
            positives += labels.iter().filter(|&&l| l == 1).count();
            let df = DataFrame::new_infer_height(vec![
                Column::new("label".into(), labels),
                Column::new("tokens".into(), lists),
            ])?;
            writer.write_batch(&df)?;
            done += n;
        }
        writer.finish()?;
    } else {
        let mut w = std::io::BufWriter::new(file);
        writeln!(w, "label,tokens")?;
        for _ in 0..rows {
            let (l, t) = row(&mut rng, &shape, &signal_ids);
            positives += usize::from(l);
            let text: Vec<String> = t.iter().map(u32::to_string).collect();
            writeln!(w, "{l},{}", text.join(" "))?;
        }
        w.flush()?;
    }
    std::fs::rename(&tmp, path)?;
    println!(
        "wrote {out}: {rows} rows, {positives} positive, lengths {} to {}, vocab {}",
        shape.min_len, shape.seq_len, shape.vocab
    );
    Ok(())
}
