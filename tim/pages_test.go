package tim

import (
	"context"
	"errors"
	"testing"
)

func TestPages(t *testing.T) {
	c := &Client{maxPages: 3}
	entry := []bannedAccount{{Account: "u", BannedUntil: 1}}
	tests := []struct {
		name    string
		next    []int // NextOffset of successive pages
		want    error
		entries int
	}{
		{"OK", []int{100, 200, 0}, nil, 3},
		{"ErrStalled", []int{100, 100}, ErrPageStalled, 2},
		{"ErrBackwards", []int{100, 50}, ErrPageStalled, 2},
		{"ErrCap", []int{100, 200, 300, 400}, ErrTooManyPages, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var offsets []int
			got, err := c.pages(t.Context(), func(_ context.Context, offset int) ([]bannedAccount, int, error) {
				offsets = append(offsets, offset)
				return entry, tt.next[len(offsets)-1], nil
			})
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if len(got) != tt.entries {
				t.Fatalf("%d entries, want %d (what was read before stopping)", len(got), tt.entries)
			}
			if offsets[0] != 0 || (len(offsets) > 1 && offsets[1] != tt.next[0]) {
				t.Fatalf("offsets %v: want 0, then the first NextOffset", offsets)
			}
		})
	}
}
