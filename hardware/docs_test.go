package hardware

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// docsTables renders the device and node catalogs as the two Markdown
// tables in docs/hardware.md.
func docsTables() (devices, nodes string) {
	var b strings.Builder
	b.WriteString("| device | description | memory_gb | fp16_tflops (dense) | memory_bandwidth_gbps | price_per_hour ($) | Vidur fp16_tflops | Vidur memory_gb |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, d := range Devices() {
		vt, vm := "—", "—"
		if d.VidurFP16TFLOPS != 0 {
			vt = num(d.VidurFP16TFLOPS)
		}
		if d.VidurMemoryGB != 0 {
			vm = num(d.VidurMemoryGB)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", d.Name, d.Description, num(d.MemoryGB),
			num(d.FP16TFLOPS), num(d.MemoryBandwidthGBps), num(d.PricePerHour), vt, vm)
	}
	devices = b.String()
	b.Reset()
	b.WriteString("| node | device | devices_per_node | interconnect | interconnect_gbps | inter_node_gbps |\n")
	b.WriteString("|---|---|---:|---|---:|---:|\n")
	for _, n := range Nodes() {
		inter := num(n.InterNodeGBps)
		if n.InterNodeGBps == 0 {
			inter = "0 (unknown)"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s |\n", n.Name, n.Device, n.DevicesPerNode,
			n.Interconnect, num(n.InterconnectGBps), inter)
	}
	return devices, b.String()
}

// TestDocsTables keeps the tables in docs/hardware.md equal to the catalog.
// On failure it prints the tables to paste.
func TestDocsTables(t *testing.T) {
	doc, err := os.ReadFile("../docs/hardware.md")
	if err != nil {
		t.Skip("docs not present:", err)
	}
	devices, nodes := docsTables()
	for _, want := range []string{devices, nodes} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/hardware.md does not contain the current catalog table; replace it with:\n%s", want)
		}
	}
}
