package testcluster

import (
	_ "embed"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// What the fake kubelets serve for pods/log, pods/attach, pods/exec and
// pods/portforward (see ./fakekubelet), so that tests can check exact
// results.
const (
	// StaticLogLines is how many lines every container's log holds, except
	// the ticker container's: StaticLogLine(1..StaticLogLines).
	StaticLogLines = 100
	// TickerContainer names the container whose log keeps growing by one
	// line, TickerLine(n), every TickInterval. Attaching to it streams
	// the new lines; attaching to any other container echoes stdin.
	TickerContainer = "ticker"
	// TickInterval is how often the ticker log grows.
	TickInterval = 100 * time.Millisecond
	// PreviousLogLines is how many lines every container's previous log
	// (?previous=true) holds: PreviousLogLine(1..PreviousLogLines).
	PreviousLogLines = 3
	// EchoPort is the pod port whose forwarded connections write back
	// every byte they read. Nothing listens on other ports.
	EchoPort = 7777
	// AnnotationReady set to "false" on a pod keeps its containers running
	// but never Ready.
	AnnotationReady = "testcluster.anykube.io/ready"
	// AnnotationExitCode on a Job's pod is the exit code its containers end
	// with, a second after they start (0, Succeeded, when absent).
	AnnotationExitCode = "testcluster.anykube.io/exit-code"
)

// Exec runs the command on the machine running the cluster, in a
// directory of the cluster's, with these variables naming the pod and
// container it was sent to.
const (
	ExecNamespaceEnv = "ANYKUBE_NAMESPACE"
	ExecPodEnv       = "ANYKUBE_POD"
	ExecContainerEnv = "ANYKUBE_CONTAINER"
)

// StaticLogLine returns line i (1-based) of every container's log. Line i
// is time-stamped (StaticLogLines-i) seconds before Cluster.LogTime.
func StaticLogLine(i int) string { return fmt.Sprintf("static log line %03d", i) }

// PreviousLogLine returns line i (1-based) of every container's previous
// log.
func PreviousLogLine(i int) string { return fmt.Sprintf("previous log line %d", i) }

// TickerLine returns line n (1-based) of the ticker container's log.
func TickerLine(n int) string { return "tick " + strconv.Itoa(n) }

//go:embed stages.yaml
var stagesYAML string

// kwokConfig returns kwok's --config document: the lifecycle stages, with
// nodes pointing the API server at the fake kubelet's port.
func kwokConfig(kubeletPort int) string {
	return strings.ReplaceAll(stagesYAML, "KUBELET_PORT", strconv.Itoa(kubeletPort))
}

// fakeKubeletArgs returns the fake kubelet's command line, its constants
// taken from this package's so that both sides agree.
func fakeKubeletArgs(c *Cluster, p *pki, port int, tokenFile string) []string {
	return []string{
		"-listen=127.0.0.1:" + strconv.Itoa(port),
		"-tls-cert-file=" + p.kubeletServingCert,
		"-tls-private-key-file=" + p.kubeletServingKey,
		"-client-ca-file=" + p.caCert,
		"-dir=" + filepath.Join(c.Dir, "kubelet"),
		"-api-server=" + c.Host,
		"-token-file=" + tokenFile,
		"-api-server-ca-file=" + p.caCert,
		"-log-time=" + c.LogTime.UTC().Format(time.RFC3339Nano),
		"-static-lines=" + strconv.Itoa(StaticLogLines),
		"-previous-lines=" + strconv.Itoa(PreviousLogLines),
		"-ticker-container=" + TickerContainer,
		"-tick=" + TickInterval.String(),
		"-echo-port=" + strconv.Itoa(EchoPort),
	}
}
