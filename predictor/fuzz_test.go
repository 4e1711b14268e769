package predictor

import (
	"testing"
)

// FuzzDecode checks that no byte string makes Decode panic, and that
// whatever it accepts re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	a := testArtifact(f, Grid{MaxTokens: 8, MaxBatchSize: 2, MaxKVTokens: 64, KVGranularity: 64, MaxPrefillChunk: 2}, llama3, 2)
	raw, err := a.Encode()
	if err != nil {
		f.Fatal(err)
	}
	a.Gzip = true
	gz, _ := a.Encode()
	f.Add(raw)
	f.Add(gz)
	f.Add([]byte("VIDURART"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode("fuzz", b)
		if err != nil {
			return
		}
		again, err := got.Encode()
		if err != nil {
			t.Fatalf("decoded artifact does not encode: %v", err)
		}
		if !got.Gzip && string(again) != string(b) {
			t.Fatal("decode+encode changed the bytes")
		}
	})
}

func FuzzReadCalibration(f *testing.F) {
	f.Add([]byte(`{"command":"x","devices":{"a100":{"efficiency":{"gemm_compute":0.5,"gemm_memory":0.5,"elementwise_memory":0.5,"attention_compute":0.5,"attention_memory":0.5,"network":0.5},"rows":{},"sources":[]}}}`))
	f.Add([]byte(`{"devices":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ReadCalibration("fuzz.json", b)
		if err != nil {
			return
		}
		for _, d := range sortedKeys(c.Devices) {
			if err := c.Devices[d].Efficiency.Validate(); err != nil {
				t.Fatalf("accepted invalid factors: %v", err)
			}
		}
	})
}
