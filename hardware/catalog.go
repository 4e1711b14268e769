package hardware

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/vidur-go/vidur-go/data"
)

// Catalog files inside data.FS.
const (
	devicesFile = "hardware/devices.json"
	nodesFile   = "hardware/nodes.json"
)

// Catalog is a set of device and node SKUs, keyed by name.
type Catalog struct {
	devices map[string]Device
	nodes   map[string]Node
	// nvmlWords maps an NVML name word to the device claiming it.
	nvmlWords map[string]string
}

var (
	embeddedOnce sync.Once
	embedded     *Catalog
	embeddedErr  error
)

// Embedded returns the catalog compiled into the binary (data/hardware),
// decoded once.
func Embedded() (*Catalog, error) {
	embeddedOnce.Do(func() { embedded, embeddedErr = LoadCatalog(data.FS, devicesFile, nodesFile) })
	return embedded, embeddedErr
}

// LoadCatalog decodes a devices file and a nodes file from fsys (each a JSON
// array of Device or Node objects; unknown keys, missing keys and trailing
// data are errors naming the file, entry and key), validates every entry,
// rejects duplicate names and NVML words claimed by two devices, and checks
// that every node names a catalog device.
func LoadCatalog(fsys fs.FS, devicesPath, nodesPath string) (*Catalog, error) {
	var devs []Device
	if err := decodeStrict(fsys, devicesPath, deviceKeys, &devs); err != nil {
		return nil, err
	}
	var nodes []Node
	if err := decodeStrict(fsys, nodesPath, nodeKeys, &nodes); err != nil {
		return nil, err
	}
	c := &Catalog{devices: make(map[string]Device), nodes: make(map[string]Node), nvmlWords: make(map[string]string)}
	for i, d := range devs {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("hardware catalog %s entry %d: %w", devicesPath, i, err)
		}
		if _, dup := c.devices[d.Name]; dup {
			return nil, fmt.Errorf("hardware catalog %s entry %d: duplicate device %q", devicesPath, i, d.Name)
		}
		for _, w := range d.NVMLWords {
			if other, dup := c.nvmlWords[w]; dup {
				return nil, fmt.Errorf("hardware catalog %s entry %d: device %q: key \"nvml_words\": %q is already a word of device %q",
					devicesPath, i, d.Name, w, other)
			}
			c.nvmlWords[w] = d.Name
		}
		c.devices[d.Name] = d
	}
	for i, n := range nodes {
		if err := n.Validate(); err != nil {
			return nil, fmt.Errorf("hardware catalog %s entry %d: %w", nodesPath, i, err)
		}
		if _, ok := c.devices[n.Device]; !ok {
			return nil, fmt.Errorf("hardware catalog %s entry %d: node %q: key \"device\": %q is not a catalog device (known: %s)",
				nodesPath, i, n.Name, n.Device, strings.Join(sortedNames(c.devices), ", "))
		}
		if _, dup := c.nodes[n.Name]; dup {
			return nil, fmt.Errorf("hardware catalog %s entry %d: duplicate node %q", nodesPath, i, n.Name)
		}
		c.nodes[n.Name] = n
	}
	return c, nil
}

// Keys every catalog entry must have (omitempty fields may be absent).
var (
	deviceKeys = []string{"name", "description", "memory_gb", "fp16_tflops", "memory_bandwidth_gbps", "price_per_hour", "sources"}
	nodeKeys   = []string{"name", "device", "devices_per_node", "interconnect", "interconnect_gbps", "inter_node_gbps", "sources"}
)

