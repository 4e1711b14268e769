package worker

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vidur-go/vidur-go/profiler/sweep"
)

// Script is the embedded PyTorch worker.
//
//go:embed worker.py
var Script []byte

// Hello is the worker's handshake: the measuring environment, recorded in
// the profile manifest.
type Hello struct {
	Python           string `json:"python"`
	PythonVersion    string `json:"python_version"`
	Torch            string `json:"torch"`
	CUDA             string `json:"cuda"`
	Device           string `json:"device"`      // "cuda" or "cpu"
	DeviceName       string `json:"device_name"` // e.g. "NVIDIA H100 80GB HBM3"
	Dtype            string `json:"dtype"`       // float16, bfloat16, float32
	Timing           string `json:"timing"`      // cuda_event or perf_counter
	AttentionBackend string `json:"attention_backend"`
	Threads          int    `json:"threads"`
	SMCount          int    `json:"sm_count,omitempty"`
	MemoryBytes      int64  `json:"memory_bytes,omitempty"`
	Capability       string `json:"capability,omitempty"`
	SMClockMHz       int    `json:"sm_clock_mhz,omitempty"`
	MemClockMHz      int    `json:"mem_clock_mhz,omitempty"`
	// Error is set when the worker cannot run (no torch, no CUDA).
	Error string `json:"error,omitempty"`
}

// Extra flattens h into manifest Extra entries (keys prefixed "worker.").
func (h Hello) Extra() map[string]string {
	m := map[string]string{}
	b, _ := json.Marshal(h)
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	for k, v := range raw {
		m["worker."+k] = fmt.Sprint(v)
	}
	return m
}

// Request asks the worker to time op at shape.
type Request struct {
	ID      int64       `json:"id"`
	Op      string      `json:"op"`
	Shape   sweep.Shape `json:"shape"`
	Repeats int         `json:"repeats"`
	Warmup  int         `json:"warmup"`
}

