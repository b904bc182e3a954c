//! TensorBoard event files (`events.out.tfevents.*`), scalars only.
//!
//! A file is a sequence of TFRecords (a little-endian `u64` length, the masked CRC-32C of
//! those 8 bytes, the payload, the masked CRC-32C of the payload), each payload an `Event`
//! protocol buffer: `wall_time` (field 1, double), `step` (2, int64) and a `Summary` (5) of
//! `Value`s (1), each with a `tag` (1) and either the old `simple_value` (2, float; PyTorch's
//! `SummaryWriter`, Lightning) or TF2's `tensor` (8, a `TensorProto`: `dtype` 1,
//! `tensor_content` 4, `float_val` 5, `double_val` 6, `int_val` 7, `int64_val` 10). Only
//! those fields are read; everything else (graphs, histograms, images, text) is skipped.
//! A record cut short at the end of a file (a writer still running) ends the file; a CRC
//! that does not match is an error. No crate reads this format without pulling in a
//! protobuf toolchain, and this subset is a screenful.
//!
//! Epochs: when the events hold an `epoch` scalar (Lightning logs one), a point's epoch is
//! the `epoch` value at its step; otherwise the step is the epoch (Keras' `epoch_*` scalars).
//! Both count from 0 when their first value is 0, and are shifted to count from 1.

use std::path::{Path, PathBuf};

use super::{LogFormat, Metric, Point, RawLog, push_points};
use crate::error::{Error, Result};

/// One scalar as read: tag, step, wall time, value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scalar {
    pub tag: String,
    pub step: i64,
    pub wall: f64,
    pub value: f64,
}

/// CRC-32C (Castagnoli), bit by bit: event files are small.
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn masked(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// A protocol-buffer field's value.
enum Wire<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The fields of a message, or `None` if it is malformed.
fn fields(buf: &[u8]) -> Option<Vec<(u64, Wire<'_>)>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let take = |pos: &mut usize, n: usize| -> Option<&[u8]> {
            let s = buf.get(*pos..pos.checked_add(n)?)?;
            *pos += n;
            Some(s)
        };
        let value = match key & 7 {
            0 => Wire::Varint(varint(buf, &mut pos)?),
            1 => Wire::Fixed64(u64::from_le_bytes(take(&mut pos, 8)?.try_into().ok()?)),
            2 => {
                let n = usize::try_from(varint(buf, &mut pos)?).ok()?;
                Wire::Bytes(take(&mut pos, n)?)
            }
            5 => Wire::Fixed32(u32::from_le_bytes(take(&mut pos, 4)?.try_into().ok()?)),
            _ => return None,
        };
        out.push((key >> 3, value));
    }
    Some(out)
}

/// Whether a `TensorShapeProto` is a scalar's: no dimension, or only dimensions of size 1.
fn scalar_shape(buf: &[u8]) -> Option<bool> {
    for (n, w) in fields(buf)? {
        if let (2, Wire::Bytes(dim)) = (n, w) {
            let size = fields(dim)?.into_iter().find_map(|(n, w)| match (n, w) {
                (1, Wire::Varint(s)) => Some(s),
                _ => None,
            });
            if size != Some(1) {
                return Some(false);
            }
        }
    }
    Some(true)
}

