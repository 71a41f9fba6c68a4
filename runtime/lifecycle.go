package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/scopekv/scope/internal/backend"
)

// Errors of calls on closed objects; both wrap ErrClosed.
var (
	errModelClosed   = fmt.Errorf("%w: the model is closed", ErrClosed)
	errSessionClosed = fmt.Errorf("%w: the session is closed", ErrClosed)
)

// modelLife tracks the calls that use a model's device, so Close can stop them and wait
// for them before it frees the device.
type modelLife struct {
	mu      sync.Mutex
	closed  bool
	active  sync.WaitGroup  // calls inside use
	closing context.Context // cancelled when Close begins
	cancel  context.CancelFunc
}

func (l *modelLife) init() {
	l.closing, l.cancel = context.WithCancel(context.Background())
}

// use starts a call that touches the device. It fails once Close has begun; the returned
// context is cancelled (with errModelClosed as its cause) when Close begins, and done must
// be called when the call no longer touches the device.
func (m *Model) use(ctx context.Context) (context.Context, func(), error) {
	l := &m.life
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, nil, errModelClosed
	}
	l.active.Add(1)
	l.mu.Unlock()
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(l.closing, func() { cancel(errModelClosed) })
	return ctx, func() { stop(); cancel(nil); l.active.Done() }, nil
}

// withDevice runs f inside use and reports a call stopped by a Close as ErrClosed.
func (m *Model) withDevice(ctx context.Context, f func(context.Context) error) error {
	ctx, done, err := m.use(ctx)
	if err != nil {
		return err
	}
	defer done()
	return closedCause(ctx, f(ctx))
}

// closedCause replaces the error of a call that a Close cancelled with the Close's cause.
func closedCause(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	if cause := context.Cause(ctx); errors.Is(cause, ErrClosed) {
		return cause
	}
	return err
}

// Close stops the calls running on the model's sessions (they return an error wrapping
// ErrClosed), waits for them to leave the device, and frees the device, every session's
// buffers with it, and the model file. Later calls on the model or its sessions return
// ErrClosed; a second Close does nothing.
func (m *Model) Close() error {
	l := &m.life
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	l.cancel()
	l.active.Wait()
	err := m.dev.Close()
	if e := m.file.Close(); err == nil {
		err = e
	}
	return err
}

// sessionLife guards one session: one call at a time, and Close.
type sessionLife struct {
	mu     sync.Mutex
	closed bool
	busy   bool                    // a call is running
	cancel context.CancelCauseFunc // the running call's
}

// enter starts a session call. It fails on a closed session, and with ErrBusy while
// another call runs (a session serves one call at a time). exit must be called at the end.
func (s *Session) enter(ctx context.Context) (context.Context, error) {
	l := &s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return nil, errSessionClosed
	case l.busy:
		return nil, fmt.Errorf("%w: another call is running on this session", ErrBusy)
	}
	ctx, l.cancel = context.WithCancelCause(ctx)
	l.busy = true
	return ctx, nil
}

// exit ends a session call; when the session was closed during the call, it frees the
// session now.
func (s *Session) exit() {
	l := &s.life
	l.mu.Lock()
	l.busy = false
	l.cancel(nil)
	l.cancel = nil
	closed := l.closed
	l.mu.Unlock()
	if closed {
		s.free()
	}
}

// Close frees the session's KV cache, activations and score buffers on the device and
// returns its KV pages to the pool (a fork's shared pages lose one reference). A call
// running on the session is cancelled: it returns an error wrapping ErrClosed and the
// session is freed as it returns. Later calls return ErrClosed; a second Close does
// nothing. After Model.Close there is nothing left to free.
func (s *Session) Close() error {
	l := &s.life
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	if l.busy {
		l.cancel(errSessionClosed)
		l.mu.Unlock()
		return nil
	}
	l.mu.Unlock()
	return s.free()
}

// free releases what the session holds. The policy's pages are host bookkeeping and go
// back to the pool even when the model is closed; device objects were freed by the
// device's own Close then.
func (s *Session) free() error {
	if s.pol != nil {
		s.pol.end()
	}
	err := s.m.withDevice(context.Background(), func(context.Context) error { return s.release() })
	if errors.Is(err, errModelClosed) {
		return nil
	}
	return err
}

// release frees the session's device objects (the KV store when no fork shares it). The
// caller is inside Model.use.
func (s *Session) release() error {
	var errs []error
	if s.fw != nil && s.ownFw {
		errs = append(errs, s.fw.free())
	}
	errs = append(errs, s.scores.free(s.m.dev))
	if s.store != nil {
		errs = append(errs, s.store.drop(s.m.dev))
	}
	s.fw, s.store, s.kv = nil, nil, nil
	return errors.Join(errs...)
}

// sharedKV is a KV store with the number of users (a session and its forks, or a Batch
// and its sessions) and the activations a Batch's sessions share.
type sharedKV struct {
	mu   sync.Mutex
	kv   backend.KVStore
	fw   *forward // nil when each session has its own
	refs int
}

// drop releases one reference and frees the store (and shared activations) with the last.
func (k *sharedKV) drop(dev backend.Device) error {
	if !k.release() {
		return nil
	}
	err := dev.FreeKV(k.kv)
	if k.fw != nil {
		err = errors.Join(err, k.fw.free())
	}
	return err
}

func (k *sharedKV) retain() {
	k.mu.Lock()
	k.refs++
	k.mu.Unlock()
}

// release drops one reference and reports whether it was the last.
func (k *sharedKV) release() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.refs--
	return k.refs == 0
}

// DeviceMemoryBytes returns the device memory the model holds from the driver (weights,
// sessions, scratch, and freed ranges it keeps for reuse), or 0 where the backend does not
// say: the CPU backends' memory is the Go heap.
func (m *Model) DeviceMemoryBytes() int64 {
	if d, ok := m.dev.(interface{ MemoryBytes() int64 }); ok {
		var n int64
		_ = m.withDevice(context.Background(), func(context.Context) error {
			n = d.MemoryBytes()
			return nil
		})
		return n
	}
	return 0
}
