package profiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testClock = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }

// writeTree writes files (path -> content) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestImportTree(t *testing.T) {
	src := writeTree(t, map[string]string{
		"profiling/compute/a100/acme/Tiny-1b/mlp.csv":                 mlpGood,
		"profiling/network/x_dgx/all_reduce.csv":                      collGood,
		"profiling/network/x_dgx/send_recv.csv":                       sendRecvGood,
		"profiling/network/x_pair/attention.csv":                      collGood, // mis-named, as in Vidur's a40 dir
		"profiling/cpu_overhead/x_dgx/acme/Tiny-1b/cpu_overhead.csv":  cpuGood,
		"profiling/compute/a100/acme/Bad-1b/mlp.csv":                  mlpHeader + "1,2\n",
		"profiling/notes.txt":                                         "ignored",
		"profiling/other.csv":                                         "a,b\n",
		"synthetic/profiling/compute/h100/acme/Tiny-1b/attention.csv": attnGood,
	})
	st, err := OpenStore(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	status := func(res []ImportResult) map[string]string {
		m := map[string]string{}
		for _, r := range res {
			rel, _ := filepath.Rel(src, r.Source)
			m[filepath.ToSlash(rel)] = r.Status
		}
		return m
	}
	res, err := st.ImportTree(filepath.Join(src, "profiling"), ImportOptions{Now: testClock})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"profiling/compute/a100/acme/Tiny-1b/mlp.csv":                StatusImported,
		"profiling/compute/a100/acme/Bad-1b/mlp.csv":                 StatusFailed,
		"profiling/network/x_dgx/all_reduce.csv":                     StatusImported,
		"profiling/network/x_dgx/send_recv.csv":                      StatusImported,
		"profiling/network/x_pair/attention.csv":                     StatusSkipped,
		"profiling/cpu_overhead/x_dgx/acme/Tiny-1b/cpu_overhead.csv": StatusImported,
		"profiling/other.csv":                                        StatusSkipped,
	}
	got := status(res)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("results %v", got)
	}
	for _, r := range res {
		if strings.HasSuffix(r.Source, "x_pair/attention.csv") && !strings.Contains(r.Reason, "header is an all_reduce profile") {
			t.Errorf("skip reason %q", r.Reason)
		}
		if r.Status == StatusFailed && (r.Err == nil || !strings.Contains(r.Err.Error(), "Bad-1b/mlp.csv line 2")) {
			t.Errorf("failure %v", r.Err)
		}
	}
	// The failed file left nothing behind.
	if _, err := os.Stat(filepath.Join(st.ComputeDir("a100", "acme/Bad-1b"))); !os.IsNotExist(err) {
		t.Errorf("failed import left %v", err)
	}
	res, _ = st.ImportTree(filepath.Join(src, "synthetic"), ImportOptions{Now: testClock})
	if len(res) != 1 || !res[0].Synthetic || res[0].Status != StatusImported {
		t.Fatalf("synthetic import %+v", res)
	}
	profiles, err := st.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range profiles {
		paths = append(paths, p.Path)
		if !p.Manifest.Created.Equal(testClock()) {
			t.Errorf("%s created %v", p.Path, p.Manifest.Created)
		}
	}
	wantPaths := "compute/a100/acme/Tiny-1b/mlp.csv compute/h100/acme/Tiny-1b/attention.csv cpu_overhead/x_dgx/acme/Tiny-1b/cpu_overheads.csv network/x_dgx/all_reduce.csv network/x_dgx/send_recv.csv"
	if strings.Join(paths, " ") != wantPaths {
		t.Errorf("paths %v", paths)
	}
	// Re-import: unchanged.
	res, _ = st.ImportTree(filepath.Join(src, "profiling", "network"), ImportOptions{})
	for _, r := range res {
		if r.Status != StatusUnchanged && r.Status != StatusSkipped {
			t.Errorf("%s: %s", r.Source, r.Status)
		}
	}
}

