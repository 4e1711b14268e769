package hardware

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEmbeddedCatalog(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var devNames, nodeNames []string
	for _, d := range c.Devices() {
		devNames = append(devNames, d.Name)
	}
	for _, n := range c.Nodes() {
		nodeNames = append(nodeNames, n.Name)
	}
	if want := []string{"a100", "a40", "b200", "h100", "h200", "l40s"}; !slices.Equal(devNames, want) {
		t.Errorf("devices %v, want %v", devNames, want)
	}
	for _, want := range []string{"a100_dgx", "h100_dgx", "a100_pairwise_nvlink", "h100_pairwise_nvlink",
		"a40_pairwise_nvlink", "h200_dgx", "b200_dgx", "l40s_pcie"} {
		if !slices.Contains(nodeNames, want) {
			t.Errorf("node %s missing from %v", want, nodeNames)
		}
	}
	if !slices.IsSorted(nodeNames) || !slices.IsSorted(devNames) {
		t.Error("not sorted")
	}
}

// TestEveryFigureHasASource requires each numeric device figure and each
// node bandwidth to be named at the start of one of the entry's sources.
func TestEveryFigureHasASource(t *testing.T) {
	cited := func(sources []string, key string) bool {
		for _, s := range sources {
			keys, _, ok := strings.Cut(s, ":")
			if ok && slices.Contains(strings.Split(keys, ", "), key) {
				return true
			}
		}
		return false
	}
	for _, d := range Devices() {
		keys := []string{"memory_gb", "fp16_tflops", "memory_bandwidth_gbps", "price_per_hour"}
		if d.VidurFP16TFLOPS != 0 {
			keys = append(keys, "vidur_fp16_tflops", "vidur_memory_gb")
		}
		for _, k := range keys {
			if !cited(d.Sources, k) {
				t.Errorf("device %s: no source for %s", d.Name, k)
			}
		}
	}
	for _, n := range Nodes() {
		for _, k := range []string{"devices_per_node", "interconnect_gbps", "inter_node_gbps"} {
			if !cited(n.Sources, k) {
				t.Errorf("node %s: no source for %s", n.Name, k)
			}
		}
	}
}

