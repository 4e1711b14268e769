//go:build !unix

package search

import "os"

// lockResults is a no-op where advisory file locks are unavailable.
func lockResults(*os.File) error { return nil }
