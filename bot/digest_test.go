package bot

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"modbot/bot/slacktest"
	"modbot/store"
	"modbot/store/storetest"
	"modbot/tim"
	"modbot/tim/timtest"
)

func TestDigestMessage_Golden(t *testing.T) {
	st := goldenStats()
	st.Since = readAt().Add(-digestWindow)
	names := map[string]string{"U0ALICE": "alice", "U0BOB": "bob"}
	m := digestMessage(st, 3, "2025-03-04", func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return Code(id)
	})
	if strings.Contains(blocksText(m.Blocks), "<@") {
		t.Error("the digest mentions someone: it must not notify anyone")
	}
	checkGolden(t, "digest", m)
	empty := digestMessage(newTeamStats(readAt().Add(-digestWindow), readAt()), 0, "2025-03-04", Code)
	checkGolden(t, "digest_empty", empty)
}

func blocksText(blocks []slackBlock) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch x := bl.(type) {
		case *slackSection:
			if x.Text != nil {
				b.WriteString(x.Text.Text)
			}
			for _, f := range x.Fields {
				b.WriteString(f.Text)
			}
		case *slackContextBlock:
			b.WriteString(contextText(x))
		}
	}
	return b.String()
}

// digestWorld is a fake Slack with an audit channel and one Redis shared by the replicas.
type digestWorld struct {
	slack *slacktest.Server
	store *store.Store
	zone  *time.Location
	tim   *tim.Client // never called by the digest
}

func newDigestWorld(t *testing.T) *digestWorld {
	w := &digestWorld{slack: slacktest.NewServer(t, slacktest.Options{}), store: storetest.New(t)}
	w.slack.AddChannel("C0AUDIT", "mod-audit", true)
	ts := timtest.NewServer(t, timtest.Options{Rate: -1})
	var err error
	w.tim, err = tim.New(tim.Options{SDKAppID: ts.SDKAppID(), SecretKey: ts.SecretKey(), Admin: ts.Admin(), BaseURL: ts.URL, Limiter: tim.NewLocalLimiter(1000)})
	if err != nil {
		t.Fatal(err)
	}
	if w.zone, err = time.LoadLocation("Asia/Shanghai"); err != nil {
		t.Fatal(err)
	}
	return w
}

// replica builds one more replica (not running: the test drives its checks).
func (w *digestWorld) replica(t *testing.T, id string) *Bot {
	so := w.slack.Options()
	b, err := New(Options{
		AppToken: so.AppToken, BotToken: so.BotToken, APIURL: w.slack.URL, ApprovalChannel: "C0APPROVALS",
		AuditChannel: "C0AUDIT", ReplicaID: id, Digest: DigestSchedule{Hour: 9, Minute: 0, Zone: w.zone},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, w.tim, w.store)
	if err == nil {
		return b
	}
	t.Fatal(err)
	return nil
}

func (w *digestWorld) digests() int {
	n := 0
	for _, m := range w.slack.Messages("C0AUDIT") {
		if strings.Contains(m.Text, "modbot daily digest") {
			n++
		}
	}
	return n
}

// TestDigest_OncePerDayAcrossReplicas: two replicas checking at the same minute, and a restart
// within it, post one digest; a check before the time posts nothing; the next day posts again.
func TestDigest_OncePerDayAcrossReplicas(t *testing.T) {
	w := newDigestWorld(t)
	ctx := context.Background()
	day := func(d, h, m, s int) time.Time { return time.Date(2026, 11, d, h, m, s, 0, w.zone) }
	a, b := w.replica(t, "replica-a"), w.replica(t, "replica-b")

	if a.digestTick(ctx, day(29, 8, 59, 59)) || b.digestTick(ctx, day(29, 8, 59, 59)) {
		t.Fatal("posted before 09:00")
	}
	var wg sync.WaitGroup
	posted := make(chan bool, 2)
	for _, r := range []*Bot{a, b} {
		wg.Go(func() { posted <- r.digestTick(ctx, day(29, 9, 0, 0)) })
	}
	wg.Wait()
	close(posted)
	n := 0
	for p := range posted {
		if p {
			n++
		}
	}
	restarted := w.replica(t, "replica-a2") // replica a restarted within the minute
	if restarted.digestTick(ctx, day(29, 9, 0, 30)) || a.digestTick(ctx, day(29, 9, 1, 0)) || b.digestTick(ctx, day(29, 23, 59, 0)) {
		t.Fatal("a restart or a later check posted again")
	}
	if n != 1 || w.digests() != 1 {
		t.Fatalf("%d replicas said they posted, %d digests in the channel; want 1 and 1", n, w.digests())
	}
	if !a.digestTick(ctx, day(30, 9, 0, 0)) || w.digests() != 2 {
		t.Fatalf("the next day's digest was not posted (%d in the channel)", w.digests())
	}
}

// TestDigest_LateReplicaPostsOnce: with every replica down at 09:00, the first to start later
// that day posts it late, once; a failed post is tried again at the next check.
func TestDigest_LateReplicaPostsOnce(t *testing.T) {
	w := newDigestWorld(t)
	ctx := context.Background()
	at := func(h, m int) time.Time { return time.Date(2026, 11, 29, h, m, 0, 0, w.zone) }
	a := w.replica(t, "replica-a")
	w.slack.FailNext("chat.postMessage", "channel_not_found")
	if a.digestTick(ctx, at(14, 0)) || w.digests() != 0 {
		t.Fatal("a refused post counted as posted")
	}
	b := w.replica(t, "replica-b")
	if !b.digestTick(ctx, at(14, 1)) {
		t.Fatal("the retry after a failed post did not post")
	}
	if a.digestTick(ctx, at(14, 2)) || b.digestTick(ctx, at(18, 0)) || w.digests() != 1 {
		t.Fatalf("%d digests, want 1", w.digests())
	}
}
