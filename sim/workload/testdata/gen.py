#!/usr/bin/env python3
"""Regenerate synthetic.json: request lists produced by a line-for-line Python
transcription of Vidur's synthetic request generator (spec §2.1–2.3, the
library calls Vidur makes: random.random/uniform, numpy's global
standard_gamma — what scipy.stats.gamma.rvs draws — and np.sum for Zipf's
zeta). sim/workload must reproduce these requests.

Usage (from this directory; needs numpy):

    /usr/bin/python3 gen.py > synthetic.json
"""
import json
import math
import random
import sys

import numpy as np


class Zipf:
    def __init__(self, min_, max_, theta, seed):
        self.min, self.max, self.items = min_, max_, max_ - min_ + 1
        self.theta = theta
        self.rs = np.random.RandomState(seed)
        self.zeta2 = self.zeta(2)
        self.alpha = 1.0 / (1.0 - theta)
        self.zetan = self.zeta(self.items)
        self.eta = (1 - np.power(2.0 / self.items, 1 - theta)) / (1 - self.zeta2 / (self.zetan + 1e-8))

    def zeta(self, count):
        return np.sum(1 / (np.power(np.arange(1, count), self.theta)))

    def next(self):
        u = self.rs.random_sample()
        uz = u * self.zetan
        if uz < 1.0:
            return self.min
        if uz < 1.0 + np.power(0.5, self.theta):
            return self.min + 1
        return self.min + int(self.items * ((self.eta * u) - self.eta + 1) ** self.alpha)


def generate(case):
    iv, ln = case["interval"], case["length"]
    max_tokens = case["max_tokens"]
    zipf = None
    if ln["type"] == "zipf":
        zipf = Zipf(ln["min_tokens"], max_tokens, ln["theta"], ln.get("seed", 42))
    random.seed(case["seed"])
    np.random.seed(case["seed"])

    def interval():
        if iv["type"] == "poisson":
            dt = -math.log(1.0 - random.random()) / iv["qps"]
            return min(dt, 3.0 / iv["qps"])
        if iv["type"] == "gamma":
            shape = 1.0 / (iv["cv"] ** 2)
            scale = 1.0 / (iv["qps"] * shape)
            return float(np.random.standard_gamma(shape)) * scale
        return 0.0

    def lengths():
        if ln["type"] == "fixed":
            return ln["prefill_tokens"], ln["decode_tokens"]
        if ln["type"] == "uniform":
            total = random.uniform(ln["min_tokens"], max_tokens)
            decode = math.ceil(total / (1 + ln["prefill_to_decode_ratio"]))
            return total - decode, decode
        total = zipf.next()
        decode = total / (1 + ln["prefill_to_decode_ratio"])
        return total - decode, decode

    def one(now):
        dt = interval()
        p, d = lengths()
        return [now + dt, int(p), int(d)]

    reqs, now = [], 0.0
    if case.get("duration"):
        while now < case["duration"]:
            r = one(now)
            now = r[0]
            reqs.append(r)
        reqs = [r for r in reqs if r[0] < case["duration"]]
    else:
        for _ in range(case["num_requests"]):
            r = one(now)
            now = r[0]
            reqs.append(r)
    return reqs


CASES = [
    {"name": "uniform_poisson", "seed": 7, "num_requests": 300, "max_tokens": 4096,
     "interval": {"type": "poisson", "qps": 2.0},
     "length": {"type": "uniform", "min_tokens": 1024, "prefill_to_decode_ratio": 20.0}},
    {"name": "zipf_gamma_bursty", "seed": 42, "num_requests": 300, "max_tokens": 4096,
     "interval": {"type": "gamma", "qps": 1.0, "cv": 2.0},
     "length": {"type": "zipf", "min_tokens": 1024, "theta": 0.6, "prefill_to_decode_ratio": 20.0}},
    {"name": "zipf_gamma_smooth", "seed": 3, "num_requests": 300, "max_tokens": 16384,
     "interval": {"type": "gamma", "qps": 4.0, "cv": 0.5},
     "length": {"type": "zipf", "min_tokens": 16, "theta": 0.99, "prefill_to_decode_ratio": 3.0, "seed": 9}},
    {"name": "fixed_poisson_duration", "seed": 11, "duration": 120.0, "max_tokens": 4096,
     "interval": {"type": "poisson", "qps": 1.5},
     "length": {"type": "fixed", "prefill_tokens": 100, "decode_tokens": 10}},
    {"name": "uniform_static", "seed": 5, "num_requests": 50, "max_tokens": 2048,
     "interval": {"type": "static"},
     "length": {"type": "uniform", "min_tokens": 64, "prefill_to_decode_ratio": 1.5}},
]


def main():
    out = {"generator": "sim/workload/testdata/gen.py", "python_version": sys.version.split()[0],
           "numpy_version": np.__version__, "cases": []}
    for c in CASES:
        c = dict(c)
        c["requests"] = generate(c)
        out["cases"].append(c)
    zetas = []
    for theta in (0.6, 0.99, 0.1):
        z = Zipf(1, 2, theta, 0)
        for count in (1, 2, 3, 9, 10, 17, 129, 130, 1000, 3073, 100001):
            zetas.append({"theta": theta, "count": count, "zeta": float(z.zeta(count))})
    out["zeta"] = zetas
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