// decodeStrict decodes a JSON array file into out, rejecting unknown keys,
// entries missing one of required, and trailing data.
func decodeStrict(fsys fs.FS, file string, required []string, out any) error {
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return fmt.Errorf("hardware catalog: %w", err)
	}
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return fmt.Errorf("hardware catalog %s: want a JSON array of objects: %w", file, err)
	}
	for i, e := range entries {
		for _, k := range required {
			if _, ok := e[k]; !ok {
				return fmt.Errorf("hardware catalog %s entry %d: missing key %q", file, i, k)
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("hardware catalog %s: %w", file, err)
	}
	return nil
}

// Validate checks a device's figures: a name, positive finite memory,
// throughput and bandwidth, a non-negative price, optional Vidur figures
// non-negative, NVML words of lower-case letters and digits, and at least
// one source.
func (d Device) Validate() error {
	var errs []error
	if d.Name == "" {
		errs = append(errs, errors.New("name: must not be empty"))
	}
	for _, f := range []struct {
		key    string
		v      float64
		allow0 bool
	}{
		{"memory_gb", d.MemoryGB, false}, {"fp16_tflops", d.FP16TFLOPS, false},
		{"memory_bandwidth_gbps", d.MemoryBandwidthGBps, false}, {"price_per_hour", d.PricePerHour, true},
		{"vidur_fp16_tflops", d.VidurFP16TFLOPS, true}, {"vidur_memory_gb", d.VidurMemoryGB, true},
	} {
		if bad(f.v, f.allow0) {
			errs = append(errs, fmt.Errorf("%s: must be %s, got %v", f.key, want(f.allow0), f.v))
		}
	}
	for _, w := range d.NVMLWords {
		if w == "" || len(nvmlNameWords(w)) != 1 || nvmlNameWords(w)[0] != w {
			errs = append(errs, fmt.Errorf("nvml_words: %q must be one word of lower-case letters and digits, e.g. \"a100\"", w))
		}
	}
	if len(d.Sources) == 0 {
		errs = append(errs, errors.New("sources: cite where the figures come from"))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("device %q: %w", d.Name, errors.Join(errs...))
}

// Validate checks a node's own fields: a name, a device name, at least one
// device, a positive intra-node and a non-negative inter-node bandwidth
// (0 = unknown), and at least one source. Whether the device exists is
// checked by the catalog.
func (n Node) Validate() error {
	var errs []error
	if n.Name == "" {
		errs = append(errs, errors.New("name: must not be empty"))
	}
	if n.Device == "" {
		errs = append(errs, errors.New("device: must name a device SKU"))
	}
	if n.DevicesPerNode < 1 {
		errs = append(errs, fmt.Errorf("devices_per_node: must be ≥ 1, got %d", n.DevicesPerNode))
	}
	if bad(n.InterconnectGBps, false) {
		errs = append(errs, fmt.Errorf("interconnect_gbps: must be %s, got %v", want(false), n.InterconnectGBps))
	}
	if bad(n.InterNodeGBps, true) {
		errs = append(errs, fmt.Errorf("inter_node_gbps: must be %s, got %v", want(true), n.InterNodeGBps))
	}
	if len(n.Sources) == 0 {
		errs = append(errs, errors.New("sources: cite where the figures come from"))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("node %q: %w", n.Name, errors.Join(errs...))
}

// ValidateWorld checks Vidur's placement rule for a replica of tp·pp
// devices on this node type (spec §1.11): a replica either fits inside one
// node (W ≤ D) or spans whole nodes (W % D == 0), where W = tp·pp and
// D = DevicesPerNode. tp and pp must be ≥ 1.
func (n Node) ValidateWorld(tp, pp int) error {
	if tp < 1 || pp < 1 {
		return fmt.Errorf("node %s: TP %d, PP %d: both must be ≥ 1", n.Name, tp, pp)
	}
	w, d := tp*pp, n.DevicesPerNode
	if w <= d || w%d == 0 {
		return nil
	}
	return fmt.Errorf("node %s: a replica of TP %d × PP %d = %d devices neither fits in one node of %d nor fills whole nodes (use a multiple of %d, or at most %d)",
		n.Name, tp, pp, w, d, d, d)
}

// IsMultiNode reports whether a replica of tp·pp devices spans more than
// one node (Vidur: W > D), so its pipeline hops cross the network.
func (n Node) IsMultiNode(tp, pp int) bool { return tp*pp > n.DevicesPerNode }

func bad(v float64, allow0 bool) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return true
	}
	return v == 0 && !allow0
}

func want(allow0 bool) string {
	if allow0 {
		return "a finite number ≥ 0"
	}
	return "a finite number > 0"
}

// Device returns the device SKU with this name; unknown names are an error
// listing the known ones.
func (c *Catalog) Device(name string) (Device, error) {
	if d, ok := c.devices[name]; ok {
		return d.clone(), nil
	}
	return Device{}, fmt.Errorf("unknown device %q%s; known devices: %s",
		name, caseHint(name, c.devices), strings.Join(sortedNames(c.devices), ", "))
}

// Node returns the node SKU with this name; unknown names are an error
// listing the known ones.
func (c *Catalog) Node(name string) (Node, error) {
	if n, ok := c.nodes[name]; ok {
		return n.clone(), nil
	}
	return Node{}, fmt.Errorf("unknown node %q%s; known nodes: %s",
		name, caseHint(name, c.nodes), strings.Join(sortedNames(c.nodes), ", "))
}

// Devices returns every device sorted by name.
func (c *Catalog) Devices() []Device { return sortedValues(c.devices, Device.clone) }

// Nodes returns every node sorted by name.
func (c *Catalog) Nodes() []Node { return sortedValues(c.nodes, Node.clone) }

// clone copies d so that callers cannot modify the catalog's slices.
func (d Device) clone() Device {
	d.Sources, d.NVMLWords = slices.Clone(d.Sources), slices.Clone(d.NVMLWords)
	return d
}

// DeviceForNVMLName returns the device whose NVMLWords claim a word of
// name, the device name NVML reports ("NVIDIA H100 80GB HBM3" → h100). The
// words of name are its maximal runs of letters and digits, lower-cased;
// the first word, left to right, that a device claims decides. false when
// no word is claimed (an unknown GPU, or a near miss such as "NVIDIA L40"
// for l40s).
func (c *Catalog) DeviceForNVMLName(name string) (Device, bool) {
	for _, w := range nvmlNameWords(name) {
		if dev, ok := c.nvmlWords[w]; ok {
			return c.devices[dev].clone(), true
		}
	}
	return Device{}, false
}

// nvmlNameWords splits s into lower-case runs of ASCII letters and digits.
func nvmlNameWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// clone copies n so that callers cannot modify the catalog's Sources.
func (n Node) clone() Node { n.Sources = slices.Clone(n.Sources); return n }

// LookupDevice returns the embedded catalog's device SKU with this name
// ("a100", "h100", "a40", "h200", "l40s", "b200").
func LookupDevice(name string) (Device, error) {
	c, err := Embedded()
	if err != nil {
		return Device{}, err
	}
	return c.Device(name)
}

// LookupNode returns the embedded catalog's node SKU with this name, e.g.
// "h100_dgx"; its Device names an entry of the device catalog.
func LookupNode(name string) (Node, error) {
	c, err := Embedded()
	if err != nil {
		return Node{}, err
	}
	return c.Node(name)
}

// Devices returns the embedded device SKUs sorted by name (nil if the
// embedded catalog is broken; LookupDevice reports why).
func Devices() []Device {
	c, err := Embedded()
	if err != nil {
		return nil
	}
	return c.Devices()
}

// DeviceForNVMLName maps an NVML device name to the embedded catalog's
// device SKU by its nvml_words (see Catalog.DeviceForNVMLName); false when
// none matches or the embedded catalog is broken.
func DeviceForNVMLName(name string) (Device, bool) {
	c, err := Embedded()
	if err != nil {
		return Device{}, false
	}
	return c.DeviceForNVMLName(name)
}

// Nodes returns the embedded node SKUs sorted by name (nil if the embedded
// catalog is broken; LookupNode reports why).
func Nodes() []Node {
	c, err := Embedded()
	if err != nil {
		return nil
	}
	return c.Nodes()
}

// caseHint suggests the right spelling when name differs only in case or
// in '-' versus '_' ("H100" → "h100", "h100-dgx" → "h100_dgx").
func caseHint[T any](name string, m map[string]T) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	for _, k := range sortedNames(m) {
		if norm(k) == norm(name) {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
	}
	return ""
}

func sortedNames[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedValues[T any](m map[string]T, clone func(T) T) []T {
	out := make([]T, 0, len(m))
	for _, k := range sortedNames(m) {
		out = append(out, clone(m[k]))
	}
	return out
}
