package profiler

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Small hand-written fixtures (not copies of Vidur's files).
const (
	mlpHeader = "time_stats.emb.min,time_stats.emb.max,time_stats.emb.mean,time_stats.emb.median,time_stats.emb.std," +
		"time_stats.mlp_up_proj.min,time_stats.mlp_up_proj.max,time_stats.mlp_up_proj.mean,time_stats.mlp_up_proj.median,time_stats.mlp_up_proj.std," +
		"n_head,n_kv_head,n_embd,n_expanded_embd,vocab_size,use_gated_mlp,num_tokens,num_tensor_parallel_workers\n"
	mlpGood = mlpHeader +
		"0.1,0.2,0.15,0.15,0.01,1.0,1.2,1.1,1.1,0.05,8,8,512,2048,1000,True,16,1\n" +
		"0.0,0.0,0.0,0.0,0.0,2.0,2.4,2.2,2.2,0.1,8,8,512,2048,1000,True,32,1\n"

	attnHeader = "time_stats.attn_kv_cache_save.median,time_stats.attn_prefill.median,time_stats.attn_decode.median," +
		"n_embd,n_q_head,n_kv_head,block_size,num_tensor_parallel_workers,max_model_len,batch_size,prefill_chunk_size,kv_cache_size,is_prefill,attention_backend\n"
	attnGood = attnHeader +
		"0.01,0.5,0.0,512,8,8,16,1,4096,1,64,0,True,AttentionBackend.FLASHINFER\n" +
		"0.01,0.0,0.2,512,8,8,16,1,4096,4,0,128,False,AttentionBackend.FLASHINFER\n"

	collHeader = ",time_stats.all_reduce.min,time_stats.all_reduce.max,time_stats.all_reduce.mean,time_stats.all_reduce.median,time_stats.all_reduce.std," +
		"rank,num_workers,size,collective,devices_per_node,max_devices_per_node\n"
	collGood = collHeader +
		"0,0.03,0.05,0.04,0.04,0.01,0,2,2048,all_reduce,2,8\n" +
		"1,0.05,0.07,0.06,0.06,0.01,0,2,4096,all_reduce,2,8\n"
	sendRecvGood = ",time_stats.send_recv.min,time_stats.send_recv.max,time_stats.send_recv.mean,time_stats.send_recv.median,time_stats.send_recv.std," +
		"rank,num_workers,size,collective,devices_per_node,max_devices_per_node\n" +
		"0,0.02,0.03,0.025,0.025,0.005,0,2,2048,send_recv,1,8\n"

	cpuHeader = ",schedule_mean,schedule_median,sampler_e2e_mean,sampler_e2e_median,prepare_inputs_e2e_median," +
		"process_model_outputs_median,ray_comm_time_mean,model_name,batch_size,tensor_parallel_degree\n"
	cpuGood = cpuHeader +
		"0,0.3,0.29,0.5,0.49,0.2,0.1,0.05,acme/Tiny-1b,8,1\n" +
		"1,0.4,0.39,0.6,0.59,0.3,0.2,0.06,acme/Tiny-1b,16,1\n"
)

func parseKind(kind, text string) (int, error) {
	r := strings.NewReader(text)
	switch kind {
	case KindMLP:
		rows, err := ParseMLP(r, "in.csv")
		return len(rows), err
	case KindAttention:
		rows, err := ParseAttention(r, "in.csv")
		return len(rows), err
	case KindAllReduce:
		rows, err := ParseCollective(r, "in.csv")
		return len(rows), err
	default:
		rows, err := ParseCPUOverhead(r, "in.csv")
		return len(rows), err
	}
}

func TestParseMLP(t *testing.T) {
	rows, err := ParseMLP(strings.NewReader(mlpGood), "mlp.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := MLPRow{NHead: 8, NKVHead: 8, NEmbd: 512, NExpandedEmbd: 2048, VocabSize: 1000, UseGatedMLP: true, NumTokens: 16, TP: 1,
		Ops: map[string]Stats{
			"emb":         {0.1, 0.2, 0.15, 0.15, 0.01},
			"mlp_up_proj": {1.0, 1.2, 1.1, 1.1, 0.05},
		}}
	if len(rows) != 2 || !reflect.DeepEqual(rows[0], want) {
		t.Fatalf("got %+v", rows)
	}
}

// TestColumnOrderFree reads a file whose columns are shuffled, with an
// extra column and only median stats.
func TestColumnOrderFree(t *testing.T) {
	text := "num_tokens,extra,time_stats.mlp_up_proj.median,n_head,n_kv_head,n_embd,n_expanded_embd,vocab_size,use_gated_mlp,num_tensor_parallel_workers\n" +
		"16,zzz,1.1,8,8,512,2048,1000,False,2\n"
	rows, err := ParseMLP(strings.NewReader(text), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].NumTokens != 16 || rows[0].TP != 2 || rows[0].Ops["mlp_up_proj"] != (Stats{Median: 1.1}) {
		t.Fatalf("got %+v", rows[0])
	}
}

func TestParseGood(t *testing.T) {
	for _, tc := range []struct{ kind, text string }{
		{KindMLP, mlpGood}, {KindAttention, attnGood}, {KindAllReduce, collGood}, {KindAllReduce, sendRecvGood}, {KindCPUOverhead, cpuGood},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			if _, err := parseKind(tc.kind, tc.text); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestParseBad checks that every kind of bad input is an error naming the
// file, line and column, and saying what was expected.
func TestParseBad(t *testing.T) {
	mlpRow := func(s string) string { return mlpHeader + s + "\n" }
	tests := []struct {
		name, kind, text string
		want             []string // substrings of the error
	}{
		{"zero bytes", KindMLP, "", []string{"in.csv", "empty file"}},
		{"header only", KindMLP, mlpHeader, []string{"in.csv", "header only", "no data rows"}},
		{"missing column", KindMLP, strings.Replace(mlpGood, "num_tokens", "tokens", 1),
			[]string{"line 1", `column "num_tokens"`, "missing", "n_head, n_kv_head"}},
		{"send_recv as mlp", KindMLP, sendRecvGood, []string{`column "n_head"`, "not an mlp profile", "looks like a send_recv profile"}},
		{"mlp as collective", KindAllReduce, mlpGood, []string{`column "rank"`, "looks like an mlp profile"}},
		{"text in number", KindMLP, mlpRow("0.1,0.2,0.15,fast,0.01,1.0,1.2,1.1,1.1,0.05,8,8,512,2048,1000,True,16,1"),
			[]string{"line 2", `"time_stats.emb.median"`, `"fast" is not a number`}},
		{"text in count", KindMLP, mlpRow("0.1,0.2,0.15,0.15,0.01,1.0,1.2,1.1,1.1,0.05,eight,8,512,2048,1000,True,16,1"),
			[]string{"line 2", `"n_head"`, "not an integer"}},
		{"fractional count", KindMLP, mlpRow("0.1,0.2,0.15,0.15,0.01,1.0,1.2,1.1,1.1,0.05,8.5,8,512,2048,1000,True,16,1"),
			[]string{"line 2", `"n_head"`, "not an integer"}},
		{"negative count", KindMLP, mlpRow("0.1,0.2,0.15,0.15,0.01,1.0,1.2,1.1,1.1,0.05,8,8,512,2048,1000,True,-16,1"),
			[]string{"line 2", `"num_tokens"`, "expected an integer >= 1"}},
		{"bad bool", KindMLP, mlpRow("0.1,0.2,0.15,0.15,0.01,1.0,1.2,1.1,1.1,0.05,8,8,512,2048,1000,maybe,16,1"),
			[]string{"line 2", `"use_gated_mlp"`, "expected True or False"}},
		{"NaN", KindMLP, mlpRow("0.1,0.2,0.15,0.15,0.01,1.0,1.2,NaN,1.1,0.05,8,8,512,2048,1000,True,16,1"),
			[]string{"line 2", `"time_stats.mlp_up_proj.mean"`, "not a finite number"}},
		{"Inf", KindMLP, mlpRow("0.1,0.2,0.15,0.15,0.01,1.0,inf,1.1,1.1,0.05,8,8,512,2048,1000,True,16,1"),
			[]string{"line 2", `"time_stats.mlp_up_proj.max"`, "not a finite number"}},
		{"-Inf", KindMLP, mlpRow("0.1,0.2,0.15,0.15,0.01,-Inf,1.2,1.1,1.1,0.05,8,8,512,2048,1000,True,16,1"),
			[]string{"line 2", `"time_stats.mlp_up_proj.min"`, "not a finite number"}},
		{"negative time", KindMLP, mlpRow("0.1,0.2,0.15,-0.15,0.01,1.0,1.2,1.1,1.1,0.05,8,8,512,2048,1000,True,16,1"),
			[]string{"line 2", `"time_stats.emb.median"`, "negative time"}},
		{"zero median of a measured op", KindMLP, mlpGood + "0.1,0.2,0.15,0.15,0.01,0,0,0,0,0,8,8,512,2048,1000,True,64,1\n",
			[]string{"line 4", `"time_stats.mlp_up_proj.median"`, "zero time", "> 0"}},
		{"partially empty op", KindMLP, mlpRow("0.1,0.2,,0.15,0.01,1.0,1.2,1.1,1.1,0.05,8,8,512,2048,1000,True,16,1"),
			[]string{"line 2", `"time_stats.emb.mean"`, "not a number"}},
		{"wrong field count", KindMLP, mlpRow("0.1,0.2"), []string{"line 2", "wrong number of fields"}},
		{"median missing", KindMLP, strings.Replace(mlpGood, "time_stats.emb.median", "time_stats.emb.p50", 1),
			[]string{`"time_stats.emb.median"`, "missing"}},
		{"zero prefill time", KindAttention, attnHeader + "0.01,0.0,0.0,512,8,8,16,1,4096,1,64,0,True,AttentionBackend.FLASHINFER\n",
			[]string{"line 2", `"time_stats.attn_prefill.median"`, "zero time", "prefill row"}},
		{"zero decode time", KindAttention, attnHeader + "0.01,0.3,0.0,512,8,8,16,1,4096,4,0,128,False,AttentionBackend.FLASHINFER\n",
			[]string{"line 2", `"time_stats.attn_decode.median"`, "zero time", "decode row"}},
		{"is_prefill disagrees", KindAttention, attnHeader + "0.01,0.3,0.0,512,8,8,16,1,4096,1,0,128,True,AttentionBackend.FLASHINFER\n",
			[]string{"line 2", `"is_prefill"`, "prefill_chunk_size > 0"}},
		{"attention without decode", KindAttention, strings.ReplaceAll(attnGood, "attn_decode", "attn_other"),
			[]string{`"time_stats.attn_decode.median"`, "missing"}},
		{"zero collective time", KindAllReduce, collHeader + "0,0,0,0,0,0,0,2,2048,all_reduce,2,8\n",
			[]string{"line 2", `"time_stats.all_reduce.median"`, "zero time"}},
		{"unknown collective", KindAllReduce, collHeader + "0,0.03,0.05,0.04,0.04,0.01,0,2,2048,broadcast,2,8\n",
			[]string{"line 2", `"collective"`, "broadcast"}},
		{"zero size", KindAllReduce, collHeader + "0,0.03,0.05,0.04,0.04,0.01,0,2,0,all_reduce,2,8\n",
			[]string{"line 2", `"size"`, ">= 1"}},
		{"cpu target missing", KindCPUOverhead, strings.Replace(cpuGood, "ray_comm_time_mean", "ray_mean", 1),
			[]string{`"ray_comm_time_mean"`, "missing"}},
		{"cpu negative", KindCPUOverhead, cpuHeader + "0,0.3,-0.29,0.5,0.49,0.2,0.1,0.05,acme/Tiny-1b,8,1\n",
			[]string{"line 2", `"schedule_median"`, "negative"}},
		{"cpu empty model", KindCPUOverhead, cpuHeader + "0,0.3,0.29,0.5,0.49,0.2,0.1,0.05,,8,1\n",
			[]string{"line 2", `"model_name"`, "empty"}},
		{"line numbers count file lines", KindCPUOverhead, cpuHeader + "0,0.3,0.29,0.5,0.49,0.2,0.1,0.05,\"acme/\nTiny\",8,1\n1,0.3,0.29,0.5,0.49,0.2,0.1,0.05,acme/Tiny,x,1\n",
			[]string{"line 4", `"batch_size"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseKind(tc.kind, tc.text)
			if err == nil {
				t.Fatal("no error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError: %v", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "in.csv") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestWrongKindIs(t *testing.T) {
	_, err := ParseMLP(strings.NewReader(sendRecvGood), "send_recv.csv")
	var wk *WrongKindError
	if !errors.As(err, &wk) || wk.Got != KindSendRecv || wk.Want != KindMLP {
		t.Fatalf("err %v", err)
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	gz := gzipBytes(t, []byte(attnGood))
	dir := t.TempDir()
	// Compression is recognised by content, whatever the name says.
	p := filepath.Join(dir, "attention.csv")
	if err := os.WriteFile(p, gz, 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadAttention(p)
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %d err %v", len(rows), err)
	}
	t.Run("truncated", func(t *testing.T) {
		_, err := ParseAttention(bytes.NewReader(gz[:len(gz)-12]), "t.csv.gz")
		if err == nil || !strings.Contains(err.Error(), "t.csv.gz") || !strings.Contains(err.Error(), "gzip") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		bad := append([]byte(nil), gz...)
		for i := 12; i < len(bad)-8; i++ {
			bad[i] ^= 0x5a
		}
		_, err := ParseAttention(bytes.NewReader(bad), "c.csv.gz")
		if err == nil || !strings.Contains(err.Error(), "c.csv.gz") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("bad header", func(t *testing.T) {
		_, err := ParseAttention(bytes.NewReader([]byte{0x1f, 0x8b, 0, 0}), "h.csv.gz")
		if err == nil || !strings.Contains(err.Error(), "gzip") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestMissingPath(t *testing.T) {
	_, err := ReadMLP(filepath.Join(t.TempDir(), "nope", "mlp.csv"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope/mlp.csv") {
		t.Fatalf("err %v", err)
	}
}

// TestRoundTrip writes rows of every kind (plain and .gz) and reads them
// back unchanged.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	mlp, _ := ParseMLP(strings.NewReader(mlpGood), "m")
	mlp[0].Ops["mlp_up_proj"] = Stats{1e-5, 1.3877787807814457e-17 + 2, 1e17, 0.043000000000000003, 0}
	attn, _ := ParseAttention(strings.NewReader(attnGood), "a")
	coll, _ := ParseCollective(strings.NewReader(collGood), "c")
	cpu, _ := ParseCPUOverhead(strings.NewReader(cpuGood), "o")
	for _, ext := range []string{".csv", ".csv.gz"} {
		t.Run(ext, func(t *testing.T) {
			check := func(name string, write func(string) error, read func(string) (any, error), want any) {
				p := filepath.Join(dir, name+ext)
				if err := write(p); err != nil {
					t.Fatal(err)
				}
				got, err := read(p)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: got %+v\nwant %+v", name, got, want)
				}
				b, _ := os.ReadFile(p)
				if isGz := len(b) > 1 && b[0] == 0x1f && b[1] == 0x8b; isGz != (ext == ".csv.gz") {
					t.Errorf("%s: gzip %v", name, isGz)
				}
			}
			check("mlp", func(p string) error { return WriteMLP(p, mlp) }, func(p string) (any, error) { return ReadMLP(p) }, mlp)
			check("attention", func(p string) error { return WriteAttention(p, attn) }, func(p string) (any, error) { return ReadAttention(p) }, attn)
			check("all_reduce", func(p string) error { return WriteCollective(p, coll) }, func(p string) (any, error) { return ReadCollective(p) }, coll)
			check("cpu", func(p string) error { return WriteCPUOverhead(p, cpu) }, func(p string) (any, error) { return ReadCPUOverhead(p) }, cpu)
		})
	}
}

// TestWriteVidurLayout checks the written header and Python-style numbers.
func TestWriteVidurLayout(t *testing.T) {
	p := filepath.Join(t.TempDir(), "all_reduce.csv")
	rows := []CollectiveRow{{Collective: "all_reduce", NumWorkers: 2, SizeBytes: 2048, DevicesPerNode: 2, MaxDevicesPerNode: 8,
		Stats: Stats{0.031, 0.077, 0.050333333333333334, 0.043000000000000003, 1.3877787807814457e-17}}}
	if err := WriteCollective(p, rows); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	want := ",time_stats.all_reduce.min,time_stats.all_reduce.max,time_stats.all_reduce.mean,time_stats.all_reduce.median,time_stats.all_reduce.std,rank,num_workers,size,collective,devices_per_node,max_devices_per_node\n" +
		"0,0.031,0.077,0.050333333333333334,0.043000000000000003,1.3877787807814457e-17,0,2,2048,all_reduce,2,8\n"
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	if err := WriteCollective(p, append(rows, CollectiveRow{Collective: "send_recv"})); err == nil {
		t.Fatal("mixed collectives written")
	}
}

func TestPyFloat(t *testing.T) {
	for v, want := range map[float64]string{
		4096: "4096.0", 0.1: "0.1", 1e-5: "1e-05", 1.3877787807814457e-17: "1.3877787807814457e-17",
		1e16: "1e+16", 123456789012345.6: "123456789012345.6", 0: "0.0", 0.0001: "0.0001",
	} {
		if got := pyFloat(v); got != want {
			t.Errorf("pyFloat(%v) = %s, want %s", v, got, want)
		}
	}
}

func TestDetectKind(t *testing.T) {
	for text, want := range map[string]string{
		mlpGood: KindMLP, attnGood: KindAttention, collGood: KindAllReduce, sendRecvGood: KindSendRecv, cpuGood: KindCPUOverhead,
	} {
		header := strings.Split(strings.SplitN(text, "\n", 2)[0], ",")
		if got, ok := DetectKind(header); !ok || got != want {
			t.Errorf("DetectKind(%v) = %s, want %s", header[:3], got, want)
		}
	}
	if _, ok := DetectKind([]string{"a", "b"}); ok {
		t.Error("detected a kind in an unrelated header")
	}
}
