// Command kubectl wraps the upstream kubectl so that the local demo has a
// client built from the Go module proxy, without binary downloads.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
)

func main() {
	cli.RunNoErrOutput(cmd.NewDefaultKubectlCommand())
}
