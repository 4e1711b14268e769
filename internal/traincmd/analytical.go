package traincmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/predictor"
	"github.com/vidur-go/vidur-go/profiler"
)

// efficiencyFor returns the factors for device from a calibration file, or
// the embedded ones when path is empty.
func efficiencyFor(path, device string) (predictor.Efficiency, string, error) {
	if path == "" {
		return predictor.DefaultEfficiency(device)
	}
	c, err := predictor.LoadCalibration(path)
	if err != nil {
		return predictor.Efficiency{}, "", err
	}
	e, src := c.Efficiency(device, path)
	return e, src, nil
}

func newAnalyticalCmd() *cobra.Command {
	var t target
	var calib string
	var gz bool
	cmd := &cobra.Command{
		Use:   "analytical",
		Short: "Build a roofline artifact for an unprofiled model or SKU",
		Long: `analytical writes an artifact whose every table comes from a roofline
model: per operator, time = max(FLOPs / (peak × compute efficiency),
bytes / (bandwidth × memory efficiency)) + a fixed launch overhead; attention
from its FLOPs and KV-cache bytes; all_reduce from the ring formula over the
node's interconnect. The efficiency factors are calibrated on profiled SKUs
(vidur-train calibrate); a device without its own calibration uses the mean
of the calibrated ones. Every operator's provenance is "analytical": these
numbers are not measured.`,
		Example: `  vidur-train analytical --model meta-llama/Meta-Llama-3-8B --device h100 --node h100_dgx --tp 1 -o llama3-h100.vidurart`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, out, err := t.resolve()
			if err != nil {
				return err
			}
			dev, err := hardware.LookupDevice(t.device)
			if err != nil {
				return err
			}
			node, err := hardware.LookupNode(t.node)
			if err != nil {
				return err
			}
			eff, src, err := efficiencyFor(calib, t.device)
			if err != nil {
				return err
			}
			a, err := predictor.Analytical(m, dev, node, t.tp, eff)
			if err != nil {
				return err
			}
			a.Header.Notes = []string{a.Header.Notes[0] + "; factors: " + src}
			a.Gzip = gz
			if err := a.Save(out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d analytical tables (%s)\n", out, len(a.Header.Ops), src)
			return nil
		},
	}
	t.register(cmd)
	cmd.Flags().StringVar(&calib, "calibration", "", "efficiency factors file from vidur-train calibrate (default: the embedded calibration)")
	cmd.Flags().BoolVar(&gz, "gzip", false, "gzip the artifact payload")
	return cmd
}

func newCalibrateCmd() *cobra.Command {
	var store, device, out, factors string
	var blockSize int
	cmd := &cobra.Command{
		Use:   "calibrate",
		Short: "Fit the analytical model's efficiency factors to a profiled SKU",
		Long: `calibrate fits the analytical model's efficiency factors for --device to
every profile of that device in the store (mlp and attention profiles of every
catalog model, at every TP they cover, and the all_reduce profiles of the
nodes built from the device): per operator class, least squares on log-times.
It prints the factors and the analytical model's per-operator error on those
rows. With -o it adds (or replaces) the device in that calibration file.

--eval FILE skips the fit and scores the factors in FILE instead ("embedded"
for the shipped ones), e.g. to check one SKU's factors on another.`,
		Example: `  vidur-train calibrate --store S --device a100 -o data/calibration/efficiency.json
  vidur-train calibrate --store S --device a100 --eval embedded`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if device == "" {
				return cli.Usagef("--device is required")
			}
			dev, err := hardware.LookupDevice(device)
			if err != nil {
				return err
			}
			root := store
			if root == "" {
				if root, err = cli.DefaultStore(); err != nil {
					return err
				}
			}
			st, err := profiler.OpenStoreReadOnly(root)
			if err != nil {
				return err
			}
			rows, used, err := predictor.CalibrationRows(st, device, blockSize)
			if err != nil {
				return err
			}
			r := predictor.NewRoofline(dev, hardware.Node{})
			var eff predictor.Efficiency
			var src string
			w := cmd.OutOrStdout()
			if factors != "" {
				path := factors
				if path == "embedded" {
					path = ""
				}
				if eff, src, err = efficiencyFor(path, device); err != nil {
					return err
				}
				fmt.Fprintf(w, "scoring %s on %d profiled rows of %s\n", src, len(rows), device)
			} else {
				res, err := predictor.Calibrate(rows, r, predictor.StartEfficiency())
				if err != nil {
					return err
				}
				eff = res.Efficiency
				fmt.Fprintf(w, "calibrated %s on %d profiled rows (gemm %d, elementwise %d, attention %d, network %d)\n",
					device, len(rows), res.Rows["gemm"], res.Rows["elementwise"], res.Rows["attention"], res.Rows["network"])
				if out != "" {
					c := &predictor.CalibrationFile{Devices: map[string]predictor.DeviceCalibration{}}
					if old, err := predictor.LoadCalibration(out); err == nil {
						c = old
					}
					c.Devices[device] = predictor.DeviceCalibration{Efficiency: eff, Rows: res.Rows, Sources: used}
					c.Command = "vidur-train calibrate --store $STORE --device DEVICE -o " + out + " (one run per device; the store imported from $VIDUR_DATA/profiling and $VIDUR_DATA/synthetic/profiling)"
					if err := c.Save(out); err != nil {
						return err
					}
					fmt.Fprintf(w, "wrote %s\n", out)
				}
			}
			fmt.Fprintf(w, "factors: gemm compute %.3f memory %.3f launch %.4f ms | elementwise memory %.3f launch %.4f ms | attention compute %.3f memory %.3f launch %.4f ms | network %.3f latency %.4f ms\n",
				eff.GEMMCompute, eff.GEMMMemory, eff.GEMMLaunchMs, eff.ElementwiseMemory, eff.ElementwiseLaunchMs,
				eff.AttentionCompute, eff.AttentionMemory, eff.AttentionLaunchMs, eff.Network, eff.NetworkLatencyMs)
			acc := predictor.AnalyticalAccuracy(rows, r, eff)
			tab := make([][]string, len(acc))
			for i, a := range acc {
				tab[i] = []string{a.Op, strconv.Itoa(a.Rows), strconv.FormatFloat(a.MAPE, 'f', 1, 64), strconv.FormatFloat(a.MedianAPE, 'f', 1, 64)}
			}
			return cli.Table(w, []string{"op", "rows", "mape %", "median ape %"}, tab)
		},
	}
	f := cmd.Flags()
	f.StringVar(&store, "store", "", "profile store (default $"+cli.StoreEnv+" or the user cache)")
	f.StringVar(&device, "device", "", "device SKU to calibrate (required)")
	f.StringVarP(&out, "output", "o", "", "calibration file to add the device to")
	f.StringVar(&factors, "eval", "", `score the factors of this calibration file ("embedded": the shipped ones) instead of fitting`)
	f.IntVar(&blockSize, "block-size", 16, "KV-cache block size the attention profile rows are filtered on")
	return cmd
}
