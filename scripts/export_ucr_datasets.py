"""Export time-series datasets of the UCR/UEA archives, shipped inside sktime's wheel, to
CSV: few rows and many columns, the regime that widens `lrfind evaluate`'s case list (README,
"How good are the suggestions?").

Each series is one row: its points are the features (`t_0` .. `t_{n-1}`, in order; for a
multivariate series `d0_t0` .. `d{k}_t{n-1}`, one dimension after the other), its class the
last column (`label`, integers 0..k-1 in the order of the file's `@classLabel` line), or for
a regression problem (`@targetLabel true`) its value (`target`). The archive's TRAIN and TEST files are concatenated (TRAIN first): lrfind makes its
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

# The first three were added to the case list together, the next four later (README).
DATASETS = ["ACSF1", "ArrowHead", "OSULeaf", "BasicMotions", "GunPoint", "ItalyPowerDemand", "Tecator"]


def parse_ts(text, name):
    """Rows of (values, class or target) from an equal-length .ts file; a multivariate
    row's dimensions are concatenated. `classes` is None for a regression file."""
    classes = None
    regression = False
    dims = 1
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
            elif low.startswith("@targetlabel"):
                regression = line.split()[1] == "true"
            elif low.startswith("@dimensions"):
                dims = int(line.split()[1])
            elif low.startswith("@equallength"):
                assert line.split()[1] == "true", (name, line)
            elif low.startswith("@data"):
                in_data = True
            continue
        *series, label = line.split(":")
        assert len(series) == dims, (name, len(series), dims)
        length = len(series[0].split(","))
        assert all(len(d.split(",")) == length for d in series), (name, "unequal dimensions")
        rows.append(([v for d in series for v in d.split(",")], label, length))
    assert (classes is None) == regression, (name, "a class list or a regression target")
    return classes, dims, rows


def export(wheel, out, name):
    with zipfile.ZipFile(wheel) as z:
        parts = [z.read(f"sktime/datasets/data/{name}/{name}_{s}.ts").decode() for s in ("TRAIN", "TEST")]
    first = None
    rows = []
    for text in parts:
        c, dims, r = parse_ts(text, name)
        assert first is None or (c, dims) == first, (name, c, dims, first)
        first = (c, dims)
        rows.extend(r)
    classes, dims = first
    length = rows[0][2]
    assert all(n == length for _, _, n in rows), (name, "unequal lengths")
    if dims == 1:
        header = [f"t_{i}" for i in range(length)]
    else:
        header = [f"d{d}_t{i}" for d in range(dims) for i in range(length)]
    if classes is None:
        target = "target"
        value = lambda label: label
    else:
        target = "label"
        code = {c: i for i, c in enumerate(classes)}
        value = lambda label: code[label]
    path = os.path.join(out, f"{name.lower()}.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header + [target])
        for values, label, _ in rows:
            w.writerow(values + [value(label)])
    with open(path, newline="") as f:
        back = list(csv.reader(f))
    assert len(back) == len(rows) + 1, name
    for (values, label, _), row in zip(rows, back[1:]):
        assert [float(v) for v in row[:-1]] == [float(v) for v in values], name
        assert float(row[-1]) == float(value(label)), name
    md5 = hashlib.md5(open(path, "rb").read()).hexdigest()
    if classes is None:
        kind = "regression"
    else:
        counts = [sum(1 for _, l, _ in rows if l == c) for c in classes]
        kind = f"classes={len(classes)} per class={counts}"
    print(f"{name.lower()}: rows={len(rows)} features={len(header)} {kind} md5={md5}")


wheel, out = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else ".")
for name in DATASETS:
    export(wheel, out, name)
