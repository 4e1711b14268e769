// Package gpu detects the NVIDIA GPUs of this machine through NVML and maps
// each to a hardware-catalog SKU (SKUFor, by the nvml_words of
// data/hardware/devices.json; see docs/hardware.md).
//
// The real backend (nvml.go) needs cgo on Linux; other builds get a backend
// that answers "NVML unavailable: built without cgo". When the NVML library
// or driver is missing, Detect returns an *UnavailableError ("no NVIDIA GPU
// found (NVML: library not found)"): not having a GPU is an answer, not a
// failure. Tests drive the NVML backend with go-nvml's mocks.
package gpu
