package gpu

import (
	"github.com/vidur-go/vidur-go/hardware"
)

// Device describes one GPU.
type Device struct {
	// Index is NVML's device index.
	Index int `json:"index"`
	// Name is the marketing name NVML reports, e.g. "NVIDIA A100-SXM4-80GB".
	Name string `json:"name"`
	// SKU is the hardware-catalog name (a100, h100, ...), "" when unmapped.
	SKU  string `json:"sku"`
	UUID string `json:"uuid"`
	// PCIBusID is the PCI address, e.g. "00000000:07:00.0".
	PCIBusID string `json:"pci_bus_id"`
	// MemoryBytes is the total device memory in bytes.
	MemoryBytes uint64 `json:"memory_bytes"`
	// ComputeCapability is the CUDA compute capability, e.g. "8.0".
	ComputeCapability string `json:"compute_capability"`
	// NVLinks lists the active NVLink connections grouped by peer.
	NVLinks []NVLinkPeer `json:"nvlinks,omitempty"`
}

// NVLinkPeer is the far end of one or more active NVLinks of a device.
type NVLinkPeer struct {
	// PeerIndex is the index of the peer GPU, or -1 when the peer is not a
	// detected GPU (an NVSwitch, for instance).
	PeerIndex int `json:"peer_index"`
	// PeerPCIBusID is the PCI address of the peer.
	PeerPCIBusID string `json:"peer_pci_bus_id"`
	// Links is the number of active links to that peer.
	Links int `json:"links"`
}

// Detector finds the GPUs of a machine.
type Detector interface {
	// Detect returns the GPUs in index order. An *UnavailableError means
	// that GPUs cannot be detected here (no library, no driver, no cgo).
	Detect() ([]Device, error)
}

// UnavailableError reports why no GPU can be detected.
type UnavailableError struct{ Reason string }

func (e *UnavailableError) Error() string { return e.Reason }

// SKUFor maps an NVML device name to a hardware-catalog SKU through the
// catalog's nvml_words (hardware.DeviceForNVMLName): a name maps to the
// device claiming one of its lower-case alphanumeric words, so
// "NVIDIA A100-SXM4-80GB" -> a100, "NVIDIA H100 80GB HBM3" -> h100,
// "NVIDIA A40" -> a40, "NVIDIA L40S" -> l40s. Names with no claimed word
// (including near misses such as "NVIDIA L40" or "NVIDIA RTX A4000") return
// false. Teaching it a new GPU is a data change in data/hardware/devices.json.
func SKUFor(name string) (string, bool) {
	d, ok := hardware.DeviceForNVMLName(name)
	return d.Name, ok
}
