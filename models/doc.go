// Package models is the catalog of transformer architectures vidur-go can
// simulate: Vidur's registered models under the same names and values
// (quirks included, since Vidur's profiles are keyed on them), newer ones
// with their Hugging Face values, and any Hugging Face config.json of a
// supported family.
//
// Finding a model:
//
//	c, err := models.Lookup("meta-llama/Llama-3.1-8B") // embedded catalog (data/models)
//	c, err := models.LoadHFConfig("path/to/config.json") // llama, mistral, qwen2, phi, internlm, internlm2
//
// Checking a split: c.Validate(tp, pp) applies Vidur's start-up rules and
// those of real tensor-parallel engines, and says which degrees would work
// (c.ValidTP, c.ValidPP).
//
// Derived quantities, with formulas on each method: ParamCount (full
// model), VidurParamsPerDevice (Vidur's count, for its memory planner and
// MFU — must match Vidur exactly), WeightBytesPerDevice (realistic weight
// memory of the busiest device), KVBytesPerToken, PrefillFLOPs and
// DecodeFLOPsPerToken.
//
// Adding a model needs no code: see docs/adding-a-model.md.
package models
