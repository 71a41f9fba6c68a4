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
	host   [][]float32 // per layer, (heads, stride)
	fresh  bool        // the last step read every layer back (appendReadBacks)
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
	b.host = make([][]float32, layers)
	for l := range b.host {
		b.host[l] = make([]float32, b.heads*stride)
	}
	b.fresh = false
	return nil
}

// free releases the buffers.
func (b *scoreBufs) free(dev backend.Device) error {
	var errs []error
	for _, buf := range b.bufs {
		errs = append(errs, dev.FreeBuffer(buf))
	}
	b.bufs, b.stride, b.fresh = nil, 0, false
	return errors.Join(errs...)
}

// appendReadBacks folds the reads of every layer's scores into the step (when it has
// scores) and marks them fresh for read; fresh is cleared otherwise.
func (b *scoreBufs) appendReadBacks(ops []backend.Op, scored bool) []backend.Op {
	b.fresh = scored
	if !scored {
		return ops
	}
	for l, buf := range b.bufs {
		ops = append(ops, backend.ReadBack{Src: buf, Dst: b.host[l]})
	}
	return ops
}

// read returns layer l's scores, (heads, stride), on the host: those the step read back,
// or a copy read now (valid until the next step).
func (b *scoreBufs) read(dev backend.Device, l int) ([]float32, error) {
	if b.fresh {
		return b.host[l], nil
	}
	if err := dev.Read(b.bufs[l], b.host[l]); err != nil {
		return nil, err
	}
	return b.host[l], nil
}

// attach asks the step's attention ops for scores summed over the last rows queries.
func (s *Session) attachScores(st *step, minStride, rows int) error {
	if err := s.scores.ensure(s.m.dev, s.m.file.Config.NLayers, minStride); err != nil {
		return err
	}
	st.scores, st.scoreStride, st.scoreRows = s.scores.bufs, s.scores.stride, rows
	s.scores.fresh = false
	return nil
}
