package api

import (
	"encoding/json"

	"github.com/reprise-rtc/reprise/core/janus"
)

type tokenPlugins struct {
	Plugins []string `json:"plugins"`
}

type tokenEntry struct {
	Token          string   `json:"token"`
	AllowedPlugins []string `json:"allowed_plugins"`
}

type tokenList struct {
	Tokens []tokenEntry `json:"tokens"`
}

// adminToken runs the stored-token requests (auth.html): add_token,
// allow_token, disallow_token, list_tokens, remove_token.
func (c *Core) adminToken(verb string, req *janus.Request) any {
	tr := req.Transaction
	fail := func(err *janus.Error) any { return janus.ErrorMessage(0, tr, err) }
	success := func(data any) any { return &janus.Message{Janus: "success", Transaction: tr, Data: data} }
	if !c.cfg.TokenAuth {
		return fail(janus.Errorf(janus.ErrUnknown, "Stored-Token based authentication disabled"))
	}
	if verb == "list_tokens" {
		list := tokenList{Tokens: []tokenEntry{}}
		for _, t := range c.tokens.list() {
			list.Tokens = append(list.Tokens, tokenEntry{Token: t, AllowedPlugins: c.tokens.plugins(t)})
		}
		return success(list)
	}
	if !req.Token.Set {
		return fail(janus.Errorf(janus.ErrMissingMandatoryElement, "Missing mandatory element (token)"))
	}
	if err := req.Token.TypeError("token"); err != nil {
		return fail(err)
	}
	token := req.Token.Value
	known := c.knownPlugins()

	switch verb {
	case "add_token":
		if req.Plugins != nil && !janus.IsArray(req.Plugins) {
			return fail(janus.Errorf(janus.ErrInvalidElementType, "Invalid element type (plugins should be an array)"))
		}
		var raws []json.RawMessage
		_ = json.Unmarshal(req.Plugins, &raws)
		var allowed []string
		if len(raws) == 0 {
			// No limits given: the token may use every plugin there is now.
			for p := range known {
				allowed = append(allowed, p)
			}
		} else {
			// Like Janus, entries that are not known plugins are skipped.
			for _, r := range raws {
				var p string
				if json.Unmarshal(r, &p) == nil && known[p] {
					allowed = append(allowed, p)
				}
			}
		}
		if !c.tokens.add(token, allowed) {
			return fail(janus.Errorf(janus.ErrUnknown, "Error adding token"))
		}
		return success(tokenPlugins{Plugins: c.tokens.plugins(token)})

	case "allow_token", "disallow_token":
		if !c.tokens.has(token) {
			return fail(janus.Errorf(janus.ErrTokenNotFound, "Token %s not found", token))
		}
		if req.Plugins == nil {
			return fail(janus.Errorf(janus.ErrMissingMandatoryElement, "Missing mandatory element (plugins)"))
		}
		var raws []json.RawMessage
		if !janus.IsArray(req.Plugins) || json.Unmarshal(req.Plugins, &raws) != nil || len(raws) == 0 {
			return fail(janus.Errorf(janus.ErrInvalidElementType, "Invalid element type (plugins should be an array)"))
		}
		plugins := make([]string, 0, len(raws))
		for _, r := range raws {
			var p string
			if json.Unmarshal(r, &p) != nil || !known[p] {
				return fail(janus.Errorf(janus.ErrInvalidElementType, "Invalid element type (some of the provided plugins are invalid)"))
			}
			plugins = append(plugins, p)
		}
		if !c.tokens.setAccess(token, plugins, verb == "allow_token") {
			return fail(janus.Errorf(janus.ErrTokenNotFound, "Token %s not found", token))
		}
		return success(tokenPlugins{Plugins: c.tokens.plugins(token)})

	default: // remove_token
		if !c.tokens.remove(token) {
			return fail(janus.Errorf(janus.ErrUnknown, "Error removing token"))
		}
		return &janus.Message{Janus: "success", Transaction: tr}
	}
}

func (c *Core) knownPlugins() map[string]bool {
	out := map[string]bool{}
	if b, err := c.getBackend(); err == nil {
		for _, p := range b.Plugins() {
			out[p.Package] = true
		}
	}
	return out
}
