package models

import "fmt"

// Derived quantities. Notation used in the formulas below (all integers):
//
//	E  = embedding_dim          F  = mlp_hidden_dim     L = num_layers
//	qh = num_q_heads            kv = num_kv_heads       V = vocab_size
//	hd = E / qh (head dimension)
//	m  = 3 for a gated MLP (gate, up, down projections), 2 otherwise (up, down)
//	ceil(a/b) is integer division rounded up.
//
// Functions taking tp and pp expect c.Validate(tp, pp) == nil; they panic if
// tp < 1 or pp < 1 (a programmer error), and otherwise round up where a
// split would be uneven, so the result is the heaviest device's share.

// normParams is the number of parameters of one normalisation layer: E for
// RMSNorm (weight), 2E for LayerNorm (weight and bias).
func (c *Config) normParams() int64 {
	if c.Norm == "layer_norm" {
		return 2 * int64(c.EmbeddingDim)
	}
	return int64(c.EmbeddingDim)
}

// mlpFactor is m: the number of E×F matrices in one MLP block.
func (c *Config) mlpFactor() int64 {
	if c.UseGatedMLP {
		return 3
	}
	return 2
}

// layerParams is the parameter count of one transformer layer whose
// attention has q query heads and k KV heads and whose MLP has hidden size
// f, as held by one device of a tensor-parallel group: q, k, v, o
// projections (E·hd·(2q + 2k)), q/k/v biases ((q+2k)·hd) when UseQKVBias or
// UseBias, the o bias (E, replicated) when UseBias, the MLP (m·E·f), MLP
// biases ((m−1)·f + E) when UseBias, and the norms (replicated): two per
// layer with PostAttnNorm, one otherwise (phi's parallel attention+MLP).
func (c *Config) layerParams(q, k, f int64) int64 {
	e, hd := int64(c.EmbeddingDim), int64(c.HeadDim())
	p := e*hd*(2*q+2*k) + c.mlpFactor()*e*f
	if c.UseQKVBias || c.UseBias {
		p += (q + 2*k) * hd
	}
	if c.UseBias {
		p += e + (c.mlpFactor()-1)*f + e
	}
	norms := int64(1)
	if c.PostAttnNorm {
		norms = 2
	}
	return p + norms*c.normParams()
}

// lmHeadParams is the parameter count of an LM head with v output rows:
// v·E weights plus v biases when UseBias (phi-2 has an LM-head bias).
func (c *Config) lmHeadParams(v int64) int64 {
	p := v * int64(c.EmbeddingDim)
	if c.UseBias {
		p += v
	}
	return p
}

// ParamCount is the total number of parameters of the full model:
//
//	V·E (token embedding)
//	+ L · layer, layer = E·hd·(2qh + 2kv) + m·E·F + biases + norms
//	+ final norm (E for RMSNorm, 2E for LayerNorm)
//	+ LM head V·E (+V bias with UseBias), unless TieWordEmbeddings.
//
// Biases: (qh+2kv)·hd on q/k/v with UseQKVBias or UseBias; with UseBias also
// E on o, (m−1)·F + E on the MLP. Rotary embeddings have no parameters.
// Llama-2-7B counts 6,738,415,616 with its real vocabulary of 32000.
func (c *Config) ParamCount() int64 {
	v := int64(c.VocabSize)
	n := v*int64(c.EmbeddingDim) +
		int64(c.NumLayers)*c.layerParams(int64(c.NumQHeads), int64(c.NumKVHeads), int64(c.MLPHiddenDim)) +
		c.normParams()
	if !c.TieWordEmbeddings {
		n += c.lmHeadParams(v)
	}
	return n
}

// VidurParamsPerDevice is Vidur's parameter count per device (spec §7),
// which its memory planner and MFU use; it must match Vidur exactly:
//
//	qh' = qh / tp (floor), kv' = ceil(kv / tp)
//	per layer = E·hd·(qh' + 2·kv') + E·hd·qh' + (m·E·F) / tp (floor)
//	total     = per layer × (L / pp) (floor)
//
// Embeddings, LM head, norms and biases are ignored, as in Vidur.
// Llama-2-7b at tp 1, pp 1 gives 6,476,005,376.
func (c *Config) VidurParamsPerDevice(tp, pp int) int64 {
	mustSplit(tp, pp)
	e, hd := int64(c.EmbeddingDim), int64(c.HeadDim())
	qh := int64(c.NumQHeads / tp)
	kvh := int64(ceilDiv(c.NumKVHeads, tp))
	perLayer := e*hd*(qh+2*kvh) + e*hd*qh + c.mlpFactor()*e*int64(c.MLPHiddenDim)/int64(tp)
	return perLayer * int64(c.NumLayers/pp)
}

