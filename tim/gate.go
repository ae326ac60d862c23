package tim

import "context"

type gateKey struct{}

// WithGate returns a context whose calls ask gate right before each attempt is sent — after the
// rate-limit wait, which can be long — and stop without sending when it returns an error. A
// caller that works under a lease uses it to send nothing once the lease may have lapsed (say,
// after the process was paused).
func WithGate(ctx context.Context, gate func() error) context.Context {
	return context.WithValue(ctx, gateKey{}, gate)
}

// checkGate runs the gate of ctx, if any.
func checkGate(ctx context.Context) error {
	if gate, ok := ctx.Value(gateKey{}).(func() error); ok {
		return gate()
	}
	return nil
}
