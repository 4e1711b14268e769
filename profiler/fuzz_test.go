package profiler

import (
	"bytes"
	"testing"
)

// Each fuzz target checks the parser never panics and that a successful
// parse returns at least one row.

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte{})
	f.Add(gzipBytes(f, []byte(mlpGood)))
}

func FuzzParseMLP(f *testing.F) {
	addSeeds(f, mlpGood, sendRecvGood, mlpHeader+"1,2,3\n")
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ParseMLP(bytes.NewReader(b), "fuzz.csv")
		if err == nil && len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
	})
}

func FuzzParseAttention(f *testing.F) {
	addSeeds(f, attnGood, attnHeader+"0.01,0.5,0.0,512,8,8,16,1,4096,1,0,0,True,X\n")
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ParseAttention(bytes.NewReader(b), "fuzz.csv")
		if err == nil && len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
	})
}

func FuzzParseCollective(f *testing.F) {
	addSeeds(f, collGood, sendRecvGood)
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ParseCollective(bytes.NewReader(b), "fuzz.csv")
		if err == nil && len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
	})
}

func FuzzParseCPUOverhead(f *testing.F) {
	addSeeds(f, cpuGood)
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ParseCPUOverhead(bytes.NewReader(b), "fuzz.csv")
		if err == nil && len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
	})
}
