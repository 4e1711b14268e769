// Package termtable renders the terminal tables of every vidur-go command
// and report in one style (tablewriter's box drawing), with headers printed
// as written: tablewriter's default upper-cases them and splits them at
// digits and symbols ("p99" → "P 99", "busy %" → "BUSY  %").
package termtable

import (
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Write renders header and rows to w.
func Write(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		return err
	}
	return t.Render()
}
