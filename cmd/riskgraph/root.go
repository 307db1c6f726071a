package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"riskgraph/engine"
)

// app carries what every subcommand shares.
type app struct {
	cfg     config
	log     zerolog.Logger
	latest  engine.Latest // the latest scoring result, served by /risk and /owners
	http    serveOptions  // HTTP settings of serve and demo
	reports reportOptions // report scheduler of serve (report.go)
	// announceRun tells the other serve replicas that a run completed
	// here (server.API.AnnounceRun); nil outside serve.
	announceRun func(context.Context)
}

// runCompleted announces a run completed here (recorded completed and
// already served by this process) to the other serve replicas.
func (a *app) runCompleted(ctx context.Context) {
	if a.announceRun != nil {
		a.announceRun(ctx)
	}
}

func newRootCommand() *cobra.Command {
	a := &app{}
	root := &cobra.Command{
		Use:           "riskgraph",
		Short:         "Supervise market entities through their relationships",
		Long:          "riskgraph loads enterprises, the people behind them and their credit records into a graph,\nscores risk over the relationships, and serves inspectors, dashboards and early-warning reports.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(&a.cfg)
			if err != nil {
				return usageError(err)
			}
			a.log = log
			a.cfg.command = strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
			if _, err := a.cfg.storeKind(); err != nil {
				return usageError(err)
			}
			return nil
		},
	}
	a.cfg.bind(root.PersistentFlags())
	root.AddCommand(
		a.demoCommand(),
		a.serveCommand(),
		a.ingestCommand(),
		a.generateCommand(),
		a.keysCommand(),
		a.scoreCommand(),
		a.xrefCommand(),
		a.reportCommand(),
		a.checkCommand(),
		a.creditReportCommand(),
		a.compactCommand(),
		a.fsckCommand(),
		a.exportCommand(),
		versionCommand(),
	)
	return root
}

// usageError is a mistake in the command line: exit status 2.
func usageError(err error) error { return &exitError{code: 2, msg: err.Error()} }

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "riskgraph", version)
			return nil
		},
	}
}
