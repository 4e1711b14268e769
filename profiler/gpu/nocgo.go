//go:build !(linux && cgo)

package gpu

// Default returns the detector of this build: without cgo on Linux there is
// no NVML binding, so it always answers that NVML is unavailable.
func Default() Detector { return noNVML{} }

type noNVML struct{}

func (noNVML) Detect() ([]Device, error) {
	return nil, &UnavailableError{Reason: "NVML unavailable: built without cgo"}
}
