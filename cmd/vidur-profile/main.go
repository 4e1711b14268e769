// Command vidur-profile: see `vidur-profile --help` and internal/profilecmd.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/vidur-go/vidur-go/internal/cli"
	"github.com/vidur-go/vidur-go/internal/profilecmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, profilecmd.New(), os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
