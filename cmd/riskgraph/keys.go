package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
// While serve holds the embedded store's data dir, each goes to it over the
// data dir's socket (forward.go), so the server sees the change at once.
func (a *app) keysCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage API keys (create, list, revoke)"}
	// withKeys runs local on the store, or remote on the server holding
	// the data dir.
	withKeys := func(cmd *cobra.Command, local func(ctx context.Context, ks store.KeyStore) error, remote func(ctx context.Context, ls *localServer) error) error {
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		s, err := openStore(ctx, &a.cfg, a.log)
		if locked := asLocked(err); locked != nil {
			ls := a.serverFor(ctx, locked.Holder())
			if ls == nil {
				return lockedError(cmd.CommandPath(), locked)
			}
			return remote(ctx, ls)
		}
		if err != nil {
			return err
		}
		defer s.Close()
		return local(ctx, s)
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
			show := func(id, key string) {
				fmt.Fprintf(cmd.OutOrStdout(), "id:   %s\nrole: %s\nkey:  %s\n", id, r, key)
				fmt.Fprintln(cmd.ErrOrStderr(), "Store the key now: it is not shown again (only its SHA-256 is kept).")
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
				show(id, key)
				return nil
			}, func(ctx context.Context, ls *localServer) error {
				var ans struct{ ID, Key string }
				if err := ls.call(ctx, http.MethodPost, "/api/v1/keys", map[string]string{"role": string(r), "name": name}, &ans); err != nil {
					return err
				}
				a.log.Info().Str("key_id", ans.ID).Str("role", string(r)).Str("by", ls.holder).Msg("API key created")
				show(ans.ID, ans.Key)
				return nil
			})
		},
	}
	create.Flags().StringVar(&role, "role", "", "dashboard, inspector, writer, checker or admin")
	create.Flags().StringVar(&name, "name", "", "who or what uses the key")
	list := &cobra.Command{
		Use:   "list",
		Short: "List keys (never the keys themselves)",
		Long: "List keys: id, role, name, created, revoked — never the key. It asks the server holding the data dir\n" +
			"when one runs, else reads the embedded store read-only (no lock, nothing written).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if kind, _ := a.cfg.storeKind(); kind == "memory" {
				if ls := a.serverFor(ctx, "the running server"); ls != nil {
					var ans struct{ Keys []store.APIKey }
					if err := ls.call(ctx, http.MethodGet, "/api/v1/keys", nil, &ans); err != nil {
						return err
					}
					return printKeys(cmd.OutOrStdout(), ans.Keys)
				}
			}
			s, err := openReadOnly(ctx, &a.cfg, a.log)
			if err != nil {
				return err
			}
			defer s.Close()
			keys, err := s.Keys(ctx)
			if err != nil {
				return err
			}
			return printKeys(cmd.OutOrStdout(), keys)
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a key (the server holding the data dir refuses it at once; other replicas within 10 s)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			unknown := usageError(fmt.Errorf("keys revoke: no key with id %q (riskgraph keys list)", args[0]))
			return withKeys(cmd, func(ctx context.Context, ks store.KeyStore) error {
				if err := ks.RevokeKey(ctx, args[0], time.Now().UTC()); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return unknown
					}
					return err
				}
				a.log.Info().Str("key_id", args[0]).Msg("API key revoked")
				return nil
			}, func(ctx context.Context, ls *localServer) error {
				err := ls.call(ctx, http.MethodPost, "/api/v1/keys/"+url.PathEscape(args[0])+"/revoke", nil, nil)
				var se *serverError
				if errors.As(err, &se) && se.Status == http.StatusNotFound {
					return unknown
				}
				if err != nil {
					return err
				}
				a.log.Info().Str("key_id", args[0]).Str("by", ls.holder).Msg("API key revoked")
				return nil
			})
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// printKeys writes the key table.
func printKeys(w io.Writer, keys []store.APIKey) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tNAME\tCREATED\tREVOKED")
	for _, k := range keys {
		rev := "-"
		if !k.Revoked.IsZero() {
			rev = k.Revoked.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, k.Name, k.Created.Format(time.RFC3339), rev)
	}
	return tw.Flush()
}
