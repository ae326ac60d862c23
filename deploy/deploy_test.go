package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	promql "github.com/prometheus/prometheus/promql/parser"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// configVars are the variables modbot reads: MODBOT_ and each field of cmd/modbot's env struct as
// envconfig's split_words spells it (SlackApiUrl → SLACK_API_URL), read from the source.
func configVars(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../cmd/modbot/config.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	word := regexp.MustCompile(`[A-Z][a-z0-9]*`)
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "env" {
			return true
		}
		for _, fld := range ts.Type.(*ast.StructType).Fields.List {
			for _, id := range fld.Names {
				names = append(names, "MODBOT_"+strings.ToUpper(strings.Join(word.FindAllString(id.Name, -1), "_")))
			}
		}
		return false
	})
	if len(names) < 20 {
		t.Fatalf("found %d variables in cmd/modbot/config.go's env struct: did it move?", len(names))
	}
	return names
}

// decodeStrict decodes one YAML document into v, refusing unknown fields.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// kustomization is the part of kustomize's Kustomization these manifests use.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName"`
		NewTag  string `json:"newTag"`
	} `json:"images"`
}

// manifests decodes every resource of the kustomization strictly into its API type.
type manifests struct {
	deploy  *appsv1.Deployment
	config  *corev1.ConfigMap
	secret  *corev1.Secret
	service *corev1.Service
	pdb     *policyv1.PodDisruptionBudget
	monitor *monitoringv1.ServiceMonitor
}

func loadManifests(t *testing.T) manifests {
	t.Helper()
	var k kustomization
	decodeStrict(t, "kubernetes/kustomization.yaml", &k)
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Fatalf("kustomization.yaml is %s %s", k.APIVersion, k.Kind)
	}
	var m manifests
	for _, r := range k.Resources {
		path := filepath.Join("kubernetes", r)
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, &meta); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch gvk := meta.APIVersion + " " + meta.Kind; gvk {
		case "apps/v1 Deployment":
			m.deploy = new(appsv1.Deployment)
			decodeStrict(t, path, m.deploy)
		case "v1 ConfigMap":
			m.config = new(corev1.ConfigMap)
			decodeStrict(t, path, m.config)
		case "v1 Secret":
			m.secret = new(corev1.Secret)
			decodeStrict(t, path, m.secret)
		case "v1 Service":
			m.service = new(corev1.Service)
			decodeStrict(t, path, m.service)
		case "policy/v1 PodDisruptionBudget":
			m.pdb = new(policyv1.PodDisruptionBudget)
			decodeStrict(t, path, m.pdb)
		case "monitoring.coreos.com/v1 ServiceMonitor":
			m.monitor = new(monitoringv1.ServiceMonitor)
			decodeStrict(t, path, m.monitor)
		case "networking.k8s.io/v1 Ingress":
			t.Errorf("%s: an Ingress; modbot takes no inbound traffic (Socket Mode)", path)
		default:
			t.Errorf("%s: unexpected %s", path, gvk)
		}
	}
	if m.deploy == nil || m.config == nil || m.secret == nil || m.service == nil || m.pdb == nil || m.monitor == nil {
		t.Fatalf("the kustomization lacks a Deployment, ConfigMap, Secret, Service, PodDisruptionBudget or ServiceMonitor: %+v", k.Resources)
	}
	if len(k.Images) != 1 || k.Images[0].Name != m.deploy.Spec.Template.Spec.Containers[0].Image {
		t.Errorf("the kustomization's images do not set the Deployment's image %q", m.deploy.Spec.Template.Spec.Containers[0].Image)
	}
	return m
}

