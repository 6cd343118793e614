// Command etcd is the real etcd server (go.etcd.io/etcd/server/v3, version pinned in go.mod),
// built for the end-to-end harness by scripts/e2e/tools.sh.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