// WeightBytesPerDevice is the weight memory, in bytes, of the most loaded
// device when the model is split tp-way tensor parallel (Megatron style)
// and pp-way pipeline parallel, with bytesPerParam bytes per parameter
// (2 for fp16/bf16). Unlike VidurParamsPerDevice it counts everything:
//
//	layer share = layerParams(ceil(qh/tp), ceil(kv/tp), ceil(F/tp))
//	              (column-parallel q/k/v, gate/up and their biases are
//	              split; row-parallel o/down biases and norms replicated)
//	stage 0     += ceil(V/tp)·E (vocabulary-parallel embedding)
//	last stage  += ceil(V/tp)·E (+ceil(V/tp) bias) LM head + final norm;
//	              with tied embeddings and pp = 1 the head is not counted
//	              twice, with pp > 1 the last stage holds its own copy.
//	result      = bytesPerParam · (ceil(L/pp)·layer share + heavier of
//	              the first and last stage extras)
func (c *Config) WeightBytesPerDevice(tp, pp, bytesPerParam int) int64 {
	mustSplit(tp, pp)
	if bytesPerParam < 1 {
		panic(fmt.Sprintf("models: WeightBytesPerDevice: bytesPerParam %d < 1", bytesPerParam))
	}
	layer := c.layerParams(int64(ceilDiv(c.NumQHeads, tp)), int64(ceilDiv(c.NumKVHeads, tp)),
		int64(ceilDiv(c.MLPHiddenDim, tp)))
	vShard := int64(ceilDiv(c.VocabSize, tp))
	embed := vShard * int64(c.EmbeddingDim)
	head := c.lmHeadParams(vShard) + c.normParams()
	if c.TieWordEmbeddings && pp == 1 {
		head = c.normParams()
		if c.UseBias {
			head += vShard
		}
	}
	extras := embed + head
	if pp > 1 {
		extras = max(embed, head)
	}
	return int64(bytesPerParam) * (int64(ceilDiv(c.NumLayers, pp))*layer + extras)
}

// KVBytesPerToken is the KV-cache memory, in bytes, one token occupies on
// one device: keys and values (2) for ceil(kv/tp) KV heads of hd elements
// on each of the ceil(L/pp) layers of a pipeline stage, bytesPerElem bytes
// each (2 for fp16/bf16):
//
//	2 · ceil(kv/tp) · hd · ceil(L/pp) · bytesPerElem
//
// Vidur's memory planner (spec §7, quirk 8) reserves KV for all L layers
// on every device: that figure is KVBytesPerToken(tp, 1, 2).
func (c *Config) KVBytesPerToken(tp, pp, bytesPerElem int) int64 {
	mustSplit(tp, pp)
	if bytesPerElem < 1 {
		panic(fmt.Sprintf("models: KVBytesPerToken: bytesPerElem %d < 1", bytesPerElem))
	}
	return 2 * int64(ceilDiv(c.NumKVHeads, tp)) * int64(c.HeadDim()) *
		int64(ceilDiv(c.NumLayers, pp)) * int64(bytesPerElem)
}

// MatmulParams is the number of weights a token is multiplied by in the
// transformer layers, L·(E·hd·(2qh + 2kv) + m·E·F): the q, k, v, o and MLP
// matrices, without embeddings, LM head, biases and norms.
func (c *Config) MatmulParams() int64 {
	e, hd := int64(c.EmbeddingDim), int64(c.HeadDim())
	return int64(c.NumLayers) * (e*hd*(2*int64(c.NumQHeads)+2*int64(c.NumKVHeads)) +
		c.mlpFactor()*e*int64(c.MLPHiddenDim))
}

// PrefillFLOPs is the forward-pass floating-point operations (a
// multiply-add counts 2) to prefill promptTokens tokens P into an empty KV
// cache, for the whole model (divide by tp·pp for one device's share):
//
//	2·MatmulParams·P            linear layers, every prompt token
//	+ 2·L·E·P·(P+1)             causal attention: QKᵀ and attention·V,
//	                            query i attends to i+1 keys, 2·E·(i+1) each
//	+ 2·V·E                     LM head for the last prompt token only (as
//	                            serving engines compute logits only where
//	                            they sample)
//
// Biases, norms, softmax, rotary and activations (O(E) per token) are
// ignored. promptTokens must be ≥ 0; 0 gives 0.
func (c *Config) PrefillFLOPs(promptTokens int) float64 {
	if promptTokens < 0 {
		panic(fmt.Sprintf("models: PrefillFLOPs: promptTokens %d < 0", promptTokens))
	}
	if promptTokens == 0 {
		return 0
	}
	p := float64(promptTokens)
	e := float64(c.EmbeddingDim)
	return 2*float64(c.MatmulParams())*p + 2*float64(c.NumLayers)*e*p*(p+1) +
		2*float64(c.VocabSize)*e
}

// DecodeFLOPsPerToken is the forward-pass floating-point operations to
// decode one token when contextTokens tokens are already in the KV cache
// (the new token attends to contextTokens+1 keys, itself included):
//
//	2·MatmulParams + 4·L·E·(contextTokens+1) + 2·V·E
//
// (linear layers, QKᵀ and attention·V, LM head). Summing it over
// contextTokens = 0..P−1 gives PrefillFLOPs(P) plus (P−1) extra LM heads.
// contextTokens must be ≥ 0.
func (c *Config) DecodeFLOPsPerToken(contextTokens int) float64 {
	if contextTokens < 0 {
		panic(fmt.Sprintf("models: DecodeFLOPsPerToken: contextTokens %d < 0", contextTokens))
	}
	e := float64(c.EmbeddingDim)
	return 2*float64(c.MatmulParams()) + 4*float64(c.NumLayers)*e*float64(contextTokens+1) +
		2*float64(c.VocabSize)*e
}

func mustSplit(tp, pp int) {
	if tp < 1 || pp < 1 {
		panic(fmt.Sprintf("models: parallel split tp=%d pp=%d: both must be ≥ 1 (call Validate first)", tp, pp))
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
