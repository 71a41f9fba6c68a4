package runtime

import (
	"errors"
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// scoreBufs are per-layer device buffers the attention op writes its probabilities into,
// (Heads, stride) each, and a host scratch to read one back.
type scoreBufs struct {
	heads  int
	bufs   []backend.Buffer
	stride int
	host   []float32
}

// ensure makes every layer's buffer hold rows of at least minStride slots.
func (b *scoreBufs) ensure(dev backend.Device, layers, minStride int) error {
	if b.bufs != nil && minStride <= b.stride {
		return nil
	}
	stride := max(minStride+minStride/2, 64)
	if err := b.free(dev); err != nil {
		return err
	}
	bufs := make([]backend.Buffer, 0, layers)
	for range layers {
		buf, err := dev.NewBuffer(b.heads * stride)
		if err != nil {
			b.bufs = bufs
			return fmt.Errorf("allocating attention score buffers: %w", err)
		}
		bufs = append(bufs, buf)
	}
	b.bufs, b.stride = bufs, stride
	return nil
}

// free releases the buffers.
func (b *scoreBufs) free(dev backend.Device) error {
	var errs []error
	for _, buf := range b.bufs {
		errs = append(errs, dev.FreeBuffer(buf))
	}
	b.bufs, b.stride = nil, 0
	return errors.Join(errs...)
}

// read copies layer l's scores, (heads, stride), to the host scratch (valid until the
// next read).
func (b *scoreBufs) read(dev backend.Device, l int) ([]float32, error) {
	n := b.heads * b.stride
	if cap(b.host) < n {
		b.host = make([]float32, n)
	}
	h := b.host[:n]
	if err := dev.Read(b.bufs[l], h); err != nil {
		return nil, err
	}
	return h, nil
}

// attach asks the step's attention ops for scores summed over the last rows queries.
func (s *Session) attachScores(st *step, minStride, rows int) error {
	if err := s.scores.ensure(s.m.dev, s.m.file.Config.NLayers, minStride); err != nil {
		return err
	}
	st.scores, st.scoreStride, st.scoreRows = s.scores.bufs, s.scores.stride, rows
	return nil
}