/// The value of a scalar `TensorProto`, if it holds a number (a histogram or any other
/// tensor with more than one value is not a scalar).
fn tensor_scalar(buf: &[u8]) -> Option<f64> {
    let f = fields(buf)?;
    let shape_ok = f.iter().all(|(n, w)| match (n, w) {
        (2, Wire::Bytes(shape)) => scalar_shape(shape).unwrap_or(false),
        _ => true,
    });
    if !shape_ok {
        return None;
    }
    let dtype = f.iter().find_map(|(n, w)| match (n, w) {
        (1, Wire::Varint(d)) => Some(*d),
        _ => None,
    })?;
    for (n, w) in &f {
        match (n, w, dtype) {
            (4, Wire::Bytes(b), 1) if b.len() >= 4 => {
                return Some(f32::from_le_bytes(b[..4].try_into().ok()?) as f64);
            }
            (4, Wire::Bytes(b), 2) if b.len() >= 8 => {
                return Some(f64::from_le_bytes(b[..8].try_into().ok()?));
            }
            (5, Wire::Fixed32(v), _) => return Some(f32::from_bits(*v) as f64),
            (5, Wire::Bytes(b), _) if b.len() >= 4 => {
                return Some(f32::from_le_bytes(b[..4].try_into().ok()?) as f64);
            }
            (6, Wire::Fixed64(v), _) => return Some(f64::from_bits(*v)),
            (6, Wire::Bytes(b), _) if b.len() >= 8 => {
                return Some(f64::from_le_bytes(b[..8].try_into().ok()?));
            }
            (7 | 10, Wire::Varint(v), _) => return Some(*v as i64 as f64),
            (7 | 10, Wire::Bytes(b), _) => return Some(varint(b, &mut 0)? as i64 as f64),
            _ => {}
        }
    }
    None
}

/// The scalars of one event payload.
fn event_scalars(payload: &[u8], out: &mut Vec<Scalar>) -> Option<()> {
    let f = fields(payload)?;
    let (mut wall, mut step) = (f64::NAN, 0i64);
    for (n, w) in &f {
        match (n, w) {
            (1, Wire::Fixed64(v)) => wall = f64::from_bits(*v),
            (2, Wire::Varint(v)) => step = *v as i64,
            _ => {}
        }
    }
    for (n, w) in &f {
        let (5, Wire::Bytes(summary)) = (n, w) else {
            continue;
        };
        for (n, w) in fields(summary)? {
            let (1, Wire::Bytes(value)) = (n, w) else {
                continue;
            };
            let vf = fields(value)?;
            let mut tag = None;
            let mut v = None;
            for (n, w) in &vf {
                match (n, w) {
                    (1, Wire::Bytes(t)) => tag = Some(String::from_utf8_lossy(t).into_owned()),
                    (2, Wire::Fixed32(x)) => v = Some(f32::from_bits(*x) as f64),
                    (8, Wire::Bytes(t)) => v = v.or_else(|| tensor_scalar(t)),
                    _ => {}
                }
            }
            if let (Some(tag), Some(value)) = (tag, v) {
                out.push(Scalar {
                    tag,
                    step,
                    wall,
                    value,
                });
            }
        }
    }
    Some(())
}

/// The scalars of one event file.
pub(crate) fn scalars(path: &Path, bytes: &[u8]) -> Result<Vec<Scalar>> {
    let bad = |message: String| Error::DataFormat {
        path: path.into(),
        format: "TensorBoard event",
        message,
    };
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut record = 0usize;
    while bytes.len() - pos >= 12 {
        let head = &bytes[pos..pos + 8];
        let crc = u32::from_le_bytes(bytes[pos + 8..pos + 12].try_into().expect("4 bytes"));
        if masked(crc32c(head)) != crc {
            return Err(bad(format!(
                "record {} has a bad length checksum",
                record + 1
            )));
        }
        let len = u64::from_le_bytes(head.try_into().expect("8 bytes"));
        let Some(end) = usize::try_from(len)
            .ok()
            .and_then(|n| (pos + 12).checked_add(n)?.checked_add(4))
            .filter(|&end| end <= bytes.len())
        else {
            break; // cut short: a writer still running
        };
        let payload = &bytes[pos + 12..end - 4];
        let crc = u32::from_le_bytes(bytes[end - 4..end].try_into().expect("4 bytes"));
        if masked(crc32c(payload)) != crc {
            return Err(bad(format!(
                "record {} has a bad data checksum",
                record + 1
            )));
        }
        event_scalars(payload, &mut out)
            .ok_or_else(|| bad(format!("record {} is not an event", record + 1)))?;
        pos = end;
        record += 1;
    }
    if record == 0 {
        return Err(bad("no complete record".into()));
    }
    Ok(out)
}

