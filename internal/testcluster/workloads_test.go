package testcluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// api is a raw JSON client of one cluster for the harness's own tests,
// which must not depend on the library they serve.
type api struct {
	t      *testing.T
	c      *Cluster
	client *http.Client
}

func newAPI(t *testing.T, c *Cluster) *api {
	client, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	return &api{t: t, c: c, client: client}
}

// do sends a request and returns the status and body.
func (a *api) do(method, path, contentType, body string) (int, []byte) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.c.Host+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp.StatusCode, data
}

// must sends a request that must answer want.
func (a *api) must(want int, method, path, contentType, body string) []byte {
	a.t.Helper()
	code, data := a.do(method, path, contentType, body)
	if code != want {
		a.t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, code, want, data)
	}
	return data
}

func (a *api) get(path string, into any) {
	a.t.Helper()
	if err := json.Unmarshal(a.must(http.StatusOK, http.MethodGet, path, "", ""), into); err != nil {
		a.t.Fatalf("GET %s: %v", path, err)
	}
}

func (a *api) create(path, body string) {
	a.t.Helper()
	a.must(http.StatusCreated, http.MethodPost, path, "application/json", body)
}

// eventually polls cond until it returns "" or 60 seconds pass; the last
// answer is the failure message.
func (a *api) eventually(what string, cond func() string) {
	a.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("%s: still %s after 60s", what, msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// pod is the part of a Pod these tests read.
type pod struct {
	Metadata struct {
		Name              string  `json:"name"`
		DeletionTimestamp *string `json:"deletionTimestamp"`
	} `json:"metadata"`
	Spec struct {
		NodeName string `json:"nodeName"`
	} `json:"spec"`
	Status struct {
		Phase      string `json:"phase"`
		PodIP      string `json:"podIP"`
		Conditions []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"conditions"`
		ContainerStatuses []struct {
			Name  string `json:"name"`
			State struct {
				Terminated *struct {
					ExitCode int `json:"exitCode"`
				} `json:"terminated"`
			} `json:"state"`
		} `json:"containerStatuses"`
	} `json:"status"`
}

func (p pod) condition(typ string) string {
	for _, c := range p.Status.Conditions {
		if c.Type == typ {
			return c.Status
		}
	}
	return ""
}

func (a *api) pods(selector string) []pod {
	a.t.Helper()
	var list struct{ Items []pod }
	a.get("/api/v1/namespaces/default/pods?labelSelector="+selector, &list)
	return list.Items
}

// conditions returns the True conditions of the object at path.
func (a *api) conditions(path string) []string {
	a.t.Helper()
	var obj struct {
		Status struct {
			Conditions []struct{ Type, Status string }
		}
	}
	a.get(path, &obj)
	var types []string
	for _, c := range obj.Status.Conditions {
		if c.Status == "True" {
			types = append(types, c.Type)
		}
	}
	return types
}

// runPod creates a bare pod with containers "app" and TickerContainer and
// waits until it runs.
func (a *api) runPod(name string, annotations map[string]string) pod {
	a.t.Helper()
	ann, _ := json.Marshal(annotations)
	a.create("/api/v1/namespaces/default/pods", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"`+name+`","labels":{"run":"`+name+`"},"annotations":`+string(ann)+`},
	  "spec":{"containers":[{"name":"app","image":"app:1"},{"name":"`+TickerContainer+`","image":"ticker:1"}]}}`)
	var p pod
	a.eventually("pod "+name+" running", func() string {
		a.get("/api/v1/namespaces/default/pods/"+name, &p)
		if p.Status.Phase != "Running" {
			return "phase " + p.Status.Phase
		}
		return ""
	})
	return p
}

// TestWorkloads runs a cluster whose pods run and checks what the issue
// promised users of `make cluster` and the end-to-end tests: controllers,
// scheduling onto fake nodes, pod status, garbage collection, and the pod
// subresources served from the fake kubelets (exec, attach and
// port-forward through a real kubectl).
func TestWorkloads(t *testing.T) {
	c := StartWorkloads(t)
	a := newAPI(t, c)
	if len(c.Nodes) != 2 {
		t.Fatalf("nodes %v, want 2", c.Nodes)
	}

	t.Run("deployment", func(t *testing.T) {
		a := &api{t: t, c: c, client: a.client}
		a.create("/apis/apps/v1/namespaces/default/deployments", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
		  "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
		  "spec":{"containers":[{"name":"app","image":"web:1"}]}}}}`)
		a.eventually("deployment web ready", func() string {
			var d struct {
				Status struct{ ReadyReplicas int }
			}
			a.get("/apis/apps/v1/namespaces/default/deployments/web", &d)
			if d.Status.ReadyReplicas != 3 {
				return fmt.Sprintf("readyReplicas %d", d.Status.ReadyReplicas)
			}
			return ""
		})
		for _, p := range a.pods("app%3Dweb") {
			if p.Status.Phase != "Running" || p.condition("Ready") != "True" || p.Status.PodIP == "" || !slices.Contains(c.Nodes, p.Spec.NodeName) {
				t.Errorf("pod %s: phase %s, Ready %s, IP %q, node %q", p.Metadata.Name, p.Status.Phase, p.condition("Ready"), p.Status.PodIP, p.Spec.NodeName)
			}
		}

		a.must(http.StatusOK, http.MethodPatch, "/apis/apps/v1/namespaces/default/deployments/web/scale", "application/merge-patch+json", `{"spec":{"replicas":1}}`)
		a.eventually("scaled to one pod", func() string {
			if n := len(a.pods("app%3Dweb")); n != 1 {
				return fmt.Sprintf("%d pods", n)
			}
			return ""
		})

		a.must(http.StatusOK, http.MethodDelete, "/apis/apps/v1/namespaces/default/deployments/web", "application/json", `{"propagationPolicy":"Background"}`)
		a.eventually("pods of the deleted deployment collected", func() string {
			if n := len(a.pods("app%3Dweb")); n != 0 {
				return fmt.Sprintf("%d pods", n)
			}
			return ""
		})
	})

	t.Run("jobs", func(t *testing.T) {
		a := &api{t: t, c: c, client: a.client}
		job := func(name, annotations string) string {
			return `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"` + name + `"},"spec":{"backoffLimit":0,
			  "template":{"metadata":{"annotations":` + annotations + `},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"job:1"}]}}}}`
		}
		a.create("/apis/batch/v1/namespaces/default/jobs", job("ok", `{}`))
		a.create("/apis/batch/v1/namespaces/default/jobs", job("broken", `{"`+AnnotationExitCode+`":"3"}`))
		for name, want := range map[string]string{"ok": "Complete", "broken": "Failed"} {
			a.eventually("job "+name+" "+want, func() string {
				if conds := a.conditions("/apis/batch/v1/namespaces/default/jobs/" + name); !slices.Contains(conds, want) {
					return fmt.Sprintf("conditions %v", conds)
				}
				return ""
			})
		}
		for _, p := range a.pods("job-name%3Dbroken") {
			if p.Status.Phase != "Failed" || len(p.Status.ContainerStatuses) != 1 || p.Status.ContainerStatuses[0].State.Terminated == nil ||
				p.Status.ContainerStatuses[0].State.Terminated.ExitCode != 3 {
				t.Errorf("pod of the broken job: %+v", p.Status)
			}
		}
	})

	t.Run("not-ready", func(t *testing.T) {
		a := &api{t: t, c: c, client: a.client}
		p := a.runPod("never-ready", map[string]string{AnnotationReady: "false"})
		if got := p.condition("Ready"); got != "False" {
			t.Errorf("Ready %q, want False", got)
		}
	})

	t.Run("namespace-deletion", func(t *testing.T) {
		a := &api{t: t, c: c, client: a.client}
		a.create("/api/v1/namespaces", `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"doomed"}}`)
		a.create("/api/v1/namespaces/doomed/configmaps", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`)
		a.must(http.StatusOK, http.MethodDelete, "/api/v1/namespaces/doomed", "", "")
		a.eventually("namespace doomed gone", func() string {
			if code, _ := a.do(http.MethodGet, "/api/v1/namespaces/doomed", "", ""); code != http.StatusNotFound {
				return fmt.Sprintf("HTTP %d", code)
			}
			return ""
		})
	})

	p := a.runPod("subresources", nil)
	logs := "/api/v1/namespaces/default/pods/" + p.Metadata.Name + "/log"

	t.Run("logs", func(t *testing.T) {
		a := &api{t: t, c: c, client: a.client}
		if got, want := string(a.must(http.StatusOK, http.MethodGet, logs+"?container=app&tailLines=2", "", "")),
			StaticLogLine(StaticLogLines-1)+"\n"+StaticLogLine(StaticLogLines)+"\n"; got != want {
			t.Errorf("tail 2: %q, want %q", got, want)
		}
		all := strings.Split(strings.TrimSuffix(string(a.must(http.StatusOK, http.MethodGet, logs+"?container=app", "", "")), "\n"), "\n")
		if len(all) != StaticLogLines || all[0] != StaticLogLine(1) {
			t.Errorf("whole log: %d lines starting %q", len(all), all[0])
		}
		stamped := string(a.must(http.StatusOK, http.MethodGet, logs+"?container=app&tailLines=1&timestamps=true", "", ""))
		// The kubelet stamps lines with nanoseconds always written out.
		if want := c.LogTime.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") + " " + StaticLogLine(StaticLogLines) + "\n"; stamped != want {
			t.Errorf("time-stamped last line %q, want %q", stamped, want)
		}
		if got, want := string(a.must(http.StatusOK, http.MethodGet, logs+"?container=app&previous=true", "", "")),
			PreviousLogLine(1)+"\n"+PreviousLogLine(2)+"\n"+PreviousLogLine(3)+"\n"; got != want {
			t.Errorf("previous: %q, want %q", got, want)
		}
		if code, body := a.do(http.MethodGet, logs+"?container=nope", "", ""); code != http.StatusBadRequest {
			t.Errorf("wrong container: HTTP %d %s, want 400", code, body)
		}

		// Following the ticker sees lines written after the request.
		req, _ := http.NewRequest(http.MethodGet, c.Host+logs+"?container="+TickerContainer+"&follow=true&tailLines=0", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := a.client.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var prev int
		for i := 0; i < 3; i++ {
			if !sc.Scan() {
				t.Fatalf("follow ended after %d lines: %v", i, sc.Err())
			}
			n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "tick "))
			if err != nil || (prev != 0 && n != prev+1) {
				t.Fatalf("follow line %q after tick %d", sc.Text(), prev)
			}
			prev = n
		}
	})

	kubectl := kubectlFor(t, c)

	t.Run("exec", func(t *testing.T) {
		cmd := kubectl("exec", p.Metadata.Name, "-c", "app", "-i", "--", "sh", "-c", "cat; echo to-stderr >&2; exit 3")
		cmd.Stdin = strings.NewReader("from-stdin\n")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("exit: %v, want code 3 (stderr %q)", err, stderr.String())
		}
		if stdout.String() != "from-stdin\n" || !strings.Contains(stderr.String(), "to-stderr") {
			t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
		}
	})

	t.Run("attach", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		cmd := kubectl("attach", p.Metadata.Name, "-c", TickerContainer)
		out := &lockedBuffer{}
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		for !strings.Contains(out.String(), "tick ") {
			select {
			case <-ctx.Done():
				t.Fatalf("attach printed %q, want ticker lines", out.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})

	t.Run("port-forward", func(t *testing.T) {
		cmd := kubectl("port-forward", "pod/"+p.Metadata.Name, ":"+strconv.Itoa(EchoPort))
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		local := regexp.MustCompile(`Forwarding from 127\.0\.0\.1:(\d+) -> ` + strconv.Itoa(EchoPort))
		var port string
		a.eventually("port-forward listening", func() string {
			if m := local.FindStringSubmatch(out.String()); m != nil {
				port = m[1]
				return ""
			}
			return fmt.Sprintf("output %q", out.String())
		})
		conn, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		payload := bytes.Repeat([]byte("anykube echo "), 10000)
		go conn.Write(payload)
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		got := make([]byte, len(payload))
		if _, err := io.ReadFull(conn, got); err != nil {
			t.Fatalf("reading the echo: %v (kubectl: %s)", err, out.String())
		}
		if !bytes.Equal(got, payload) {
			t.Fatal("the echo differs from what was sent")
		}
	})
}

// kubectlFor returns a command factory for the harness's kubectl, talking
// to c.
func kubectlFor(t *testing.T, c *Cluster) func(args ...string) *exec.Cmd {
	t.Helper()
	bin, err := EnsureBinaries(context.Background(), testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	return func(args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, "kubectl"), append([]string{"--kubeconfig", c.KubeconfigPath}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		return cmd
	}
}

// lockedBuffer is a bytes.Buffer a command writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// childEnv makes this test binary, run again, share a Workloads cluster
// (see TestMain) and print its processes: see TestNoProcessOutlivesHarness.
const childEnv = "ANYKUBE_TESTCLUSTER_CHILD"

// TestChildCluster is the child of TestNoProcessOutlivesHarness: it starts
// the shared cluster, prints its pids as JSON on one line, and waits to be
// signalled.
func TestChildCluster(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("runs only as the child of TestNoProcessOutlivesHarness")
	}
	data, _ := json.Marshal(Shared(t).Processes())
	fmt.Printf("PIDS %s\n", data)
	time.Sleep(5 * time.Minute)
}

// TestNoProcessOutlivesHarness checks that every process of a Workloads
// cluster ends when the cluster is stopped, when the test binary holding it
// is interrupted, and when it is killed outright.
func TestNoProcessOutlivesHarness(t *testing.T) {
	t.Run("stop", func(t *testing.T) {
		c, err := StartCluster(context.Background(), Options{Log: testLog{t}, Workloads: true})
		if err != nil {
			t.Fatal(err)
		}
		procs := c.Processes()
		if len(procs) != len(workloadNames) {
			t.Fatalf("processes %v, want %v", procs, workloadNames)
		}
		starts := startTimes(procs)
		c.Stop()
		assertGone(t, procs, starts)
		if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
			t.Errorf("directory %s left behind: %v", c.Dir, err)
		}
	})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestChildCluster$", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			procs := map[string]int{}
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if line, ok := strings.CutPrefix(sc.Text(), "PIDS "); ok {
					if err := json.Unmarshal([]byte(line), &procs); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
			if len(procs) != len(workloadNames) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child printed no processes; stderr:\n%s", stderr.String())
			}
			go io.Copy(io.Discard, stdout)
			starts := startTimes(procs)
			cmd.Process.Signal(sig)
			cmd.Wait()
			assertGone(t, procs, starts)
		})
	}
}

