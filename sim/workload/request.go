package workload

// Request is one generated request: when it arrives and how many tokens it
// prefills (prompt) and decodes (output). Request ids are implicit: the
// index in the slice Generate returns (Vidur numbers requests 0..N-1 in
// generation order).
type Request struct {
	ArrivedAt        float64 // arrival time, s since the start of the simulation
	NumPrefillTokens int     // prompt tokens, ≥ 1
	NumDecodeTokens  int     // output tokens, ≥ 1
}

// TotalTokens returns NumPrefillTokens + NumDecodeTokens.
func (r Request) TotalTokens() int { return r.NumPrefillTokens + r.NumDecodeTokens }
