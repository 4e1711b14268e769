package models_test

import (
	"fmt"

	"github.com/vidur-go/vidur-go/models"
)

func ExampleLookup() {
	c, err := models.Lookup("meta-llama/Llama-2-70b-hf")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Validate(4, 2); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d layers, head dim %d, GQA %v\n", c.Name, c.NumLayers, c.HeadDim(), c.IsGQA())
	fmt.Printf("parameters: %.2fe9\n", float64(c.ParamCount())/1e9)
	fmt.Printf("TP4 PP2: %.1f GiB of fp16 weights, %d KV bytes per token per device\n",
		float64(c.WeightBytesPerDevice(4, 2, 2))/(1<<30), c.KVBytesPerToken(4, 2, 2))

	_, err = models.Lookup("meta-llama/Llama-2-70b")
	fmt.Println(err != nil)
	// Output:
	// meta-llama/Llama-2-70b-hf: 80 layers, head dim 128, GQA true
	// parameters: 68.99e9
	// TP4 PP2: 16.1 GiB of fp16 weights, 40960 KV bytes per token per device
	// true
}

func ExampleParseHFConfig() {
	cfg := []byte(`{
	  "model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944,
	  "num_attention_heads": 28, "num_key_value_heads": 4, "num_hidden_layers": 28,
	  "vocab_size": 152064, "max_position_embeddings": 131072, "rope_theta": 1000000.0
	}`)
	c, err := models.ParseHFConfig("Qwen/Qwen2.5-7B", cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name, c.Family, c.UseQKVBias, c.ValidTP())
	// Output: Qwen/Qwen2.5-7B qwen2 true [1 2 4]
}
