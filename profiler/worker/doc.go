// Package worker runs operator measurements in a PyTorch subprocess.
//
// The worker is a small Python script (worker.py, embedded with go:embed)
// that Start writes to a temporary directory and runs with a Python that can
// import torch (FindPython). It speaks line-delimited JSON on stdin/stdout:
// a handshake line describing the environment (torch and CUDA versions,
// device, dtype, timing method, attention backend, clocks), then one
// response per request:
//
//	→ {"id":7,"op":"linear","shape":{"tokens":512,"in":4096,"out":6144},"repeats":10,"warmup":2}
//	← {"id":7,"times_ms":[...],"min":..,"max":..,"mean":..,"median":..,"std":..}
//	← {"id":7,"error":"oom","detail":"CUDA out of memory ..."}
//
// On a GPU it times with CUDA events in fp16 and uses flash-attn's paged
// kernel when importable, else torch's scaled_dot_product_attention over a
// paged-KV gather; on a CPU it times with time.perf_counter in float32 and
// falls back to an explicit matmul-softmax-matmul when torch has no SDPA
// (torch < 2.0).
//
// Client owns one process; Supervisor restarts a crashed worker (reporting
// its stderr tail) so that a sweep continues. Tests substitute the worker
// command with a fake script.
package worker
