package termtable

import (
	"strings"
	"testing"
)

func TestWriteKeepsHeaders(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, []string{"metric (ms)", "p99", "busy %"}, [][]string{{"TTFT", "1.5", "99"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"metric (ms)", "p99", "busy %", "TTFT"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
