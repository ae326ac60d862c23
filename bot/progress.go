package bot

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"modbot/store"
)

// progressEvery is how often, at most, the progress message is updated.
const progressEvery = time.Second

// progress is an execution's single progress message in the thread, updated at most once every
// progressEvery while outcomes come in.
type progress struct {
	total        int
	done, failed atomic.Int64
	changed      atomic.Bool
	stopOnce     sync.Once
	quit         chan struct{}
	finished     chan struct{}
}

// startProgress ensures the progress message exists (posted once; its ts recorded under the lease)
// and starts updating it.
func (b *Bot) startProgress(ctx context.Context, l store.Lease, req *store.Request) (*progress, error) {
	p := &progress{total: len(req.Accounts), quit: make(chan struct{}), finished: make(chan struct{})}
	done, failed := outcomeCounts(req)
	p.done.Store(int64(done))
	p.failed.Store(int64(failed))
	ts := req.ProgressTS
	if req.ThreadTS == "" {
		close(p.finished)
		return p, nil
	}
	m := progressMessage(p.total, done, failed)
	if ts == "" {
		var err error
		if ts, err = b.post(ctx, req.Channel, req.ThreadTS, m); err != nil {
			b.log.Warn("post progress", "request_id", req.ID, "err", err)
			close(p.finished)
			return p, nil
		}
		if err := b.store.SetProgressTS(ctx, l, ts); err != nil {
			close(p.finished)
			return nil, fmt.Errorf("record progress message: %w", err)
		}
		req.ProgressTS = ts
	} else if err := b.update(ctx, req.Channel, ts, m); err != nil {
		b.log.Warn("update progress", "request_id", req.ID, "err", err)
	}
	go func() {
		defer close(p.finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if p.changed.Swap(false) {
				m := progressMessage(p.total, int(p.done.Load()), int(p.failed.Load()))
				if err := b.update(ctx, req.Channel, ts, m); err != nil && ctx.Err() == nil {
					b.log.Warn("update progress", "request_id", req.ID, "err", err)
				}
			}
		}
	}()
	return p, nil
}

// add counts recorded outcomes.
func (p *progress) add(outs []store.Outcome) {
	for _, o := range outs {
		if o.Done {
			p.done.Add(1)
		} else {
			p.failed.Add(1)
		}
	}
	p.changed.Store(true)
}

// stop ends the updates and waits until none is in flight.
func (p *progress) stop() {
	p.stopOnce.Do(func() { close(p.quit) })
	<-p.finished
}
