package gpu

import "testing"

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
