package main

import (
	"strings"
	"testing"
	"time"
)

// The watched-target settings: defaults, valid values, and a clear message for each bad one.
func TestLoadConfig_Reconcile(t *testing.T) {
	setEnv(t, validEnv)
	c, err := loadConfig(all)
	if err != nil {
		t.Fatal(err)
	}
	if c.ReconcileInterval != 5*time.Minute || c.ReconcileShare != 0.25 || c.MaxWatched != 1000 {
		t.Fatalf("defaults: interval %v, share %v, max %d", c.ReconcileInterval, c.ReconcileShare, c.MaxWatched)
	}
	t.Setenv("MODBOT_RECONCILE_INTERVAL", "0")
	t.Setenv("MODBOT_RECONCILE_SHARE", "1")
	t.Setenv("MODBOT_MAX_WATCHED", "5")
	if c, err = loadConfig(all); err != nil || c.ReconcileInterval != 0 || c.ReconcileShare != 1 || c.MaxWatched != 5 {
		t.Fatalf("off, whole share, 5: %+v, %v", c, err)
	}
	for _, bad := range []struct{ name, value, want string }{
		{"MODBOT_RECONCILE_INTERVAL", "5", "MODBOT_RECONCILE_INTERVAL must be a duration"},
		{"MODBOT_RECONCILE_INTERVAL", "1s", "MODBOT_RECONCILE_INTERVAL must be 0 (off) or at least 10s"},
		{"MODBOT_RECONCILE_INTERVAL", "-5m", "MODBOT_RECONCILE_INTERVAL must be a duration"},
		{"MODBOT_RECONCILE_SHARE", "0", "MODBOT_RECONCILE_SHARE must be a fraction"},
		{"MODBOT_RECONCILE_SHARE", "25%", "MODBOT_RECONCILE_SHARE must be a fraction"},
		{"MODBOT_RECONCILE_SHARE", "1.5", "MODBOT_RECONCILE_SHARE must be a fraction"},
		{"MODBOT_MAX_WATCHED", "0", "MODBOT_MAX_WATCHED must be a whole number from 1 to 100000"},
	} {
		setEnv(t, validEnv)
		t.Setenv(bad.name, bad.value)
		_, err := loadConfig(all)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s=%q: %v, want %q", bad.name, bad.value, err, bad.want)
		}
	}
}
