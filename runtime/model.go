package runtime

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/tokenizer"
)

// Model is a loaded model on a compute device, shared by its sessions. It is safe for
// concurrent use (see the package documentation).
type Model struct {
	file *model.Model
	dev  backend.Device
	caps backend.Caps
	cfg  Config
	w    weights
	life modelLife
	fuse fusion
}

// weights are the uploaded tensors.
type weights struct {
	embed, outNorm, output backend.Weight
	layers                 []layerWeights
}

type layerWeights struct {
	attnNorm, wq, wk, wv, wo, bq, bk, bv, ffnNorm, gate, up, down backend.Weight
	qkv, gateUp                                                   backend.Weight // fused (uploadFused), or nil
}

// Open loads a model file (GGUF or llama2.c) and prepares it on the configured backend.
func Open(path string, cfg Config) (*Model, error) {
	if err := cfg.normalise(); err != nil {
		return nil, err
	}
	f, err := model.Open(path, model.Options{TokenizerPath: cfg.TokenizerPath})
	if err != nil {
		return nil, err
	}
	m, err := newModel(f, cfg)
	if err != nil {
		f.Close()
		return nil, err
	}
	return m, nil
}

func newModel(f *model.Model, cfg Config) (*Model, error) {
	dev, err := openDevice(&cfg)
	if err != nil {
		return nil, err
	}
	m := &Model{file: f, dev: dev, caps: dev.Caps(), cfg: cfg}
	m.life.init()
	if err := m.upload(); err != nil {
		dev.Close()
		return nil, err
	}
	return m, nil
}

func (m *Model) upload() error {
	var err error
	up := func(t *model.Tensor) backend.Weight {
		if err != nil || t.Data == nil {
			return nil
		}
		var w backend.Weight
		w, err = m.dev.UploadWeight(t.Name, t.Type, t.Rows, t.Cols, t.Data)
		if err != nil {
			err = fmt.Errorf("uploading %s: %w", t.Name, err)
		}
		return w
	}
	f := m.file
	m.w.embed, m.w.outNorm = up(&f.Embed), up(&f.OutputNorm)
	m.w.output = m.w.embed
	if !f.Config.TiedOutput {
		m.w.output = up(&f.Output)
	}
	m.fuse = detectFusion(m.dev)
	for i := range f.Layers {
		l := &f.Layers[i]
		qkv, gateUp, ferr := m.uploadFused(l)
		if ferr != nil {
			return ferr
		}
		lw := layerWeights{attnNorm: up(&l.AttnNorm), wo: up(&l.Wo), bq: up(&l.Bq), bk: up(&l.Bk), bv: up(&l.Bv),
			ffnNorm: up(&l.FFNNorm), down: up(&l.WDown), qkv: qkv, gateUp: gateUp}
		if qkv == nil {
			lw.wq, lw.wk, lw.wv = up(&l.Wq), up(&l.Wk), up(&l.Wv)
		}
		if gateUp == nil {
			lw.gate, lw.up = up(&l.WGate), up(&l.WUp)
		}
		m.w.layers = append(m.w.layers, lw)
	}
	return err
}

// Config returns the model's hyper-parameters.
func (m *Model) Config() model.Config { return m.file.Config }

// File returns the loaded model file (metadata, tensors).
func (m *Model) File() *model.Model { return m.file }

// Tokenizer returns the model's tokenizer.
func (m *Model) Tokenizer() *tokenizer.Tokenizer { return m.file.Tokenizer }

// Device describes the compute device in use.
func (m *Model) Device() backend.Caps { return m.caps }

// ValidationMessages returns what the Vulkan validation layer reported so far
// (Config.Validation); nil for other backends.
func (m *Model) ValidationMessages() []string {
	if v, ok := m.dev.(interface{ ValidationMessages() []string }); ok {
		return v.ValidationMessages()
	}
	return nil
}
