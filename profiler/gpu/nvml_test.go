//go:build linux && cgo

package gpu

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
)

// fakeGPU describes one mock device. links maps an NVLink number to the
// PCI bus id at its far end.
type fakeGPU struct {
	name  string
	bus   string
	links map[int]string
}

func pciInfo(bus string) nvml.PciInfo {
	var p nvml.PciInfo
	for i := 0; i < len(bus) && i < len(p.BusId)-1; i++ {
		p.BusId[i] = int8(bus[i])
	}
	return p
}

// fakeServer builds an nvml.Interface over mock devices (the pattern of
// go-nvml's mock/dgxa100, which needs a module this project does not pin).
func fakeServer(gpus []fakeGPU) *mock.Interface {
	devs := make([]nvml.Device, len(gpus))
	for i, g := range gpus {
		g := g
		i := i
		devs[i] = &mock.Device{
			GetNameFunc:    func() (string, nvml.Return) { return g.name, nvml.SUCCESS },
			GetUUIDFunc:    func() (string, nvml.Return) { return fmt.Sprintf("GPU-%08d", i), nvml.SUCCESS },
			GetPciInfoFunc: func() (nvml.PciInfo, nvml.Return) { return pciInfo(g.bus), nvml.SUCCESS },
			GetMemoryInfoFunc: func() (nvml.Memory, nvml.Return) {
				return nvml.Memory{Total: 80 << 30}, nvml.SUCCESS
			},
			GetCudaComputeCapabilityFunc: func() (int, int, nvml.Return) { return 8, 0, nvml.SUCCESS },
			GetNvLinkStateFunc: func(link int) (nvml.EnableState, nvml.Return) {
				if g.links == nil {
					return 0, nvml.ERROR_NOT_SUPPORTED
				}
				if _, ok := g.links[link]; ok {
					return nvml.FEATURE_ENABLED, nvml.SUCCESS
				}
				return nvml.FEATURE_DISABLED, nvml.SUCCESS
			},
			GetNvLinkRemotePciInfoFunc: func(link int) (nvml.PciInfo, nvml.Return) {
				return pciInfo(g.links[link]), nvml.SUCCESS
			},
		}
	}
	return &mock.Interface{
		InitFunc:           func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:       func() nvml.Return { return nvml.SUCCESS },
		DeviceGetCountFunc: func() (int, nvml.Return) { return len(devs), nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(i int) (nvml.Device, nvml.Return) {
			if i < 0 || i >= len(devs) {
				return nil, nvml.ERROR_INVALID_ARGUMENT
			}
			return devs[i], nvml.SUCCESS
		},
	}
}

// dgxA100 is eight A100s, each with 12 NVLinks to six NVSwitches.
func dgxA100() []fakeGPU {
	var gpus []fakeGPU
	for i := 0; i < 8; i++ {
		links := map[int]string{}
		for l := 0; l < 12; l++ {
			links[l] = fmt.Sprintf("00000000:%02X:00.0", 0xc0+l/2)
		}
		gpus = append(gpus, fakeGPU{name: "NVIDIA A100-SXM4-80GB", bus: fmt.Sprintf("00000000:%02X:00.0", 0x07+i*0x10), links: links})
	}
	return gpus
}

func TestDetectDGXA100(t *testing.T) {
	lib := fakeServer(dgxA100())
	devs, err := NVML{Lib: lib}.Detect()
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 8 {
		t.Fatalf("%d devices", len(devs))
	}
	for i, d := range devs {
		if d.Index != i || d.SKU != "a100" || d.MemoryBytes != 80<<30 || d.ComputeCapability != "8.0" || d.UUID == "" {
			t.Errorf("device %d: %+v", i, d)
		}
		if len(d.NVLinks) != 6 || d.NVLinks[0].Links != 2 || d.NVLinks[0].PeerIndex != -1 {
			t.Errorf("device %d NVLinks %+v", i, d.NVLinks)
		}
	}
	if len(lib.ShutdownCalls()) != 1 {
		t.Error("NVML not shut down")
	}
}

// TestDetectPairwise covers GPUs linked to each other (Vidur's
// *_pairwise_nvlink nodes), a GPU without NVLink, and an unknown name.
func TestDetectPairwise(t *testing.T) {
	gpus := []fakeGPU{
		{name: "NVIDIA H100 80GB HBM3", bus: "00000000:01:00.0", links: map[int]string{0: "00000000:02:00.0", 1: "00000000:02:00.0"}},
		{name: "NVIDIA H100 80GB HBM3", bus: "00000000:02:00.0", links: map[int]string{0: "00000000:01:00.0", 1: "00000000:01:00.0"}},
		{name: "NVIDIA Quantum 9000", bus: "00000000:03:00.0"},
	}
	devs, err := NVML{Lib: fakeServer(gpus)}.Detect()
	if err != nil {
		t.Fatal(err)
	}
	want0 := []NVLinkPeer{{PeerIndex: 1, PeerPCIBusID: "00000000:02:00.0", Links: 2}}
	if !reflect.DeepEqual(devs[0].NVLinks, want0) || devs[1].NVLinks[0].PeerIndex != 0 {
		t.Errorf("links %+v %+v", devs[0].NVLinks, devs[1].NVLinks)
	}
	if devs[2].SKU != "" || devs[2].NVLinks != nil {
		t.Errorf("device 2 %+v", devs[2])
	}
}

func TestDetectUnavailable(t *testing.T) {
	for ret, want := range map[nvml.Return]string{
		nvml.ERROR_LIBRARY_NOT_FOUND: "no NVIDIA GPU found (NVML: library not found)",
		nvml.ERROR_DRIVER_NOT_LOADED: "no NVIDIA GPU found (NVML: driver not loaded)",
	} {
		lib := &mock.Interface{InitFunc: func() nvml.Return { return ret }}
		_, err := NVML{Lib: lib}.Detect()
		u, ok := err.(*UnavailableError)
		if !ok || u.Reason != want {
			t.Errorf("%v: err %v", ret, err)
		}
	}
	lib := &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_NO_PERMISSION }}
	if _, err := (NVML{Lib: lib}).Detect(); err == nil {
		t.Error("permission error ignored")
	} else if _, ok := err.(*UnavailableError); ok {
		t.Error("permission error reported as no GPU")
	}
}

func TestDetectDeviceError(t *testing.T) {
	lib := fakeServer(dgxA100())
	d, _ := lib.DeviceGetHandleByIndex(3)
	d.(*mock.Device).GetNameFunc = func() (string, nvml.Return) { return "", nvml.ERROR_GPU_IS_LOST }
	_, err := NVML{Lib: lib}.Detect()
	if err == nil || err.Error() != "NVML GPU 3: name: ERROR_GPU_IS_LOST" {
		t.Fatalf("err %v", err)
	}
}