/// Event files of a log: the file itself, or those in the folder and its subfolders (Keras
/// writes `train/` and `validation/`), with the tag prefix each gives (`validation/`).
pub(super) fn files(path: &Path) -> Vec<(PathBuf, String)> {
    let is_events = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("events.out.tfevents"))
    };
    if path.is_file() {
        return if is_events(path) {
            vec![(path.to_path_buf(), String::new())]
        } else {
            Vec::new()
        };
    }
    let mut out = Vec::new();
    let listing = |dir: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    for entry in listing(path) {
        if entry.is_file() && is_events(&entry) {
            out.push((entry, String::new()));
        } else if entry.is_dir() {
            let prefix = format!(
                "{}/",
                entry.file_name().unwrap_or_default().to_string_lossy()
            );
            for inner in listing(&entry) {
                if inner.is_file() && is_events(&inner) {
                    out.push((inner, prefix.clone()));
                }
            }
        }
    }
    out
}

/// Reads the event files of a log into metrics.
pub(super) fn read(files: &[(PathBuf, String)]) -> Result<RawLog> {
    let mut all = Vec::new();
    for (file, prefix) in files {
        let bytes = std::fs::read(file).map_err(|e| Error::InputRead {
            path: file.clone(),
            what: "training log (--logs)",
            message: e.to_string(),
        })?;
        all.extend(scalars(file, &bytes)?.into_iter().map(|mut s| {
            s.tag = format!("{prefix}{}", s.tag);
            s
        }));
    }
    Ok(RawLog {
        format: LogFormat::TensorBoard,
        metrics: to_metrics(all),
        seconds: None,
        note: None,
    })
}

