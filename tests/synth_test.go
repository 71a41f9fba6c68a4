package tests

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
)

var (
	synthMu    sync.Mutex
	synthDir   string
	synthFiles = map[string]string{}
)

// synthModel writes (once per test binary) a synthetic model of the given shape and type.
func synthModel(t *testing.T, shape string, typ quant.Type) string {
	return synthArch(t, "llama", shape, typ)
}

func synthArch(t *testing.T, arch, shape string, typ quant.Type) string {
	t.Helper()
	synthMu.Lock()
	defer synthMu.Unlock()
	key := arch + "-" + shape + "-" + typ.String()
	if p, ok := synthFiles[key]; ok {
		return p
	}
	if synthDir == "" {
		d, err := os.MkdirTemp("", "scope-synth-")
		if err != nil {
			t.Fatal(err)
		}
		synthDir = d
	}
	w, err := model.Synth(model.SynthOptions{Arch: arch, Shape: shape, Type: typ, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(synthDir, key+".gguf")
	if err := w.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	synthFiles[key] = p
	return p
}

func TestMain(m *testing.M) {
	code := m.Run()
	if synthDir != "" {
		os.RemoveAll(synthDir)
	}
	os.Exit(code)
}
