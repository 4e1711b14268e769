package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vidur-go/vidur-go/profiler/sweep"
)

// ErrorCrash is the Result.Error of a request during which the worker
// crashed twice (it was restarted each time).
const ErrorCrash = "crash"

// Supervisor keeps a worker running: when the worker crashes it reports the
// crash (OnCrash), starts a fresh one and retries the request once. A
// request that crashes the worker twice is answered with Error "crash" and
// the sweep moves on.
type Supervisor struct {
	opts Options
	c    *Client
	// MaxRestarts bounds the restarts over the supervisor's life
	// (default 10); beyond it Measure returns an error.
	MaxRestarts int
	// Restarts counts the restarts so far.
	Restarts int
	// OnCrash, if set, is told about each crash before the restart.
	OnCrash func(err *CrashError)
}

// NewSupervisor starts a worker with opts.
func NewSupervisor(ctx context.Context, opts Options) (*Supervisor, error) {
	c, err := Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Supervisor{opts: opts, c: c, MaxRestarts: 10}, nil
}

// Hello returns the running worker's handshake.
func (s *Supervisor) Hello() Hello { return s.c.Hello() }

// Measure times op at shape, restarting the worker after a crash (see
// Supervisor). It returns an error only when ctx is cancelled or the worker
// cannot be restarted.
func (s *Supervisor) Measure(ctx context.Context, op string, shape sweep.Shape, warmup, repeats int, timeout time.Duration) (Result, error) {
	var last *CrashError
	for attempt := 0; attempt < 2; attempt++ {
		if s.c == nil {
			if err := s.restart(ctx); err != nil {
				return Result{}, err
			}
		}
		res, err := s.c.Measure(ctx, op, shape, warmup, repeats, timeout)
		if err == nil {
			return res, nil
		}
		s.c.Close()
		s.c = nil
		if !errors.As(err, &last) {
			return Result{}, err // cancelled
		}
		if s.OnCrash != nil {
			s.OnCrash(last)
		}
	}
	return Result{Error: ErrorCrash, Detail: last.Error()}, nil
}

func (s *Supervisor) restart(ctx context.Context) error {
	if s.Restarts >= s.MaxRestarts {
		return fmt.Errorf("measurement worker crashed %d times; giving up", s.Restarts)
	}
	s.Restarts++
	c, err := Start(ctx, s.opts)
	if err != nil {
		return fmt.Errorf("restart worker: %w", err)
	}
	s.c = c
	return nil
}

// Close stops the worker.
func (s *Supervisor) Close() error {
	if s.c != nil {
		return s.c.Close()
	}
	return nil
}
