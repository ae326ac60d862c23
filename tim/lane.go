package tim

// WithLimiter returns a Client that paces its calls through l instead of the
// Limiter it was made with, sharing everything else (HTTP client, UserSig,
// retries). It is how work of another priority gets its own lane of a
// shared limit, e.g. the sweep of watched targets through store's
// background lane: the lane is chosen where the client is built, never by a
// context value. A nil l returns c itself.
func (c *Client) WithLimiter(l Limiter) *Client {
	if l == nil {
		return c
	}
	cc := *c
	cc.limiter = l
	return &cc
}
