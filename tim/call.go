package tim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxBody bounds a response body: Tencent answers 10018 instead of sending
// more than 1 MB, so anything larger is not Tencent's answer.
const maxBody = 1<<20 + 64<<10

// envelope is the part every response shares.
type envelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
	RequestID    string `json:"RequestId,omitempty"` // room engine only
}

func (e *envelope) env() *envelope { return e }

// response is a decoded answer; every response struct embeds envelope.
type response interface{ env() *envelope }

// repeat says whether a call may be sent again after it may have reached
// Tencent.
type repeat bool

const (
	idempotent repeat = true  // unban, unmute, lists, roles, group info
	once       repeat = false // ban, mute: a repeat restarts the timer
)

// call sends one command with retries and decodes Tencent's answer into out.
// Every attempt waits for the limiter. Transient and throttled failures are
// retried with backoff up to maxAttempts; a call that is not idempotent is
// retried only when the attempt certainly did not reach Tencent (no
// connection, a throttled or credential answer). A rejected UserSig (70001,
// 70052) is renewed and the call re-sent once. gate (optional, see
// BulkOptions.Gate) is asked right before each attempt is sent.
func (c *Client) call(ctx context.Context, command string, in any, out response, rep repeat, gate func() error) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("tim: %s: encode request: %w", command, err)
	}
	resigned := false
	for attempt := 1; ; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			return fmt.Errorf("tim: %s: wait for rate limit: %w", command, err)
		}
		if gate != nil {
			if err := gate(); err != nil {
				return fmt.Errorf("tim: %s: not sent: %w", command, err)
			}
		}
		sig, err := c.sig.get()
		if err != nil {
			return err
		}
		start := time.Now()
		err = c.send(ctx, command, sig, body, out)
		if c.observer != nil {
			c.observer.ObserveCall(command, Code(err), err, time.Since(start), attempt > 1)
		}
		cls := classify(err)
		switch {
		case err == nil:
			return nil
		case cls == classCredentials && !resigned:
			resigned = true
			c.sig.reject(sig)
			continue
		case cls != classTransient && cls != classThrottled:
			return err
		case rep == once && cls == classTransient && mayHaveReached(err):
			return err
		case attempt >= c.maxAttempts && attempt > 1:
			return fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		case attempt >= c.maxAttempts:
			return err
		}
		if perr := c.pause(ctx, attempt, cls == classThrottled); perr != nil {
			return fmt.Errorf("tim: %s: stopped before retrying: %w (last error: %v)", command, perr, err)
		}
	}
}

// pause sleeps for the full-jitter backoff of the given attempt, or until
// ctx ends.
func (c *Client) pause(ctx context.Context, attempt int, throttled bool) error {
	ceiling := min(c.retryBase<<min(attempt-1, 16), 20*c.retryBase)
	d := rand.N(ceiling + 1)
	if throttled {
		d += 10 * c.retryBase
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// mayHaveReached reports whether a failed attempt may have been carried out
// by Tencent.
func mayHaveReached(err error) bool {
	var tr *transportError
	if errors.As(err, &tr) {
		return tr.reached()
	}
	return classify(err) == classTransient // e.g. 10002: Tencent's own state is unknown
}

// send is the one function that talks HTTP. It posts body to command with a
// fresh random, decodes the answer into out and turns a non-zero ErrorCode
// into *Error. Transport errors are sanitized here, before anything wraps
// them: the URL carries the UserSig.
func (c *Client) send(ctx context.Context, command, sig string, body []byte, out response) error {
	// The query in the order Tencent documents it.
	query := "?sdkappid=" + strconv.Itoa(c.sdkAppID) +
		"&identifier=" + url.QueryEscape(c.admin) +
		"&usersig=" + url.QueryEscape(sig) +
		"&random=" + strconv.FormatUint(uint64(rand.Uint32()), 10) +
		"&contenttype=json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v4/"+command+query, bytes.NewReader(body))
	if err != nil {
		return &transportError{command: command, msg: "build request", final: true} // the error would quote the URL
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		err = redact(err)
		if ctx.Err() != nil {
			return fmt.Errorf("tim: %s: %w", command, ctx.Err())
		}
		return &transportError{command: command, msg: "send", err: err}
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody)) // keep the connection reusable
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return &transportError{command: command, status: resp.StatusCode, msg: "HTTP " + resp.Status}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("tim: %s: %w", command, ctx.Err())
		}
		return &transportError{command: command, msg: "read response", err: redact(err)}
	}
	if len(data) > maxBody {
		return &transportError{command: command, msg: fmt.Sprintf("response larger than %d bytes", maxBody), final: true}
	}
	return decode(command, data, out)
}

// decode parses a 200 answer into out. A body that is not Tencent's JSON is
// a (retryable) transport error; a non-zero ErrorCode is *Error.
func decode(command string, data []byte, out response) error {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return &transportError{command: command, msg: "response is not Tencent's JSON", err: err}
	}
	if env.ErrorCode != 0 {
		return &Error{Command: command, Code: env.ErrorCode, Info: env.ErrorInfo, RequestID: env.RequestID}
	}
	if env.ActionStatus != "OK" { // e.g. "null", "{}": no verdict at all
		return &transportError{command: command, msg: "response has neither ErrorCode nor ActionStatus OK"}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &transportError{command: command, msg: "decode response", err: err, final: true}
	}
	return nil
}

// redact removes the query (which carries the UserSig) from a *url.Error.
// Callers must redact before wrapping: wrappers format their text at once.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = "REDACTED"
			ue.URL = u.String()
		} else {
			ue.URL = "REDACTED"
		}
	}
	return err
}
