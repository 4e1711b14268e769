"""vidur-go measurement worker: times transformer operators with PyTorch.

Protocol (line-delimited JSON on stdin/stdout):
  first line out: {"hello": {...environment...}}
  in:  {"id": N, "op": "...", "shape": {...}, "repeats": R, "warmup": W}
  out: {"id": N, "times_ms": [...], "min":, "max":, "mean":, "median":, "std":}
   or: {"id": N, "error": "oom" | "unsupported" | "bad_request" | "failed", "detail": "..."}
Diagnostics go to stderr. Started by vidur-profile (profiler/worker); not a CLI.
"""
import json
import math
import os
import platform
import sys
import time
import traceback


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--dtype", default="auto", choices=["auto", "float16", "bfloat16", "float32"])
    args = ap.parse_args()
    try:
        import torch
        import torch.nn.functional as F
    except Exception as e:  # reported as the handshake so Go can say how to install torch
        send({"hello": {"error": "cannot import torch: %s" % e, "python": sys.executable}})
        return 3

    if args.device == "auto":
        dev = "cuda" if torch.cuda.is_available() else "cpu"
    else:
        dev = args.device
    if dev == "cuda" and not torch.cuda.is_available():
        send({"hello": {"error": "CUDA requested but torch.cuda.is_available() is False", "python": sys.executable}})
        return 3
    if args.dtype == "auto":
        # CPUs lack fast fp16 matmul: measure float32 there (recorded in the manifest).
        dtype_name = "float16" if dev == "cuda" else "float32"
    else:
        dtype_name = args.dtype
    dtype = getattr(torch, dtype_name)
    device = torch.device(dev)
    torch.manual_seed(0)

    flash = None
    try:
        from flash_attn import flash_attn_with_kvcache  # noqa: F401

        if dev == "cuda" and dtype_name in ("float16", "bfloat16"):
            flash = flash_attn_with_kvcache
    except Exception:
        flash = None
    sdpa = getattr(F, "scaled_dot_product_attention", None)
    if flash is not None:
        attn_backend = "flash_attn"
    elif sdpa is not None:
        attn_backend = "torch_sdpa"
    else:
        attn_backend = "torch_matmul"

    hello = {
        "python": sys.executable,
        "python_version": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda or "",
        "device": dev,
        "device_name": torch.cuda.get_device_name(0) if dev == "cuda" else (platform.processor() or platform.machine()),
        "dtype": dtype_name,
        "timing": "cuda_event" if dev == "cuda" else "perf_counter",
        "attention_backend": attn_backend,
        "threads": torch.get_num_threads(),
    }
    if dev == "cuda":
        p = torch.cuda.get_device_properties(0)
        hello["sm_count"] = p.multi_processor_count
        hello["memory_bytes"] = p.total_memory
        hello["capability"] = "%d.%d" % (p.major, p.minor)
        try:
            import pynvml

            pynvml.nvmlInit()
            h = pynvml.nvmlDeviceGetHandleByIndex(torch.cuda.current_device())
            hello["sm_clock_mhz"] = pynvml.nvmlDeviceGetClockInfo(h, pynvml.NVML_CLOCK_SM)
            hello["mem_clock_mhz"] = pynvml.nvmlDeviceGetClockInfo(h, pynvml.NVML_CLOCK_MEM)
        except Exception:
            pass
    send({"hello": hello})

    ops = Ops(torch, F, device, dtype, flash, sdpa)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError as e:
            send({"id": None, "error": "bad_request", "detail": "not JSON: %s" % e})
            continue
        rid = req.get("id")
        try:
            fn = ops.build(req["op"], req.get("shape") or {})
            times = ops.time(fn, int(req.get("warmup", 2)), int(req.get("repeats", 10)))
            send(dict(id=rid, times_ms=times, **stats(times)))
        except Unsupported as e:
            send({"id": rid, "error": "unsupported", "detail": str(e)})
        except (KeyError, ValueError, TypeError) as e:
            send({"id": rid, "error": "bad_request", "detail": "%s: %s" % (type(e).__name__, e)})
        except RuntimeError as e:
            msg = str(e)
            low = msg.lower()
            if "out of memory" in low or "can't allocate memory" in low or isinstance(e, getattr(torch.cuda, "OutOfMemoryError", ())):
                send({"id": rid, "error": "oom", "detail": msg.splitlines()[0][:300]})
            else:
                traceback.print_exc()
                send({"id": rid, "error": "failed", "detail": msg.splitlines()[0][:300] if msg else type(e).__name__})
        except MemoryError as e:
            send({"id": rid, "error": "oom", "detail": "host MemoryError %s" % e})
        finally:
            fn = None
            if dev == "cuda":
                torch.cuda.empty_cache()
    return 0


