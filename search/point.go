package search

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Point is one configuration of the search: a model served by Replicas
// identical replicas of TP×PP GPUs on one cluster, with one replica
// scheduler setting.
type Point struct {
	// Index is the point's position in the expansion order (feasible and
	// infeasible points together); shards split on it.
	Index int `json:"index"`
	// ID is a short hash of the canonical point (see Key).
	ID string `json:"id"`

	Model  string `json:"model"`
	Device string `json:"device"`
	Node   string `json:"node"`
	// GPUs is the cluster's GPU budget, Replicas = GPUs / (TP·PP).
	GPUs     int `json:"gpus"`
	TP       int `json:"tp"`
	PP       int `json:"pp"`
	Replicas int `json:"replicas"`

	Scheduler string `json:"scheduler"`
	// BatchSize is the per-stage batch size from the space; BatchSizeCap =
	// BatchSize × PP is the replica scheduler's batch_size_cap.
	BatchSize    int `json:"batch_size"`
	BatchSizeCap int `json:"batch_size_cap"`
	// ChunkSize is Sarathi's chunk size (0 for other schedulers).
	ChunkSize int `json:"chunk_size,omitempty"`
}

// GPUsUsed is the number of GPUs the configuration occupies:
// Replicas × TP × PP (≤ GPUs when the budget is not a multiple of TP·PP).
func (p Point) GPUsUsed() int { return p.Replicas * p.TP * p.PP }

// SchedulerLabel is the scheduler with its chunk size, e.g. "sarathi_cs512".
func (p Point) SchedulerLabel() string {
	if p.ChunkSize > 0 {
		return p.Scheduler + "_cs" + strconv.Itoa(p.ChunkSize)
	}
	return p.Scheduler
}

// Key is the canonical text of the point, in the spirit of Vidur's job key
// (spec §11.1): model, device, node, budget, TP, PP, replicas, scheduler,
// knobs. It does not depend on Index.
func (p Point) Key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|gpus%d|tp%d|pp%d|r%d|%s|bsz%d", p.Model, p.Device, p.Node, p.GPUs, p.TP, p.PP, p.Replicas, p.Scheduler, p.BatchSizeCap)
	if p.ChunkSize > 0 {
		fmt.Fprintf(&b, "|cs%d", p.ChunkSize)
	}
	return b.String()
}

// pointID is the first 10 hex digits of SHA-256(key).
func pointID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:5])
}

// Label is a short human description, e.g.
// "Llama-2-70b-hf a100×16 TP4 PP1 (4 replicas) sarathi_cs512 bsz128", where
// 16 is the cluster's GPU budget.
func (p Point) Label() string {
	model := p.Model
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		model = model[i+1:]
	}
	replicas := "replicas"
	if p.Replicas == 1 {
		replicas = "replica"
	}
	return fmt.Sprintf("%s %s×%d TP%d PP%d (%d %s) %s bsz%d", model, p.Device, p.GPUs, p.TP, p.PP, p.Replicas, replicas, p.SchedulerLabel(), p.BatchSizeCap)
}
