package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/facewatch/facewatch/classroom"
)

// The classroom server is optional: "facewatch serve -classroom" adds the
// websocket hub and the /teach and /join shortcuts beside the playground.
func init() {
	var (
		enabled    bool
		publicURL  string
		trustProxy string
	)
	addServeExtension(serveExtension{
		name: "classroom",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&enabled, "classroom", false, "also run the classroom server: a teacher opens /teach, students join at /join (rooms live in memory only)")
			fs.StringVar(&publicURL, "public-url", "", "with -classroom: the `https://…` address students use, put in the join link and QR code (default: the -lan address, else the teacher page's own address)")
			fs.StringVar(&trustProxy, "trust-proxy", "", "with -classroom: believe X-Forwarded-For only from these `addresses` (comma-separated, e.g. 127.0.0.1 for a reverse proxy on this computer); default: from no one")
		},
		mount: func(ctx context.Context, mux *http.ServeMux, stdout io.Writer) error {
			if !enabled {
				return nil
			}
			trusted, err := classroom.ParseTrustedProxies(trustProxy)
			if err != nil {
				return err
			}
			info := serveInfoFrom(ctx)
			cfg := classroom.Config{PublicURL: publicURL, TrustedProxies: trusted, Fingerprint: info.Fingerprint}
			if cfg.PublicURL == "" && info.LAN {
				cfg.PublicURL = strings.TrimSuffix(info.URL, "/")
			}
			srv, err := classroom.New(cfg)
			if err != nil {
				return err
			}
			h := srv.Handler()
			mux.Handle(classroom.PathWS, h)
			mux.Handle("/teach", h)
			mux.Handle("/join", h)
			mux.Handle("/gate", h)
			go func() {
				<-ctx.Done()
				// Tell every client the session ended and erase the rooms.
				sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
				defer cancel()
				srv.Shutdown(sctx)
			}()
			fmt.Fprintln(stdout, "classroom: teachers open /teach, students /join; everything is erased when a session ends or the server stops")
			if cfg.PublicURL != "" {
				fmt.Fprintf(stdout, "classroom: the teacher opens %s/teach; students join at %s/join\n", cfg.PublicURL, cfg.PublicURL)
			}
			return nil
		},
	})
}
