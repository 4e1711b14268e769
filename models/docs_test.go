package models

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// catalogTable renders the model catalog as the Markdown table in
// docs/adding-a-model.md.
func catalogTable() string {
	var b strings.Builder
	b.WriteString("| name | family | layers | q heads | kv heads | hidden | MLP | vocab | max pos | params | KV bytes/token (fp16, TP1) |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range All() {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %.2fB | %d |\n",
			c.Name, c.Family, c.NumLayers, c.NumQHeads, c.NumKVHeads, c.EmbeddingDim, c.MLPHiddenDim,
			c.VocabSize, c.MaxPositionEmbeddings, float64(c.ParamCount())/1e9, c.KVBytesPerToken(1, 1, 2))
	}
	return b.String()
}

// TestDocsCatalogTable keeps the table in docs/adding-a-model.md equal to
// the catalog. On failure it prints the table to paste.
func TestDocsCatalogTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/adding-a-model.md")
	if err != nil {
		t.Skip("docs not present:", err)
	}
	if want := catalogTable(); !strings.Contains(string(doc), want) {
		t.Errorf("docs/adding-a-model.md does not contain the current catalog table; replace it with:\n%s", want)
	}
}
