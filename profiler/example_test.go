package profiler_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vidur-go/vidur-go/profiler"
)

func ExampleParseCollective() {
	csv := ",time_stats.all_reduce.min,time_stats.all_reduce.max,time_stats.all_reduce.mean,time_stats.all_reduce.median,time_stats.all_reduce.std,rank,num_workers,size,collective,devices_per_node,max_devices_per_node\n" +
		"0,0.031,0.077,0.05,0.043,0.019,0,2,2048,all_reduce,2,8\n"
	rows, err := profiler.ParseCollective(strings.NewReader(csv), "all_reduce.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := rows[0]
	fmt.Printf("%s of %d bytes over %d GPUs: median %.3f ms\n", r.Collective, r.SizeBytes, r.NumWorkers, r.Stats.Median)

	// Bad data is an error naming file, line and column.
	_, err = profiler.ParseCollective(strings.NewReader(strings.Replace(csv, "0.043", "NaN", 1)), "all_reduce.csv")
	fmt.Println(err)
	// Output:
	// all_reduce of 2048 bytes over 2 GPUs: median 0.043 ms
	// read all_reduce.csv line 2: column "time_stats.all_reduce.median": NaN is not a finite number: expected a time in ms
}

func ExampleStore_ImportTree() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "profiling", "network", "h100_dgx")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "send_recv.csv"), []byte(
		",time_stats.send_recv.min,time_stats.send_recv.max,time_stats.send_recv.mean,time_stats.send_recv.median,time_stats.send_recv.std,rank,num_workers,size,collective,devices_per_node,max_devices_per_node\n"+
			"0,0.016,0.064,0.034,0.024,0.02,0,2,2048,send_recv,1,8\n"), 0o644)

	st, err := profiler.OpenStore(filepath.Join(dir, "store"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 2; i++ {
		res, _ := st.ImportTree(filepath.Join(dir, "profiling"), profiler.ImportOptions{})
		for _, r := range res {
			fmt.Println(r.Path, r.Kind, r.Node, r.Rows, r.Status)
		}
	}
	// Output:
	// network/h100_dgx/send_recv.csv send_recv h100_dgx 1 imported
	// network/h100_dgx/send_recv.csv send_recv h100_dgx 1 unchanged
}
