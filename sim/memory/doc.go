// Package memory is Vidur's per-replica memory planner (spec §7): how many
// requests of the maximum length fit next to the model weights on one
// device, and from that the number of paged KV-cache blocks a replica
// scheduler may hand out.
//
// The planner keeps Vidur's counting rules on purpose, so that admission
// and batch composition match Vidur: only the attention and MLP weight
// matrices are counted (embeddings, LM head, norms and biases are not), and
// the KV cache of one request is counted for all layers of the model even
// with pipeline parallelism (spec §14 item 8). NumBlocks is an integer here;
// Vidur carries it as a float with an integral value, which gives the same
// admission decisions.
package memory
