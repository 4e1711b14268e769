package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig("c.yaml", []byte("seed: 7\ncluster:\n  num_replicas: 4\n  router: lor\nscheduler:\n  type: vllm\nworkload:\n  num_requests: 10\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Seed != 7 || c.Cluster.Replicas != 4 || c.Cluster.Router != "lor" || c.Scheduler.Type != "vllm" || c.Workload.NumRequests != 10 {
		t.Fatalf("%+v", c)
	}
	// Unset keys keep their defaults.
	if c.Cluster.Model != DefaultConfig().Cluster.Model || c.Scheduler.ChunkSize != 512 {
		t.Fatalf("defaults lost: %+v", c.Cluster)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"cluster:\n  num_replicaz: 2\n", "num_replicaz"},
		{"schedular:\n  type: vllm\n", "schedular"},
		{"cluster: [1, 2]\n", "c.yaml"},
		{"seed: -3\n", "c.yaml"},
	}
	for _, tc := range tests {
		_, err := ParseConfig("c.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to mention %q", tc.yaml, err, tc.want)
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := DefaultConfig()
	c.Cluster.Replicas = 0
	c.Cluster.Router = "best"
	c.Scheduler.Type = "fifo"
	err := c.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"num_replicas", "best", "fifo"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v lacks %q", err, want)
		}
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	c := DefaultConfig()
	c.Cluster.Replicas = 3
	y, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseConfig("y", y)
	if err != nil {
		t.Fatal(err)
	}
	y2, _ := back.YAML()
	if string(y) != string(y2) || back.RunName() != c.RunName() {
		t.Fatal("YAML does not round-trip")
	}
	if !strings.HasPrefix(c.RunName(), "Meta-Llama-3-8B_h100_tp1_pp1_x3_sarathi_") {
		t.Fatal(c.RunName())
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("cluster:\n  num_replicas: 2\n"))
	f.Add([]byte("scheduler: {type: lightllm, block_size: 1}\n"))
	f.Add([]byte("workload:\n  interval: {qps: -1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig("fuzz", data)
		if err != nil {
			return
		}
		_ = c.Validate() // must not panic
		_ = c.RunName()
	})
}

// TestRunNameModelConfig: with cluster.model_config the run is named after
// the model in the config.json, not the default catalog model.
func TestRunNameModelConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const hf = `{"model_type": "llama", "hidden_size": 3072, "intermediate_size": 8192, "num_attention_heads": 24,
"num_key_value_heads": 8, "num_hidden_layers": 28, "vocab_size": 128256, "max_position_embeddings": 131072%s}`
	cases := []struct {
		name, path, want string
	}{
		{"name_or_path", write("a/config.json", fmt.Sprintf(hf, `, "_name_or_path": "meta-llama/Llama-3.2-3B"`)), "Llama-3.2-3B_h100_tp1_pp1_x1_sarathi_"},
		{"directory", write("my-3b/config.json", fmt.Sprintf(hf, "")), "my-3b_h100_tp1_pp1_x1_sarathi_"},
		{"hf cache", write("hub/models--org--Cached-3B/snapshots/abc/config.json", fmt.Sprintf(hf, "")), "Cached-3B_h100_"},
		{"unreadable", filepath.Join(dir, "missing-model", "config.json"), "missing-model_h100_"},
		{"other file name", write("b/tiny.json", "not json"), "tiny_h100_"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Cluster.ModelConfig = tc.path
			if got := c.RunName(); !strings.HasPrefix(got, tc.want) {
				t.Errorf("RunName() = %q, want prefix %q", got, tc.want)
			}
		})
	}
}

// TestParseConfigTraceReplayCount: a file that switches to trace_replay
// replays the whole trace unless it gives num_requests.
func TestParseConfigTraceReplayCount(t *testing.T) {
	cases := []struct {
		yaml string
		want int
		set  bool
	}{
		{"workload: {type: trace_replay, trace_file: t.csv}\n", 0, false},
		{"workload: {type: trace_replay, trace_file: t.csv, num_requests: 2000}\n", 2000, true},
		{"workload: {type: trace_replay, trace_file: t.csv, num_requests: 300}\n", 300, true},
		{"workload: {num_requests: 50}\n", 50, true},
		{"seed: 3\n", 300, false},
		{"num_requests: 7\n", -1, false}, // not under workload: an unknown key
	}
	for _, tc := range cases {
		t.Run(tc.yaml, func(t *testing.T) {
			if got := SetsNumRequests([]byte(tc.yaml)); got != tc.set {
				t.Errorf("SetsNumRequests = %v, want %v", got, tc.set)
			}
			c, err := ParseConfig("c.yaml", []byte(tc.yaml))
			if tc.want < 0 {
				if err == nil {
					t.Fatal("top-level num_requests accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Workload.NumRequests != tc.want {
				t.Errorf("num_requests %d, want %d", c.Workload.NumRequests, tc.want)
			}
		})
	}
}
