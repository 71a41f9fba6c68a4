package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/chat"
	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/quant"
)

func runSynth(args []string) error {
	fs := newFlags("synth")
	arch := fs.String("arch", "llama", "architecture: llama or qwen2")
	shape := fs.String("shape", "tiny", "model shape: "+strings.Join(model.ShapeNames(), ", "))
	typ := fs.String("type", "f32", "weight type: f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k")
	out := fs.String("o", "", "output GGUF file")
	seed := fs.Uint64("seed", 1, "random seed")
	vocab := fs.String("vocab", "", "take the vocabulary from this GGUF (default: a built-in byte-level one)")
	tmpl := fs.String("chat-template", "", "store a chat template: a file or a built-in name ("+strings.Join(chat.BuiltinNames(), ", ")+")")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("no output file: pass -o OUT.gguf")
	}
	t, err := quant.ParseType(*typ)
	if err != nil {
		return err
	}
	opts := model.SynthOptions{Arch: *arch, Shape: *shape, Type: t, Seed: *seed,
		Notice: func(s string) { fmt.Fprintln(os.Stderr, "scope synth:", s) }}
	if *tmpl != "" {
		ct, err := chat.Load(*tmpl)
		if err != nil {
			return err
		}
		opts.ChatTemplate = ct.Source
	}
	if *vocab != "" {
		v, err := gguf.Open(*vocab)
		if err != nil {
			return err
		}
		defer v.Close()
		opts.Vocab = v
	}
	w, err := model.Synth(opts)
	if err != nil {
		return err
	}
	if err := w.WriteFile(*out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "scope synth: wrote %s (%s, %s, %.1f MB)\n", *out, *shape, t, float64(st.Size())/1e6)
	return nil
}
