package models

// Config describes a decoder-only transformer as far as serving performance
// is concerned. Field names follow Vidur's model configs (spec §1.9); the
// JSON tags are the keys of the embedded catalog files under data/models.
type Config struct {
	// Name is the catalog key, e.g. "meta-llama/Meta-Llama-3-8B".
	Name string `json:"name"`
	// Family is the Hugging Face model_type this config came from
	// ("llama", "mistral", "qwen2", "phi", "internlm", ...).
	Family                string  `json:"family"`
	NumLayers             int     `json:"num_layers"`
	NumQHeads             int     `json:"num_q_heads"`
	NumKVHeads            int     `json:"num_kv_heads"`
	EmbeddingDim          int     `json:"embedding_dim"`
	MLPHiddenDim          int     `json:"mlp_hidden_dim"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	UseGatedMLP           bool    `json:"use_gated_mlp"`
	UseBias               bool    `json:"use_bias"`
	UseQKVBias            bool    `json:"use_qkv_bias"`
	Activation            string  `json:"activation"` // "silu" or "gelu"
	Norm                  string  `json:"norm"`       // "rms_norm" or "layer_norm"
	PostAttnNorm          bool    `json:"post_attn_norm"`
	VocabSize             int     `json:"vocab_size"`
	RopeTheta             float64 `json:"rope_theta"`
	PartialRotaryFactor   float64 `json:"partial_rotary_factor"`
	NoTensorParallel      bool    `json:"no_tensor_parallel"`
	// TieWordEmbeddings is true when the LM head shares the embedding matrix
	// (affects the parameter count only).
	TieWordEmbeddings bool `json:"tie_word_embeddings"`
	// Source says where the figures come from (a Hugging Face config URL or
	// "Vidur model registry").
	Source string `json:"source,omitempty"`
}

// HeadDim is EmbeddingDim / NumQHeads.
func (c *Config) HeadDim() int { return c.EmbeddingDim / c.NumQHeads }

// IsGQA reports whether the model shares KV heads across query heads
// (NumQHeads > NumKVHeads); Vidur applies its attention batching overhead
// fractions only to such models (spec §8.2).
func (c *Config) IsGQA() bool { return c.NumQHeads > c.NumKVHeads }
