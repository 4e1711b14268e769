package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestMainExitCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
	}{
		{"ok", nil, 0},
		{"failure", errors.New("bad file"), 1},
		{"usage", Usagef("need an argument"), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return tc.err }}
			var out, errb bytes.Buffer
			if got := Main(context.Background(), root, nil, &out, &errb); got != tc.code {
				t.Fatalf("code %d, want %d", got, tc.code)
			}
			if tc.err != nil && !strings.Contains(errb.String(), "x: "+tc.err.Error()) {
				t.Fatalf("stderr %q", errb.String())
			}
		})
	}
}

func TestTable(t *testing.T) {
	var b bytes.Buffer
	if err := Table(&b, []string{"a", "b"}, [][]string{{"1", "2"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "1") || !strings.Contains(strings.ToUpper(b.String()), "A") {
		t.Fatalf("table: %q", b.String())
	}
}

func TestDefaultStoreEnv(t *testing.T) {
	t.Setenv(StoreEnv, "/tmp/somewhere")
	if s, _ := DefaultStore(); s != "/tmp/somewhere" {
		t.Fatal(s)
	}
}
