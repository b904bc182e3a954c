"""Export a few-row, many-feature gene-expression case for `lrfind evaluate`'s case list
(README, "How good are the suggestions?"): the first 200 of the 700 blood cells of scanpy's
bundled `pbmc68k_reduced` (10x Genomics PBMC 68k, reduced by scanpy's authors), 765 genes
each, labelled with the cell type the cells were sorted by (`bulk_labels`, 10 types).

The features are the file's `X` as stored (log-normalised, scaled expression, 3 decimals),
one column per gene (named by the gene); the last column is `label`, the cell type as an
integer 0..9 in the order of `uns/bulk_labels_categories`. Values are written with %.6g,
which reproduces every stored number; the CSV is checked to read back equal.

    pip download scanpy==1.11.5 --no-deps -d /tmp/wheels
    python3 -m venv /tmp/venv-h5 && /tmp/venv-h5/bin/pip install h5py numpy
    /tmp/venv-h5/bin/python scripts/export_pbmc_small.py /tmp/wheels/scanpy-1.11.5-py3-none-any.whl assets

The file is read from inside the wheel; nothing else is downloaded.
"""
import hashlib
import io
import os
import sys
import zipfile

import h5py
import numpy as np

ROWS = 200

wheel, out = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else ".")
with zipfile.ZipFile(wheel) as z:
    blob = z.read("scanpy/datasets/10x_pbmc68k_reduced.h5ad")
with h5py.File(io.BytesIO(blob), "r") as f:
    x = f["X"][:ROWS].astype(np.float32)
    labels = f["obs"][:ROWS]["bulk_labels"].astype(int)
    categories = [c.decode() for c in f["uns/bulk_labels_categories"][:]]
    genes = [g.decode() for g in f["var"][:]["index"]]
assert len(set(genes)) == len(genes) == x.shape[1], "gene names must be unique"
assert "label" not in genes
path = os.path.join(out, "pbmc_small.csv")
with open(path, "w") as f:
    f.write(",".join(genes + ["label"]) + "\n")
    for row, label in zip(x, labels):
        f.write(",".join("%.6g" % v for v in row) + f",{label}\n")
back = np.loadtxt(path, delimiter=",", skiprows=1)
assert back.shape == (ROWS, len(genes) + 1)
assert np.array_equal(back[:, :-1].astype(np.float32), x), "values must read back equal"
assert np.array_equal(back[:, -1].astype(int), labels)
md5 = hashlib.md5(open(path, "rb").read()).hexdigest()
counts = np.bincount(labels, minlength=len(categories)).tolist()
print(f"pbmc_small: rows={ROWS} features={len(genes)} classes={len(categories)} per class={counts} md5={md5}")
print("classes:", categories)
