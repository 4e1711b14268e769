package output

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
	"github.com/vidur-go/vidur-go/sim/cluster"
	"github.com/vidur-go/vidur-go/sim/metrics"
)

// BatchColumns are the columns of batches.csv: Vidur's batch_metrics.csv
// columns, then vidur-go's additions.
var BatchColumns = []string{
	"Batch Id", "batch_num_tokens", "batch_num_prefill_tokens", "batch_num_decode_tokens",
	"batch_size", "batch_execution_time", "replica", "scheduled_at", "completed_at",
}

// WriteRequestsCSV writes one row per request, sorted by request id, with
// metrics.RequestColumns.
func WriteRequestsCSV(path string, reqs []cluster.Request) error {
	rows := metrics.RequestRows(reqs)
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString(strings.Join(metrics.RequestColumns, ","))
		bw.WriteByte('\n')
		var buf []byte
		for i := range rows {
			buf = strconv.AppendInt(buf[:0], int64(i), 10)
			for _, v := range rows[i] {
				buf = append(buf, ',')
				buf = appendFloat(buf, v)
			}
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

// WriteBatchesCSV writes one row per batch in completion order.
func WriteBatchesCSV(path string, batches []metrics.BatchRecord) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString(strings.Join(BatchColumns, ","))
		bw.WriteByte('\n')
		var buf []byte
		for _, b := range batches {
			buf = strconv.AppendInt(buf[:0], int64(b.ID), 10)
			for _, n := range []int{b.NumTokens, b.NumPrefillTokens, b.NumDecodeTokens, b.Size} {
				buf = append(buf, ',')
				buf = strconv.AppendInt(buf, int64(n), 10)
			}
			buf = append(buf, ',')
			buf = appendFloat(buf, b.CompletedAtS-b.ScheduledAtS)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(b.Replica), 10)
			buf = append(buf, ',')
			buf = appendFloat(buf, b.ScheduledAtS)
			buf = append(buf, ',')
			buf = appendFloat(buf, b.CompletedAtS)
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}
