package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"

	"github.com/facewatch/facewatch/classroom"
)

// The classroom server is optional: "facewatch serve -classroom" adds the
// websocket hub and the /teach and /join shortcuts beside the playground.
func init() {
	var (
		enabled   bool
		publicURL string
	)
	addServeExtension(serveExtension{
		name: "classroom",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&enabled, "classroom", false, "also run the classroom server: a teacher opens /teach, students join at /join (rooms live in memory only)")
			fs.StringVar(&publicURL, "public-url", "", "with -classroom: the `https://…` address students use, put in the join link and QR code (default: the teacher page's own address)")
		},
		mount: func(ctx context.Context, mux *http.ServeMux, stdout io.Writer) error {
			if !enabled {
				return nil
			}
			srv, err := classroom.New(classroom.Config{PublicURL: publicURL})
			if err != nil {
				return err
			}
			h := srv.Handler()
			mux.Handle(classroom.PathWS, h)
			mux.Handle("/teach", h)
			mux.Handle("/join", h)
			go func() {
				<-ctx.Done()
				// Tell every client the session ended and erase the rooms.
				sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
				defer cancel()
				srv.Shutdown(sctx)
			}()
			fmt.Fprintln(stdout, "classroom: teachers open /teach, students /join; everything is erased when a session ends or the server stops")
			return nil
		},
	})
}
