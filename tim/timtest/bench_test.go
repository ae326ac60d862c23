package timtest

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkUnban measures calls per second through real HTTP with 64 concurrent callers and no
// rate limit: the emulator must stay well above the 200 calls/s the client is paced at.
func BenchmarkUnban(b *testing.B) {
	s := NewServer(b, Options{Rate: -1})
	g := s.CreateGroup(AVChatRoom)
	url := s.SignedURL(cmdUnban)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((64 + procs - 1) / procs) // RunParallel starts parallelism × GOMAXPROCS callers
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := `{"GroupId":"` + g + `","Members_Account":["u` + strconv.FormatInt(i%1000, 10) + `"]}`
			resp, err := hc.Post(url, "application/json", bytes.NewBufferString(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body) //nolint:errcheck
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds()/DefaultRate, "x_tencent_limit")
}
