package rng

import (
	"fmt"
	"math"
	"testing"
)

// The check values in spec §15.1/§15.2.
func TestSpecVectors(t *testing.T) {
	t.Run("python random seed 42", func(t *testing.T) {
		p := NewPython(42)
		for i, want := range []float64{0.6394267984578837, 0.025010755222666936, 0.27502931836911926} {
			if got := p.Random(); got != want {
				t.Errorf("draw %d: got %v, want %v", i, got, want)
			}
		}
	})
	t.Run("python randint(1,4)-1 seed 42", func(t *testing.T) {
		p := NewPython(42)
		for i, want := range []int{0, 0, 2, 1, 1, 1, 0, 0} {
			if got := p.RandInt(1, 4) - 1; got != want {
				t.Errorf("draw %d: got %d, want %d", i, got, want)
			}
		}
	})
	t.Run("numpy random_sample seed 42", func(t *testing.T) {
		n := NewNumPy(42)
		for i, want := range []float64{0.3745401188473625, 0.9507143064099162, 0.7319939418114051} {
			if got := n.RandomSample(); got != want {
				t.Errorf("draw %d: got %v, want %v", i, got, want)
			}
		}
	})
}

// The reference MT19937 (mt19937ar.c) test output: init_by_array
// {0x123, 0x234, 0x345, 0x456}, first genrand_int32 outputs.
func TestMT19937Reference(t *testing.T) {
	var m mt19937
	m.initByArray([]uint32{0x123, 0x234, 0x345, 0x456})
	for i, want := range []uint32{1067595299, 955945823, 477289528, 4107218783, 4228976476} {
		if got := m.uint32(); got != want {
			t.Fatalf("output %d: got %d, want %d", i, got, want)
		}
	}
}

func TestCopySnapshotsStream(t *testing.T) {
	p := NewPython(3)
	p.Random()
	snap := *p
	a, b := p.Random(), snap.Random()
	if a != b {
		t.Fatalf("copy diverged: %v vs %v", a, b)
	}
	n := NewNumPy(3)
	n.Gauss() // leaves a cached Gaussian
	ns := *n
	if x, y := n.Gauss(), ns.Gauss(); x != y {
		t.Fatalf("numpy copy diverged: %v vs %v", x, y)
	}
}

func TestPanicsOnProgrammerErrors(t *testing.T) {
	cases := map[string]func(){
		"RandBelow(0)":          func() { NewPython(1).RandBelow(0) },
		"RandInt(2,1)":          func() { NewPython(1).RandInt(2, 1) },
		"GetRandBits(65)":       func() { NewPython(1).GetRandBits(65) },
		"StandardGamma(-1)":     func() { NewNumPy(1).StandardGamma(-1) },
		"Permutation(-1)":       func() { NewNumPy(1).Permutation(-1) },
		"NumPy RandInt(1,1)":    func() { NewNumPy(1).RandInt(1, 1) },
		"StandardGamma(NaN)":    func() { NewNumPy(1).StandardGamma(math.NaN()) },
		"GetRandBits(negative)": func() { NewPython(1).GetRandBits(-1) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		})
	}
}

func TestPermutationIsPermutation(t *testing.T) {
	n := NewNumPy(11)
	p := n.Permutation(1000)
	seen := make([]bool, len(p))
	for _, v := range p {
		if v < 0 || v >= len(p) || seen[v] {
			t.Fatalf("not a permutation: value %d", v)
		}
		seen[v] = true
	}
}

func TestDrawsDoNotAllocate(t *testing.T) {
	p := NewPython(1)
	n := NewNumPy(1)
	allocs := testing.AllocsPerRun(100, func() {
		p.Random()
		p.RandInt(1, 7)
		p.GetRandBits(48)
		p.Uniform(1, 2)
		n.RandomSample()
		n.StandardGamma(4)
		n.StandardGamma(0.3)
		n.Gauss()
		n.RandInt(0, 1000)
	})
	if allocs != 0 {
		t.Fatalf("draws allocate: %v allocs per run", allocs)
	}
}

func BenchmarkPythonRandom(b *testing.B) {
	p := NewPython(42)
	b.ReportAllocs()
	var s float64
	for i := 0; i < b.N; i++ {
		s += p.Random()
	}
	_ = s
}

func BenchmarkNumPyStandardGamma(b *testing.B) {
	n := NewNumPy(42)
	b.ReportAllocs()
	var s float64
	for i := 0; i < b.N; i++ {
		s += n.StandardGamma(4)
	}
	_ = s
}

func ExamplePython() {
	py := NewPython(42)
	fmt.Println(py.Random())
	fmt.Println(py.RandInt(1, 4) - 1) // random global scheduler over 4 replicas
	// Output:
	// 0.6394267984578837
	// 0
}

func ExampleNumPy_Permutation() {
	np := NewNumPy(42)
	fmt.Println(np.Permutation(10))
	// Output:
	// [8 1 5 0 7 2 9 4 3 6]
}

func BenchmarkLog(b *testing.B) {
	var s float64
	for i := 0; i < b.N; i++ {
		s += Log(0.25 + float64(i&1023)/1024)
	}
	_ = s
}