// TestKubernetes holds the manifests to what running modbot needs.
func TestKubernetes(t *testing.T) {
	m := loadManifests(t)
	d := m.deploy
	pod := d.Spec.Template.Spec
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas %v, want 2", d.Spec.Replicas)
	}
	if ru := d.Spec.Strategy.RollingUpdate; d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Errorf("strategy %+v: want a rolling update that never has fewer replicas than wanted", d.Spec.Strategy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	psc, sc := pod.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("pod security context %+v: want runAsNonRoot and a non-zero runAsUser", psc)
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("container security context %+v: want a read-only root filesystem, no privilege escalation, all capabilities dropped", sc)
	}
	if !slices.Equal(c.Args, []string{"run"}) {
		t.Errorf("args %v, want [run]", c.Args)
	}

	// Probes on the listener's port: liveness /healthz, readiness /readyz.
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != 9090 {
		t.Fatalf("ports %+v, want 9090 (MODBOT_HTTP_ADDR)", c.Ports)
	}
	port := c.Ports[0].Name
	for what, p := range map[string]*corev1.Probe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != what || p.HTTPGet.Port.String() != port {
			t.Errorf("probe for %s: %+v", what, p)
		}
	}

	// Resources from the measured RSS (docs/BENCHMARKS.md: about 23 MB a replica under load).
	const rssMB = 23.5
	req, lim := c.Resources.Requests.Memory(), c.Resources.Limits.Memory()
	if req.IsZero() || lim.IsZero() || c.Resources.Requests.Cpu().IsZero() {
		t.Fatalf("resources %+v: want cpu and memory requests and a memory limit", c.Resources)
	}
	if r := float64(req.Value()) / (rssMB * 1e6); r < 2 || r > 5 {
		t.Errorf("memory request %s is %.1f× the measured RSS, want 2–5×", req, r)
	}
	if r := float64(lim.Value()) / (rssMB * 1e6); r < 4 || r > 10 {
		t.Errorf("memory limit %s is %.1f× the measured RSS, want 4–10×", lim, r)
	}

	// Configuration: the ConfigMap and the Secret through envFrom, secrets only in the Secret.
	var refs []string
	for _, e := range c.EnvFrom {
		switch {
		case e.ConfigMapRef != nil:
			refs = append(refs, "configmap/"+e.ConfigMapRef.Name)
		case e.SecretRef != nil:
			refs = append(refs, "secret/"+e.SecretRef.Name)
		}
	}
	if want := []string{"configmap/" + m.config.Name, "secret/" + m.secret.Name}; !slices.Equal(refs, want) {
		t.Errorf("envFrom %v, want %v", refs, want)
	}
	known := configVars(t)
	for key := range m.config.Data {
		if !slices.Contains(known, key) {
			t.Errorf("the ConfigMap sets %s, which modbot does not read", key)
		}
		if slices.Contains(secretVars, key) {
			t.Errorf("the ConfigMap sets the secret %s: it belongs in the Secret", key)
		}
	}
	for key, v := range m.secret.StringData {
		if !slices.Contains(known, key) {
			t.Errorf("the Secret sets %s, which modbot does not read", key)
		}
		if !strings.Contains(v, "REPLACE-ME") {
			t.Errorf("the Secret's %s is not a REPLACE-ME placeholder", key)
		}
	}
	for _, key := range []string{"MODBOT_SLACK_APP_TOKEN", "MODBOT_SLACK_BOT_TOKEN", "MODBOT_TIM_SECRET_KEY"} {
		if _, ok := m.secret.StringData[key]; !ok {
			t.Errorf("the Secret lacks %s", key)
		}
	}
	if len(c.Env) > 0 {
		t.Errorf("the container sets env directly (%d); keep configuration in the ConfigMap and the Secret", len(c.Env))
	}
	if got := m.config.Data["MODBOT_HTTP_ADDR"]; got != ":9090" {
		t.Errorf("MODBOT_HTTP_ADDR %q, want :9090 (probes and Prometheus need the pod's address)", got)
	}

	// A stopped pod drains within MODBOT_DRAIN_TIMEOUT before Kubernetes kills it.
	drain := 25 * time.Second
	if v, ok := m.config.Data["MODBOT_DRAIN_TIMEOUT"]; ok {
		var err error
		if drain, err = time.ParseDuration(v); err != nil {
			t.Fatalf("MODBOT_DRAIN_TIMEOUT %q: %v", v, err)
		}
	}
	if g := pod.TerminationGracePeriodSeconds; g == nil || time.Duration(*g)*time.Second < drain+5*time.Second {
		t.Errorf("terminationGracePeriodSeconds %v, want at least MODBOT_DRAIN_TIMEOUT (%v) + 5 s", g, drain)
	}

	// The PDB, the Service and the ServiceMonitor select these pods.
	labels := d.Spec.Template.Labels
	matches := func(sel map[string]string) bool {
		for k, v := range sel {
			if labels[k] != v {
				return false
			}
		}
		return len(sel) > 0
	}
	if !matches(d.Spec.Selector.MatchLabels) {
		t.Errorf("the Deployment's selector %v does not match its pods %v", d.Spec.Selector.MatchLabels, labels)
	}
	if m.pdb.Spec.Selector == nil || !matches(m.pdb.Spec.Selector.MatchLabels) || m.pdb.Spec.MinAvailable == nil || m.pdb.Spec.MinAvailable.IntValue() < 1 {
		t.Errorf("PDB %+v: want minAvailable ≥ 1 of these pods", m.pdb.Spec)
	}
	if !matches(m.service.Spec.Selector) || m.service.Spec.Type != corev1.ServiceTypeClusterIP || len(m.service.Spec.Ports) != 1 ||
		m.service.Spec.Ports[0].Name != port || m.service.Spec.Ports[0].TargetPort.String() != port {
		t.Errorf("Service %+v: want a ClusterIP on the pods' %s port", m.service.Spec, port)
	}
	for k, v := range m.monitor.Spec.Selector.MatchLabels {
		if m.service.Labels[k] != v {
			t.Errorf("the ServiceMonitor selects %s=%s, which the Service lacks", k, v)
		}
	}
	if eps := m.monitor.Spec.Endpoints; len(eps) != 1 || eps[0].Port != port || eps[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %+v, want port %s path /metrics", eps, port)
	}
}

