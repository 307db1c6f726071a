package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"riskgraph/auth"
	"riskgraph/store"
)

// maxKeyName bounds the name of an API key.
const maxKeyName = 200

// keyRequest is the body of POST /keys.
type keyRequest struct {
	Role string `json:"role" jsonschema:"required"`
	// Name says who or what uses the key.
	Name string `json:"name" jsonschema:"required,minLength=1,maxLength=200,pattern=\\S"`
}

// createdKey is the answer of POST /keys: the only time the key is shown.
type createdKey struct {
	keyView
	Key string `json:"key"`
}

// createKey answers POST /keys (admin): a new key of the given role,
// shown once in the answer; only its hash is stored. `riskgraph keys create`
// comes here while serve holds the data dir.
func (a *API) createKey(c echo.Context) error {
	var req keyRequest
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return badRequest(`body: want {"role": "dashboard|inspector|writer|checker|admin", "name": "who uses it"}: %v`, jsonProblem(err))
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		return badRequest("role: %v", err)
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || utf8.RuneCountInString(req.Name) > maxKeyName {
		return badRequest("name: give 1 to %d characters (who or what uses the key)", maxKeyName)
	}
	key, id, err := auth.NewKey()
	if err != nil {
		return err
	}
	k := store.APIKey{ID: id, Name: req.Name, Role: string(role), Hash: auth.Hash(key), Created: a.opts.Now().UTC()}
	if err := a.store.SaveKey(c.Request().Context(), k); err != nil {
		return err
	}
	a.keys.forget() // an unknown hash may be remembered as such
	a.announce(c.Request().Context(), invalidKeys)
	a.log.Info().Str("key_id", id).Str("role", string(role)).Str("by", principalOf(c).KeyID).Msg("API key created")
	c.Response().Header().Set("Cache-Control", "no-store")
	return a.reply(c, http.StatusCreated, createdKey{keyView{ID: id, Name: k.Name, Role: k.Role, Created: k.Created}, key})
}

// revokeKey answers POST /keys/{id}/revoke (admin). The key is refused by
// this server from the moment the answer is sent (its key cache is
// cleared), and by the other replicas sharing its Redis as soon as they
// receive its message (replicas.go); without Redis within their key TTL.
func (a *API) revokeKey(c echo.Context) error {
	id := c.Param("id")
	if id == "" || len(id) > 64 {
		return badRequest("key id: give the id `riskgraph keys list` shows")
	}
	now := a.opts.Now().UTC()
	err := a.store.RevokeKey(c.Request().Context(), id, now)
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("no API key with id %q (GET /api/v1/keys lists them)", id))
	}
	if err != nil {
		return err
	}
	a.keys.forget()
	a.announce(c.Request().Context(), invalidKeys) // the other replicas too
	a.log.Info().Str("key_id", id).Str("by", principalOf(c).KeyID).Msg("API key revoked")
	return a.reply(c, http.StatusOK, keyRevoked{ID: id, Revoked: now.Format(time.RFC3339Nano)})
}
