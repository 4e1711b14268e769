package sim

import (
	"slices"
	"testing"
)

func TestPySetOrder(t *testing.T) {
	tests := []struct{ in, want []int32 }{
		{[]int32{3, 1, 2}, []int32{1, 2, 3}},
		{[]int32{7, 8}, []int32{8, 7}},
		{[]int32{8, 7}, []int32{8, 7}},
		{[]int32{0, 16, 8}, []int32{0, 16, 8}},
		{[]int32{16, 0}, []int32{16, 0}},
		// Five ids trigger a resize to 32 slots: ascending again.
		{[]int32{9, 1, 4, 30, 2}, []int32{1, 2, 4, 9, 30}},
		{[]int32{33, 1}, []int32{33, 1}},
	}
	for _, tc := range tests {
		got := slices.Clone(tc.in)
		pySetOrder(got, nil)
		if !slices.Equal(got, tc.want) {
			t.Errorf("set(%v) iterates %v, want %v", tc.in, got, tc.want)
		}
	}
}
