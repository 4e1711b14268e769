#!/usr/bin/env python3
"""Time Microsoft Vidur's own simulation phases (not its predictor training).

Usage (see README.md next to this file):

    PYTHONPATH=$VIDUR_REF:$VIDUR_REF/shims /usr/bin/python3 time_vidur.py \
        [--predictions DIR] [--json OUT.json] -- <Vidur CLI arguments>

It builds Vidur's SimulationConfig from the Vidur arguments exactly as
`python -m vidur.main` does, seeds like vidur.main, then times separately:

  setup        Simulator(config): config objects, trace loading, predictor
               construction (training or loading predictions), event queue.
  event_loop   Simulator.run(): the discrete-event loop including Vidur's
               in-loop metric collection and chrome-trace event capture.
  output       Simulator._write_output(): metric CSVs/JSON, plot figures,
               chrome_trace.json (what Vidur runs at process exit).

With --predictions DIR (a folder of Vidur prediction tables <op>.csv.gz as in
/work/shared/golden/g1_sarathi/vidur-predictions), the random-forest training
and grid prediction are replaced by loading those tables into the same
dict-of-tuples structure Vidur builds (`dict(zip([tuple(x) for x in X.values],
predictions))`), so the event loop does exactly Vidur's lookups on Vidur's
numbers. Without it Vidur trains its models as configured (slow; excluded from
the timed phases either way).

Plot images: plotly's write_image needs kaleido (a headless Chromium), which
is not installed here; it is replaced by a no-op that counts the images Vidur
would have rendered. Figure construction (plotly express) still runs. The
output phase is therefore a lower bound of Vidur's real output time.
"""
import argparse
import atexit
import gzip
import json
import os
import sys
import time


def main() -> None:
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("usage: time_vidur.py [--predictions DIR] [--json OUT] -- <vidur args>")
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--predictions", help="folder of Vidur prediction tables <op>.csv.gz")
    parser.add_argument("--json", help="write the timings as JSON to this file")
    opts = parser.parse_args(argv[:split])
    vidur_args = argv[split + 1 :]

    import pandas as pd
    import plotly.io

    skipped_images = []

    def no_write_image(fig, file, *args, **kwargs):
        skipped_images.append(str(file))

    plotly.io.write_image = no_write_image

    from vidur.config import SimulationConfig
    from vidur.entities.batch import Batch
    from vidur.entities.request import Request
    from vidur.events.base_event import BaseEvent
    from vidur.execution_time_predictor.sklearn_execution_time_predictor import (
        SklearnExecutionTimePredictor,
    )
    from vidur.simulator import Simulator
    from vidur.utils.random import set_seeds

    if opts.predictions:
        pred_dir = opts.predictions

        def load_tables(self):
            predictions = {}
            for name in sorted(os.listdir(pred_dir)):
                if not name.endswith(".csv.gz"):
                    continue
                with gzip.open(os.path.join(pred_dir, name), "rt") as f:
                    df = pd.read_csv(f)
                feature_cols = [c for c in df.columns if c != "prediction"]
                X = df[feature_cols]
                predictions[name[: -len(".csv.gz")]] = dict(
                    zip([tuple(x) for x in X.values], df["prediction"].values)
                )
            return predictions

        SklearnExecutionTimePredictor._train_models = lambda self: {}
        SklearnExecutionTimePredictor._predict_from_models = load_tables

    sys.argv = ["vidur.main"] + vidur_args
    t0 = time.perf_counter()
    config = SimulationConfig.create_from_cli_args()
    set_seeds(config.seed)
    simulator = Simulator(config)
    atexit.unregister(simulator._write_output)
    t1 = time.perf_counter()
    simulator.run()
    t2 = time.perf_counter()
    simulator._write_output()
    t3 = time.perf_counter()

    num_requests = Request._id + 1
    result = {
        "requests": num_requests,
        "batches": Batch._id + 1,
        "events": BaseEvent._id,
        "simulated_seconds": simulator._time,
        "setup_s": t1 - t0,
        "event_loop_s": t2 - t1,
        "output_s": t3 - t2,
        "event_loop_plus_output_s": t3 - t1,
        "requests_per_s_event_loop": num_requests / (t2 - t1),
        "requests_per_s_with_output": num_requests / (t3 - t1),
        "plot_images_skipped": len(skipped_images),
        "output_dir": config.metrics_config.output_dir,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if opts.json:
        with open(opts.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
