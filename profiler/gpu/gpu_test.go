package gpu

import (
	"strings"
	"testing"

	"github.com/vidur-go/vidur-go/hardware"
)

func TestSKUFor(t *testing.T) {
	for name, want := range map[string]string{
		"NVIDIA A100-SXM4-80GB":   "a100",
		"NVIDIA A100-PCIE-40GB":   "a100",
		"NVIDIA H100 80GB HBM3":   "h100",
		"NVIDIA H100 PCIe":        "h100",
		"NVIDIA A40":              "a40",
		"NVIDIA H200":             "h200",
		"NVIDIA L40S":             "l40s",
		"NVIDIA B200":             "b200",
		"NVIDIA L40":              "",
		"NVIDIA RTX A4000":        "",
		"Tesla V100-SXM2-16GB":    "",
		"NVIDIA GeForce RTX 4090": "",
	} {
		got, ok := SKUFor(name)
		if got != want || ok != (want != "") {
			t.Errorf("SKUFor(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// TestSKUForUsesCatalog checks that the mapping is the catalog's: every SKU
// returned is a catalog device, and every catalog device with nvml_words is
// detected from its own marketing name (so adding a SKU is data only).
func TestSKUForUsesCatalog(t *testing.T) {
	devs := hardware.Devices()
	if len(devs) == 0 {
		t.Fatal("empty hardware catalog")
	}
	for _, d := range devs {
		if len(d.NVMLWords) == 0 {
			continue
		}
		for _, name := range []string{d.Description, "NVIDIA " + strings.ToUpper(d.NVMLWords[0]) + "-SXM-99GB"} {
			sku, ok := SKUFor(name)
			if !ok || sku != d.Name {
				t.Errorf("SKUFor(%q) = %q, %v; want %q", name, sku, ok, d.Name)
			}
			if _, err := hardware.LookupDevice(sku); err != nil {
				t.Errorf("SKUFor(%q) = %q is not a catalog device: %v", name, sku, err)
			}
		}
	}
}
