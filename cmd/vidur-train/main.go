// Command vidur-train: see `vidur-train --help` and internal/traincmd.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/internal/traincmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, traincmd.New(), os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
