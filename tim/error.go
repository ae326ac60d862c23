package tim

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// Error is a request Tencent answered with a non-zero ErrorCode.
type Error struct {
	Command   string // e.g. "group_open_http_svc/unban_group_member"
	Code      int    // Tencent's ErrorCode
	Info      string // Tencent's ErrorInfo
	RequestID string // room engine responses only
}

// Error returns the command, the code with its meaning and Tencent's own text.
func (e *Error) Error() string {
	s := fmt.Sprintf("tim: %s: error %d", e.Command, e.Code)
	if m := Meaning(e.Code); m != "" {
		s += " (" + m + ")"
	}
	if e.Info != "" {
		s += ": " + e.Info
	}
	if e.RequestID != "" {
		s += " [RequestId " + e.RequestID + "]"
	}
	return s
}

// ErrNotAttempted is the outcome of an account whose call was never sent
// because the bulk operation stopped first (cancelled, or Progress failed).
var ErrNotAttempted = errors.New("tim: not attempted: the operation stopped first")

// InputError reports an argument rejected before any call to Tencent.
type InputError struct {
	What   string // "group ID", "room ID", "account", "reason", …
	Value  string // the rejected value (empty for long free text)
	Reason string // what is wrong with it
}

// Error names the bad value and what is wrong with it.
func (e *InputError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("tim: invalid %s: %s", e.What, e.Reason)
	}
	return fmt.Sprintf("tim: invalid %s %q: %s", e.What, e.Value, e.Reason)
}

// Retryable reports whether err is worth trying again later: a transport
// failure, an HTTP 5xx, or a Tencent code for an internal error or a
// frequency limit.
func Retryable(err error) bool {
	switch classify(err) {
	case classTransient, classThrottled:
		return true
	}
	return false
}

// Code returns the Tencent error code inside err, or 0 if there is none.
func Code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// ErrorClass names the class of err for metrics: "" (nil), "transient",
// "throttled", "credentials", "canceled", "invalid" or "permanent".
func ErrorClass(err error) string { return string(classify(err)) }

// ErrorClasses lists every non-empty value ErrorClass returns, for metrics to pre-register.
func ErrorClasses() []string {
	return []string{
		string(classTransient), string(classThrottled), string(classCredentials),
		string(classCanceled), string(classInvalid), string(classPermanent),
	}
}

type class string

const (
	classNone        class = ""
	classTransient   class = "transient"   // retry with backoff
	classThrottled   class = "throttled"   // retry after a longer wait
	classCredentials class = "credentials" // re-sign the UserSig once
	classCanceled    class = "canceled"    // the caller's context ended
	classInvalid     class = "invalid"     // rejected before sending
	classPermanent   class = "permanent"   // do not retry
)

// transportError is a failed exchange with no usable Tencent answer: a
// network error (already sanitized), a non-200 status or a body that is not
// Tencent's JSON.
type transportError struct {
	command string
	status  int   // HTTP status when one came back; 0 otherwise
	err     error // sanitized cause
	msg     string
	final   bool // not worth retrying (e.g. an oversized body)
}

func (e *transportError) Error() string {
	s := "tim: " + e.command + ": " + e.msg
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

func (e *transportError) Unwrap() error { return e.err }

// reached reports whether the request may have reached Tencent. Only a
// failure to connect proves it did not.
func (e *transportError) reached() bool {
	var op *net.OpError
	if e.status == 0 && errors.As(e.err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(e.err, &dns)
}

// codeClass sorts a Tencent code into a retry class.
func codeClass(code int) class {
	switch code {
	case 10002, 60008, 70169, 70500, 100001:
		return classTransient
	case 10006, 60007, 60011, 60018, 60019:
		return classThrottled
	case 70001, 70052:
		return classCredentials
	}
	return classPermanent // includes 70050: Tencent asks for a minute's pause
}

func classify(err error) class {
	var (
		te *Error
		tr *transportError
		ie *InputError
	)
	switch {
	case err == nil:
		return classNone
	case errors.As(err, &te):
		return codeClass(te.Code)
	case errors.As(err, &tr):
		if tr.final || (tr.status != 0 && tr.status < 500) {
			return classPermanent
		}
		return classTransient
	case errors.As(err, &ie):
		return classInvalid
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return classCanceled
	}
	return classPermanent
}

// bisectable reports whether a permanent failure of a multi-account call may
// be caused by some of its accounts, so that splitting the call finds them.
// Codes about the call as a whole (no such group, no permission,
// configuration, credentials) are the same for every half.
func bisectable(err error) bool {
	var te *Error
	if !errors.As(err, &te) || classify(err) != classPermanent {
		return false
	}
	switch te.Code {
	case 10003, 10007, 10010, 10015, 10026, 10059, 100004, 100006:
		return false // no such group or room, no permission, disabled
	case 60015, 70107, 70402:
		return true // a bad account in the body
	}
	return te.Code < 60000 || te.Code > 79999 // public codes concern the app, not accounts
}
