package profilecmd

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vidur-go/vidur-go/profiler"
	"github.com/vidur-go/vidur-go/profiler/worker"
)

// journalEntry is one line of a measurement journal: a point's timing or
// the reason it was skipped.
type journalEntry struct {
	Key     string          `json:"key"`
	Stats   *profiler.Stats `json:"stats,omitempty"`
	TimesMs []float64       `json:"times_ms,omitempty"`
	Skipped string          `json:"skipped,omitempty"` // oom, unsupported, crash, failed
	Detail  string          `json:"detail,omitempty"`
}

// journal is an append-only JSON-lines file of measurements under
// <store>/measurements/<sku>/<fingerprint>.partial.jsonl. The fingerprint
// covers what makes timings comparable (device, dtype, timer, attention
// backend, torch/CUDA versions, warmup and repeats), so a re-run in the
// same environment continues — and a different model needing the same
// shapes reuses — earlier measurements.
type journal struct {
	path     string
	f        *os.File
	w        *bufio.Writer
	entries  map[string]journalEntry
	pending  int
	lastSync time.Time
	// dropped counts unreadable lines found on open (a torn final line
	// after a crash).
	dropped int
}

// journalFingerprint hashes the environment a measurement is valid in.
func journalFingerprint(h worker.Hello, warmup, repeats int) string {
	b, _ := json.Marshal([]any{h.Device, h.DeviceName, h.Dtype, h.Timing, h.AttentionBackend, h.Torch, h.CUDA, warmup, repeats})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

func journalPath(storeRoot, sku, fingerprint string) string {
	return filepath.Join(storeRoot, "measurements", sku, fingerprint+".partial.jsonl")
}

// openJournal reads the journal at path (if any) and opens it for append.
// Lines that do not parse (a torn last line) are skipped and counted.
func openJournal(path string) (*journal, error) {
	j := &journal{path: path, entries: map[string]journalEntry{}, lastSync: time.Now()}
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e journalEntry
		if err := json.Unmarshal(line, &e); err != nil || e.Key == "" || (e.Stats == nil && e.Skipped == "") {
			j.dropped++
			continue
		}
		j.entries[e.Key] = e
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		f.Write([]byte("\n")) // terminate a torn line so the next entry starts clean
	}
	j.f, j.w = f, bufio.NewWriter(f)
	return j, nil
}

// add appends e; it is flushed and fsynced every 16 entries or 2 seconds.
func (j *journal) add(e journalEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.w.Write(b)
	j.w.WriteByte('\n')
	j.entries[e.Key] = e
	j.pending++
	if j.pending >= 16 || time.Since(j.lastSync) > 2*time.Second {
		return j.sync()
	}
	return nil
}

// sync flushes buffered entries and fsyncs the file.
func (j *journal) sync() error {
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.pending, j.lastSync = 0, time.Now()
	return nil
}

func (j *journal) close() error {
	err := j.sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}
