// Command etcd wraps the upstream etcd server so that envtest can run a real
// control plane built from the Go module proxy, without binary downloads.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
