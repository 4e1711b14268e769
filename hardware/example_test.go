package hardware_test

import (
	"fmt"

	"github.com/vidur-go/vidur-go/hardware"
)

func ExampleLookupNode() {
	n, err := hardware.LookupNode("h100_dgx")
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := hardware.LookupDevice(n.Device)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d × %s, %.0f GiB, %.1f TFLOP/s dense fp16, %.0f GB/s, $%.2f/GPU-hour\n",
		n.Name, n.DevicesPerNode, d.Description, d.MemoryGB, d.FP16TFLOPS, d.MemoryBandwidthGBps, d.PricePerHour)
	fmt.Println(n.ValidateWorld(4, 4) == nil, n.IsMultiNode(4, 4))
	// Output:
	// h100_dgx: 8 × NVIDIA H100 SXM5 80GB, 80 GiB, 989.4 TFLOP/s dense fp16, 3350 GB/s, $4.25/GPU-hour
	// true true
}

func ExampleDeviceForNVMLName() {
	for _, name := range []string{"NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB", "NVIDIA L40"} {
		d, ok := hardware.DeviceForNVMLName(name)
		fmt.Printf("%s → %q %v\n", name, d.Name, ok)
	}
	// Output:
	// NVIDIA H100 80GB HBM3 → "h100" true
	// NVIDIA A100-SXM4-40GB → "a100" true
	// NVIDIA L40 → "" false
}
