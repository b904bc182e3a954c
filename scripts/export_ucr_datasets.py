"""Export three time-series classification datasets of the UCR archive, shipped inside
sktime's wheel, to CSV: the few-row, many-feature regime (a few hundred rows, 250 to 1,460
columns) that widens `lrfind evaluate`'s case list (README, "How good are the
suggestions?").

Each series is one row: its points are the features (`t_0` .. `t_{n-1}`, in order), its
class the last column (`label`, integers 0..k-1 in the order of the file's `@classLabel`
line). The archive's TRAIN and TEST files are concatenated (TRAIN first): lrfind makes its
own seeded, stratified split. Values are copied as written in the files (8 significant
digits), so the CSV holds exactly the archive's numbers; each CSV is checked to read back
equal to what was parsed.

    pip download sktime==1.2.0 --no-deps -d /tmp/wheels
    python3 scripts/export_ucr_datasets.py /tmp/wheels/sktime-1.2.0-py3-none-any.whl assets

Standard library only; nothing is installed and no network is needed beyond the download.
"""
import csv
import hashlib
import os
import sys
import zipfile

DATASETS = ["ACSF1", "ArrowHead", "OSULeaf"]


def parse_ts(text, name):
    """Rows of (values, class) from a univariate, equal-length .ts file."""
    classes = None
    rows = []
    in_data = False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            low = line.lower()
            if low.startswith("@classlabel"):
                parts = line.split()
                assert parts[1] == "true", (name, line)
                classes = parts[2:]
            elif low.startswith("@univariate"):
                assert line.split()[1] == "true", (name, line)
            elif low.startswith("@data"):
                in_data = True
            continue
        values, label = line.rsplit(":", 1)
        assert ":" not in values, (name, "multivariate row")
        rows.append((values.split(","), label))
    assert classes, (name, "no @classLabel line")
    return classes, rows


def export(wheel, out, name):
    with zipfile.ZipFile(wheel) as z:
        parts = [z.read(f"sktime/datasets/data/{name}/{name}_{s}.ts").decode() for s in ("TRAIN", "TEST")]
    classes = None
    rows = []
    for text in parts:
        c, r = parse_ts(text, name)
        assert classes is None or c == classes, (name, c, classes)
        classes = c
        rows.extend(r)
    length = len(rows[0][0])
    assert all(len(v) == length for v, _ in rows), (name, "unequal lengths")
    code = {c: i for i, c in enumerate(classes)}
    path = os.path.join(out, f"{name.lower()}.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([f"t_{i}" for i in range(length)] + ["label"])
        for values, label in rows:
            float(label)  # a class code, checked below
            w.writerow([v for v in values] + [code[label]])
    with open(path, newline="") as f:
        back = list(csv.reader(f))
    assert len(back) == len(rows) + 1, name
    for (values, label), row in zip(rows, back[1:]):
        assert [float(v) for v in row[:-1]] == [float(v) for v in values], name
        assert int(row[-1]) == code[label], name
    counts = [sum(1 for _, l in rows if l == c) for c in classes]
    md5 = hashlib.md5(open(path, "rb").read()).hexdigest()
    print(f"{name.lower()}: rows={len(rows)} features={length} classes={len(classes)} "
          f"per class={counts} md5={md5}")


wheel, out = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else ".")
for name in DATASETS:
    export(wheel, out, name)