// Result is the worker's answer. Times are milliseconds. Error is "" on
// success, else "oom", "unsupported", "bad_request" or "failed" with Detail.
type Result struct {
	ID      int64     `json:"id"`
	TimesMs []float64 `json:"times_ms,omitempty"`
	Min     float64   `json:"min,omitempty"`
	Max     float64   `json:"max,omitempty"`
	Mean    float64   `json:"mean,omitempty"`
	Median  float64   `json:"median,omitempty"`
	Std     float64   `json:"std,omitempty"`
	Error   string    `json:"error,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// CrashError reports a worker that exited or broke the protocol; Stderr is
// the tail of what it wrote to stderr.
type CrashError struct {
	Reason string
	Stderr string
}

func (e *CrashError) Error() string {
	if e.Stderr == "" {
		return "measurement worker crashed: " + e.Reason
	}
	return fmt.Sprintf("measurement worker crashed: %s; stderr tail:\n%s", e.Reason, e.Stderr)
}

// Options configure a worker process.
type Options struct {
	// Command is the argv that starts a worker speaking the protocol. Empty
	// means [Python, <embedded worker.py>, --device Device, --dtype Dtype].
	Command []string
	// Python is the interpreter for the embedded worker; empty means
	// FindPython.
	Python string
	// Device is "auto" (CUDA if available), "cpu" or "cuda"; Dtype "auto",
	// "float16", "bfloat16" or "float32".
	Device, Dtype string
	// StartTimeout bounds the wait for the handshake (default 2 minutes:
	// importing torch and initialising CUDA is slow).
	StartTimeout time.Duration
}

// Client is one running worker process. It is not safe for concurrent use.
type Client struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	done   chan struct{} // closed when stdout ends
	stderr *tailBuffer
	tmpDir string
	hello  Hello
	nextID int64
	dead   error
}

// Start launches a worker and waits for its handshake.
func Start(ctx context.Context, opts Options) (*Client, error) {
	c := &Client{stderr: newTailBuffer(4096), lines: make(chan string, 1), done: make(chan struct{})}
	argv := opts.Command
	if len(argv) == 0 {
		py := opts.Python
		if py == "" {
			var err error
			if py, err = FindPython(ctx); err != nil {
				return nil, err
			}
		}
		dir, err := os.MkdirTemp("", "vidur-worker-*")
		if err != nil {
			return nil, fmt.Errorf("start worker: %w", err)
		}
		c.tmpDir = dir
		script := filepath.Join(dir, "worker.py")
		if err := os.WriteFile(script, Script, 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("start worker: %w", err)
		}
		argv = []string{py, "-u", script, "--device", or(opts.Device, "auto"), "--dtype", or(opts.Dtype, "auto")}
	}
	c.cmd = exec.Command(argv[0], argv[1:]...)
	c.cmd.Stderr = c.stderr
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, c.fail(fmt.Errorf("start worker: %w", err))
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, c.fail(fmt.Errorf("start worker: %w", err))
	}
	if err := c.cmd.Start(); err != nil {
		return nil, c.fail(fmt.Errorf("start worker %q: %w", argv[0], err))
	}
	go c.readLines(stdout)
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	line, err := c.next(ctx, timeout)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("start worker: no handshake: %w", err)
	}
	var hs struct {
		Hello *Hello `json:"hello"`
	}
	if err := json.Unmarshal([]byte(line), &hs); err != nil || hs.Hello == nil {
		c.Close()
		return nil, fmt.Errorf("start worker: bad handshake %q (want {\"hello\":{...}})", truncate(line, 200))
	}
	if hs.Hello.Error != "" {
		c.Close()
		return nil, fmt.Errorf("start worker (%s): %s", or(hs.Hello.Python, argv[0]), hs.Hello.Error)
	}
	c.hello = *hs.Hello
	return c, nil
}

func (c *Client) fail(err error) error {
	if c.tmpDir != "" {
		os.RemoveAll(c.tmpDir)
	}
	return err
}

func (c *Client) readLines(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		c.lines <- sc.Text()
	}
	close(c.done)
}

// next waits for the next stdout line.
func (c *Client) next(ctx context.Context, timeout time.Duration) (string, error) {
	var tc <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		tc = t.C
	}
	select {
	case l := <-c.lines:
		return l, nil
	case <-c.done:
		select { // a line may have raced with the close
		case l := <-c.lines:
			return l, nil
		default:
		}
		c.kill()
		werr := c.cmd.Wait()
		c.dead = &CrashError{Reason: exitReason(werr), Stderr: c.stderr.String()}
		return "", c.dead
	case <-tc:
		c.kill()
		c.dead = &CrashError{Reason: fmt.Sprintf("no answer within %s", timeout), Stderr: c.stderr.String()}
		return "", c.dead
	case <-ctx.Done():
		c.kill()
		c.dead = ctx.Err()
		return "", ctx.Err()
	}
}

func exitReason(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	if err == nil {
		return "exited with status 0 before answering"
	}
	return err.Error()
}

// Hello returns the worker's handshake.
func (c *Client) Hello() Hello { return c.hello }

// Measure sends one request and waits for its answer (timeout 0: none).
// A worker-side failure (oom, unsupported) is a Result with Error set; a
// crash or protocol violation is a *CrashError and the client is dead; a
// cancelled ctx kills the worker and returns ctx.Err().
func (c *Client) Measure(ctx context.Context, op string, shape sweep.Shape, warmup, repeats int, timeout time.Duration) (Result, error) {
	if c.dead != nil {
		return Result{}, c.dead
	}
	c.nextID++
	req := Request{ID: c.nextID, Op: op, Shape: shape, Warmup: warmup, Repeats: repeats}
	b, _ := json.Marshal(req)
	if _, err := c.stdin.Write(append(b, '\n')); err != nil {
		_, werr := c.next(ctx, time.Second) // collect the exit status
		if werr != nil {
			return Result{}, werr
		}
		c.dead = &CrashError{Reason: "write request: " + err.Error(), Stderr: c.stderr.String()}
		return Result{}, c.dead
	}
	line, err := c.next(ctx, timeout)
	if err != nil {
		return Result{}, err
	}
	var res Result
	if err := json.Unmarshal([]byte(line), &res); err != nil || res.ID != req.ID {
		c.kill()
		c.dead = &CrashError{Reason: fmt.Sprintf("protocol: answer %q to request %d", truncate(line, 200), req.ID), Stderr: c.stderr.String()}
		return Result{}, c.dead
	}
	if res.Error == "" && (len(res.TimesMs) == 0 || !(res.Median > 0) || !(res.Min > 0)) {
		res.Error, res.Detail = "failed", fmt.Sprintf("non-positive timing (median %g ms, min %g ms)", res.Median, res.Min)
	}
	return res, nil
}

// Close stops the worker and removes its temporary directory.
func (c *Client) Close() error {
	if c.stdin != nil {
		c.stdin.Close()
	}
	if c.cmd != nil && c.cmd.Process != nil && c.cmd.ProcessState == nil {
		exited := make(chan struct{})
		go func() {
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				c.kill()
			}
		}()
		c.cmd.Wait()
		close(exited)
	}
	if c.tmpDir != "" {
		os.RemoveAll(c.tmpDir)
	}
	return nil
}

// kill ends the worker's process group (the worker and anything it spawned).
func (c *Client) kill() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// FindPython returns an interpreter that can import torch: python3 on
// PATH if it can, else /usr/bin/python3 (where Debian's python3-torch
// installs). It fails with installation advice when neither can.
func FindPython(ctx context.Context) (string, error) {
	var tried []string
	cands := []string{"python3", "/usr/bin/python3"}
	seen := map[string]bool{}
	for _, c := range cands {
		p, err := exec.LookPath(c)
		if err != nil {
			tried = append(tried, c+": not found")
			continue
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		out, err := exec.CommandContext(cctx, p, "-c", "import torch").CombinedOutput()
		cancel()
		if err == nil {
			return p, nil
		}
		tried = append(tried, fmt.Sprintf("%s: cannot import torch (%s)", p, lastLine(string(out))))
	}
	return "", fmt.Errorf("no Python with PyTorch found (%s); install it (Debian/Ubuntu: apt-get install -y python3-torch; "+
		"or pip install torch) or pass --python PATH", strings.Join(tried, "; "))
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return truncate(s, 120)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// tailBuffer keeps the last n bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	n   int
	buf []byte
}

func newTailBuffer(n int) *tailBuffer { return &tailBuffer{n: n} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.n {
		t.buf = append(t.buf[:0:0], t.buf[len(t.buf)-t.n:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
