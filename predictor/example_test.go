package predictor_test

import (
	"fmt"
	"log"

	"github.com/vidur-go/vidur-go/models"
	"github.com/vidur-go/vidur-go/predictor"
)

// Build the analytical artifact of Llama-3-8B on one H100 and time one
// pipeline stage of a batch with a 512-token prefill chunk and two decodes.
func ExampleTimer_StageTime() {
	a, err := predictor.DefaultAnalytical("meta-llama/Meta-Llama-3-8B", "h100", "h100_dgx", 1)
	if err != nil {
		log.Fatal(err)
	}
	m, _ := models.Lookup("meta-llama/Meta-Llama-3-8B")
	t, err := predictor.NewTimer(a, predictor.DefaultTimerConfig(m, 1, 1))
	if err != nil {
		log.Fatal(err)
	}
	batch := []predictor.Entry{
		{NumTokens: 512, Processed: 0},
		{NumTokens: 1, Processed: 700, PrefillComplete: true},
		{NumTokens: 1, Processed: 90, PrefillComplete: true},
	}
	st, err := t.StageTime(batch, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stage time %.1f ms, provenance %s\n", st.TotalS*1e3, a.Header.Provenance)
	// Out-of-grid batches are errors, not crashes.
	_, err = t.StageTime([]predictor.Entry{{NumTokens: 5000}}, 0)
	fmt.Println(err != nil)
	// Output:
	// stage time 15.0 ms, provenance analytical
	// true
}

// The conventional artifact file name for a deployment.
func ExampleArtifactFileName() {
	fmt.Println(predictor.ArtifactFileName("meta-llama/Llama-2-7b-hf", "h100", "h100_pairwise_nvlink", 1))
	// Output: meta-llama--Llama-2-7b-hf_h100_h100_pairwise_nvlink_tp1.vidurart
}