// TestVidurSKUs pins the figures that must agree with Vidur (spec §1.10,
// §11.3) and the deliberate deviations (docs/differences-from-vidur.md).
func TestVidurSKUs(t *testing.T) {
	tests := []struct {
		name                    string
		memGB, tflops, price    float64
		vidurTFLOPS, vidurMemGB float64
	}{
		{"a100", 80, 312, 2.21, 312, 80},
		{"h100", 80, 989.4, 4.25, 1000, 80}, // datasheet dense bf16; Vidur rounds to 1000
		{"a40", 48, 149.7, 1.28, 150, 45},   // Vidur's 45 GB is a bug (§14 item 22)
	}
	for _, tc := range tests {
		d, err := LookupDevice(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if d.MemoryGB != tc.memGB || d.FP16TFLOPS != tc.tflops || d.PricePerHour != tc.price ||
			d.VidurFP16TFLOPS != tc.vidurTFLOPS || d.VidurMemoryGB != tc.vidurMemGB {
			t.Errorf("%s = %+v", tc.name, d)
		}
	}
	nodes := map[string]struct {
		device string
		n      int
	}{
		"a40_pairwise_nvlink": {"a40", 8}, "a100_pairwise_nvlink": {"a100", 4},
		"h100_pairwise_nvlink": {"h100", 4}, "a100_dgx": {"a100", 8}, "h100_dgx": {"h100", 8},
	}
	for name, w := range nodes {
		n, err := LookupNode(name)
		if err != nil {
			t.Fatal(err)
		}
		if n.Device != w.device || n.DevicesPerNode != w.n {
			t.Errorf("%s: device %s × %d, want %s × %d", name, n.Device, n.DevicesPerNode, w.device, w.n)
		}
	}
}

func TestNodesNameCatalogDevices(t *testing.T) {
	for _, n := range Nodes() {
		if _, err := LookupDevice(n.Device); err != nil {
			t.Errorf("node %s: %v", n.Name, err)
		}
	}
}

func TestLookupErrors(t *testing.T) {
	tests := []struct {
		lookup func() error
		want   []string
	}{
		{func() error { _, err := LookupDevice("H100"); return err },
			[]string{`unknown device "H100" (did you mean "h100"?)`, "known devices: a100, a40, b200, h100, h200, l40s"}},
		{func() error { _, err := LookupDevice("tpu-v5"); return err }, []string{`unknown device "tpu-v5"; known devices: a100,`}},
		{func() error { _, err := LookupNode("h100-dgx"); return err }, []string{`(did you mean "h100_dgx"?)`, "known nodes: a100_dgx,"}},
		{func() error { _, err := LookupNode(""); return err }, []string{`unknown node ""; known nodes:`}},
	}
	for _, tc := range tests {
		err := tc.lookup()
		if err == nil {
			t.Fatal("no error")
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	d, _ := LookupDevice("h100")
	d.Sources[0] = "changed"
	Devices()[0].Sources[0] = "changed"
	if again, _ := LookupDevice("h100"); again.Sources[0] == "changed" {
		t.Error("caller modified the catalog")
	}
	if Devices()[0].Sources[0] == "changed" {
		t.Error("caller modified the catalog through Devices")
	}
}

const goodDevices = `[{"name":"x1","description":"X","memory_gb":16,"fp16_tflops":100,"memory_bandwidth_gbps":500,"price_per_hour":1,"sources":["all: me"]}]`
const goodNodes = `[{"name":"x1_box","device":"x1","devices_per_node":4,"interconnect":"PCIe","interconnect_gbps":32,"inter_node_gbps":0,"sources":["all: me"]}]`

func TestLoadCatalogErrors(t *testing.T) {
	load := func(devs, nodes string) error {
		fsys := fstest.MapFS{"d.json": {Data: []byte(devs)}, "n.json": {Data: []byte(nodes)}}
		_, err := LoadCatalog(fsys, "d.json", "n.json")
		return err
	}
	if err := load(goodDevices, goodNodes); err != nil {
		t.Fatalf("good catalog: %v", err)
	}
	tests := []struct {
		name, devs, nodes string
		want              []string
	}{
		{"unknown key", strings.Replace(goodDevices, `"description"`, `"tdp_w":700,"description"`, 1), goodNodes, []string{"d.json", `unknown field "tdp_w"`}},
		{"missing key", strings.Replace(goodDevices, `"price_per_hour":1,`, ``, 1), goodNodes, []string{"d.json entry 0", `missing key "price_per_hour"`}},
		{"not an array", `{}`, goodNodes, []string{"d.json: want a JSON array"}},
		{"wrong type", strings.Replace(goodDevices, `"memory_gb":16`, `"memory_gb":"16"`, 1), goodNodes, []string{"d.json", "memory_gb"}},
		{"zero memory", strings.Replace(goodDevices, `"memory_gb":16`, `"memory_gb":0`, 1), goodNodes, []string{`device "x1"`, "memory_gb: must be a finite number > 0, got 0"}},
		{"negative price", strings.Replace(goodDevices, `"price_per_hour":1`, `"price_per_hour":-1`, 1), goodNodes, []string{"price_per_hour: must be a finite number ≥ 0"}},
		{"no sources", strings.Replace(goodDevices, `["all: me"]`, `[]`, 1), goodNodes, []string{"sources: cite"}},
		{"duplicate device", strings.Replace(goodDevices, `}]`, `},`+goodDevices[1:], 1), goodNodes, []string{`duplicate device "x1"`}},
		{"node names unknown device", goodDevices, strings.Replace(goodNodes, `"device":"x1"`, `"device":"x2"`, 1), []string{"n.json entry 0", `key "device": "x2" is not a catalog device (known: x1)`}},
		{"zero devices per node", goodDevices, strings.Replace(goodNodes, `"devices_per_node":4`, `"devices_per_node":0`, 1), []string{"devices_per_node: must be ≥ 1, got 0"}},
		{"zero interconnect", goodDevices, strings.Replace(goodNodes, `"interconnect_gbps":32`, `"interconnect_gbps":0`, 1), []string{"interconnect_gbps: must be a finite number > 0"}},
		{"missing node file", goodDevices, "", []string{"n.json"}},
		{"upper-case nvml word", strings.Replace(goodDevices, `"sources"`, `"nvml_words":["X1"],"sources"`, 1), goodNodes,
			[]string{`device "x1"`, `nvml_words: "X1" must be one word of lower-case letters and digits`}},
		{"nvml word with a dash", strings.Replace(goodDevices, `"sources"`, `"nvml_words":["x1-sxm"],"sources"`, 1), goodNodes,
			[]string{`nvml_words: "x1-sxm" must be one word`}},
		{"empty nvml word", strings.Replace(goodDevices, `"sources"`, `"nvml_words":[""],"sources"`, 1), goodNodes,
			[]string{`nvml_words: "" must be one word`}},
		{"nvml word of two devices", `[` + strings.Replace(goodDevices[1:len(goodDevices)-1], `"sources"`, `"nvml_words":["x1"],"sources"`, 1) + `,` +
			strings.Replace(strings.Replace(goodDevices[1:len(goodDevices)-1], `"x1"`, `"x2"`, 1), `"sources"`, `"nvml_words":["x2","x1"],"sources"`, 1) + `]`,
			goodNodes, []string{"d.json entry 1", `device "x2": key "nvml_words": "x1" is already a word of device "x1"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := load(tc.devs, tc.nodes)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestValidateWorld(t *testing.T) {
	n, err := LookupNode("h100_pairwise_nvlink") // 4 devices per node
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tp, pp    int
		ok, multi bool
	}{
		{1, 1, true, false}, {2, 2, true, false}, {4, 1, true, false}, {4, 2, true, true},
		{3, 1, true, false}, {3, 2, false, true}, {1, 5, false, true}, {0, 1, false, false},
	}
	for _, tc := range tests {
		err := n.ValidateWorld(tc.tp, tc.pp)
		if (err == nil) != tc.ok {
			t.Errorf("TP %d PP %d: %v, want ok=%v", tc.tp, tc.pp, err, tc.ok)
		}
		if err != nil && tc.tp > 0 && !strings.Contains(err.Error(), "use a multiple of 4, or at most 4") {
			t.Errorf("error %q does not say what would work", err)
		}
		if tc.tp > 0 && n.IsMultiNode(tc.tp, tc.pp) != tc.multi {
			t.Errorf("TP %d PP %d: IsMultiNode %v", tc.tp, tc.pp, !tc.multi)
		}
	}
}

func TestDeviceForNVMLName(t *testing.T) {
	for name, want := range map[string]string{
		"NVIDIA A100-SXM4-80GB":   "a100",
		"NVIDIA A100-PCIE-40GB":   "a100",
		"NVIDIA A100 80GB PCIe":   "a100",
		"NVIDIA H100 80GB HBM3":   "h100",
		"NVIDIA H100 PCIe":        "h100",
		"NVIDIA H100 NVL":         "h100",
		"NVIDIA A40":              "a40",
		"NVIDIA H200":             "h200",
		"NVIDIA L40S":             "l40s",
		"NVIDIA B200":             "b200",
		"nvidia a100":             "a100",
		"NVIDIA L40":              "",
		"NVIDIA GH200 480GB":      "",
		"NVIDIA RTX A4000":        "",
		"Tesla V100-SXM2-16GB":    "",
		"NVIDIA GeForce RTX 4090": "",
		"":                        "",
	} {
		d, ok := DeviceForNVMLName(name)
		if d.Name != want || ok != (want != "") {
			t.Errorf("DeviceForNVMLName(%q) = %q, %v; want %q", name, d.Name, ok, want)
		}
	}
	// Adding a SKU is data only: every catalog device is found by the
	// marketing name in its own description.
	for _, d := range Devices() {
		if len(d.NVMLWords) == 0 {
			continue
		}
		if got, ok := DeviceForNVMLName(d.Description); !ok || got.Name != d.Name {
			t.Errorf("device %s: its description %q maps to %q, %v", d.Name, d.Description, got.Name, ok)
		}
	}
	// The result is a copy.
	d, _ := DeviceForNVMLName("NVIDIA A40")
	d.NVMLWords[0] = "changed"
	if again, _ := DeviceForNVMLName("NVIDIA A40"); again.NVMLWords[0] != "a40" {
		t.Errorf("caller modified the catalog: %v", again.NVMLWords)
	}
}

func TestDeviceForNVMLNameCustomCatalog(t *testing.T) {
	devs := strings.Replace(goodDevices, `"sources"`, `"nvml_words":["x1","x1e"],"sources"`, 1)
	c, err := LoadCatalog(fstest.MapFS{"d.json": {Data: []byte(devs)}, "n.json": {Data: []byte(goodNodes)}}, "d.json", "n.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"Acme X1E 32GB": true, "Acme X1": true, "Acme X10": false} {
		d, ok := c.DeviceForNVMLName(name)
		if ok != want || (ok && d.Name != "x1") {
			t.Errorf("%q: %q, %v; want match %v", name, d.Name, ok, want)
		}
	}
}
