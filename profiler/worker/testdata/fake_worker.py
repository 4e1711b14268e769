# A stand-in for worker.py used by the Go tests: no torch, scripted failures.
# op "linear": times = tokens/100 ms; "oom": error oom; "crash": exit 139
# after writing to stderr; "crash_once": crash unless the marker file named in
# shape.kind exists (then answer); "garbage": print a non-JSON line.
import json, os, sys

CRASH_TOKENS = int(os.environ.get("FAKE_WORKER_CRASH_TOKENS", "-1"))  # crash on op "linear" at these tokens
HANG_AFTER = int(os.environ.get("FAKE_WORKER_HANG_AFTER", "-1"))  # stop answering after this many requests
SCALE = float(os.environ.get("FAKE_WORKER_SCALE", "1"))  # multiply every time (a slower or faster machine)
served = 0

print(json.dumps({"hello": {"python": sys.executable, "torch": "fake", "device": "cpu", "dtype": "float32",
                            "timing": "perf_counter", "attention_backend": "none"}}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    op, s = req["op"], req.get("shape", {})
    served += 1
    if HANG_AFTER >= 0 and served > HANG_AFTER:
        import time
        time.sleep(3600)
    if op == "linear" and s.get("tokens") == CRASH_TOKENS:
        op = "crash"
    if op == "crash" or (op == "crash_once" and not os.path.exists(s["kind"])):
        if op == "crash_once":
            open(s["kind"], "w").close()
        sys.stderr.write("fake worker: segmentation fault in kernel\n")
        sys.stderr.flush()
        os._exit(139)
    if op == "garbage":
        print("this is not json", flush=True)
        continue
    if op == "oom":
        print(json.dumps({"id": req["id"], "error": "oom", "detail": "CUDA out of memory"}), flush=True)
        continue
    t = max(1, s.get("tokens", 1)) / 100.0 * SCALE
    ts = [t] * req["repeats"]
    print(json.dumps({"id": req["id"], "times_ms": ts, "min": t, "max": t, "mean": t, "median": t, "std": 0.0}), flush=True)
