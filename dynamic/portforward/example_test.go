package portforward_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/portforward"
)

// A local port, as kubectl port-forward gives, until the pod goes away.
func ExampleTunnel_Listen() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err)
	}
	pf, err := portforward.NewForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	tun, err := pf.Open(context.TODO(), "default", "db-0", portforward.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer tun.Close()
	addr, err := tun.Listen("127.0.0.1:0", 5432)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("forwarding", addr, "-> 5432")
	<-tun.Done()
	if errors.Is(tun.Err(), portforward.ErrPodGone) {
		fmt.Println("the pod went away")
	}
}

// An HTTP client whose connections go to the pod through the tunnel, with
// no local port.
func ExampleTunnel_DialContext() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err)
	}
	pf, err := portforward.NewForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	tun, err := pf.Open(context.TODO(), "default", "web-0", portforward.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer tun.Close()
	hc := &http.Client{Transport: &http.Transport{DialContext: tun.DialContext}}
	resp, err := hc.Get("http://web-0:8080/healthz")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body))
}
