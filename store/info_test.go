package store_test

import (
	"testing"

	"modbot/store"
	"modbot/store/storetest"
)

func TestStore_ServerInfo(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		appendOnly bool
		policy     string
	}{
		{"Defaults", nil, false, "noeviction"},
		{"AsRequired", []string{"--appendonly", "yes", "--maxmemory-policy", "noeviction"}, true, "noeviction"},
		{"Evicting", []string{"--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"}, false, "allkeys-lru"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := storetest.StartServer(t, tt.args...)
			s, err := store.Open(t.Context(), store.Options{URL: srv.URL(), Prefix: storetest.Prefix(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			si, err := s.ServerInfo(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !si.VersionAtLeast(7, 0) {
				t.Errorf("Version = %q, want ≥ 7.0 (the installed redis-server)", si.Version)
			}
			if got, want := si.Mode, "standalone"; got != want {
				t.Errorf("Mode = %q, want %q", got, want)
			}
			if got, want := si.Role, "master"; got != want {
				t.Errorf("Role = %q, want %q", got, want)
			}
			if got, want := si.AppendOnly, tt.appendOnly; got != want {
				t.Errorf("AppendOnly = %v, want %v", got, want)
			}
			if got, want := si.MaxmemoryPolicy, tt.policy; got != want {
				t.Errorf("MaxmemoryPolicy = %q, want %q", got, want)
			}
		})
	}
}

func TestParseServerInfo(t *testing.T) {
	text := "# Server\r\nredis_version:6.2.14\r\nredis_mode:cluster\r\n\r\n# Memory\r\nmaxmemory:104857600\r\n" +
		"maxmemory_policy:volatile-lru\r\n# Persistence\r\naof_enabled:1\r\n# Replication\r\nrole:slave\r\n"
	got := store.ParseServerInfo(text)
	want := store.ServerInfo{Version: "6.2.14", Mode: "cluster", Role: "slave", AppendOnly: true,
		MaxmemoryPolicy: "volatile-lru", Maxmemory: 100 << 20}
	if got != want {
		t.Fatalf("ParseServerInfo = %+v, want %+v", got, want)
	}
}

func TestServerInfo_VersionAtLeast(t *testing.T) {
	tests := []struct {
		version string
		want    bool
	}{
		{"7.0.15", true},
		{"7.2.4", true},
		{"8.0.0", true},
		{"6.2.14", false},
		{"10.0", true},
		{"", false},
		{"seven", false},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			if got := (store.ServerInfo{Version: tt.version}).VersionAtLeast(7, 0); got != tt.want {
				t.Fatalf("VersionAtLeast(7, 0) of %q = %v, want %v", tt.version, got, tt.want)
			}
		})
	}
}
