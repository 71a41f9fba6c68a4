package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/scopekv/scope/model"
	scope "github.com/scopekv/scope/runtime"
)

func runTokenize(args []string) error {
	fs := newFlags("tokenize")
	path := fs.String("m", "", "model or vocabulary GGUF (or llama2.c .bin with -z); default: the built-in model")
	alias(fs, "m", "model")
	tokPath := fs.String("z", "", "llama2.c tokenizer for a .bin model")
	noBOS := fs.Bool("no-bos", false, "do not add BOS/EOS")
	special := fs.Bool("special", false, "parse special-token text (e.g. <s>) as tokens")
	rest, err := interspersed(fs, args)
	if err != nil {
		return err
	}
	m, err := openFile(*path, *tokPath, true)
	if err != nil {
		return err
	}
	defer m.Close()
	ids := m.Tokenizer.Encode(strings.Join(rest, " "), !*noBOS, *special)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	fmt.Println(strings.Join(parts, " "))
	return nil
}

func runInspect(args []string) error {
	fs := newFlags("inspect")
	path := fs.String("m", "", "model file; default: the built-in model")
	alias(fs, "m", "model")
	tokPath := fs.String("z", "", "llama2.c tokenizer for a .bin model")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	m, err := openFile(*path, *tokPath, false)
	if err != nil {
		return err
	}
	defer m.Close()
	w := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintf(w, "model\t%s\n", modelName(*path))
	fmt.Fprintf(w, "format\t%s\n", m.Format)
	c := m.Config
	fmt.Fprintf(w, "architecture\t%s\n", c.Arch)
	fmt.Fprintf(w, "dim / hidden / layers\t%d / %d / %d\n", c.Dim, c.HiddenDim, c.NLayers)
	fmt.Fprintf(w, "heads / kv heads / head dim\t%d / %d / %d\n", c.NHeads, c.NKVHeads, c.HeadDim)
	fmt.Fprintf(w, "vocab / context\t%d / %d\n", c.VocabSize, c.ContextLen)
	fmt.Fprintf(w, "rms eps\t%g\n", c.NormEps)
	fmt.Fprintf(w, "rope\tbase %g, dim %d, neox %v, freq factors %v\n", c.RopeBase, c.RopeDim, c.RopeNeoX, c.RopeFactors != nil)
	fmt.Fprintf(w, "tied output / qkv bias\t%v / %v\n", c.TiedOutput, c.QKVBias)
	fmt.Fprintf(w, "parameters\t%d\n", m.Parameters())
	fmt.Fprintln(w, "\nmetadata:")
	for _, kv := range m.Meta {
		fmt.Fprintf(w, "  %s\t%s\n", kv.Key, kv.Value)
	}
	fmt.Fprintf(w, "\ntensors (%d):\n", len(m.TensorList))
	var packed, packedBytes int64
	for _, t := range m.TensorList {
		note := ""
		if b := packedBytesOf(t); b > 0 && !(t.Name == "token_embd.weight" && !c.TiedOutput) {
			note = "\tcpu: repacked at first use"
			packed, packedBytes = packed+1, packedBytes+b
		}
		fmt.Fprintf(w, "  %s\t%s\t%v%s\n", t.Name, t.Type, t.Shape, note)
	}
	if packed > 0 {
		fmt.Fprintf(w, "\ncpu backend: %d tensors repacked to interleaved rows, %.1f MiB extra\n",
			packed, float64(packedBytes)/(1<<20))
	}
	return w.Flush()
}

// packedBytesOf is the memory the CPU backend adds at first use for a matrix tensor.
func packedBytesOf(t model.TensorInfo) int64 {
	if len(t.Shape) != 2 {
		return 0
	}
	return scope.CPURepackBytes(t.Type, int(t.Shape[1]), int(t.Shape[0]))
}