// secretVars must come from the Secret (Kubernetes) and never be committed with a value.
var secretVars = []string{"MODBOT_SLACK_APP_TOKEN", "MODBOT_SLACK_BOT_TOKEN", "MODBOT_TIM_SECRET_KEY", "MODBOT_REDIS_URL", "MODBOT_REDIS_SENTINEL_PASSWORD"}

// TestEnvExample: .env.example lists every variable modbot reads, and no other, with
// placeholders for the secrets.
func TestEnvExample(t *testing.T) {
	b, err := os.ReadFile(".env.example")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^(?:# )?(MODBOT_[A-Z_]+)=(.*)$`)
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			if _, dup := listed[m[1]]; dup {
				t.Errorf(".env.example lists %s twice", m[1])
			}
			listed[m[1]] = m[2]
		}
	}
	known := configVars(t)
	for _, name := range known {
		if _, ok := listed[name]; !ok {
			t.Errorf(".env.example lacks %s", name)
		}
	}
	for name, v := range listed {
		if !slices.Contains(known, name) {
			t.Errorf(".env.example lists %s, which modbot does not read", name)
		}
		if slices.Contains([]string{"MODBOT_SLACK_APP_TOKEN", "MODBOT_SLACK_BOT_TOKEN", "MODBOT_TIM_SECRET_KEY"}, name) && !strings.Contains(v, "REPLACE-ME") {
			t.Errorf(".env.example's %s is not a REPLACE-ME placeholder", name)
		}
	}
}

// compose is the part of the Compose specification deploy/compose.yaml uses; decoding is strict,
// so a misspelt key fails.
type compose struct {
	Name     string                    `json:"name"`
	Services map[string]composeService `json:"services"`
	Volumes  map[string]any            `json:"volumes"`
}

type composeService struct {
	Profiles    []string       `json:"profiles"`
	Image       string         `json:"image"`
	Build       map[string]any `json:"build"`
	Entrypoint  []string       `json:"entrypoint"`
	Command     []string       `json:"command"`
	EnvFile     string         `json:"env_file"`
	Environment map[string]any `json:"environment"`
	Deploy      struct {
		Replicas int `json:"replicas"`
	} `json:"deploy"`
	ReadOnly        bool              `json:"read_only"`
	User            string            `json:"user"`
	CapDrop         []string          `json:"cap_drop"`
	SecurityOpt     []string          `json:"security_opt"`
	StopGracePeriod string            `json:"stop_grace_period"`
	Ports           []string          `json:"ports"`
	Volumes         []string          `json:"volumes"`
	Healthcheck     map[string]any    `json:"healthcheck"`
	DependsOn       map[string]any    `json:"depends_on"`
	Restart         string            `json:"restart"`
	Labels          map[string]string `json:"labels"`
}

