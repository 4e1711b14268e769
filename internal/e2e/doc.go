// Package e2e holds the cross-binary pipeline test: it drives the three
// commands in process, as a user would from the shell, on one tiny model —
//
//	vidur-profile plan / run --device cpu   (operator sweep with the PyTorch worker)
//	vidur-train fit --device cpu            (random forests from the measured profile)
//	vidur-sim run --artifact ...            (simulate with the trained artifact)
//
// and checks that the pieces join: every simulated request completes, the
// simulator reports measured (not analytical) batch times, and the
// simulated iteration times agree with the per-operator medians the sweep
// measured. It needs a Python that imports torch (CPU torch is enough;
// Debian: apt-get install python3-torch) and is skipped without one.
// docs/profiling.md ("End to end on a CPU") lists the same commands for a
// user to repeat by hand.
//
// The package has no non-test code.
package e2e
