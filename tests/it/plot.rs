//! `lrfind plot` on saved files (CSV and Parquet), and `--format parquet` histories.

use std::path::Path;

use crate::{assert_rejected, lrfind_ok};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn range_tests_overlay_with_labels_size_and_their_suggestions() {
    let dir = crate::TempDir::new();
    let (a, b, out) = (
        dir.path().join("bs32"),
        dir.path().join("bs256"),
        dir.path().join("fig"),
    );
    lrfind_ok(&[
        "suggest",
        "-q",
        "--iters",
        "60",
        "--batch-size",
        "32",
        "--out",
        s(&a),
    ]);
    // The second history as Parquet: the plot reads both forms.
    lrfind_ok(&[
        "suggest",
        "-q",
        "--iters",
        "60",
        "--batch-size",
        "256",
        "--format",
        "parquet",
        "--out",
        s(&b),
    ]);
    assert!(b.join("lr_find.parquet").exists() && !b.join("lr_find.csv").exists());
    let first = a.join("lr_find.csv");
    let second = b.join("lr_find.parquet");
    lrfind_ok(&[
        "plot",
        s(&first),
        s(&second),
        "--labels",
        "small batch,large batch",
        "--size",
        "800x500",
        "--title",
        "batch size",
        "--out",
        s(&out),
        "--name",
        "overlay",
    ]);
    let svg = std::fs::read_to_string(out.join("overlay.svg")).unwrap();
    for needle in ["small batch", "large batch", "batch size", "suggested"] {
        assert!(svg.contains(needle), "missing {needle}");
    }
    let (w, h) = image::image_dimensions(out.join("overlay.png")).unwrap();
    assert_eq!((w, h), (800, 500));

    // Re-smoothing and linear axes draw a different figure from the same file.
    lrfind_ok(&[
        "plot",
        s(&first),
        "--image",
        "svg",
        "--out",
        s(&out),
        "--name",
        "default",
    ]);
    lrfind_ok(&[
        "plot",
        s(&first),
        "--image",
        "svg",
        "--smooth",
        "0.5",
        "--x-scale",
        "linear",
        "--out",
        s(&out),
        "--name",
        "linear",
    ]);
    assert!(
        !out.join("default.png").exists(),
        "--image svg writes no PNG"
    );
    let read = |n: &str| std::fs::read_to_string(out.join(n)).unwrap();
    assert_ne!(read("default.svg"), read("linear.svg"));
}

#[test]
fn compare_and_sweep_tables_are_redrawn() {
    let dir = crate::TempDir::new();
    let (c, w, out) = (
        dir.path().join("c"),
        dir.path().join("w"),
        dir.path().join("fig"),
    );
    lrfind_ok(&[
        "compare",
        "-q",
        "--epochs",
        "2",
        "--lr",
        "1e-3",
        "--setting",
        "constant",
        "--format",
        "parquet",
        "--out",
        s(&c),
    ]);
    lrfind_ok(&[
        "sweep",
        "-q",
        "--data",
        "breast_cancer",
        "--lrs",
        "1e-3,1e-2",
        "--epochs",
        "1",
        "--out",
        s(&w),
    ]);
    lrfind_ok(&[
        "plot",
        s(&c.join("compare.parquet")),
        "--y-scale",
        "log",
        "--out",
        s(&out),
        "--name",
        "c",
    ]);
    lrfind_ok(&[
        "plot",
        s(&w.join("sweep.csv")),
        "--out",
        s(&out),
        "--name",
        "w",
    ]);
    let svg = std::fs::read_to_string(out.join("c.svg")).unwrap();
    assert!(svg.contains("validation loss") && svg.contains("constant"));
    let svg = std::fs::read_to_string(out.join("w.svg")).unwrap();
    assert!(svg.contains("validation accuracy"));

    let bad = dir.path().join("bad");
    let lr_find = dir.path().join("lr");
    lrfind_ok(&["suggest", "-q", "--iters", "30", "--out", s(&lr_find)]);
    let csv = lr_find.join("lr_find.csv");
    let cmp = c.join("compare.parquet");
    let o = s(&bad);
    assert_rejected(
        &["plot", s(&csv), s(&cmp), "--out", o],
        &bad,
        "only range-test histories can be overlaid",
    );
    assert_rejected(
        &["plot", s(&csv), "--labels", "a,b", "--out", o],
        &bad,
        "--labels: 2 labels for 1 files",
    );
    assert_rejected(
        &["plot", s(&csv), "--size", "big", "--out", o],
        &bad,
        "--size",
    );
    let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/digits.csv");
    assert_rejected(
        &["plot", s(&data), "--out", o],
        &bad,
        "not an lr_find, compare or sweep table",
    );
}
