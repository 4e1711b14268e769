#!/usr/bin/python3
"""Time Vidur's random-forest GridSearchCV with scikit-learn and score the
result on a seeded hold-out split, for Meta-Llama-3-8B / a100 / TP1.

Run with Debian's python3-sklearn (not the pyenv python on PATH):

    /usr/bin/python3 bench/sklearn/vidur_grid.py --data $VIDUR_DATA --out /tmp/vidur-bench

Writes OUT/split.json (hold-out row indices per operator; the Go side,
bench/sklearn/gotrain, reads it) and OUT/sklearn.json (timings, best
parameters, hold-out MAPE).

--mode full runs the whole 27-candidate x k-fold GridSearchCV(n_jobs=-1)
exactly as Vidur does. --mode subset runs the same GridSearchCV(n_jobs=-1) restricted to
n_estimators=250 (9 candidates) and to the first of the k folds, and
extrapolates the full search as measured * (250+500+750)/250 * k, i.e.
assumes time proportional to the number of trees fitted. Its best
parameters are the best of those 9 on that fold; the hold-out model is that
candidate refitted on all training rows. It also reports a work-only
extrapolation: the candidates' fit+score times measured inside the workers
(cv_results_), times the same factor, divided by the CPU count; it leaves
out process-pool start-up and dispatch and so favours sklearn. --mode auto (default) uses full
for operators with fewer than 1000 rows and subset otherwise.
"""
import argparse, gzip, json, os, sys, time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, KFold

MLP = "profiling/compute/a100/meta-llama/Meta-Llama-3-8B/mlp.csv"
ATT = "synthetic/profiling/compute/a100/meta-llama/Meta-Llama-3-8B/attention.csv.gz"
MLP_OPS = ["attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj", "mlp_act",
           "input_layernorm", "post_attention_layernorm", "attn_rope", "add"]
GRID = {"n_estimators": [250, 500, 750], "max_depth": [8, 16, 32], "min_samples_split": [2, 5, 10]}


def mape(y_true, y_pred):  # Vidur's mean_absolute_percentage_error
    y_true, y_pred = np.array(y_true), np.array(y_pred)
    zero = y_true == 0
    err = np.zeros_like(y_true, dtype=float)
    err[~zero] = np.abs((y_true[~zero] - y_pred[~zero]) / y_true[~zero]) * 100
    err[zero] = np.where(y_pred[zero] == 0, 0, 100)
    return np.mean(err)


def load(root):
    ops = {}
    df = pd.read_csv(os.path.join(root, MLP)).drop_duplicates()
    df = df[df.num_tensor_parallel_workers == 1]
    for c in ["input_layernorm", "post_attention_layernorm", "add"]:
        col = f"time_stats.{c}.median"
        if col not in df:
            df[col] = 0
        df[col] = df[col].fillna(0)
    for op in MLP_OPS:
        ops[op] = (df[["num_tokens"]].to_numpy(float), df[f"time_stats.{op}.median"].to_numpy(float))
    a = pd.read_csv(os.path.join(root, ATT)).drop_duplicates()
    a = a[(a.num_tensor_parallel_workers == 1) & (a.block_size == 16)].copy()
    col = "time_stats.attn_kv_cache_save.median"
    if col not in a:
        a[col] = 0
    a[col] = a[col].fillna(0)
    a["num_tokens"] = np.maximum(a.prefill_chunk_size, a.batch_size)
    a["prefill_chunk_size_squared"] = a.prefill_chunk_size ** 2
    ops["attn_kv_cache_save"] = (a[["num_tokens"]].to_numpy(float), a[col].to_numpy(float))
    p = a[a.prefill_chunk_size > 0]
    ops["attn_prefill"] = (p[["kv_cache_size", "prefill_chunk_size_squared"]].to_numpy(float),
                           p["time_stats.attn_prefill.median"].to_numpy(float))
    d = a[a.prefill_chunk_size == 0]
    ops["attn_decode"] = (d[["batch_size", "kv_cache_size"]].to_numpy(float),
                          d["time_stats.attn_decode.median"].to_numpy(float))
    return ops


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("VIDUR_DATA"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--mode", choices=["full", "subset", "auto"], default="auto",
                    help="auto: full for operators with fewer than 1000 rows, else subset")
    ap.add_argument("--ops", default="", help="comma-separated subset of operators")
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-jobs", type=int, default=-1)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    ops = load(args.data)
    if args.ops:
        ops = {k: v for k, v in ops.items() if k in args.ops.split(",")}
    split, results = {"seed": args.seed, "holdout": args.holdout, "ops": {}}, {"mode": args.mode, "ops": {}}
    for name, (X, y) in ops.items():
        n = len(y)
        perm = np.random.RandomState(args.seed).permutation(n)
        test = np.sort(perm[: int(round(args.holdout * n))])
        train = np.setdiff1d(np.arange(n), test)
        split["ops"][name] = {"rows": n, "y_sum": float(y.sum()), "test": test.tolist()}
        Xt, yt = X[train], y[train]
        k = 2 if len(yt) < 10 else 10
        scorer = make_scorer(mape, greater_is_better=False)
        t0 = time.perf_counter()
        mode = args.mode if args.mode != "auto" else ("full" if n < 1000 else "subset")
        if mode == "full":
            gs = GridSearchCV(RandomForestRegressor(), GRID, scoring=scorer, cv=k, n_jobs=args.n_jobs)
            gs.fit(Xt, yt)
            secs = time.perf_counter() - t0
            best, model, est = gs.best_params_, gs.best_estimator_, secs
            est_work = secs
        else:
            # One training fold of the real GridSearchCV (same process pool,
            # n_jobs, scorer and refit), n_estimators=250 only.
            sub = dict(GRID, n_estimators=[250])
            gs = GridSearchCV(RandomForestRegressor(), sub, scoring=scorer,
                              cv=[next(KFold(k).split(Xt))], n_jobs=args.n_jobs, refit=False)
            gs.fit(Xt, yt)
            secs = time.perf_counter() - t0
            est = secs * (250 + 500 + 750) / 250 * k
            # Work inside the workers only (no pool start-up or dispatch),
            # spread over the cores: a lower bound that favours sklearn.
            work = float(np.sum(gs.cv_results_["mean_fit_time"] + gs.cv_results_["mean_score_time"]))
            est_work = work * (250 + 500 + 750) / 250 * k / os.cpu_count()
            best = gs.best_params_
            model = RandomForestRegressor(**best).fit(Xt, yt)
        hold = mape(y[test], model.predict(X[test]))
        results["ops"][name] = {"mode": mode, "rows": n, "train_rows": len(yt), "folds": k, "measured_s": secs,
                                "full_grid_s": est, "full_grid_work_s": est_work, "best": best, "holdout_mape": hold}
        print(f"{name:26s} rows={n:6d} measured={secs:8.1f}s full-grid={est:9.1f}s (work-only {est_work:8.1f}s) "
              f"best={best} holdout MAPE={hold:.3f}%", flush=True)
    with open(os.path.join(args.out, "split.json"), "w") as f:
        json.dump(split, f)
    with open(os.path.join(args.out, "sklearn.json"), "w") as f:
        json.dump(results, f, indent=1)
    tot = sum(r["full_grid_s"] for r in results["ops"].values())
    work = sum(r["full_grid_work_s"] for r in results["ops"].values())
    print(f"total full-grid seconds ({args.mode}): {tot:.1f} wall-extrapolated, {work:.1f} work-only")


if __name__ == "__main__":
    main()
