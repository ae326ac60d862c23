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
	total                 int
	done, skipped, failed atomic.Int64
	changed               atomic.Bool
	stopOnce              sync.Once
	quit                  chan struct{}
	finished              chan struct{}
}

// startProgress ensures the progress message exists (posted once; its ts recorded under the lease)
// and starts updating it.
func (b *executor) startProgress(ctx context.Context, l store.Lease, req *store.Request) (*progress, error) {
	p := &progress{total: len(req.Accounts), quit: make(chan struct{}), finished: make(chan struct{})}
	c := outcomeCounts(req)
	p.done.Store(int64(c.done))
	p.skipped.Store(int64(c.skipped))
	p.failed.Store(int64(c.failed))
	ts := req.ProgressTS
	if req.ThreadTS == "" {
		close(p.finished)
		return p, nil
	}
	m := progressMessage(req, p.total, c)
	if ts == "" {
		var err error
		if ts, err = b.slack.post(ctx, req.Channel, req.ThreadTS, m); err != nil {
			b.log.Warn("post progress", "request_id", req.ID, "err", err)
			close(p.finished)
			return p, nil
		}
		if err := b.store.SetProgressTS(ctx, l, ts); err != nil {
			close(p.finished)
			return nil, fmt.Errorf("record progress message: %w", err)
		}
		req.ProgressTS = ts
	} else if err := b.slack.update(ctx, req.Channel, ts, m); err != nil {
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
				m := progressMessage(req, p.total, p.counts())
				if err := b.slack.update(ctx, req.Channel, ts, m); err != nil && ctx.Err() == nil {
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
		switch {
		case o.Done:
			p.done.Add(1)
		case o.Skipped:
			p.skipped.Add(1)
		default:
			p.failed.Add(1)
		}
	}
	p.changed.Store(true)
}

// addSkipped counts accounts a re-read recorded skipped.
func (p *progress) addSkipped(n int) {
	p.skipped.Add(int64(n))
	p.changed.Store(true)
}

// counts is the progress so far.
func (p *progress) counts() counts {
	return counts{done: int(p.done.Load()), skipped: int(p.skipped.Load()), failed: int(p.failed.Load())}
}

// stop ends the updates and waits until none is in flight.
func (p *progress) stop() {
	p.stopOnce.Do(func() { close(p.quit) })
	<-p.finished
}
