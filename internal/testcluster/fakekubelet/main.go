// Command fakekubelet serves the kubelet API that kube-apiserver calls for
// the pod subresources log, exec, attach and portforward, for every pod of
// the harness's fake nodes (kwok plays their lifecycle; this plays what
// their containers say and do):
//
//   - logs: a container named by -ticker-container has a log that grows by
//     one line every -tick; every other container has -static-lines lines
//     time-stamped up to -log-time; ?previous=true gives a short previous
//     log. Following ends when the pod's containers have terminated.
//   - exec runs the command on this machine, in -dir/exec, with the
//     namespace, pod and container in ANYKUBE_NAMESPACE, ANYKUBE_POD and
//     ANYKUBE_CONTAINER; exit codes, stdin EOF and TTY sizes reach the
//     client as from a real kubelet.
//   - attach to the ticker container streams its new lines; attach to any
//     other container echoes stdin to stdout, as a container running cat.
//   - portforward to -echo-port writes back every byte; other ports fail.
//
// Callers must present a client certificate signed by -client-ca-file, as
// kube-apiserver does with --kubelet-client-certificate.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	var (
		listen    = flag.String("listen", "127.0.0.1:10250", "address to serve on")
		certFile  = flag.String("tls-cert-file", "", "serving certificate (PEM)")
		keyFile   = flag.String("tls-private-key-file", "", "serving key (PEM)")
		clientCA  = flag.String("client-ca-file", "", "CA that signs the certificates of allowed clients (PEM)")
		dir       = flag.String("dir", "", "working directory: log files and the exec working directory")
		apiServer = flag.String("api-server", "", "API server URL, to learn whether a followed container has ended")
		tokenFile = flag.String("token-file", "", "bearer token for -api-server")
		serverCA  = flag.String("api-server-ca-file", "", "CA of -api-server (PEM)")
		logTime   = flag.String("log-time", "", "RFC 3339 time stamp of the last static log line")
		static    = flag.Int("static-lines", 100, "lines in every static container log")
		previous  = flag.Int("previous-lines", 3, "lines in every previous container log")
		ticker    = flag.String("ticker-container", "ticker", "container whose log keeps growing")
		tick      = flag.Duration("tick", 100*time.Millisecond, "how often the ticker log grows")
		echoPort  = flag.Int("echo-port", 7777, "pod port whose forwarded connections echo")
		idle      = flag.Duration("stream-idle-timeout", 4*time.Hour, "idle timeout of exec, attach and portforward streams")
		creation  = flag.Duration("stream-creation-timeout", 30*time.Second, "how long a client may take to open its streams")
	)
	flag.Parse()
	if *certFile == "" || *keyFile == "" || *clientCA == "" || *dir == "" {
		log.Fatal("fakekubelet: -tls-cert-file, -tls-private-key-file, -client-ca-file and -dir are required")
	}
	stamp := time.Now()
	if *logTime != "" {
		var err error
		if stamp, err = time.Parse(time.RFC3339Nano, *logTime); err != nil {
			log.Fatalf("fakekubelet: -log-time: %v", err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pods, err := newPodStates(*apiServer, *tokenFile, *serverCA)
	if err != nil {
		log.Fatalf("fakekubelet: %v", err)
	}
	logs, err := newLogFiles(filepath.Join(*dir, "logs"), stamp, *static, *previous, *ticker, pods)
	if err != nil {
		log.Fatalf("fakekubelet: %v", err)
	}
	go logs.tick(ctx, *tick)

	k := &kubelet{
		logs:          logs,
		execDir:       filepath.Join(*dir, "exec"),
		echoPort:      int32(*echoPort),
		idleTimeout:   *idle,
		createTimeout: *creation,
	}
	if err := os.MkdirAll(k.execDir, 0o755); err != nil {
		log.Fatalf("fakekubelet: %v", err)
	}

	caPEM, err := os.ReadFile(*clientCA)
	if err != nil {
		log.Fatalf("fakekubelet: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		log.Fatalf("fakekubelet: no certificate in %s", *clientCA)
	}
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("fakekubelet: %v", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("fakekubelet: %v", err)
	}
	srv := &http.Server{
		Handler: k.routes(),
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
			// Streams upgrade the connection, which HTTP/2 cannot do.
			NextProtos: []string{"http/1.1"},
		},
		ReadHeaderTimeout: 30 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
		srv.Close()
	}()
	fmt.Fprintf(os.Stderr, "fakekubelet: serving on %s\n", ln.Addr())
	if err := srv.ServeTLS(ln, "", ""); err != nil && err != http.ErrServerClosed {
		log.Fatalf("fakekubelet: %v", err)
	}
}