class Unsupported(Exception):
    pass


def stats(ts):
    n = len(ts)
    s = sorted(ts)
    mean = sum(ts) / n
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    std = math.sqrt(sum((t - mean) ** 2 for t in ts) / n)  # population, as numpy
    return {"min": s[0], "max": s[-1], "mean": mean, "median": median, "std": std}


class Ops:
    def __init__(self, torch, F, device, dtype, flash, sdpa):
        self.torch, self.F, self.device, self.dtype = torch, F, device, dtype
        self.flash, self.sdpa = flash, sdpa

    def rand(self, *shape):
        return self.torch.randn(*shape, device=self.device, dtype=self.dtype)

    def time(self, fn, warmup, repeats):
        torch = self.torch
        if repeats < 1:
            raise ValueError("repeats must be >= 1")
        with torch.no_grad():
            for _ in range(warmup):
                fn()
            out = []
            if self.device.type == "cuda":
                torch.cuda.synchronize()
                for _ in range(repeats):
                    a = torch.cuda.Event(enable_timing=True)
                    b = torch.cuda.Event(enable_timing=True)
                    a.record()
                    fn()
                    b.record()
                    b.synchronize()
                    out.append(a.elapsed_time(b))
            else:
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    fn()
                    out.append((time.perf_counter() - t0) * 1e3)
        return out

    def build(self, op, s):
        f = getattr(self, "op_" + op, None)
        if f is None:
            raise Unsupported("unknown op %r" % op)
        return f(s)

    def op_linear(self, s):
        x, w = self.rand(s["tokens"], s["in"]), self.rand(s["out"], s["in"])
        F = self.F
        return lambda: F.linear(x, w)

    def op_norm(self, s):
        t, h = s["tokens"], s["hidden"]
        x, w, b = self.rand(t, h), self.rand(h), self.rand(h)
        torch, F = self.torch, self.F
        if s.get("kind", "rms_norm") == "layer_norm":
            return lambda: F.layer_norm(x, (h,), w, b, 1e-5)

        def rms():
            xf = x.float()
            return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-6)).to(x.dtype) * w

        return rms

    def op_act(self, s):
        t, h = s["tokens"], s["hidden"]
        F = self.F
        act = F.gelu if s.get("kind") == "gelu" else F.silu
        if s.get("gated"):
            x = self.rand(t, 2 * h)
            return lambda: act(x[:, :h]) * x[:, h:]
        x = self.rand(t, h)
        return lambda: act(x)

    def op_rope(self, s):
        torch = self.torch
        t, qh, kvh, hd = s["tokens"], s["q_heads"], s["kv_heads"], s["head_dim"]
        rot = s.get("rotary_dim") or hd
        q, k = self.rand(t, qh, hd), self.rand(t, kvh, hd)
        pos = torch.arange(t, device=self.device).float()
        inv = 1.0 / (10000 ** (torch.arange(0, rot, 2, device=self.device).float() / rot))
        freqs = torch.outer(pos, inv)
        cos, sin = freqs.cos().to(self.dtype)[:, None, :], freqs.sin().to(self.dtype)[:, None, :]
        half = rot // 2

        def apply(x):  # neox style, in place on the rotated part
            x1, x2 = x[..., :half].clone(), x[..., half:rot]
            x[..., :half] = x1 * cos - x2 * sin
            x[..., half:rot] = x2 * cos + x1 * sin

        def fn():
            apply(q)
            apply(k)

        return fn

    def op_add(self, s):
        xs = [self.rand(s["tokens"], s["hidden"]) for _ in range(s.get("operands", 2))]
        if len(xs) == 2:
            a, b = xs
            return lambda: a + b
        return lambda: sum(xs[1:], xs[0])

    def _paged_cache(self, seqs, kv_len, kvh, hd, block):
        torch = self.torch
        per = max(1, -(-kv_len // block))
        nblocks = seqs * per
        kc, vc = self.rand(nblocks, block, kvh, hd), self.rand(nblocks, block, kvh, hd)
        table = torch.randperm(nblocks, device=self.device).view(seqs, per)  # random block tables, as Vidur
        return kc, vc, table, per

    def _gather(self, cache, table, kv_len):
        seqs, per = table.shape
        g = cache.index_select(0, table.reshape(-1))  # (seqs*per, block, kvh, hd)
        g = g.view(seqs, per * cache.shape[1], cache.shape[2], cache.shape[3])[:, :kv_len]
        return g.transpose(1, 2)  # (seqs, kvh, kv_len, hd)

    def _attend(self, q, k, v, mask):
        # q (B, qh, n, hd); k, v (B, kvh, L, hd); mask bool (n, L) or None
        torch = self.torch
        rep = q.shape[1] // k.shape[1]
        if rep > 1:
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        if self.sdpa is not None:
            return self.sdpa(q, k, v, attn_mask=mask)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        return torch.matmul(torch.softmax(scores.float(), dim=-1).to(q.dtype), v)

    def op_attn_prefill(self, s):
        torch = self.torch
        qh, kvh, hd, block = s["q_heads"], s["kv_heads"], s["head_dim"], s.get("block_size", 16)
        c, kv = s["chunk"], s.get("kv", 0)
        total = kv + c
        kc, vc, table, per = self._paged_cache(1, total, kvh, hd, block)
        if self.flash is not None:
            q = self.rand(1, c, qh, hd)
            lens = torch.tensor([total], dtype=torch.int32, device=self.device)
            t32 = table.to(torch.int32)
            return lambda: self.flash(q, kc, vc, cache_seqlens=lens, block_table=t32, causal=True)
        q = self.rand(1, qh, c, hd)
        # causal with the chunk's queries aligned to the end of the KV span
        mask = torch.ones(c, total, dtype=torch.bool, device=self.device).tril(diagonal=kv)
        return lambda: self._attend(q, self._gather(kc, table, total), self._gather(vc, table, total), mask)

    def op_attn_decode(self, s):
        torch = self.torch
        qh, kvh, hd, block = s["q_heads"], s["kv_heads"], s["head_dim"], s.get("block_size", 16)
        b, kv = s["batch"], s["kv"]
        kc, vc, table, per = self._paged_cache(b, kv, kvh, hd, block)
        if self.flash is not None:
            q = self.rand(b, 1, qh, hd)
            lens = torch.full((b,), kv, dtype=torch.int32, device=self.device)
            t32 = table.to(torch.int32)
            return lambda: self.flash(q, kc, vc, cache_seqlens=lens, block_table=t32)
        q = self.rand(b, qh, 1, hd)
        return lambda: self._attend(q, self._gather(kc, table, kv), self._gather(vc, table, kv), None)

    def op_kv_cache_save(self, s):
        torch = self.torch
        t, kvh, hd, block = s["tokens"], s["kv_heads"], s["head_dim"], s.get("block_size", 16)
        nblocks = max(1, -(-t // block)) * 2
        kc, vc = self.rand(nblocks * block, kvh, hd), self.rand(nblocks * block, kvh, hd)
        slots = torch.randperm(nblocks * block, device=self.device)[:t]
        k, v = self.rand(t, kvh, hd), self.rand(t, kvh, hd)

        def fn():
            kc.index_copy_(0, slots, k)
            vc.index_copy_(0, slots, v)

        return fn

    def op_all_reduce(self, s):
        raise Unsupported("collectives need a multi-process NCCL run; this worker times single-device operators")

    op_send_recv = op_all_reduce

    def op_crash(self, s):  # test hook: exit abruptly like a segfaulting kernel would
        sys.stderr.write("worker: crash requested\n")
        sys.stderr.flush()
        os._exit(int(s.get("code", 139)))


if __name__ == "__main__":
    sys.exit(main())
