"""Export the small real datasets bundled inside the scikit-learn wheel to CSV.

These are the extra datasets `lrfind evaluate` is measured on (assets/README.md lists them
with their sources and licences); digits and breast_cancer come from ../shared/data/export.py
in the same format. Features first, then the target in the last column (`label` for classes,
`target` for diabetes' disease progression); header row; no index; values written with %.10g.

Run (no network needed at run time: the load_* functions read files inside the wheel):
    python3 -m venv .venv && .venv/bin/pip install scikit-learn==1.9.1 pandas
    .venv/bin/python scripts/export_datasets.py assets
"""
import os
import sys

import pandas as pd
import sklearn
from sklearn.datasets import load_diabetes, load_iris, load_wine


def export(out, name, bunch, target, integer_target):
    names = [n.replace(" ", "_").replace("(", "").replace(")", "") for n in bunch.feature_names]
    X = pd.DataFrame(bunch.data, columns=names)
    X[target] = bunch.target.astype(int) if integer_target else bunch.target
    path = os.path.join(out, f"{name}.csv")
    X.to_csv(path, index=False, float_format="%.10g")
    back = pd.read_csv(path)
    assert (back.values == X.values).all(), f"{name}: CSV does not read back exactly"
    print(f"{name}: rows={len(X)} features={X.shape[1] - 1} -> {path}")


out = sys.argv[1] if len(sys.argv) > 1 else "."
print("scikit-learn", sklearn.__version__)
export(out, "iris", load_iris(), "label", True)
export(out, "wine", load_wine(), "label", True)
# scaled=False: the original measurements (age in years, BMI, blood pressure, ...), not
# scikit-learn's mean-centred copies; lrfind standardises features itself.
export(out, "diabetes", load_diabetes(scaled=False), "target", False)
