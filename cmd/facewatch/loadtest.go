package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/facewatch/facewatch/classroom/loadtest"
)

func init() {
	register(&command{
		name:    "loadtest",
		summary: "load the classroom server over loopback and report delivery latency",
		run:     runLoadtest,
	})
}

func runLoadtest(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("loadtest", "", stderr)
	var cfg loadtest.Config
	fs.IntVar(&cfg.Rooms, "rooms", 20, "rooms")
	fs.IntVar(&cfg.Students, "students", 40, "students per room")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured phase (the run stops by itself)")
	fs.DurationVar(&cfg.UpdateEvery, "update", time.Second, "each student's embedding update period")
	fs.DurationVar(&cfg.SceneEvery, "scene", 2*time.Second, "each teacher's scene change period")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return errUsage
	}
	if len(rest) != 0 {
		fs.Usage()
		return errUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Fprintf(stderr, "loadtest: %d rooms × %d students for %v…\n", cfg.Rooms, cfg.Students, cfg.Duration)
	res, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rooms %d × students %d, %v measured (update every %v, scene every %v)\n",
		res.Rooms, res.Students, res.Wall.Round(time.Millisecond), res.UpdateEvery, res.SceneEvery)
	fmt.Fprintf(stdout, "class view (student update → teacher): %v, %d coalesced\n", res.Class, res.Skipped)
	fmt.Fprintf(stdout, "scene (teacher → each student):         %v\n", res.Scene)
	fmt.Fprintf(stdout, "ack (student update → own state):       %v\n", res.Ack)
	fmt.Fprintf(stdout, "heap per room (server and clients):     %.0f KiB\n", float64(res.HeapPerRoom)/1024)
	fmt.Fprintf(stdout, "goroutines %d; CPU %v = %.2f cores (server and clients)\n", res.Goroutines, res.CPU.Round(time.Millisecond), res.Cores)
	return nil
}