// TestCompose holds compose.yaml to the design: Redis with AOF and noeviction, two modbot
// replicas reading .env with `modbot healthcheck`, nothing published, and a sentinel profile with
// a replica and three sentinels.
func TestCompose(t *testing.T) {
	var c compose
	decodeStrict(t, "compose.yaml", &c)
	redis, ok := c.Services["redis"]
	if !ok {
		t.Fatal("no redis service")
	}
	cmd := strings.Join(redis.Command, " ")
	for _, want := range []string{"--appendonly yes", "--maxmemory-policy noeviction"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("redis command %q lacks %s", cmd, want)
		}
	}
	mb, ok := c.Services["modbot"]
	if !ok {
		t.Fatal("no modbot service")
	}
	if mb.Deploy.Replicas != 2 || mb.EnvFile != ".env" || !slices.Equal(mb.Command, []string{"run"}) {
		t.Errorf("modbot: replicas %d, env_file %q, command %v; want 2, .env, [run]", mb.Deploy.Replicas, mb.EnvFile, mb.Command)
	}
	if test, _ := mb.Healthcheck["test"].([]any); fmt.Sprint(test) != "[CMD /modbot healthcheck]" {
		t.Errorf("modbot healthcheck %v, want [CMD /modbot healthcheck]", test)
	}
	if !mb.ReadOnly || mb.User == "" || strings.HasPrefix(mb.User, "0") || !slices.Contains(mb.CapDrop, "ALL") {
		t.Errorf("modbot: read_only %v, user %q, cap_drop %v; want read-only, non-root, ALL dropped", mb.ReadOnly, mb.User, mb.CapDrop)
	}
	if g, err := time.ParseDuration(mb.StopGracePeriod); err != nil || g <= 25*time.Second {
		t.Errorf("stop_grace_period %q, want above MODBOT_DRAIN_TIMEOUT (25 s)", mb.StopGracePeriod)
	}
	known := configVars(t)
	sentinels := 0
	for name, s := range c.Services {
		if len(s.Ports) > 0 {
			t.Errorf("service %s publishes ports %v: nothing needs inbound traffic, and :9090 stays off public networks", name, s.Ports)
		}
		for key := range s.Environment {
			if strings.HasPrefix(key, "MODBOT_") && !slices.Contains(known, key) {
				t.Errorf("service %s sets %s, which modbot does not read", name, key)
			}
		}
		if strings.Contains(strings.Join(s.Command, " "), "--sentinel") {
			sentinels++
			if !slices.Equal(s.Profiles, []string{"sentinel"}) {
				t.Errorf("sentinel service %s is not in the sentinel profile", name)
			}
		}
	}
	if r, ok := c.Services["redis-replica"]; !ok || !strings.Contains(strings.Join(r.Command, " "), "--replicaof redis 6379") || !slices.Equal(r.Profiles, []string{"sentinel"}) {
		t.Errorf("no redis-replica of redis in the sentinel profile")
	}
	if sentinels != 3 {
		t.Errorf("%d sentinels, want 3", sentinels)
	}
}

// queried collects the metric names a PromQL expression selects; Grafana's variables are
// replaced by values first.
func queried(t *testing.T, where, expr string, into map[string][]string) {
	t.Helper()
	expr = strings.NewReplacer("$__rate_interval", "5m", "$__range", "1h", "$job", ".*").Replace(expr)
	e, err := promql.NewParser(promql.Options{}).ParseExpr(expr)
	if err != nil {
		t.Errorf("%s: %q: %v", where, expr, err)
		return
	}
	promql.Inspect(e, func(n promql.Node, _ []promql.Node) error {
		if vs, ok := n.(*promql.VectorSelector); ok {
			into[vs.Name] = append(into[vs.Name], where)
		}
		return nil
	})
}

// TestAlerts parses the rules as Prometheus does (strictly) and checks each alert's shape.
func TestAlerts(t *testing.T) {
	groups, errs := rulefmt.ParseFile("prometheus/alerts.yaml", false, model.UTF8Validation, promql.NewParser(promql.Options{}), slog.Default())
	for _, err := range errs {
		t.Error(err)
	}
	if groups == nil {
		t.FailNow()
	}
	wanted := []string{"modbot_ready", "modbot_socketmode_connected", "modbot_tencent_calls_total", "modbot_executions_stalled",
		"modbot_audit_feed_lag_seconds", "modbot_redis_unconfirmed_writes_total"}
	names := map[string][]string{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			queried(t, "alert "+r.Alert, r.Expr, names)
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s lacks a severity, a summary or a description", r.Alert)
			}
		}
	}
	for _, w := range wanted {
		if len(names[w]) == 0 {
			t.Errorf("no alert watches %s", w)
		}
	}
}

// dashboard is the part of Grafana's dashboard model the test reads.
type dashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Panels []struct {
		Title      string `json:"title"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr  string `json:"expr"`
			RefID string `json:"refId"`
		} `json:"targets"`
	} `json:"panels"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile("grafana/modbot.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("grafana/modbot.json: %v", err)
	}
	return d
}

