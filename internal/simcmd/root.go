package simcmd

import (
	"github.com/spf13/cobra"
)

// New returns the vidur-sim command tree.
func New() *cobra.Command {
	root := &cobra.Command{
		Use:   "vidur-sim",
		Short: "Simulate an LLM serving cluster and search for the cheapest deployment",
		Long: `vidur-sim is a discrete-event simulator of an LLM serving cluster: request
arrivals, routing, replica schedulers (vllm, orca, sarathi, lightllm,
faster_transformer), paged KV memory, tensor and pipeline parallelism. Batch
times come from artifacts written by vidur-train. It reports TTFT, TBT,
end-to-end latency, queueing, batch sizes, MFU and memory, with a chrome
trace and plots, and searches deployments for the cheapest one meeting
latency SLOs.`,
	}
	root.AddCommand(newRunCmd(), newSearchCmd())
	return root
}
