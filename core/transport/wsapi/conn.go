package wsapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/reprise-rtc/reprise/core/api"
	"github.com/reprise-rtc/reprise/core/janus"
)

// PackageName is the transport's Janus package name.
const PackageName = "janus.transport.websockets"

// conn is one WebSocket connection: the api.Transport of the sessions it
// created or claimed.
type conn struct {
	core *api.Core
	ws   *websocket.Conn
	opts Options
	log  *slog.Logger

	out       *outbox
	serial    *serializer
	closeOnce sync.Once
}

var _ api.Transport = (*conn)(nil)

func (c *conn) Name() string { return PackageName }

func (c *conn) Deliver(_ uint64, msg *janus.Message) { c.send(msg) }

// Release needs nothing here: the core keeps track of which sessions this
// connection owns.
func (c *conn) Release(uint64) {}

func (c *conn) send(v any) {
	if !c.out.push(v) {
		c.shutdown()
	}
}

// shutdown closes the socket; the read loop then ends and cleans up.
func (c *conn) shutdown() {
	c.closeOnce.Do(func() {
		c.out.close()
		_ = c.ws.Close()
	})
}

// serve runs the connection until the socket closes, then destroys the
// sessions it owns.
func (c *conn) serve() {
	ctx, cancel := context.WithCancel(context.Background())
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop()
	}()

	c.readLoop(ctx)

	cancel()
	c.shutdown()
	<-writerDone
	c.core.TransportClosed(c)
	// Requests still running may create or claim sessions for this dead
	// connection; sweep again once they are done.
	go func() {
		c.serial.wait()
		c.core.TransportClosed(c)
	}()
}

func (c *conn) readLoop(ctx context.Context) {
	c.ws.SetReadLimit(c.opts.MaxMessageBytes)
	for {
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			c.log.Debug("websocket closed", "err", err)
			return
		}
		if kind != websocket.TextMessage && kind != websocket.BinaryMessage {
			continue
		}
		req, jerr := janus.Decode(data)
		if jerr != nil {
			c.send(janus.ErrorMessage(0, "", jerr))
			continue
		}
		key := req.SessionID
		if req.HandleSet && req.HandleID != 0 {
			key = req.HandleID
		}
		c.serial.run(key, func() { c.core.Process(ctx, c, req, c.send) })
	}
}

func (c *conn) writeLoop() {
	for range c.out.wake {
		items, open := c.out.take()
		for _, v := range items {
			data, err := json.Marshal(v)
			if err != nil {
				c.log.Error("encoding websocket message", "err", err)
				continue
			}
			_ = c.ws.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
			if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
				c.log.Debug("websocket write failed", "err", err)
				c.shutdown()
				return
			}
		}
		if !open {
			return
		}
	}
}
