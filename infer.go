package anykube

import (
	"errors"
	"fmt"
	"strings"
)

// InferConfig finds a Config the way kubectl and in-cluster controllers
// do: the files in KUBECONFIG, else ~/.kube/config, using their current
// context; else, when neither exists or they set no current-context, the
// in-cluster service account.
//
// A kubeconfig that exists but is broken is an error, not a reason to fall
// back: silently talking to another cluster would be worse. When nothing is
// found the error wraps ErrNoConfig and lists every place tried.
func InferConfig() (*Config, error) {
	cfg, _, err := infer()
	return cfg, err
}

// InferNamespace returns the namespace that goes with InferConfig's choice:
// the current context's namespace when a kubeconfig is used, else
// InClusterNamespace, and "default" when either sets none. It fails as
// InferConfig does.
func InferNamespace() (string, error) {
	_, ns, err := infer()
	return ns, err
}

func infer() (*Config, string, error) {
	paths, tried := defaultKubeconfigPaths()
	if len(paths) > 0 {
		kc, err := LoadKubeconfig(KubeconfigOptions{Paths: paths})
		switch {
		case err == nil:
			return kc.Config, kc.Namespace, nil
		case errors.Is(err, ErrNoCurrentContext):
			tried = append(tried, "kubeconfig "+strings.Join(paths, ", ")+": no current-context")
		default:
			return nil, "", err
		}
	}
	cfg, err := InClusterConfig()
	if err != nil {
		if !errors.Is(err, ErrNotInCluster) {
			return nil, "", err
		}
		tried = append(tried, "in-cluster: "+strings.TrimPrefix(err.Error(), ErrNotInCluster.Error()+": "))
		return nil, "", fmt.Errorf("%w: tried %s", ErrNoConfig, joinTried(tried))
	}
	ns, err := InClusterNamespace()
	if err != nil {
		return nil, "", err
	}
	return cfg, ns, nil
}

func joinTried(tried []string) string {
	return strings.Join(tried, "; ")
}
