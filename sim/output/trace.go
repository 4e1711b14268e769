package output

import (
	"bufio"
	"io"
	"strconv"

	"github.com/vidur-go/vidur-go/internal/atomicfile"
	"github.com/vidur-go/vidur-go/sim/metrics"
)

// WriteTrace writes a Chrome Trace Event Format file (loadable in Perfetto
// and chrome://tracing): {"traceEvents": [...], "displayTimeUnit": "ms"}.
// It starts with metadata events naming each process ("replica <r>") and
// thread ("stage <s>"), then one complete event ("ph": "X") per batch stage
// in the order the stages ended, with ts and dur in microseconds of
// simulated time, pid = replica, tid = pipeline stage, name = the request
// ids as Vidur writes them ("[0, 1]"), and args batch_id, batch_size,
// request_ids, num_tokens (as Vidur) plus mfu_percent.
func WriteTrace(path string, col *metrics.Collector, replicas, stages int) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		bw.WriteString(`{"displayTimeUnit":"ms","traceEvents":[`)
		var b []byte
		first := true
		sep := func() {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, '\n')
		}
		for r := range replicas {
			sep()
			b = append(b, `{"name":"process_name","ph":"M","pid":`...)
			b = strconv.AppendInt(b, int64(r), 10)
			b = append(b, `,"tid":0,"args":{"name":"replica `...)
			b = strconv.AppendInt(b, int64(r), 10)
			b = append(b, `"}}`...)
			for s := range stages {
				sep()
				b = append(b, `{"name":"thread_name","ph":"M","pid":`...)
				b = strconv.AppendInt(b, int64(r), 10)
				b = append(b, `,"tid":`...)
				b = strconv.AppendInt(b, int64(s), 10)
				b = append(b, `,"args":{"name":"stage `...)
				b = strconv.AppendInt(b, int64(s), 10)
				b = append(b, `"}}`...)
			}
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
		for _, st := range col.Stages {
			b = b[:0]
			sep()
			reqs := col.StageReqs[st.First : st.First+st.Count]
			toks := col.StageTokens[st.First : st.First+st.Count]
			b = append(b, `{"name":"[`...)
			for i, id := range reqs {
				if i > 0 {
					b = append(b, ", "...)
				}
				b = strconv.AppendInt(b, int64(id), 10)
			}
			b = append(b, `]","cat":"batch","ph":"X","ts":`...)
			b = jsonFloat(b, st.StartS*1e6)
			b = append(b, `,"dur":`...)
			b = jsonFloat(b, st.DurS*1e6)
			b = append(b, `,"pid":`...)
			b = strconv.AppendInt(b, int64(st.Replica), 10)
			b = append(b, `,"tid":`...)
			b = strconv.AppendInt(b, int64(st.Stage), 10)
			b = append(b, `,"args":{"batch_id":`...)
			b = strconv.AppendInt(b, int64(st.BatchID), 10)
			b = append(b, `,"batch_size":`...)
			b = strconv.AppendInt(b, int64(st.Count), 10)
			b = append(b, `,"request_ids":[`...)
			for i, id := range reqs {
				if i > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, int64(id), 10)
			}
			b = append(b, `],"num_tokens":[`...)
			for i, n := range toks {
				if i > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, int64(n), 10)
			}
			b = append(b, `],"mfu_percent":`...)
			b = jsonFloat(b, st.MFU)
			b = append(b, `}}`...)
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
		bw.WriteString("\n]}\n")
		return bw.Flush()
	})
}
