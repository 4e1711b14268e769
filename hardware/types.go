package hardware

// Device is one accelerator SKU. Figures are per device.
type Device struct {
	// Name is the catalog key, e.g. "h100".
	Name string `json:"name"`
	// Description is the marketing name, e.g. "NVIDIA H100 SXM5 80GB".
	Description string `json:"description"`
	// MemoryGB is the device memory in GiB as Vidur counts it
	// (total_memory_gb; the planner multiplies by 1024^3).
	MemoryGB float64 `json:"memory_gb"`
	// FP16TFLOPS is the dense (no sparsity) fp16/bf16 tensor-core peak in
	// TFLOP/s, as used for MFU.
	FP16TFLOPS float64 `json:"fp16_tflops"`
	// MemoryBandwidthGBps is the peak device-memory bandwidth in GB/s (10^9).
	MemoryBandwidthGBps float64 `json:"memory_bandwidth_gbps"`
	// PricePerHour is the default on-demand cost in US dollars per GPU-hour.
	PricePerHour float64 `json:"price_per_hour"`
	// VidurFP16TFLOPS is Vidur's figure for the same SKU where Vidur has one
	// (0 otherwise); use it instead of FP16TFLOPS to reproduce Vidur's MFU
	// exactly (h100: 1000 in Vidur vs 989.4 dense on the datasheet).
	VidurFP16TFLOPS float64 `json:"vidur_fp16_tflops,omitempty"`
	// VidurMemoryGB is Vidur's total_memory_gb for the SKU where Vidur has
	// one (0 otherwise); a40: 45 in Vidur, a bug (the card has 48 GB).
	VidurMemoryGB float64 `json:"vidur_memory_gb,omitempty"`
	// NVMLWords are the model words that identify the SKU in the device
	// name NVML reports (optional): a GPU maps to this SKU when one of the
	// words of its name — lower case, split at every character that is not
	// a letter or digit — equals one of these. "NVIDIA A100-SXM4-80GB" has
	// the words nvidia, a100, sxm4, 80gb, so ["a100"] claims it; "NVIDIA
	// L40" has no word "l40s". Each word must be lower-case letters and
	// digits and belong to one device. A SKU without words is never
	// detected (vidur-profile needs --device for it).
	NVMLWords []string `json:"nvml_words,omitempty"`
	// Sources cite where each figure comes from; each entry starts with the
	// JSON keys it supports ("memory_gb, fp16_tflops: NVIDIA datasheet …").
	Sources []string `json:"sources"`
}

// Node is a server SKU: a number of identical devices and how they are
// connected. Its Name is also the directory of its network profiles
// (profiling/network/<name>/ in Vidur's layout).
type Node struct {
	Name           string `json:"name"`
	Device         string `json:"device"`
	DevicesPerNode int    `json:"devices_per_node"`
	// Interconnect describes the intra-node fabric, e.g. "NVSwitch (NVLink 4)".
	Interconnect string `json:"interconnect"`
	// InterconnectGBps is the per-device unidirectional intra-node bandwidth
	// in GB/s.
	InterconnectGBps float64 `json:"interconnect_gbps"`
	// InterNodeGBps is the per-device network bandwidth between nodes in
	// GB/s; 0 means not known (Vidur's pairwise-NVLink test nodes), in which
	// case only measured send_recv profiles describe cross-node transfers.
	InterNodeGBps float64  `json:"inter_node_gbps"`
	Sources       []string `json:"sources"`
}
