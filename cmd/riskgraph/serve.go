package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/cache"
	"riskgraph/server"
	"riskgraph/store"
)

func (a *app) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := openStore(ctx, &a.cfg, a.log)
			if err != nil {
				return err
			}
			defer s.Close()
			c, err := openCache(ctx, &a.cfg, a.log)
			if err != nil {
				return err
			}
			defer c.Close()
			return a.serve(ctx, s, c)
		},
	}
}

// serve runs the API until ctx ends, then drains requests for up to 10 s.
func (a *app) serve(ctx context.Context, s store.Store, c cache.Cache) error {
	srv := &http.Server{
		Addr:              a.cfg.Addr,
		Handler:           server.New(server.Options{Store: s, Cache: c, Logger: a.log, Version: version, Engine: &a.latest}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	a.log.Info().Str("addr", "http://"+a.cfg.Addr).Msg("serving")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info().Msg("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
