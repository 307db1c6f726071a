package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/auth"
	"riskgraph/store"
)

// keysCommand manages API keys: create (shows the key once), list, revoke.
func (a *app) keysCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage API keys (create, list, revoke)"}
	withKeys := func(cmd *cobra.Command, fn func(ctx context.Context, ks store.KeyStore) error) error {
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		s, err := openStore(ctx, &a.cfg, a.log)
		if err != nil {
			return err
		}
		defer s.Close()
		ks, ok := s.(store.KeyStore)
		if !ok {
			return errors.New("keys: this store keeps no API keys")
		}
		return fn(ctx, ks)
	}
	var role, name string
	create := &cobra.Command{
		Use:   "create --role ROLE --name NAME",
		Short: "Create a key; it is printed once and only its hash is stored",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := auth.ParseRole(role)
			if err != nil {
				return usageError(fmt.Errorf("keys create: --role: %w", err))
			}
			if name == "" {
				return usageError(errors.New("keys create: --name is required (who or what uses the key)"))
			}
			return withKeys(cmd, func(ctx context.Context, ks store.KeyStore) error {
				key, id, err := auth.NewKey()
				if err != nil {
					return err
				}
				if err := ks.SaveKey(ctx, store.APIKey{ID: id, Name: name, Role: string(r), Hash: auth.Hash(key), Created: time.Now().UTC()}); err != nil {
					return err
				}
				a.log.Info().Str("key_id", id).Str("role", string(r)).Msg("API key created")
				out := cmd.OutOrStdout()
				fmt.Fprintf(out, "id:   %s\nrole: %s\nkey:  %s\n", id, r, key)
				fmt.Fprintln(cmd.ErrOrStderr(), "Store the key now: it is not shown again (only its SHA-256 is kept).")
				return nil
			})
		},
	}
	create.Flags().StringVar(&role, "role", "", "dashboard, inspector, writer or admin")
	create.Flags().StringVar(&name, "name", "", "who or what uses the key")
	list := &cobra.Command{
		Use:   "list",
		Short: "List keys (never the keys themselves)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withKeys(cmd, func(ctx context.Context, ks store.KeyStore) error {
				keys, err := ks.Keys(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tROLE\tNAME\tCREATED\tREVOKED")
				for _, k := range keys {
					rev := "-"
					if !k.Revoked.IsZero() {
						rev = k.Revoked.Format(time.RFC3339)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, k.Name, k.Created.Format(time.RFC3339), rev)
				}
				return tw.Flush()
			})
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a key (servers stop accepting it within 10 s)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withKeys(cmd, func(ctx context.Context, ks store.KeyStore) error {
				if err := ks.RevokeKey(ctx, args[0], time.Now().UTC()); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return usageError(fmt.Errorf("keys revoke: no key with id %q (riskgraph keys list)", args[0]))
					}
					return err
				}
				a.log.Info().Str("key_id", args[0]).Msg("API key revoked")
				return nil
			})
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
