package profilecmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/profiler/gpu"
)

// detector is the GPU detector; tests replace it.
var detector = gpu.Default

func newDetectCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "detect",
		Short: "Detect NVIDIA GPUs and map them to catalog SKUs",
		Long: `Detect lists this machine's NVIDIA GPUs through NVML: index, name, the
hardware-catalog SKU it maps to (a100, h100, h200, a40, l40s, b200), memory,
compute capability, UUID, PCI bus id, and active NVLink connections.

A machine without an NVIDIA driver answers "no NVIDIA GPU found (NVML:
library not found)" and a binary built without cgo "NVML unavailable: built
without cgo"; both exit with status 0.`,
		Example: `  vidur-profile detect
  vidur-profile detect --json`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the devices as JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		devs, err := detector().Detect()
		var unavailable *gpu.UnavailableError
		if err != nil && !errors.As(err, &unavailable) {
			return fmt.Errorf("detect GPUs: %w", err)
		}
		out := cmd.OutOrStdout()
		if asJSON {
			return writeDetectJSON(out, devs, unavailable)
		}
		switch {
		case unavailable != nil:
			fmt.Fprintln(out, unavailable.Reason)
			return nil
		case len(devs) == 0:
			fmt.Fprintln(out, "no NVIDIA GPU found (NVML: no devices)")
			return nil
		}
		rows := make([][]string, 0, len(devs))
		for _, d := range devs {
			sku := d.SKU
			if sku == "" {
				sku = "unmapped (add it to data/hardware)"
			}
			rows = append(rows, []string{strconv.Itoa(d.Index), d.Name, sku, gib(d.MemoryBytes), d.ComputeCapability,
				d.UUID, d.PCIBusID, nvlinkSummary(d.NVLinks)})
		}
		return cli.Table(out, []string{"gpu", "name", "sku", "memory", "cc", "uuid", "pci bus", "nvlink"}, rows)
	}
	return cmd
}

func writeDetectJSON(w io.Writer, devs []gpu.Device, unavailable *gpu.UnavailableError) error {
	v := struct {
		Devices     []gpu.Device `json:"devices"`
		Unavailable string       `json:"unavailable,omitempty"`
	}{Devices: devs}
	if v.Devices == nil {
		v.Devices = []gpu.Device{}
	}
	if unavailable != nil {
		v.Unavailable = unavailable.Reason
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// gib formats a byte count in GiB.
func gib(b uint64) string {
	if b == 0 {
		return ""
	}
	return strconv.FormatFloat(float64(b)/(1<<30), 'f', 1, 64) + " GiB"
}

// nvlinkSummary lists NVLink peers as "GPU1×2, switch 0000:c0:00.0×12".
func nvlinkSummary(peers []gpu.NVLinkPeer) string {
	if len(peers) == 0 {
		return "none"
	}
	var parts []string
	switch {
	case len(peers) > 3 && allSwitches(peers):
		total := 0
		for _, p := range peers {
			total += p.Links
		}
		return fmt.Sprintf("%d links to %d NVSwitches", total, len(peers))
	}
	for _, p := range peers {
		name := "GPU" + strconv.Itoa(p.PeerIndex)
		if p.PeerIndex < 0 {
			name = p.PeerPCIBusID
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, p.Links))
	}
	return strings.Join(parts, ", ")
}

func allSwitches(peers []gpu.NVLinkPeer) bool {
	for _, p := range peers {
		if p.PeerIndex >= 0 {
			return false
		}
	}
	return true
}
