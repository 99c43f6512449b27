// Command kube-apiserver wraps the upstream API server so that envtest can run
// a real control plane built from the Go module proxy, without binary downloads.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
