package cluster

// Batch is one iteration of a replica: parallel lists of requests (indices
// into Cluster.Requests) and the tokens each contributes (spec §3.2). The
// slices are reused when the batch handle is released.
type Batch struct {
	// ID is Vidur's batch id: a single counter over all replicas, assigned
	// in creation order from 0.
	ID      int
	Replica int32
	Reqs    []int32
	Tokens  []int
	// NumPrefillTokens counts the tokens of requests whose prefill was
	// incomplete when the batch was formed; NumDecodeTokens the rest.
	NumPrefillTokens, NumDecodeTokens int
	ScheduledAt, CompletedAt          float64
}

// Size is the number of requests.
func (b *Batch) Size() int { return len(b.Reqs) }

// TotalTokens is the sum of Tokens.
func (b *Batch) TotalTokens() int { return b.NumPrefillTokens + b.NumDecodeTokens }

// Add appends request ri contributing n tokens. A request whose prefill is
// incomplete at this moment counts as prefill.
func (c *Cluster) Add(b *Batch, ri int32, n int) {
	b.Reqs = append(b.Reqs, ri)
	b.Tokens = append(b.Tokens, n)
	if c.Requests[ri].PrefillComplete {
		b.NumDecodeTokens += n
	} else {
		b.NumPrefillTokens += n
	}
}

// NewBatch takes an empty batch from the pool for replica rid and returns
// its handle. The batch gets its id only when Commit is called, so a batch
// that stays empty can be dropped with Release without consuming an id.
func (c *Cluster) NewBatch(rid int32) int32 {
	var h int32
	if n := len(c.freeBatches); n > 0 {
		h = c.freeBatches[n-1]
		c.freeBatches = c.freeBatches[:n-1]
	} else {
		c.batches = append(c.batches, Batch{})
		h = int32(len(c.batches) - 1)
	}
	b := &c.batches[h]
	b.ID = -1
	b.Replica = rid
	b.Reqs = b.Reqs[:0]
	b.Tokens = b.Tokens[:0]
	b.NumPrefillTokens, b.NumDecodeTokens = 0, 0
	b.ScheduledAt, b.CompletedAt = 0, 0
	return h
}

// Commit gives batch h the next batch id.
func (c *Cluster) Commit(h int32) {
	c.batches[h].ID = c.NextBatchID
	c.NextBatchID++
}

// Batch returns the batch behind handle h. The pointer is valid until the
// next NewBatch call.
func (c *Cluster) Batch(h int32) *Batch { return &c.batches[h] }

// Release returns batch h to the pool.
func (c *Cluster) Release(h int32) { c.freeBatches = append(c.freeBatches, h) }
