// Command etcd is the real etcd server (go.etcd.io/etcd/server/v3, version pinned in go.mod),
// built for the end-to-end harness by e2e/tools/build.sh.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
