// Package hardware is the catalog of accelerator SKUs (memory, peak dense
// fp16/bf16 throughput, memory bandwidth, price) and node SKUs (devices per
// node and interconnect), each figure with its source. The data is embedded
// from data/hardware (devices.json, nodes.json) and decoded strictly.
//
//	d, err := hardware.LookupDevice("h100") // a100, a40, b200, h100, h200, l40s
//	n, err := hardware.LookupNode("h100_dgx")
//	err = n.ValidateWorld(tp, pp)            // Vidur's placement rule
//	d, ok := hardware.DeviceForNVMLName("NVIDIA H100 80GB HBM3") // h100, by nvml_words
//
// Figures are datasheet values. Where Vidur uses different ones (h100 fp16
// 1000 TFLOP/s, a40 45 GB) they are kept in Device.VidurFP16TFLOPS and
// Device.VidurMemoryGB for exact reproduction; docs/hardware.md lists the
// catalog and how to add a SKU, docs/differences-from-vidur.md the
// deviations.
package hardware
