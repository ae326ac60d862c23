package tim_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"modbot/tim"
	"modbot/tim/timtest"
)

func TestClient_UnbanGroupMembers(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)

	t.Run("OK", func(t *testing.T) {
		g := srv.CreateGroup(timtest.AVChatRoom)
		srv.Ban(g, "u1", time.Hour)
		srv.Ban(g, "u2", time.Hour)
		got, err := c.UnbanGroupMembers(t.Context(), tim.GroupID(g), []tim.UserID{"u1", "u2", "u1"}, tim.BulkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mustAllDone(t, got, []tim.UserID{"u1", "u2"})
		if srv.IsBanned(g, "u1") || srv.IsBanned(g, "u2") {
			t.Fatal("still banned after unban")
		}
	})
	t.Run("ErrGroupTypeNotSupported", func(t *testing.T) {
		g := srv.CreateGroup(timtest.Public)
		before := srv.Calls(cmdUnbanGroup)
		got, err := c.UnbanGroupMembers(t.Context(), tim.GroupID(g), accounts("p", 20), tim.BulkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range got {
			if got, want := tim.Code(o.Err), 10007; got != want {
				t.Fatalf("%s: code %d, want %d", o.Account, got, want)
			}
		}
		if got, want := srv.Calls(cmdUnbanGroup)-before, 1; got != want {
			t.Fatalf("%d calls, want %d (10007 concerns the whole call: no bisection)", got, want)
		}
	})
}

func TestClient_BanGroupMembers(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	srv := timtest.NewServer(t, timtest.Options{Now: func() time.Time { return now }})
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.AVChatRoom)

	got, err := c.BanGroupMembers(t.Context(), tim.GroupID(g), []tim.UserID{"u1", "u2"}, 90*time.Minute+time.Millisecond, "spam", tim.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustAllDone(t, got, []tim.UserID{"u1", "u2"})
	until, ok := srv.BannedUntil(g, "u2")
	if want := now.Add(90*time.Minute + time.Second); !ok || !until.Equal(want) {
		t.Fatalf("u2 banned until %v (%v), want %v (rounded up)", until, ok, want)
	}
}

func TestClient_GetRolesInGroup(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.Public)
	srv.SetRole(g, "leckie", "Owner")
	srv.SetRole(g, "peter", "Member")
	srv.SetRole(g, "ann", "Admin")

	t.Run("OK", func(t *testing.T) {
		got, err := c.GetRolesInGroup(t.Context(), tim.GroupID(g), []tim.UserID{"wesley", "leckie", "peter", "ann", "peter"})
		if err != nil {
			t.Fatal(err)
		}
		want := []tim.MemberRole{{"wesley", "NotMember"}, {"leckie", "Owner"}, {"peter", "Member"}, {"ann", "Admin"}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("roles = %v, want %v", got, want)
		}
	})
	t.Run("ErrAVChatRoom", func(t *testing.T) {
		live := srv.CreateGroup(timtest.AVChatRoom)
		_, err := c.GetRolesInGroup(t.Context(), tim.GroupID(live), []tim.UserID{"u1"})
		if got, want := tim.Code(err), 10007; got != want {
			t.Fatalf("code %d (%v), want %d", got, err, want)
		}
	})
	t.Run("ErrNoGroup", func(t *testing.T) {
		_, err := c.GetRolesInGroup(t.Context(), "@TGS#2NOPE", []tim.UserID{"u1"})
		if got, want := tim.Code(err), 10010; got != want {
			t.Fatalf("code %d (%v), want %d", got, err, want)
		}
	})
}

func TestClient_GroupBannedMembers(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	srv := timtest.NewServer(t, timtest.Options{Now: func() time.Time { return now }})
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.AVChatRoom)
	want := accounts("b", 250)
	for i, a := range want {
		srv.Ban(g, string(a), time.Duration(i+1)*time.Minute) // the list is sorted by ban end
	}

	got, err := c.GroupBannedMembers(t.Context(), tim.GroupID(g))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d banned, want %d", len(got), len(want))
	}
	for i, b := range got {
		if b.Account != want[i] || !b.Until.Equal(now.Add(time.Duration(i+1)*time.Minute)) {
			t.Fatalf("entry %d = %v, want %s until +%dm", i, b, want[i], i+1)
		}
	}
	if got, want := srv.Calls(cmdGroupBanList), 3; got != want {
		t.Fatalf("%d pages, want %d", got, want)
	}
}

func TestClient_GroupInfo(t *testing.T) {
	srv := timtest.NewServer(t)
	c := newClient(t, srv)
	g := srv.CreateGroup(timtest.Work)
	srv.SetGroupName(g, "moderators")
	srv.SetRole(g, "leckie", "Owner")
	srv.SetRole(g, "peter", "Member")

	t.Run("OK", func(t *testing.T) {
		got, err := c.GroupInfo(t.Context(), tim.GroupID(g))
		if err != nil {
			t.Fatal(err)
		}
		want := tim.GroupInfo{ID: tim.GroupID(g), Type: tim.Private, Name: "moderators", MemberNum: 2}
		if got != want {
			t.Fatalf("info = %+v, want %+v", got, want)
		}
	})
	t.Run("ErrNoGroup", func(t *testing.T) {
		_, err := c.GroupInfo(t.Context(), "@TGS#1MISSING")
		var te *tim.Error
		if !errors.As(err, &te) || te.Code != 10010 || te.Command != cmdGroupInfo {
			t.Fatalf("err = %v, want *tim.Error 10010 from %s", err, cmdGroupInfo)
		}
	})
}
