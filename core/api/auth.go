package api

import (
	"crypto/subtle"
	"sort"
	"sync"

	"github.com/reprise-rtc/reprise/core/janus"
)

// tokenStore holds the stored tokens of token_auth and the plugins each
// may attach to.
type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]map[string]struct{} // token -> allowed plugin packages
	order  []string                       // insertion order, for list_tokens
}

func (t *tokenStore) init() { t.tokens = make(map[string]map[string]struct{}) }

func (t *tokenStore) has(token string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.tokens[token]
	return ok
}

// add creates token; it reports false when the token already exists.
func (t *tokenStore) add(token string, plugins []string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.tokens[token]; ok {
		return false
	}
	set := make(map[string]struct{}, len(plugins))
	for _, p := range plugins {
		set[p] = struct{}{}
	}
	t.tokens[token] = set
	t.order = append(t.order, token)
	return true
}

func (t *tokenStore) remove(token string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.tokens[token]; !ok {
		return false
	}
	delete(t.tokens, token)
	for i, v := range t.order {
		if v == token {
			t.order = append(t.order[:i], t.order[i+1:]...)
			break
		}
	}
	return true
}

// setAccess allows or disallows plugins for an existing token.
func (t *tokenStore) setAccess(token string, plugins []string, allow bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	set, ok := t.tokens[token]
	if !ok {
		return false
	}
	for _, p := range plugins {
		if allow {
			set[p] = struct{}{}
		} else {
			delete(set, p)
		}
	}
	return true
}

func (t *tokenStore) allows(token, plugin string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.tokens[token][plugin]
	return ok
}

// plugins lists the plugins token may access, sorted.
func (t *tokenStore) plugins(token string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.tokens[token]))
	for p := range t.tokens[token] {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// list returns every token in the order they were added.
func (t *tokenStore) list() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.order...)
}

func secretEqual(given janus.Text, want string) bool {
	return given.OK && subtle.ConstantTimeCompare([]byte(given.Value), []byte(want)) == 1
}

// authorize applies Janus's rule: with api_secret and/or token_auth on, a
// request passes when either the secret or a stored token is right.
// viaToken tells whether a valid stored token was presented, which makes
// the token's plugin limits apply to attach.
func (c *Core) authorize(apisecret, token janus.Text) (viaToken bool, err *janus.Error) {
	if c.cfg.APISecret == "" && !c.cfg.TokenAuth {
		return false, nil
	}
	secretOK := c.cfg.APISecret != "" && secretEqual(apisecret, c.cfg.APISecret)
	tokenOK := c.cfg.TokenAuth && token.OK && c.tokens.has(token.Value)
	if !secretOK && !tokenOK {
		return false, janus.NewError(janus.ErrUnauthorized)
	}
	return tokenOK, nil
}

// Authorized reports whether a request carrying apisecret and token would
// be accepted: the HTTP long poll passes them as query parameters.
func (c *Core) Authorized(apisecret, token string) bool {
	_, err := c.authorize(janus.Text{Value: apisecret, Set: true, OK: true}, janus.Text{Value: token, Set: true, OK: true})
	return err == nil
}

func (c *Core) adminAuthorized(req *janus.Request) bool {
	return c.cfg.AdminSecret == "" || secretEqual(req.AdminSecret, c.cfg.AdminSecret)
}
