// Package hardware is the catalog of accelerator SKUs (memory, peak dense
// fp16/bf16 throughput, memory bandwidth, price) and node SKUs (devices per
// node and interconnect), each figure with its source. The data is embedded
// from data/hardware.
package hardware
