// Package invariants gates expensive self-checks (no request lost, KV blocks
// never negative, simulated clock monotone) behind a build tag, in the manner
// of cockroachdb/pebble: they are compiled in with `-tags invariants` or
// `-race` and cost nothing otherwise.
//
//	if invariants.Enabled && blocks < 0 { panic(...) }
package invariants
