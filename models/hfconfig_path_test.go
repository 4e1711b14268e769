package models

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPathName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Llama-3.2-3B")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "config.json"), "Llama-3.2-3B"},
		{filepath.Join(dir, "tiny.json"), "tiny"},
	}
	for _, tc := range tests {
		if got := pathName(tc.path); got != tc.want {
			t.Errorf("pathName(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
	// A bare "config.json" in the working directory is named after that directory.
	t.Chdir(dir)
	if got := pathName("config.json"); got != "Llama-3.2-3B" {
		t.Errorf(`pathName("config.json") in %s = %q, want "Llama-3.2-3B"`, dir, got)
	}
}
