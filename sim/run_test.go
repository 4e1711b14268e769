package sim

import (
	"strings"
	"testing"
)

func TestRunDefaultConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Predictor.ArtifactDir = t.TempDir() // no artifacts: analytical fallback
	cfg.Workload.NumRequests = 50
	s, err := Prepare(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Analytical || !strings.Contains(s.TimerSource, "analytical, not measured") {
		t.Fatalf("timer source %q should say analytical, not measured", s.TimerSource)
	}
	res, err := s.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Completed != 50 {
		t.Fatalf("%d of 50 completed", res.Completed)
	}
	t.Logf("makespan %.2f s, %d events", res.EndTimeS, res.NumEvents)
}
