package server

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"riskgraph/models"
	"riskgraph/store"
)

const (
	// maxWatchlistKeys bounds POST /watchlists (its row's MaxItems).
	maxWatchlistKeys = 10_000
	maxWatchlistName = 200
)

type watchlistBody struct {
	Name string   `json:"name" jsonschema:"required,minLength=1,maxLength=200,pattern=\\S"`
	Keys []string `json:"keys" jsonschema:"required,minItems=1,maxItems=10000"`
}

// createWatchlist answers POST /watchlists: a named list of enterprise
// keys (USCC or src:…) and person:<pid> entries; the next report lists
// every change on them.
func (a *API) createWatchlist(c echo.Context) error {
	var body watchlistBody
	if err := c.Bind(&body); err != nil {
		if tl := bodyTooLarge(c, err); tl != nil {
			return tl
		}
		return badRequest(`send JSON {"name": "…", "keys": ["USCC, src:<source>:<id> or person:<pid>", …]}`)
	}
	body.Name = strings.TrimSpace(body.Name)
	if body.Name == "" || utf8.RuneCountInString(body.Name) > maxWatchlistName {
		return badRequest("name: give 1 to %d characters", maxWatchlistName)
	}
	if n := a.maxItems(c); len(body.Keys) == 0 || len(body.Keys) > n {
		return badRequest("keys: give 1 to %d entries", n)
	}
	seen := map[string]bool{}
	keys := make([]string, 0, len(body.Keys))
	for i, k := range body.Keys {
		k = strings.TrimSpace(k)
		switch {
		case strings.HasPrefix(k, "person:"):
			if len(k) != len("person:")+32 {
				return badRequest("keys[%d]: a person is person:<32-hex pid>", i)
			}
		case strings.HasPrefix(k, "src:"):
		default:
			u, err := models.ParseUSCC(k)
			if err != nil {
				return badRequest("keys[%d]: %v", i, err)
			}
			k = string(u)
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	w := store.Watchlist{ID: "wl-" + hex.EncodeToString(id[:]), Name: body.Name, Owner: principalOf(c).KeyID, Keys: keys,
		Created: a.opts.Now().UTC()}
	if err := a.store.SaveWatchlist(c.Request().Context(), w); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, w)
}

// listWatchlists answers GET /watchlists.
func (a *API) listWatchlists(c echo.Context) error {
	list, err := a.store.Watchlists(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, watchlistsView{Watchlists: nonNil(list)})
}

// deleteWatchlist answers DELETE /watchlists/{id}.
func (a *API) deleteWatchlist(c echo.Context) error {
	if err := a.store.DeleteWatchlist(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
