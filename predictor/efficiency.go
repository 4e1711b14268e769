package predictor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/vidur-go/vidur-go/data"
	"github.com/vidur-go/vidur-go/hardware"
	"github.com/vidur-go/vidur-go/internal/atomicfile"
	"github.com/vidur-go/vidur-go/models"
)

// CalibrationFile is the JSON form of calibrated efficiency factors: the
// embedded data/calibration/efficiency.json and what `vidur-train calibrate
// -o` writes.
type CalibrationFile struct {
	// Command reproduces the file.
	Command string `json:"command"`
	// Devices maps a device SKU to its factors.
	Devices map[string]DeviceCalibration `json:"devices"`
}

// DeviceCalibration is one device's calibrated factors with the number of
// rows per operator class and the profiles they came from.
type DeviceCalibration struct {
	Efficiency Efficiency     `json:"efficiency"`
	Rows       map[string]int `json:"rows"`
	Sources    []string       `json:"sources"`
}

// EmbeddedCalibrationPath is the embedded file's path inside data.FS.
const EmbeddedCalibrationPath = "calibration/efficiency.json"

// ReadCalibration parses a calibration file; name is used in messages.
func ReadCalibration(name string, b []byte) (*CalibrationFile, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c CalibrationFile
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("read calibration %s: %w", name, err)
	}
	if len(c.Devices) == 0 {
		return nil, fmt.Errorf("read calibration %s: no devices", name)
	}
	for _, d := range sortedKeys(c.Devices) {
		if err := c.Devices[d].Efficiency.Validate(); err != nil {
			return nil, fmt.Errorf("read calibration %s: device %s: %w", name, d, err)
		}
	}
	return &c, nil
}

// LoadCalibration reads a calibration file from disk.
func LoadCalibration(path string) (*CalibrationFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read calibration: %w", err)
	}
	return ReadCalibration(path, b)
}

// Save writes the calibration file atomically (indented JSON, sorted keys).
func (c *CalibrationFile) Save(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

var embedded = sync.OnceValues(func() (*CalibrationFile, error) {
	b, err := fs.ReadFile(data.FS, EmbeddedCalibrationPath)
	if err != nil {
		return nil, fmt.Errorf("embedded calibration: %w", err)
	}
	return ReadCalibration("embedded "+EmbeddedCalibrationPath, b)
})

// EmbeddedCalibration returns the shipped calibration.
func EmbeddedCalibration() (*CalibrationFile, error) { return embedded() }

// Efficiency returns the factors for device and a description of where they
// come from: the device's own calibration, or — for a device not in the
// file — the mean of every calibrated device's factors.
func (c *CalibrationFile) Efficiency(device, name string) (Efficiency, string) {
	if d, ok := c.Devices[device]; ok {
		return d.Efficiency, fmt.Sprintf("%s calibration of %s", name, device)
	}
	names := sortedKeys(c.Devices)
	var m Efficiency
	n := float64(len(names))
	for _, k := range names {
		e := c.Devices[k].Efficiency
		m.GEMMCompute += e.GEMMCompute / n
		m.GEMMMemory += e.GEMMMemory / n
		m.GEMMLaunchMs += e.GEMMLaunchMs / n
		m.ElementwiseMemory += e.ElementwiseMemory / n
		m.ElementwiseLaunchMs += e.ElementwiseLaunchMs / n
		m.AttentionCompute += e.AttentionCompute / n
		m.AttentionMemory += e.AttentionMemory / n
		m.AttentionLaunchMs += e.AttentionLaunchMs / n
		m.Network += e.Network / n
		m.NetworkLatencyMs += e.NetworkLatencyMs / n
	}
	// Per-op factors of operators every device has; per-node factors
	// belong to other devices' nodes and are not carried over.
	first := c.Devices[names[0]].Efficiency.PerOp
	for _, op := range sortedKeys(first) {
		var f KernelFactor
		all := true
		for _, k := range names {
			o, ok := c.Devices[k].Efficiency.PerOp[op]
			if !ok {
				all = false
				break
			}
			f.Memory += o.Memory / n
			f.LaunchMs += o.LaunchMs / n
		}
		if all {
			if m.PerOp == nil {
				m.PerOp = map[string]KernelFactor{}
			}
			m.PerOp[op] = f
		}
	}
	return m, fmt.Sprintf("%s: %s is not calibrated; mean of the %s calibrations", name, device, strings.Join(names, ", "))
}

// StartEfficiency is where Calibrate starts: a neutral guess (half of every
// peak, 10 µs overheads) that a class without profile rows keeps.
func StartEfficiency() Efficiency {
	return Efficiency{GEMMCompute: 0.5, GEMMMemory: 0.5, GEMMLaunchMs: 0.01, ElementwiseMemory: 0.5, ElementwiseLaunchMs: 0.01,
		AttentionCompute: 0.5, AttentionMemory: 0.5, AttentionLaunchMs: 0.01, Network: 0.5, NetworkLatencyMs: 0.01}
}

// DefaultEfficiency returns the shipped factors for device (see
// CalibrationFile.Efficiency) and their source.
func DefaultEfficiency(device string) (Efficiency, string, error) {
	c, err := EmbeddedCalibration()
	if err != nil {
		return Efficiency{}, "", err
	}
	e, src := c.Efficiency(device, "embedded")
	return e, src, nil
}

// DefaultAnalytical builds, in process, the analytical artifact of a catalog
// model on a catalog device and node at tensor parallelism tp with the
// shipped efficiency factors, on Vidur's default grid. It is what vidur-sim
// runs on when no trained artifact is given; it takes a few tens of ms.
func DefaultAnalytical(modelName, device, node string, tp int) (*Artifact, error) {
	m, err := models.Lookup(modelName)
	if err != nil {
		return nil, err
	}
	dev, err := hardware.LookupDevice(device)
	if err != nil {
		return nil, err
	}
	nd, err := hardware.LookupNode(node)
	if err != nil {
		return nil, err
	}
	eff, src, err := DefaultEfficiency(device)
	if err != nil {
		return nil, err
	}
	a, err := Analytical(m, dev, nd, tp, eff)
	if err != nil {
		return nil, err
	}
	a.Header.Notes[0] = analyticalNote(eff, src)
	return a, nil
}
