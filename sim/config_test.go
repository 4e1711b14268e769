package sim

import (
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