func TestImportFileUpdateAndFlags(t *testing.T) {
	src := writeTree(t, map[string]string{"a.csv": collGood, "b/all_reduce.csv.gz": "", "mlp.csv": mlpGood})
	st, _ := OpenStore(t.TempDir())
	// Kind from the header, identity from flags.
	r, err := st.ImportFile(filepath.Join(src, "a.csv"), ImportOptions{Node: "n1"})
	if err != nil || r.Status != StatusImported || r.Kind != KindAllReduce || r.Path != "network/n1/all_reduce.csv" {
		t.Fatalf("%+v %v", r, err)
	}
	// Missing identity.
	_, err = st.ImportFile(filepath.Join(src, "mlp.csv"), ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "pass --sku and --model") {
		t.Fatalf("err %v", err)
	}
	// Bad model name.
	_, err = st.ImportFile(filepath.Join(src, "mlp.csv"), ImportOptions{SKU: "a100", Model: "../x"})
	if err == nil || !strings.Contains(err.Error(), "org/name") {
		t.Fatalf("err %v", err)
	}
	// Different bytes at the same place: updated; the gzip variant replaces the plain one.
	gz := filepath.Join(src, "b", "all_reduce.csv.gz")
	os.WriteFile(gz, gzipBytes(t, []byte(collGood+"2,0.1,0.2,0.15,0.15,0.01,0,2,8192,all_reduce,2,8\n")), 0o644)
	r, err = st.ImportFile(gz, ImportOptions{Node: "n1"})
	if err != nil || r.Status != StatusUpdated || r.Path != "network/n1/all_reduce.csv.gz" || r.Rows != 3 {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := os.Stat(filepath.Join(st.Root, "network/n1/all_reduce.csv")); !os.IsNotExist(err) {
		t.Errorf("plain variant left behind: %v", err)
	}
	r, _ = st.ImportFile(gz, ImportOptions{Node: "n1"})
	if r.Status != StatusUnchanged {
		t.Errorf("re-import %s", r.Status)
	}
	// Same bytes marked synthetic: the manifest changes.
	r, _ = st.ImportFile(gz, ImportOptions{Node: "n1", Synthetic: true})
	if r.Status != StatusUpdated || !r.Synthetic {
		t.Errorf("synthetic re-import %+v", r)
	}
	// A missing file.
	_, err = st.ImportFile(filepath.Join(src, "nope.csv"), ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "nope.csv") {
		t.Errorf("err %v", err)
	}
}

func TestOpenStoreErrors(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := OpenStore(filepath.Join(f, "store")); err == nil || !strings.Contains(err.Error(), "profile store") {
		t.Errorf("store under a file: %v", err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		os.Mkdir(ro, 0o555)
		if _, err := OpenStore(ro); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("read-only store: %v", err)
		}
	}
	if _, err := OpenStoreReadOnly(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("opened a missing store")
	}
}

func TestStoreWriteMeasured(t *testing.T) {
	st, _ := OpenStore(t.TempDir())
	rows, _ := ParseMLP(strings.NewReader(mlpGood), "m")
	p, err := st.WriteMLP("h100", "acme/Tiny-1b", rows, Manifest{Source: "vidur-profile run", Measured: true, Method: "cuda_event",
		Extra: map[string]string{"torch": "2.4"}, Created: testClock()})
	if err != nil {
		t.Fatal(err)
	}
	if p.Path != "compute/h100/acme/Tiny-1b/mlp.csv" || p.Manifest.Rows != 2 || p.Manifest.Kind != KindMLP || p.Manifest.SHA256 != fileSHA(st.Abs(p.Path)) {
		t.Fatalf("%+v", p)
	}
	back, err := ReadMLP(st.Abs(p.Path))
	if err != nil || len(back) != 2 {
		t.Fatal(err)
	}
	// Rows its readers would reject are not stored.
	rows[1].Ops["mlp_up_proj"] = Stats{}
	if _, err := st.WriteMLP("h100", "acme/Tiny-2b", rows, Manifest{}); err == nil || !strings.Contains(err.Error(), "zero time") {
		t.Fatalf("err %v", err)
	}
	coll, _ := ParseCollective(strings.NewReader(sendRecvGood), "c")
	if p, err := st.WriteCollective("x_dgx", coll, Manifest{}); err != nil || p.Path != "network/x_dgx/send_recv.csv" {
		t.Fatalf("%+v %v", p, err)
	}
	attn, _ := ParseAttention(strings.NewReader(attnGood), "a")
	if _, err := st.WriteAttention("h100", "acme/Tiny-1b", attn, Manifest{}); err != nil {
		t.Fatal(err)
	}
	cpu, _ := ParseCPUOverhead(strings.NewReader(cpuGood), "o")
	if _, err := st.WriteCPUOverhead("x_dgx", "acme/Tiny-1b", cpu, Manifest{}); err != nil {
		t.Fatal(err)
	}
	all, err := st.Profiles()
	if err != nil || len(all) != 4 {
		t.Fatalf("%d profiles, %v", len(all), err)
	}
	for _, p := range all {
		if _, err := Summarize(p.Manifest.Kind, st.Abs(p.Path)); err != nil {
			t.Error(err)
		}
	}
}

func TestCountDuplicates(t *testing.T) {
	text := mlpGood + "0.0,0.0,0.0,0.0,0.0,2.0,2.4,2.2,2.2,0.1,8,8,512,2048,1000,True,32,1\n" + // exact copy of row 2
		"0.0,0.0,0.0,0.0,0.0,2.1,2.4,2.2,2.3,0.1,8,8,512,2048,1000,True,32,1\n" // same input, other times
	n, exact, repeated, err := parseForImport(KindMLP, []byte(text), "d.csv")
	if err != nil || n != 4 || exact != 1 || repeated != 1 {
		t.Fatalf("n %d exact %d repeated %d err %v", n, exact, repeated, err)
	}
}
