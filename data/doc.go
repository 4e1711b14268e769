// Package data embeds vidur-go's own data files: the model catalog
// (models/*.json), the hardware catalog (hardware/*.json) and the default
// artifacts the simulator runs on out of the box (artifacts/). Third-party
// data (Vidur's profiles and traces) is never embedded; tests read it through
// the VIDUR_DATA environment variable.
package data

import "embed"

// FS holds the embedded data files, rooted at this directory.
//
//go:embed models hardware calibration
var FS embed.FS
