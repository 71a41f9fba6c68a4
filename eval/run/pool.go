package run

import (
	"context"
	"errors"

	"golang.org/x/sync/errgroup"

	"github.com/scopekv/scope/runtime"
)

// Opener opens a model file; every worker of a sweep opens its own models with it.
type Opener func(path string) (*runtime.Model, error)

// CPUOpener opens models on the CPU backend with the given threads (1 keeps runs
// independent of each other and deterministic).
func CPUOpener(threads int) Opener {
	return func(path string) (*runtime.Model, error) {
		return runtime.Open(path, runtime.Config{Backend: "cpu", Threads: threads})
	}
}

// models is one worker's open models, by path.
type models struct {
	open Opener
	m    map[string]*runtime.Model
}

func (ms *models) get(path string) (*runtime.Model, error) {
	if m, ok := ms.m[path]; ok {
		return m, nil
	}
	m, err := ms.open(path)
	if err != nil {
		return nil, err
	}
	ms.m[path] = m
	return m, nil
}

func (ms *models) close() error {
	var errs []error
	for _, m := range ms.m {
		errs = append(errs, m.Close())
	}
	return errors.Join(errs...)
}

// forEach runs job(i) for i in [0, n) on workers goroutines, each with its own models.
// The first error cancels the rest and is returned.
func forEach(ctx context.Context, workers, n int, open Opener, job func(ctx context.Context, i int, ms *models) error) error {
	if workers < 1 {
		workers = 1
	}
	g, ctx := errgroup.WithContext(ctx)
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for range min(workers, max(n, 1)) {
		g.Go(func() (err error) {
			ms := &models{open: open, m: map[string]*runtime.Model{}}
			defer func() { err = errors.Join(err, ms.close()) }()
			for i := range next {
				if err := job(ctx, i, ms); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}
