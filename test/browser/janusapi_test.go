package browser

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// janusAPI is a minimal Janus API client the tests use to prepare the target
// (create and destroy rooms) outside the browser. It speaks whichever
// transport the server URL names: http(s):// is the REST API, ws(s):// the
// WebSocket API with the janus-protocol subprotocol.
type janusAPI struct {
	server string
	ws     *websocket.Conn // nil for REST
	http   *http.Client
}

// janusReply is the part of a Janus API answer the tests read.
type janusReply struct {
	Janus       string `json:"janus"`
	Transaction string `json:"transaction"`
	Data        struct {
		ID uint64 `json:"id"`
	} `json:"data"`
	Error *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"error"`
	PluginData struct {
		Plugin string          `json:"plugin"`
		Data   json.RawMessage `json:"data"`
	} `json:"plugindata"`
}

func dialJanusAPI(ctx context.Context, server string) (*janusAPI, error) {
	api := &janusAPI{server: server, http: &http.Client{}}
	if strings.HasPrefix(server, "ws://") || strings.HasPrefix(server, "wss://") {
		dialer := websocket.Dialer{Subprotocols: []string{"janus-protocol"}}
		conn, _, err := dialer.DialContext(ctx, server, nil)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", server, err)
		}
		api.ws = conn
	}
	return api, nil
}

func (a *janusAPI) close() {
	if a.ws != nil {
		a.ws.Close()
	}
}

// call sends msg (a Janus request without transaction) to the session and
// handle given (0 for none) and returns the reply to it, skipping acks and
// events that belong to something else. A Janus error reply is an error.
func (a *janusAPI) call(ctx context.Context, session, handle uint64, msg map[string]any) (*janusReply, error) {
	txn := randomTransaction()
	msg["transaction"] = txn
	var reply *janusReply
	var err error
	if a.ws != nil {
		reply, err = a.callWS(ctx, session, handle, msg, txn)
	} else {
		reply, err = a.callHTTP(ctx, session, handle, msg)
	}
	if err != nil {
		return nil, fmt.Errorf("janus %q: %w", msg["janus"], err)
	}
	if reply.Janus == "error" {
		if reply.Error != nil {
			return nil, fmt.Errorf("janus %q: error %d %s", msg["janus"], reply.Error.Code, reply.Error.Reason)
		}
		return nil, fmt.Errorf("janus %q: error reply without details", msg["janus"])
	}
	return reply, nil
}

func (a *janusAPI) callHTTP(ctx context.Context, session, handle uint64, msg map[string]any) (*janusReply, error) {
	url := a.server
	if session != 0 {
		url += "/" + strconv.FormatUint(session, 10)
		if handle != 0 {
			url += "/" + strconv.FormatUint(handle, 10)
		}
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var reply janusReply
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return nil, fmt.Errorf("POST %s: status %s, decode: %w", url, resp.Status, err)
	}
	return &reply, nil
}

func (a *janusAPI) callWS(ctx context.Context, session, handle uint64, msg map[string]any, txn string) (*janusReply, error) {
	if session != 0 {
		msg["session_id"] = session
	}
	if handle != 0 {
		msg["handle_id"] = handle
	}
	if deadline, ok := ctx.Deadline(); ok {
		a.ws.SetReadDeadline(deadline)
		a.ws.SetWriteDeadline(deadline)
	}
	// One text frame holding exactly the JSON: Janus 1.1.2 takes the
	// newline that WriteJSON appends for a second, empty request.
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	if err := a.ws.WriteMessage(websocket.TextMessage, body); err != nil {
		return nil, err
	}
	for {
		var reply janusReply
		if err := a.ws.ReadJSON(&reply); err != nil {
			return nil, err
		}
		if reply.Transaction == txn && reply.Janus != "ack" {
			return &reply, nil
		}
	}
}

// videoRoomRequest runs one synchronous janus.plugin.videoroom request in a
// throwaway session and returns the plugin's answer. A videoroom error
// (error_code in the answer) is an error.
func videoRoomRequest(ctx context.Context, server string, body map[string]any) (json.RawMessage, error) {
	api, err := dialJanusAPI(ctx, server)
	if err != nil {
		return nil, err
	}
	defer api.close()
	created, err := api.call(ctx, 0, 0, map[string]any{"janus": "create"})
	if err != nil {
		return nil, err
	}
	session := created.Data.ID
	defer func() {
		// Even when ctx has run out, try to leave no session behind.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		api.call(ctx, session, 0, map[string]any{"janus": "destroy"})
	}()
	attached, err := api.call(ctx, session, 0, map[string]any{"janus": "attach", "plugin": "janus.plugin.videoroom"})
	if err != nil {
		return nil, err
	}
	reply, err := api.call(ctx, session, attached.Data.ID, map[string]any{"janus": "message", "body": body})
	if err != nil {
		return nil, err
	}
	if reply.Janus != "success" {
		return nil, fmt.Errorf("videoroom %v: reply %q, want a synchronous success", body["request"], reply.Janus)
	}
	var result struct {
		ErrorCode int    `json:"error_code"`
		Error     string `json:"error"`
	}
	if err := json.Unmarshal(reply.PluginData.Data, &result); err != nil {
		return nil, fmt.Errorf("videoroom %v: decode %s: %w", body["request"], reply.PluginData.Data, err)
	}
	if result.ErrorCode != 0 {
		return nil, fmt.Errorf("videoroom %v: error %d %s", body["request"], result.ErrorCode, result.Error)
	}
	return reply.PluginData.Data, nil
}

func randomTransaction() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// serverPlugins returns the plugin packages GET <httpURL>/info lists.
func serverPlugins(ctx context.Context, httpURL string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, httpURL+"/info", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s/info: %w", httpURL, err)
	}
	defer resp.Body.Close()
	var info struct {
		Plugins map[string]json.RawMessage `json:"plugins"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return nil, fmt.Errorf("GET %s/info: decode: %w", httpURL, err)
	}
	names := make([]string, 0, len(info.Plugins))
	for name := range info.Plugins {
		names = append(names, name)
	}
	return names, nil
}
