#!/usr/bin/python3
"""Regenerate forest/testdata/sklearn_cases.json: reference outputs of
scikit-learn for small synthetic data sets (no Vidur data), checked by
forest's TestAgainstSklearn.

    /usr/bin/python3 bench/sklearn/make_testdata.py > forest/testdata/sklearn_cases.json

Feature values are small integers and halves so that sklearn's float32 cast
of X is exact; two-feature data use continuous-looking distinct values per
feature so that no two features tie for the best split (sklearn breaks such
ties by a random feature order). Such ties (two features giving the same
partition of a node) can still occur deep in a tree; they change predictions
only off the training rows, so the Go test compares 2-feature trees on the
training rows.
"""
import json, sys

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.tree import DecisionTreeRegressor

rng = np.random.RandomState(7)
cases = {"sklearn_version": sklearn.__version__, "trees": [], "linear": []}

X1 = rng.randint(0, 60, size=(150, 1)).astype(float) / 2
y1 = np.round(np.sin(X1[:, 0] / 5) * 10 + rng.rand(150), 6)
X2 = np.column_stack([rng.permutation(200)[:120] / 2, rng.permutation(300)[:120] * 1.5 + 0.25]) 
y2 = np.round(X2[:, 0] * 0.3 + np.sqrt(X2[:, 1]) + rng.rand(120), 6)
P1 = np.arange(-1, 32, 0.25)[:, None]
P2 = np.column_stack([rng.rand(80) * 100, rng.rand(80) * 450])

for name, X, y, P in [("1f", X1, y1, P1), ("2f", X2, y2, P2)]:
    for d, m, l in [(None, 2, 1), (3, 2, 1), (6, 10, 1), (None, 2, 4), (8, 5, 3)]:
        t = DecisionTreeRegressor(max_depth=d, min_samples_split=m, min_samples_leaf=l, random_state=0).fit(X, y)
        cases["trees"].append({"data": name, "max_depth": d or 0, "min_samples_split": m, "min_samples_leaf": l,
                               "node_count": int(t.tree_.node_count), "depth": int(t.get_depth()),
                               "X": X.tolist(), "y": y.tolist(), "probe": P.tolist(),
                               "pred": t.predict(P).tolist(), "train_pred": t.predict(X).tolist()})

Xl = np.column_stack([rng.randint(1, 40, 60), rng.randint(0, 9, 60)]).astype(float)
yl = 0.5 + 0.01 * Xl[:, 0] ** 2 + 0.2 * Xl[:, 0] * Xl[:, 1] + rng.rand(60) * 0.1
for deg in [1, 2, 3]:
    for bias in [True, False]:
        for io in [True, False]:
            for fi in [True, False]:
                p = make_pipeline(PolynomialFeatures(deg, include_bias=bias, interaction_only=io),
                                  LinearRegression(fit_intercept=fi)).fit(Xl, yl)
                lr = p[-1]
                cases["linear"].append({"degree": deg, "include_bias": bias, "interaction_only": io,
                                        "fit_intercept": fi, "X": Xl.tolist(), "y": yl.tolist(),
                                        "intercept": float(lr.intercept_), "coef": lr.coef_.tolist(),
                                        "pred": p.predict(Xl).tolist()})
json.dump(cases, sys.stdout)
