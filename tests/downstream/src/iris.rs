//! Iris as a Burn user reads it by hand: rows from `assets/iris.csv`, and a `Batcher` into
//! tensors. Shared by the two downstream crates (`tests/downstream-learner` includes this
//! file by path).

use burn::data::dataloader::batcher::Batcher;
use burn::tensor::{Device, Int, Tensor, TensorData};

/// One iris row: four measurements (cm, divided by 8) and the class.
#[derive(Clone, Debug)]
pub struct Row {
    pub x: [f32; 4],
    pub y: i64,
}

/// A batch of rows: `[n, 4]` measurements and `[n]` classes.
#[derive(Clone, Debug)]
pub struct IrisBatch {
    pub x: Tensor<2>,
    pub y: Tensor<1, Int>,
}

#[derive(Clone)]
pub struct IrisBatcher;

impl Batcher<Row, IrisBatch> for IrisBatcher {
    fn batch(&self, rows: Vec<Row>, device: &Device) -> IrisBatch {
        let x: Vec<f32> = rows.iter().flat_map(|r| r.x).collect();
        let y: Vec<i64> = rows.iter().map(|r| r.y).collect();
        IrisBatch {
            x: Tensor::from_data(TensorData::new(x, [rows.len(), 4]), device),
            y: Tensor::from_data(TensorData::new(y, [rows.len()]), device),
        }
    }
}

/// The 150 rows, in the file's order (sorted by class).
pub fn rows() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/iris.csv");
    let text = std::fs::read_to_string(path).expect("assets/iris.csv");
    text.lines()
        .skip(1)
        .map(|line| {
            let v: Vec<f32> = line
                .split(',')
                .map(|c| c.parse().expect("a number"))
                .collect();
            Row {
                x: [v[0] / 8.0, v[1] / 8.0, v[2] / 8.0, v[3] / 8.0],
                y: v[4] as i64,
            }
        })
        .collect()
}
