//go:build invariants || race

package invariants

// Enabled reports whether invariant checks are compiled in. They are on under
// the `invariants` build tag and under -race.
const Enabled = true
