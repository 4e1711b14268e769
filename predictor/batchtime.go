package predictor

// Entry is one request's share of a batch as the execution-time model sees it
// when a pipeline stage starts (spec §8.2). The simulator fills a reusable
// slice of these; the model must not retain it.
type Entry struct {
	// NumTokens is the number of tokens the request contributes to this
	// iteration (a prefill chunk, or 1 for a decode).
	NumTokens int
	// Processed is the request's num_processed_tokens before this iteration.
	Processed int
	// PrefillComplete is the request's is_prefill_complete flag at the time
	// the batch was formed.
	PrefillComplete bool
}

// StageTime is the predicted duration of one pipeline stage of one batch.
type StageTime struct {
	// TotalS is the stage duration in seconds (model time plus CPU overheads);
	// the simulator advances the clock by it.
	TotalS float64
	// ModelS is the GPU model-execution part, in seconds.
	ModelS float64
}

// BatchTimer predicts stage durations. Implementations must be safe for use
// by one goroutine at a time and must not allocate per call.
type BatchTimer interface {
	// StageTime returns the duration of pipeline stage `stage` (0-based) for a
	// batch made of entries. It returns an error, never panics, when the batch
	// lies outside the artifact's prediction grid.
	StageTime(entries []Entry, stage int) (StageTime, error)
}
