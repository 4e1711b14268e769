package workload

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vidur-go/vidur-go/sim/rng"
)

func TestReadRequestTraceErrors(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string // substrings of the error
	}{
		{"empty file", "", []string{"t.csv", "empty file", "arrived_at"}},
		{"header only", "arrived_at,num_prefill_tokens,num_decode_tokens\n", []string{"t.csv", "no data rows"}},
		{"missing column", "arrived_at,num_prefill_tokens\n0,1\n", []string{"t.csv line 1", `missing column "num_decode_tokens"`}},
		{"text in number", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n1.5,ten,5\n", []string{"t.csv line 3", `column "num_prefill_tokens"`, `"ten"`, "finite number"}},
		{"NaN", "arrived_at,num_prefill_tokens,num_decode_tokens\nNaN,10,5\n", []string{"line 2", `column "arrived_at"`, "NaN"}},
		{"Inf", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,inf\n", []string{"line 2", `column "num_decode_tokens"`}},
		{"negative tokens", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,-5\n", []string{"line 2", `column "num_decode_tokens"`, "≥ 0", "-5"}},
		{"negative time", "arrived_at,num_prefill_tokens,num_decode_tokens\n-1,10,5\n", []string{"line 2", `column "arrived_at"`}},
		{"short row", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10\n", []string{"line 2", "row has 2 fields", `"num_decode_tokens"`}},
		{"bad quoting", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,\"10,5\n", []string{"malformed CSV"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadRequestTrace("t.csv", strings.NewReader(c.in))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestReadRequestTraceByHeaderName(t *testing.T) {
	in := "\ufeffnum_decode_tokens, extra ,num_prefill_tokens,arrived_at\n5,x,10.0,0.25\n7,y,3,1e1\n"
	rows, err := ReadRequestTrace("t.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []TraceRow{{0.25, 10, 5}, {10, 3, 7}}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows", len(rows))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func TestReplay(t *testing.T) {
	cases := []struct {
		name       string
		row        TraceRow
		ps, ds, ts float64
		maxTokens  int
		want       Request
		wantErr    string
	}{
		{"plain", TraceRow{1.5, 374, 44}, 1, 1, 1, 4096, Request{1.5, 374, 44}, ""},
		{"scales truncate", TraceRow{2, 100, 10}, 0.55, 1.99, 3, 4096, Request{6, 55, 19}, ""},
		{"clip to one", TraceRow{0, 0, 0}, 1, 1, 1, 4096, Request{0, 1, 1}, ""},
		{"only prefill reduced", TraceRow{0, 4000, 500}, 1, 1, 1, 4096, Request{0, 3596, 500}, ""},
		{"decode fills max", TraceRow{0, 10, 4096}, 1, 1, 1, 4096, Request{}, "no room for a prompt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Replay([]TraceRow{c.row}, c.ps, c.ds, c.ts, c.maxTokens)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got[0] != c.want {
				t.Errorf("got %+v, want %+v", got[0], c.want)
			}
		})
	}
}

// TestReplayNumRequests: trace_replay keeps the first num_requests rows in
// file order (not the earliest arrivals), 0 keeps them all, and asking for
// more rows than the file holds is an error naming the file and both counts.
func TestReplayNumRequests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.csv")
	csv := "arrived_at,num_prefill_tokens,num_decode_tokens\n3,30,3\n1,10,1\n2,20,2\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		n       int
		prefill []int // of the requests, in order
		wantErr string
	}{
		{0, []int{30, 10, 20}, ""},
		{1, []int{30}, ""},
		{2, []int{30, 10}, ""},
		{3, []int{30, 10, 20}, ""},
		{4, nil, "num_requests is 4 but the trace has only 3 rows"},
		{-1, nil, "num_requests: must be ≥ 0"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.n), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Type = TypeTraceReplay
			cfg.TraceFile = path
			cfg.NumRequests = c.n
			reqs, err := Generate(cfg, nil)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, r := range reqs {
				got = append(got, r.NumPrefillTokens)
			}
			if !slices.Equal(got, c.prefill) {
				t.Errorf("prefill tokens %v, want %v", got, c.prefill)
			}
		})
	}
}

func TestReduceLengthTrace(t *testing.T) {
	cases := []struct {
		name      string
		row       TraceRow
		ps, ds    float64
		maxTokens int
		wantP     float64
		wantD     float64
	}{
		{"fits", TraceRow{0, 3000, 96}, 1, 1, 4096, 3000, 96},
		// total 5000, diff 904: p -= ceil(904·4000/5000)=724, d -= ceil(904·1000/5000)=181.
		{"proportional ceil", TraceRow{0, 4000, 1000}, 1, 1, 4096, 3276, 819},
		{"scaled then truncated", TraceRow{0, 101, 11}, 0.5, 0.5, 4096, 50, 5},
		{"clip", TraceRow{0, 0, 0.4}, 1, 1, 4096, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReduceLengthTrace([]TraceRow{c.row}, c.ps, c.ds, c.maxTokens)
			if err != nil {
				t.Fatal(err)
			}
			if got[0].PrefillTokens != c.wantP || got[0].DecodeTokens != c.wantD {
				t.Errorf("got %v+%v, want %v+%v", got[0].PrefillTokens, got[0].DecodeTokens, c.wantP, c.wantD)
			}
		})
	}
	if _, err := ReduceLengthTrace([]TraceRow{{0, 5, 5}}, 1, 1, 1); err == nil {
		t.Error("a row that cannot fit max_tokens 1 after clipping is accepted")
	}
}

func TestTraceIntervals(t *testing.T) {
	in := "arrival_time,other\n" +
		"1970-01-04 11:59:59,a\n" + // before the window
		"1970-01-04 12:00:00,a\n" + // not strictly after start
		"1970-01-04 12:00:01.900,b\n" + // anchors the timeline (0 s)
		"1970-01-04 12:00:03.100,c\n" + // 1.2 s later -> floor 1 s
		"1970-01-04T12:00:02,d\n" + // out of order: 0 s -> interval -1
		"1970-01-04 12:00:10Z,e\n" +
		"1970-01-04 15:00:00,f\n" // not strictly before end
	times, err := ReadArrivalTrace("a.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	start, _ := time.Parse(TimeLayout, "1970-01-04 12:00:00")
	end, _ := time.Parse(TimeLayout, "1970-01-04 15:00:00")
	got := TraceIntervals(times, start, end, 2)
	want := []float64{2, -2, 16} // seconds 0,1,0,8 (earliest kept is 12:00:01.9) × 2, differenced
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if _, err := ReadArrivalTrace("a.csv", strings.NewReader("arrival_time\nyesterday\n")); err == nil ||
		!strings.Contains(err.Error(), "a.csv line 2") {
		t.Errorf("bad datetime error: %v", err)
	}
}

// A synthetic workload driven by an interval trace ends with the trace; the
// out-of-order row is sorted into place (stable sort by arrival).
func TestIntervalTraceWorkload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "arrivals.csv")
	data := "arrival_time\n1970-01-04 12:00:01\n1970-01-04 12:00:05\n1970-01-04 12:00:03\n1970-01-04 12:00:09\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.NumRequests = 0
	cfg.Interval.Type = IntervalTrace
	cfg.Interval.TraceFile = path
	reqs, err := Generate(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	// intervals 4, -2, 6 -> arrivals 4, 2, 8 -> sorted 2, 4, 8.
	want := []float64{2, 4, 8}
	if len(reqs) != len(want) {
		t.Fatalf("got %d requests, want %d", len(reqs), len(want))
	}
	for i, w := range want {
		if reqs[i].ArrivedAt != w {
			t.Errorf("request %d at %v, want %v", i, reqs[i].ArrivedAt, w)
		}
	}
	cfg.NumRequests = 10
	if _, err := Generate(cfg, nil); err == nil || !strings.Contains(err.Error(), "interval trace exhausted after 3 requests") {
		t.Errorf("exhausted trace with num_requests: %v", err)
	}
}

func vidurData(t *testing.T) string {
	dir := os.Getenv("VIDUR_DATA")
	if dir == "" {
		t.Skip("VIDUR_DATA not set: skipping tests over Vidur's traces")
	}
	return dir
}

func TestRealTraces(t *testing.T) {
	dir := vidurData(t)
	cases := []struct {
		file         string
		lengthOnly   bool
		rows         int
		prefill, dec float64
	}{
		{"splitwise_conv.csv", false, 19366, 22361870, 4088665},
		{"splitwise_code.csv", false, 8819, 18059974, 245896},
		{"arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv", true, 28257, 73131321, 8234948},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(dir, "processed_traces", c.file)
			read := ReadRequestTrace
			if c.lengthOnly {
				read = ReadLengthTrace
			}
			rows, err := readFile(path, read)
			if err != nil {
				t.Fatal(err)
			}
			var p, d float64
			for _, r := range rows {
				p += r.PrefillTokens
				d += r.DecodeTokens
			}
			if len(rows) != c.rows || p != c.prefill || d != c.dec {
				t.Errorf("%d rows, %v prefill, %v decode tokens; want %d, %v, %v", len(rows), p, d, c.rows, c.prefill, c.dec)
			}
			if c.lengthOnly {
				cfg := DefaultConfig()
				cfg.Length.Type = LengthTrace
				cfg.Length.TraceFile = path
				cfg.NumRequests = c.rows
				reqs, err := Generate(cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range reqs {
					if r.TotalTokens() > cfg.MaxTokens || r.NumPrefillTokens < 1 || r.NumDecodeTokens < 1 {
						t.Fatalf("request %d: %+v breaks max_tokens %d", i, r, cfg.MaxTokens)
					}
				}
				cfg.NumRequests = c.rows + 1
				if _, err := Generate(cfg, nil); err == nil {
					t.Error("asking for more requests than the length trace holds is accepted")
				}
				return
			}
			cfg := DefaultConfig()
			cfg.Type = TypeTraceReplay
			cfg.TraceFile = path
			cfg.NumRequests = 0 // the whole trace
			reqs, err := Generate(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(reqs) != c.rows {
				t.Fatalf("%d requests, want %d", len(reqs), c.rows)
			}
			for i, r := range reqs {
				if r.TotalTokens() > cfg.MaxTokens {
					t.Fatalf("request %d: %+v exceeds max_tokens", i, r)
				}
			}
		})
	}
}

// The golden g1 run replays its trace with Vidur's trace_replay generator;
// its request_metrics.csv records the tokens Vidur used per request id.
func TestReplayMatchesVidurGolden(t *testing.T) {
	dir := os.Getenv("VIDUR_GOLDEN")
	if dir == "" {
		t.Skip("VIDUR_GOLDEN not set: skipping comparison with Vidur's output")
	}
	cfg := DefaultConfig()
	cfg.Type = TypeTraceReplay
	cfg.TraceFile = filepath.Join(dir, "g1_sarathi", "trace.csv")
	cfg.NumRequests = 0 // the whole trace, as Vidur replays it
	py := rng.NewPython(42)
	before := *py
	reqs, err := Generate(cfg, py)
	if err != nil {
		t.Fatal(err)
	}
	if *py != before {
		t.Error("trace replay consumed the Python stream")
	}
	f, err := os.Open(filepath.Join(dir, "g1_sarathi", "vidur-output", "request_metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	n := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		id, _ := strconv.Atoi(rec[col["Request Id"]])
		p, _ := strconv.ParseFloat(rec[col["request_num_prefill_tokens"]], 64)
		d, _ := strconv.ParseFloat(rec[col["request_num_decode_tokens"]], 64)
		r := reqs[id]
		if float64(r.NumPrefillTokens) != p || float64(r.NumDecodeTokens) != d {
			t.Errorf("request %d: %d+%d tokens, Vidur %v+%v", id, r.NumPrefillTokens, r.NumDecodeTokens, p, d)
		}
		if s := rec[col["request_inter_arrival_delay"]]; s != "" && id > 0 {
			delay, _ := strconv.ParseFloat(s, 64)
			if got := r.ArrivedAt - reqs[id-1].ArrivedAt; math.Abs(got-delay) > 1e-9 {
				t.Errorf("request %d: inter-arrival %v, Vidur %v", id, got, delay)
			}
		}
		n++
	}
	if n != len(reqs) {
		t.Errorf("Vidur has %d requests, replay %d", n, len(reqs))
	}
}

func FuzzReadRequestTrace(f *testing.F) {
	f.Add("arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,374,44\n4.3,396,109\n")
	f.Add("num_decode_tokens,arrived_at,num_prefill_tokens\n1,2,3\n")
	f.Add("arrived_at,num_prefill_tokens,num_decode_tokens\n-0,1e308,NaN\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ReadRequestTrace("f.csv", strings.NewReader(in))
		if err != nil {
			if !strings.Contains(err.Error(), "f.csv") {
				t.Errorf("error without file name: %v", err)
			}
			return
		}
		for _, r := range rows {
			for _, v := range []float64{r.ArrivedAt, r.PrefillTokens, r.DecodeTokens} {
				if !(v >= 0) || math.IsInf(v, 0) {
					t.Fatalf("accepted value %v", v)
				}
			}
		}
		reqs, err := Replay(rows, 1, 1, 1, 4096)
		if err != nil {
			return
		}
		for _, r := range reqs {
			if r.NumPrefillTokens < 1 || r.NumDecodeTokens < 1 || r.TotalTokens() > 4096 {
				t.Fatalf("replay produced %+v", r)
			}
		}
	})
}

func FuzzReadLengthTrace(f *testing.F) {
	f.Add("num_prefill_tokens,num_decode_tokens,num_total_tokens,pd_ratio\n3772,54,3826,69.8\n")
	f.Add("num_prefill_tokens,num_decode_tokens\n0,0\n9999,9999\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ReadLengthTrace("f.csv", strings.NewReader(in))
		if err != nil {
			return
		}
		red, err := ReduceLengthTrace(rows, 1, 1, 4096)
		if err != nil {
			return
		}
		for _, r := range red {
			if r.PrefillTokens < 1 || r.DecodeTokens < 1 || r.PrefillTokens+r.DecodeTokens > 4096 {
				t.Fatalf("reduced row %+v", r)
			}
		}
	})
}

