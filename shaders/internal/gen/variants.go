package main

// variant is one compiled kernel: a GLSL source and the macros it is compiled with.
// Names follow op_<weight type>_<activation type>, where the activation type is the one the
// products are computed in: activation buffers always hold float32, and the _f16 matrix
// kernels (FP16 defined) convert them to fp16 as they read them.
type variant struct {
	Name    string
	Source  string
	Defines []string
}

// weightTypes are the GGUF types the kernels read natively (quant.glsl).
var weightTypes = []struct{ name, define string }{
	{"f32", "WTYPE_F32"},
	{"f16", "WTYPE_F16"},
	{"q8_0", "WTYPE_Q8_0"},
	{"q4_0", "WTYPE_Q4_0"},
	{"q4_k", "WTYPE_Q4_K"},
	{"q6_k", "WTYPE_Q6_K"},
}

var variants = buildVariants()

func buildVariants() []variant {
	vs := []variant{
		{Name: "add_f32", Source: "add.comp"},
		{Name: "argmax_f32", Source: "argmax.comp"},
		{Name: "attn_prefill_f32", Source: "attn_prefill.comp"},
		{Name: "attn_reduce_f32", Source: "attn_reduce.comp"},
		{Name: "attn_scores_f32", Source: "attn_scores.comp"},
		{Name: "attn_split_f32", Source: "attn_split.comp"},
		{Name: "bias_f32", Source: "bias.comp"},
		{Name: "copy_f32", Source: "copy.comp"},
		{Name: "kv_copy_f32", Source: "kv_copy.comp"},
		{Name: "kv_setpos", Source: "kv_setpos.comp"},
		{Name: "kv_write_f32", Source: "kv_write.comp"},
		{Name: "linear_epi_f32", Source: "linear_epi.comp"},
		{Name: "rmsnorm_f32", Source: "rmsnorm.comp"},
		{Name: "rope_f32", Source: "rope.comp"},
		{Name: "rope_kv_f32", Source: "rope_kv.comp"},
		{Name: "swiglu_f32", Source: "swiglu.comp"},
	}
	for _, wt := range weightTypes {
		vs = append(vs, variant{Name: "embed_" + wt.name, Source: "embed.comp", Defines: []string{wt.define}})
		acts := []string{"f32", "f16"}
		if wt.name == "f32" {
			acts = acts[:1] // float32 weights keep float32 products
		}
		for _, act := range acts {
			def := []string{wt.define}
			if act == "f16" {
				def = append(def, "FP16")
			}
			name := wt.name + "_" + act
			vs = append(vs,
				variant{Name: "matmul_" + name, Source: "matmul.comp", Defines: def},
				// The matrix-vector kernel adds its partial sums with subgroup arithmetic,
				// or (the _tree variants, for devices without it) in shared memory.
				variant{Name: "matvec_" + name, Source: "matvec.comp", Defines: append(def[:len(def):len(def)], "SUBGROUP")},
				variant{Name: "matvec_" + name + "_tree", Source: "matvec.comp", Defines: def},
			)
		}
		if wt.name == "q8_0" || wt.name == "q4_0" {
			// int8 activations and packed int8 dot products (devices with
			// shaderIntegerDotProduct).
			def := []string{wt.define, "INTDOT"}
			vs = append(vs,
				variant{Name: "matvec_" + wt.name + "_i8", Source: "matvec.comp", Defines: append(def[:2:2], "SUBGROUP")},
				variant{Name: "matvec_" + wt.name + "_i8_tree", Source: "matvec.comp", Defines: def},
			)
		}
	}
	return vs
}
