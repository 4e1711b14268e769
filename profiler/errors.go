package profiler

import (
	"errors"
	"fmt"
	"strings"
)

// ParseError is a data problem in a profile CSV. Line is the 1-based line
// of the file (0 when the problem concerns the whole file) and Column the
// header name of the offending column ("" when none applies).
type ParseError struct {
	File   string
	Line   int
	Column string
	Err    error
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column != "":
		return fmt.Sprintf("read %s line %d: column %q: %v", e.File, e.Line, e.Column, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("read %s line %d: %v", e.File, e.Line, e.Err)
	case e.Column != "":
		return fmt.Sprintf("read %s: column %q: %v", e.File, e.Column, e.Err)
	default:
		return fmt.Sprintf("read %s: %v", e.File, e.Err)
	}
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrEmpty reports a profile with no data rows (zero bytes or a header only).
var ErrEmpty = errors.New("no data rows")

// WrongKindError reports a file whose header belongs to another profile
// kind than the one asked for, e.g. a send_recv.csv read as mlp.csv.
type WrongKindError struct {
	Want, Got string
}

func (e *WrongKindError) Error() string {
	return fmt.Sprintf("this is not %s profile: its header looks like %s profile", article(e.Want), article(e.Got))
}

// article prefixes a kind name with "a" or "an".
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) || kind == KindMLP {
		return "an " + kind
	}
	return "a " + kind
}
