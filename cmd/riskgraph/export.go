package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/report/bods"
	"riskgraph/store"
)

func (a *app) exportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write stored data in an exchange format (bods)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(a.exportBODSCommand())
	return cmd
}

func (a *app) exportBODSCommand() *cobra.Command {
	var all bool
	var keysFile, today, publisher, publisherURL, license string
	cmd := &cobra.Command{
		Use:   "bods [KEY...]",
		Short: "Write beneficial-ownership declarations as BODS 0.4 statements (a JSON array on standard output)",
		Long: "Write the beneficial-ownership declaration of each enterprise named (USCC or source key), of those\n" +
			"listed one a line in --keys FILE, or of every enterprise with --all, as Beneficial Ownership Data\n" +
			"Standard 0.4 statements: a JSON array on standard output, streamed enterprise by enterprise.\n" +
			"Owners follow the 2024 rules (docs/beneficial-owners.md); persons are known by pid-derived record ids.\n" +
			"The store is read as it is (a data dir held by a running server is read from its journal).",
		RunE: func(cmd *cobra.Command, args []string) error {
			keys := args
			if keysFile != "" {
				more, err := readKeys(keysFile)
				if err != nil {
					return usageError(err)
				}
				keys = append(keys, more...)
			}
			if all == (len(keys) > 0) {
				return usageError(errors.New("export bods: give enterprise keys (or --keys FILE), or --all"))
			}
			day := models.ChinaDate(time.Now())
			if today != "" {
				d, err := models.ParseDate(today)
				if err != nil {
					return usageError(fmt.Errorf("--today %q: %v (write YYYY-MM-DD)", today, err))
				}
				day = d
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := openReadOnly(ctx, &a.cfg, a.log)
			if err != nil {
				return err
			}
			defer s.Close()
			rules := store.DefaultOwnerRules(day)
			op := engine.DefaultParams().Ownership
			rules.Threshold, rules.ControlThreshold, rules.MaxChains, rules.MaxDepth = op.BeneficialThreshold, op.ControlThreshold, op.MaxChains, op.MaxChainDepth
			opts := bods.Options{Publisher: publisher, PublisherURL: publisherURL, License: license, Published: models.ChinaDate(time.Now()).String()}
			w := bods.NewWriter(cmd.OutOrStdout())
			began := time.Now()
			n := len(keys)
			if all {
				n, err = bods.ExportAll(ctx, s, rules, opts, w)
			} else {
				err = bods.ExportKeys(ctx, s, keys, rules, opts, w)
			}
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			a.log.Info().Int("enterprises", n).Int("statements", w.Count()).Dur("took", time.Since(began)).Msg("BODS export written")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&all, "all", false, "every enterprise of the store (placeholders left out)")
	fl.StringVar(&keysFile, "keys", "", "file of enterprise keys, one a line")
	fl.StringVar(&today, "today", "", "the date the statements are made on, YYYY-MM-DD (default: today in China); holdings and offices not in force then are left out")
	fl.StringVar(&publisher, "publisher", "riskgraph", "publisher name in each statement's publicationDetails")
	fl.StringVar(&publisherURL, "publisher-url", "", "publisher URL in publicationDetails")
	fl.StringVar(&license, "license", "", "licence URL in publicationDetails")
	return cmd
}
