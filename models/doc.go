// Package models is the catalog of transformer architectures vidur-go can
// simulate: Vidur's registered models under the same names, a few newer
// ones, and any Hugging Face config.json of a supported family. It derives
// the quantities serving depends on: parameter count, weight bytes per
// device for a tensor×pipeline split, KV-cache bytes per token and FLOPs per
// token.
package models