// TestDashboard: every panel queries the dashboard's Prometheus variable with PromQL that parses,
// and the panels the design asks for are there.
func TestDashboard(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard uid %q title %q with %d panels", d.UID, d.Title, len(d.Panels))
	}
	names := map[string][]string{}
	for _, p := range d.Panels {
		if p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("panel %q: datasource %q, %d targets", p.Title, p.Datasource.UID, len(p.Targets))
		}
		for _, tg := range p.Targets {
			queried(t, "panel "+p.Title, tg.Expr, names)
		}
	}
	for _, w := range []string{"modbot_commands_total", "modbot_slack_ack_duration_seconds_bucket", "modbot_tencent_calls_total",
		"modbot_tencent_call_duration_seconds_bucket", "modbot_ratelimit_wait_seconds_bucket", "modbot_approvals_total",
		"modbot_executions_in_flight", "modbot_socketmode_connections_total", "modbot_redis_errors_total"} {
		if len(names[w]) == 0 {
			t.Errorf("no panel shows %s", w)
		}
	}
}

// TestMetricsExported: every metric the dashboard and the alerts query is one a running modbot
// exports. metrics.txt is read from a live `modbot run` by cmd/modbot's
// TestRun_HealthReadinessAndMetrics, which fails when it is not current; so a renamed metric fails
// there or here.
func TestMetricsExported(t *testing.T) {
	b, err := os.ReadFile("metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for l := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && !strings.HasPrefix(l, "#") {
			types[f[0]] = f[1]
		}
	}
	if len(types) < 10 {
		t.Fatalf("metrics.txt lists %d families", len(types))
	}
	names := map[string][]string{}
	d := loadDashboard(t)
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			queried(t, "panel "+p.Title, tg.Expr, names)
		}
	}
	groups, _ := rulefmt.ParseFile("prometheus/alerts.yaml", false, model.UTF8Validation, promql.NewParser(promql.Options{}), slog.Default())
	if groups != nil {
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				queried(t, "alert "+r.Alert, r.Expr, names)
			}
		}
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		family, typ := n, types[n]
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(n, suffix); ok && types[base] == "histogram" {
				family, typ = base, "histogram"
			}
		}
		if typ == "" {
			t.Errorf("%s (queried by %s) is not exported by modbot (metrics.txt)", n, strings.Join(names[n], ", "))
			continue
		}
		if strings.HasSuffix(n, "_bucket") && typ != "histogram" {
			t.Errorf("%s is queried as a histogram, but %s is a %s", n, family, typ)
		}
	}
}

// TestDockerfile: the image builds the binary as CI does (internal/modbotbin's flags), in stages,
// runs it as a non-root user, and copies no secret into the image.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	bin, err := os.ReadFile("../internal/modbotbin/modbotbin.go")
	if err != nil {
		t.Fatal(err)
	}
	// CI's build: `go build -trimpath -ldflags "-s -w -X main.version=…"` with CGO_ENABLED=0.
	for _, flag := range []string{"-trimpath", `-s -w -X main.version=`} {
		if !strings.Contains(string(bin), strconv.Quote(flag)[1:len(strconv.Quote(flag))-1]) && !strings.Contains(string(bin), flag) {
			t.Fatalf("internal/modbotbin no longer builds with %s: update this test and the Dockerfile together", flag)
		}
		if !strings.Contains(df, flag) {
			t.Errorf("the Dockerfile's build lacks %s, which CI's build uses", flag)
		}
	}
	if !strings.Contains(df, "CGO_ENABLED=0 go build") {
		t.Error("the Dockerfile does not build with CGO_ENABLED=0 as CI does")
	}
	if strings.Count(df, "\nFROM ") < 2 || !strings.Contains(df, "COPY --from=build") {
		t.Error("the Dockerfile is not multi-stage (build, then copy the binary alone)")
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(df)
	if user == nil || strings.HasPrefix(user[1], "root") || strings.HasPrefix(user[1], "0") {
		t.Errorf("the final image's USER is %v: want a non-root user", user)
	}
	for _, l := range strings.Split(df, "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "ENV" || f[0] == "ARG") && regexp.MustCompile(`(?i)token|secret|password|key`).MatchString(l) {
			t.Errorf("the Dockerfile bakes a secret-looking setting into the image: %q", l)
		}
		if f := strings.Fields(l); len(f) > 1 && (f[0] == "COPY" || f[0] == "ADD") && regexp.MustCompile(`\.env|secret|\.pem|\.key`).MatchString(l) {
			t.Errorf("the Dockerfile copies a secret-looking file: %q", l)
		}
	}
	// `COPY . .` takes the build context: .dockerignore keeps env files and deploy/ out of it.
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".env", "*.env", "deploy"} {
		fields := strings.Fields(string(ignore))
		if !slices.Contains(fields, want) && !slices.Contains(fields, "**/"+want) { // **/x: in any directory
			t.Errorf(".dockerignore lacks %s: an env file with secrets could be copied into the build stage", want)
		}
	}
}