func FuzzReadArrivalTrace(f *testing.F) {
	f.Add("arrival_time\n1970-01-04 12:00:01\n1970-01-04 12:30:00.5\n")
	f.Add("x,arrival_time\n1,2021-01-31T10:00:00Z\n")
	f.Fuzz(func(t *testing.T, in string) {
		times, err := ReadArrivalTrace("f.csv", strings.NewReader(in))
		if err != nil {
			return
		}
		start, _ := time.Parse(TimeLayout, "1970-01-01 00:00:00")
		end, _ := time.Parse(TimeLayout, "2100-01-01 00:00:00")
		if iv := TraceIntervals(times, start, end, 1); len(iv) >= len(times) {
			t.Fatalf("%d intervals from %d times", len(iv), len(times))
		}
	})
}

// A length trace is read once while the file is unchanged, and read again
// when it changes.
func TestLengthTraceCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lengths.csv")
	write := func(body string, mod time.Time) {
		if err := os.WriteFile(path, []byte("num_prefill_tokens,num_decode_tokens\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	cfg.Type, cfg.NumRequests, cfg.MaxTokens = TypeSynthetic, 3, 4096
	cfg.Interval.Type, cfg.Interval.QPS = IntervalPoisson, 1
	cfg.Length.Type, cfg.Length.TraceFile = LengthTrace, path
	gen := func() []Request {
		reqs, err := Generate(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		return reqs
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write("100,10\n200,20\n300,30\n", t0)
	a, b := gen(), gen()
	if !slices.Equal(a, b) {
		t.Fatalf("same trace, different requests: %v %v", a, b)
	}
	write("101,11\n201,21\n301,31\n", t0.Add(time.Second))
	c := gen()
	for _, r := range c {
		if int(r.NumPrefillTokens)%100 != 1 {
			t.Fatalf("changed trace not re-read: %v", c)
		}
	}
}
