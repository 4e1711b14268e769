// Command vidur-sim: see `vidur-sim --help` and internal/simcmd.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/internal/simcmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, simcmd.New(), os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
