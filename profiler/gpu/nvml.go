//go:build linux && cgo

package gpu

import (
	"errors"
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// Default returns the NVML detector (the library is loaded on Detect).
func Default() Detector { return NVML{Lib: nvml.New()} }

// NVML detects GPUs through an NVML library interface; tests pass a mock.
type NVML struct{ Lib nvml.Interface }

// Detect initialises NVML, lists the devices with their NVLink peers, and
// shuts NVML down.
func (d NVML) Detect() ([]Device, error) {
	switch ret := d.Lib.Init(); {
	case errors.Is(ret, nvml.ERROR_LIBRARY_NOT_FOUND):
		return nil, &UnavailableError{Reason: "no NVIDIA GPU found (NVML: library not found)"}
	case errors.Is(ret, nvml.ERROR_DRIVER_NOT_LOADED):
		return nil, &UnavailableError{Reason: "no NVIDIA GPU found (NVML: driver not loaded)"}
	case ret != nvml.SUCCESS:
		return nil, fmt.Errorf("NVML init: %v", ret)
	}
	defer d.Lib.Shutdown()
	n, ret := d.Lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return nil, fmt.Errorf("NVML device count: %v", ret)
	}
	devs := make([]Device, 0, n)
	handles := make([]nvml.Device, 0, n)
	for i := 0; i < n; i++ {
		h, ret := d.Lib.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML GPU %d: handle: %v", i, ret)
		}
		dev, err := describe(i, h)
		if err != nil {
			return nil, err
		}
		devs = append(devs, dev)
		handles = append(handles, h)
	}
	byBus := make(map[string]int, n)
	for i, dev := range devs {
		byBus[dev.PCIBusID] = i
	}
	for i, h := range handles {
		peers, err := nvlinks(h, byBus)
		if err != nil {
			return nil, fmt.Errorf("NVML GPU %d: %w", i, err)
		}
		devs[i].NVLinks = peers
	}
	return devs, nil
}

// optional treats "not supported" as an absent value.
func optional(ret nvml.Return) bool { return ret == nvml.ERROR_NOT_SUPPORTED }

func describe(i int, h nvml.Device) (Device, error) {
	dev := Device{Index: i}
	var ret nvml.Return
	fail := func(what string) (Device, error) {
		return Device{}, fmt.Errorf("NVML GPU %d: %s: %v", i, what, ret)
	}
	if dev.Name, ret = h.GetName(); ret != nvml.SUCCESS {
		return fail("name")
	}
	dev.SKU, _ = SKUFor(dev.Name)
	if dev.UUID, ret = h.GetUUID(); ret != nvml.SUCCESS && !optional(ret) {
		return fail("UUID")
	}
	pci, ret := h.GetPciInfo()
	if ret != nvml.SUCCESS {
		return fail("PCI info")
	}
	dev.PCIBusID = busID(pci)
	mem, ret := h.GetMemoryInfo()
	if ret != nvml.SUCCESS && !optional(ret) {
		return fail("memory info")
	}
	dev.MemoryBytes = mem.Total
	major, minor, ret := h.GetCudaComputeCapability()
	if ret != nvml.SUCCESS && !optional(ret) {
		return fail("compute capability")
	}
	if ret == nvml.SUCCESS {
		dev.ComputeCapability = fmt.Sprintf("%d.%d", major, minor)
	}
	return dev, nil
}

// nvlinks returns the active NVLinks of h grouped by peer, in link order of
// first appearance. Unsupported or invalid links are skipped (GPUs without
// NVLink answer ERROR_NOT_SUPPORTED).
func nvlinks(h nvml.Device, byBus map[string]int) ([]NVLinkPeer, error) {
	var peers []NVLinkPeer
	pos := map[string]int{}
	for link := 0; link < nvml.NVLINK_MAX_LINKS; link++ {
		state, ret := h.GetNvLinkState(link)
		if ret == nvml.ERROR_NOT_SUPPORTED || ret == nvml.ERROR_INVALID_ARGUMENT {
			continue
		}
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("NVLink %d state: %v", link, ret)
		}
		if state != nvml.FEATURE_ENABLED {
			continue
		}
		pci, ret := h.GetNvLinkRemotePciInfo(link)
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("NVLink %d remote PCI info: %v", link, ret)
		}
		bus := busID(pci)
		if p, ok := pos[bus]; ok {
			peers[p].Links++
			continue
		}
		idx, ok := byBus[bus]
		if !ok {
			idx = -1
		}
		pos[bus] = len(peers)
		peers = append(peers, NVLinkPeer{PeerIndex: idx, PeerPCIBusID: bus, Links: 1})
	}
	return peers, nil
}

// busID returns the NUL-terminated PCI bus id string of pci.
func busID(pci nvml.PciInfo) string {
	b := make([]byte, 0, len(pci.BusId))
	for _, c := range pci.BusId {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}