func startTimes(procs map[string]int) map[string]uint64 {
	starts := map[string]uint64{}
	for name, pid := range procs {
		starts[name] = procStart(pid)
	}
	return starts
}

// assertGone waits up to 10 seconds for every process to end.
func assertGone(t *testing.T, procs map[string]int, starts map[string]uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for name, pid := range procs {
		for alive(pid, starts[name]) {
			if time.Now().After(deadline) {
				t.Errorf("%s (pid %d) still running", name, pid)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestWorkloadFailureNamesComponent starts clusters whose controller
// manager dies at once, or whose kwok never makes the nodes Ready, and
// checks that the start fails in time with an error naming the component
// and its log file, and stops everything it started.
func TestWorkloadFailureNamesComponent(t *testing.T) {
	real, err := ensureBinaries(context.Background(), testLog{t}, workloadNames)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		broken, script string
		want           []string
	}{
		{"kube-controller-manager", "echo 'E1204 unknown flag: --nonsense' >&2; exit 1",
			[]string{"kube-controller-manager exited", "kube-controller-manager.log", "unknown flag: --nonsense"}},
		{"kwok", "echo 'kwok is stuck' >&2; exec sleep 600",
			[]string{"waiting for the fake nodes to turn Ready", "kwok.log", "kwok is stuck"}},
	} {
		t.Run(tc.broken, func(t *testing.T) {
			assets := t.TempDir()
			for _, name := range workloadNames {
				path := filepath.Join(assets, name)
				if name == tc.broken {
					if err := os.WriteFile(path, []byte("#!/bin/sh\n"+tc.script+"\n"), 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.Symlink(real.path(name), path); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv(AssetsEnv, assets)
			start := time.Now()
			c, err := StartCluster(context.Background(), Options{Log: testLog{t}, Workloads: true, StartTimeout: 10 * time.Second})
			if err == nil {
				c.Stop()
				t.Fatal("the cluster started with a broken " + tc.broken)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			if d := time.Since(start); d > 40*time.Second {
				t.Errorf("failing took %s", d)
			}
		})
	}
}
