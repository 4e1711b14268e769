package worker

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vidur-go/vidur-go/profiler/sweep"
)

func fakeCommand(t *testing.T) []string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: the fake worker is a Python script")
	}
	return []string{py, "-u", filepath.Join("testdata", "fake_worker.py")}
}

func TestClientFakeWorker(t *testing.T) {
	ctx := context.Background()
	c, err := Start(ctx, Options{Command: fakeCommand(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if h := c.Hello(); h.Torch != "fake" || h.Timing != "perf_counter" {
		t.Fatalf("hello %+v", h)
	}
	res, err := c.Measure(ctx, sweep.OpLinear, sweep.Shape{Tokens: 200, In: 8, Out: 8}, 1, 3, time.Minute)
	if err != nil || res.Error != "" || res.Median != 2 || len(res.TimesMs) != 3 {
		t.Fatalf("res %+v err %v", res, err)
	}
	res, err = c.Measure(ctx, "oom", sweep.Shape{}, 1, 3, time.Minute)
	if err != nil || res.Error != "oom" {
		t.Fatalf("oom: %+v %v", res, err)
	}
	_, err = c.Measure(ctx, "crash", sweep.Shape{}, 1, 3, time.Minute)
	var ce *CrashError
	if !errors.As(err, &ce) || !strings.Contains(ce.Stderr, "segmentation fault") || !strings.Contains(ce.Reason, "139") {
		t.Fatalf("crash: %v", err)
	}
	if _, err := c.Measure(ctx, sweep.OpLinear, sweep.Shape{Tokens: 1}, 1, 1, 0); !errors.As(err, &ce) {
		t.Fatalf("dead client answered: %v", err)
	}
}

func TestClientProtocolViolation(t *testing.T) {
	c, err := Start(context.Background(), Options{Command: fakeCommand(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Measure(context.Background(), "garbage", sweep.Shape{}, 0, 1, time.Minute)
	var ce *CrashError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "protocol") {
		t.Fatalf("got %v", err)
	}
}

func TestSupervisorRestarts(t *testing.T) {
	ctx := context.Background()
	s, err := NewSupervisor(ctx, Options{Command: fakeCommand(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var crashes []string
	s.OnCrash = func(e *CrashError) { crashes = append(crashes, e.Error()) }
	// Crashes once, then the restarted worker answers the retried request.
	marker := filepath.Join(t.TempDir(), "crashed")
	res, err := s.Measure(ctx, "crash_once", sweep.Shape{Kind: marker, Tokens: 300}, 0, 2, time.Minute)
	if err != nil || res.Error != "" || res.Median != 3 {
		t.Fatalf("retry: %+v %v", res, err)
	}
	// Crashes every time: answered as a skipped "crash" and the sweep goes on.
	res, err = s.Measure(ctx, "crash", sweep.Shape{}, 0, 2, time.Minute)
	if err != nil || res.Error != ErrorCrash || !strings.Contains(res.Detail, "segmentation fault") {
		t.Fatalf("double crash: %+v %v", res, err)
	}
	res, err = s.Measure(ctx, sweep.OpLinear, sweep.Shape{Tokens: 100}, 0, 2, time.Minute)
	if err != nil || res.Median != 1 {
		t.Fatalf("after crash: %+v %v", res, err)
	}
	if len(crashes) != 3 || s.Restarts != 3 {
		t.Fatalf("crashes %d restarts %d", len(crashes), s.Restarts)
	}
}

func TestClientCancel(t *testing.T) {
	py := fakeCommand(t)[0]
	// A worker that handshakes and then never answers.
	cmd := []string{py, "-c", `import json,sys,time; print(json.dumps({"hello":{"torch":"x"}}), flush=True); time.sleep(60)`}
	c, err := Start(context.Background(), Options{Command: cmd})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := c.Measure(ctx, sweep.OpLinear, sweep.Shape{Tokens: 1}, 0, 1, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
}

func TestStartErrors(t *testing.T) {
	py := fakeCommand(t)[0]
	for name, cmd := range map[string][]string{
		"missing binary": {"/nonexistent/python"},
		"no handshake":   {py, "-c", "print('hi')"},
		"exits":          {py, "-c", "import sys; sys.stderr.write('boom'); sys.exit(2)"},
		"hello error":    {py, "-c", `import json; print(json.dumps({"hello":{"error":"cannot import torch"}}))`},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Start(context.Background(), Options{Command: cmd, StartTimeout: 20 * time.Second}); err == nil {
				t.Fatal("started")
			}
		})
	}
}

// TestTorchWorker runs the embedded worker on this machine's torch (CPU
// here) for every operator at a small shape.
func TestTorchWorker(t *testing.T) {
	ctx := context.Background()
	py, err := FindPython(ctx)
	if err != nil {
		t.Skipf("no Python with torch: %v", err)
	}
	c, err := Start(ctx, Options{Python: py})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := c.Hello()
	if h.Torch == "" || h.Dtype == "" || h.AttentionBackend == "" {
		t.Fatalf("hello %+v", h)
	}
	for _, tc := range []struct {
		op string
		s  sweep.Shape
	}{
		{sweep.OpLinear, sweep.Shape{Tokens: 16, In: 64, Out: 96}},
		{sweep.OpNorm, sweep.Shape{Tokens: 16, Hidden: 64, Kind: "rms_norm"}},
		{sweep.OpNorm, sweep.Shape{Tokens: 16, Hidden: 64, Kind: "layer_norm"}},
		{sweep.OpAct, sweep.Shape{Tokens: 16, Hidden: 64, Kind: "silu", Gated: true}},
		{sweep.OpAct, sweep.Shape{Tokens: 16, Hidden: 64, Kind: "gelu"}},
		{sweep.OpRope, sweep.Shape{Tokens: 16, QHeads: 4, KVHeads: 2, HeadDim: 16, RotaryDim: 8}},
		{sweep.OpAdd, sweep.Shape{Tokens: 16, Hidden: 64, Operands: 3}},
		{sweep.OpAttnPrefill, sweep.Shape{QHeads: 4, KVHeads: 2, HeadDim: 16, BlockSize: 16, Chunk: 32, KV: 40}},
		{sweep.OpAttnDecode, sweep.Shape{QHeads: 4, KVHeads: 2, HeadDim: 16, BlockSize: 16, Batch: 3, KV: 50}},
		{sweep.OpKVSave, sweep.Shape{Tokens: 20, KVHeads: 2, HeadDim: 16, BlockSize: 16}},
	} {
		res, err := c.Measure(ctx, tc.op, tc.s, 1, 3, time.Minute)
		if err != nil || res.Error != "" || !(res.Median > 0) || res.Min > res.Median || res.Median > res.Max {
			t.Fatalf("%s %+v: %+v %v", tc.op, tc.s, res, err)
		}
	}
	res, err := c.Measure(ctx, sweep.OpAllReduce, sweep.Shape{Bytes: 64, Workers: 2}, 1, 3, time.Minute)
	if err != nil || res.Error != "unsupported" {
		t.Fatalf("all_reduce: %+v %v", res, err)
	}
}
