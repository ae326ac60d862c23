package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a redis-server process of the test's own, on 127.0.0.1.
type Server struct {
	port int
	dir  string
	args []string
	conf string // a sentinel's configuration file; "" for a data node

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd has been waited for
}

// StartServer starts redis-server on a free port with its data in a
// temporary directory of the test and extra arguments (e.g. "--appendonly",
// "yes"); it is killed when the test ends. Without a redis-server binary the
// test is skipped, or fails when MODBOT_TEST_REDIS_REQUIRED=1.
func StartServer(tb testing.TB, args ...string) *Server {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv(EnvRequired) == "1" {
			tb.Fatalf("storetest: %s=1 but no redis-server in PATH; %s", EnvRequired, InstallRedis)
		}
		tb.Skip("SKIP: this test needs a real redis-server (it starts, stops or configures its own) and there is none in PATH; " + InstallRedis)
	}
	s, err := start(tb.TempDir(), args)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	tb.Cleanup(s.Kill)
	return s
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d", s.port) }

// Addr is the server's host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// Kill stops the server at once (SIGKILL) and waits for it to exit.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts the server again on the same port and directory.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Kill()
	if err := s.run(); err != nil {
		tb.Fatalf("storetest: restart redis-server: %v", err)
	}
}

// start starts a server in dir ("" for a shared server that writes nothing).
func start(dir string, args []string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{port: port, dir: dir, args: args}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) run() error {
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--logfile", ""}
	if s.conf != "" {
		// A sentinel: its configuration file (which it rewrites) comes first.
		args = []string{s.conf, "--sentinel", "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--logfile", ""}
	}
	args = append(args, s.args...)
	dir := s.dir
	if dir == "" {
		// The shared server writes nothing (no RDB, no AOF); it still needs a
		// working directory, which is removed once it runs.
		d, err := os.MkdirTemp("", "storetest-redis-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	args = append(args, "--dir", dir)
	cmd := exec.Command("redis-server", args...)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	if err := waitReady(s.port, exited); err != nil {
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("redis-server on port %d: %w\n%s", s.port, err, out.String())
	}
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	return nil
}

// waitReady polls PING until the server answers (it may be loading an AOF).
func waitReady(port int, exited <-chan struct{}) error {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-exited:
			return errors.New("exited")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready: %w", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