/// Groups scalars by tag and gives each point its epoch (see the module documentation).
fn to_metrics(mut all: Vec<Scalar>) -> Vec<Metric> {
    all.sort_by(|a, b| a.step.cmp(&b.step).then(a.wall.total_cmp(&b.wall)));
    let epoch_tag: Vec<(i64, f64)> = all
        .iter()
        .filter(|s| s.tag.rsplit('/').next() == Some("epoch"))
        .map(|s| (s.step, s.value))
        .collect();
    let first = |v: &mut dyn Iterator<Item = f64>| v.fold(f64::INFINITY, f64::min);
    let shift = |lowest: f64| if lowest == 0.0 { 1 } else { 0 };
    let (by_tag, offset) = if epoch_tag.is_empty() {
        (false, shift(first(&mut all.iter().map(|s| s.step as f64))))
    } else {
        (true, shift(first(&mut epoch_tag.iter().map(|e| e.1))))
    };
    let mut metrics: Vec<Metric> = Vec::new();
    for s in all {
        if by_tag && s.tag.rsplit('/').next() == Some("epoch") {
            continue;
        }
        let raw_epoch = if by_tag {
            let i = epoch_tag.partition_point(|e| e.0 <= s.step);
            epoch_tag[i.saturating_sub(1)].1
        } else {
            s.step as f64
        };
        if !(raw_epoch.is_finite() && raw_epoch >= 0.0) {
            continue;
        }
        let point = Point {
            epoch: raw_epoch as usize + offset,
            step: u64::try_from(s.step).ok(),
            value: s.value,
            weight: 1.0,
            wall: Some(s.wall).filter(|w| w.is_finite()),
        };
        push_points(&mut metrics, &s.tag, vec![point]);
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes a record the way TensorFlow's writer does.
    fn record(payload: &[u8]) -> Vec<u8> {
        let len = (payload.len() as u64).to_le_bytes();
        let mut v = len.to_vec();
        v.extend(masked(crc32c(&len)).to_le_bytes());
        v.extend(payload);
        v.extend(masked(crc32c(payload)).to_le_bytes());
        v
    }

    fn bytes_field(n: u8, b: &[u8]) -> Vec<u8> {
        let mut v = vec![(n << 3) | 2, b.len() as u8];
        v.extend(b);
        v
    }

    fn event(step: u8, wall: f64, tag: &str, value: Vec<u8>) -> Vec<u8> {
        let mut val = bytes_field(1, tag.as_bytes());
        val.extend(value);
        let summary = bytes_field(1, &val);
        let mut e = vec![(1 << 3) | 1];
        e.extend(wall.to_le_bytes());
        e.extend([2 << 3, step]);
        e.extend(bytes_field(5, &summary));
        e
    }

    #[test]
    fn a_histogram_tensor_is_not_a_scalar() {
        // DT_FLOAT, shape [2, 3]: TF2's histogram summaries.
        let dim = |size: u8| bytes_field(2, &[1 << 3, size]);
        let mut shape = dim(2);
        shape.extend(dim(3));
        let mut tensor = vec![1 << 3, 1];
        tensor.extend(bytes_field(2, &shape));
        tensor.extend(bytes_field(4, &[0u8; 24]));
        assert_eq!(tensor_scalar(&tensor), None);
        let mut scalar = vec![1 << 3, 1];
        scalar.extend(bytes_field(2, &[]));
        scalar.extend(bytes_field(4, &0.5f32.to_le_bytes()));
        assert_eq!(tensor_scalar(&scalar), Some(0.5));
    }

    #[test]
    fn crc32c_check_value() {
        // The standard check value of CRC-32C.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn both_scalar_forms_and_a_cut_tail() {
        let mut simple = vec![(2 << 3) | 5];
        simple.extend(0.5f32.to_le_bytes());
        // TF2: a DT_FLOAT tensor with its value in tensor_content.
        let mut tensor = vec![1 << 3, 1];
        tensor.extend(bytes_field(4, &0.25f32.to_le_bytes()));
        let tensor = bytes_field(8, &tensor);
        let mut file = record(&event(0, 100.0, "loss", simple));
        file.extend(record(&event(1, 101.5, "epoch_loss", tensor)));
        let cut = record(&event(2, 102.0, "loss", vec![]));
        file.extend(&cut[..cut.len() - 3]);
        let got = scalars(Path::new("e"), &file).unwrap();
        assert_eq!(
            got,
            [
                Scalar {
                    tag: "loss".into(),
                    step: 0,
                    wall: 100.0,
                    value: 0.5
                },
                Scalar {
                    tag: "epoch_loss".into(),
                    step: 1,
                    wall: 101.5,
                    value: 0.25
                }
            ]
        );
        let mut broken = file.clone();
        broken[14] ^= 1;
        let e = scalars(Path::new("e"), &broken).unwrap_err().to_string();
        assert!(e.contains("record 1 has a bad data checksum"), "{e}");
    }

    #[test]
    fn epochs_from_an_epoch_tag_or_from_steps() {
        let s = |tag: &str, step: i64, value: f64| Scalar {
            tag: tag.into(),
            step,
            wall: 0.0,
            value,
        };
        let m = to_metrics(vec![
            s("epoch", 9, 0.0),
            s("loss", 9, 2.0),
            s("epoch", 19, 1.0),
            s("loss", 19, 1.0),
            s("val_loss", 19, 1.5),
        ]);
        let epochs = |m: &Metric| m.points.iter().map(|p| p.epoch).collect::<Vec<_>>();
        assert_eq!(m.len(), 2);
        assert_eq!(epochs(&m[0]), [1, 2]);
        assert_eq!(epochs(&m[1]), [2]);
        let m = to_metrics(vec![s("epoch_loss", 0, 2.0), s("epoch_loss", 1, 1.0)]);
        assert_eq!(epochs(&m[0]), [1, 2]);
    }
}
