package main

import (
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"modbot/internal/modbotbin"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestBuild_Static checks the binary modbotbin.Build makes with CGO_ENABLED=0, as the image's: it is
// statically linked (no ELF interpreter, no shared libraries), built with -trimpath, and its
// version is stamped.
func TestBuild_Static(t *testing.T) {
	bin := mustBinary(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("not an ELF binary: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if got := settings["CGO_ENABLED"]; got != "0" {
		t.Errorf("CGO_ENABLED = %q, want 0", got)
	}
	if got := settings["-trimpath"]; got != "true" {
		t.Errorf("-trimpath = %q, want true", got)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "modbot "+modbotbin.Version {
		t.Fatalf("modbot version = %q, %v; want modbot test", out, err)
	}
}

// TestDockerfile holds the Dockerfile to what the image must be (no Docker engine runs here):
// multi-stage, the static trimmed stamped build, a distroless non-root final image with CA
// certificates, `run` as the default command and an exec-form health check the image can run.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]string // instructions of each stage
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("instruction before FROM: %q", line)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], line)
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want 2 (build, final)", len(stages))
	}
	build, final := strings.Join(stages[0], "\n"), stages[1]
	for _, want := range []string{"FROM golang:1.26 AS build", "CGO_ENABLED=0 go build", "-trimpath", `-s -w -X main.version=${VERSION}`, "./cmd/modbot"} {
		if !strings.Contains(build, want) {
			t.Errorf("build stage lacks %q", want)
		}
	}
	wantFinal := map[string]string{
		"FROM":        "gcr.io/distroless/static-debian12:nonroot", // CA certificates, no shell, uid 65532
		"COPY":        "--from=build /out/modbot /modbot",
		"USER":        "nonroot:nonroot",
		"ENTRYPOINT":  `["/modbot"]`,
		"CMD":         `["run"]`,
		"HEALTHCHECK": `CMD ["/modbot", "healthcheck"]`,
	}
	got := map[string]string{}
	for _, ins := range final {
		k, v, _ := strings.Cut(ins, " ")
		got[k] = v
	}
	for k, want := range wantFinal {
		if !strings.Contains(got[k], want) {
			t.Errorf("final stage %s = %q, want %q", k, got[k], want)
		}
	}
	for _, form := range []string{"ENTRYPOINT", "CMD"} {
		var argv []string
		if err := json.Unmarshal([]byte(got[form]), &argv); err != nil {
			t.Errorf("%s %s is not exec form (the image has no shell)", form, got[form])
		}
	}
	if m := regexp.MustCompile(`CMD (\[.*\])$`).FindStringSubmatch(got["HEALTHCHECK"]); m == nil {
		t.Errorf("HEALTHCHECK %q is not exec form", got["HEALTHCHECK"])
	}
}
