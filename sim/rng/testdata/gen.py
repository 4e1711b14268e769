#!/usr/bin/env python3
"""Regenerate vectors.json: reference draws from CPython's random module and
numpy's legacy RandomState, which sim/rng must reproduce.

Usage (from this directory; needs numpy, e.g. `apt-get install python3-numpy`):

    /usr/bin/python3 gen.py > vectors.json   # any CPython 3 with numpy

Each case is a seed and a sequence of operations applied to ONE generator in
order, so the tests also check that mixed calls continue the stream exactly.
Floats are written with repr (shortest round-trip), so Go parses them exactly.
"""
import json
import math
import random
import sys

import numpy as np


def python_case(seed, ops):
    r = random.Random(seed)
    out = []
    for op in ops:
        name, args = op[0], list(op[1:])
        if name == "random":
            v = r.random()
        elif name == "getrandbits":
            v = r.getrandbits(args[0])
        elif name == "randbelow":
            v = r._randbelow(args[0])
        elif name == "randint":
            v = r.randint(args[0], args[1])
        elif name == "uniform":
            v = r.uniform(args[0], args[1])
        else:
            raise ValueError(name)
        out.append({"op": name, "args": args, "value": v})
    return {"seed": seed, "ops": out}


def numpy_case(seed, ops):
    r = np.random.RandomState(seed)
    out = []
    for op in ops:
        name, args = op[0], list(op[1:])
        if name == "random_sample":
            v = float(r.random_sample())
        elif name == "standard_exponential":
            v = float(r.standard_exponential())
        elif name == "standard_normal":
            v = float(r.standard_normal())
        elif name == "standard_gamma":
            v = float(r.standard_gamma(args[0]))
        elif name == "permutation":
            v = [int(x) for x in r.permutation(args[0])]
        elif name == "randint":
            v = int(r.randint(args[0], args[1]))
        else:
            raise ValueError(name)
        out.append({"op": name, "args": args, "value": v})
    return {"seed": seed, "ops": out}


def main():
    py_ops_uniform = [("random",)] * 40
    py_mixed = []
    for i in range(60):
        py_mixed += [
            ("random",),
            ("getrandbits", (i % 64) + 1),
            ("randbelow", [1, 2, 3, 4, 5, 7, 8, 100, 1000, 2**31 - 1, 2**31, 2**40 + 3][i % 12]),
            ("randint", 1, 4),
            ("randint", -3, 3),
            ("uniform", 1024.0, 4096.0),
        ]
    python = [python_case(s, py_ops_uniform) for s in (0, 1, 42, 12345, 2**32 - 1, 2**32, 2**63 + 5, 2**64 - 1)]
    python += [python_case(s, py_mixed) for s in (42, 7)]
    # The random global scheduler: randint(1, N) - 1 for a few replica counts.
    python += [python_case(42, [("randint", 1, n) for n in (1, 2, 3, 4, 5, 8, 16, 17) for _ in range(25)])]

    np_uniform = [("random_sample",)] * 40
    np_mixed = []
    for i in range(40):
        np_mixed += [
            ("random_sample",),
            ("standard_normal",),
            ("standard_gamma", [0.25, 0.5, 1.0, 1.5, 4.0, 100.0, 1e-3][i % 7]),
            ("standard_exponential",),
            ("randint", 0, [1, 2, 3, 10, 1000, 2**32, 2**40][i % 7]),
        ]
    np_gamma = [("standard_gamma", s) for s in (4.0, 0.5, 2.0, 0.2) for _ in range(50)]
    np_perm = [("permutation", n) for n in (0, 1, 2, 10, 100, 1000)]
    numpy = [numpy_case(s, np_uniform) for s in (0, 1, 42, 12345, 2**32 - 1)]
    numpy += [numpy_case(s, np_mixed) for s in (42, 3)]
    numpy += [numpy_case(s, np_gamma) for s in (42, 99)]
    numpy += [numpy_case(s, np_perm) for s in (42, 5)]

    # math.log (the C library's log) on 1-u, the argument of Vidur's poisson
    # intervals, plus a spread of magnitudes.
    lr = random.Random(2024)
    xs = [1.0 - lr.random() for _ in range(4000)]
    xs += [lr.random() * 10.0 ** lr.randint(-300, 300) for _ in range(1000)]
    xs += [5e-324, 2.2250738585072014e-308, 0.5, 0.7071067811865476, 1.0, 1.5, 2.0, 1e308]
    log = [[x, math.log(x)] for x in xs if x > 0]

    json.dump({
        "generator": "sim/rng/testdata/gen.py",
        "python_version": sys.version.split()[0],
        "numpy_version": np.__version__,
        "python": python,
        "numpy": numpy,
        "log": log,
    }, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
