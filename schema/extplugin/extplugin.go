// Package extplugin is the go-plugin glue shared by the gateway and the
// extension SDK: the handshake both sides must agree on and the gRPC plugin
// type that carries the Extension service one way and, through the
// GRPCBroker, the Core service the other way.
package extplugin

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/reprise-rtc/reprise/schema/extpb"
)

// ProtocolVersion is bumped whenever extension.proto changes incompatibly;
// go-plugin refuses to start an extension built for another version.
const ProtocolVersion = 1

// PluginName is the single go-plugin plugin every extension binary serves.
const PluginName = "extension"

// Handshake makes a binary started outside the gateway exit with a clear
// message instead of serving gRPC to a terminal.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "REPRISE_EXTENSION",
	MagicCookieValue: "8c0f1f4e-reprise-extension-v1",
}

// BrokerAware is implemented by an extension server that needs the broker
// to dial back to the core's Core service.
type BrokerAware interface {
	SetBroker(b *plugin.GRPCBroker)
}

// Plugin implements plugin.GRPCPlugin for both sides. On the extension side
// Impl is the Extension server; on the gateway side it stays nil.
type Plugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl extpb.ExtensionServer
}

// Client is what the gateway gets from Dispense: the Extension stub and the
// broker over which it serves Core to the extension.
type Client struct {
	Extension extpb.ExtensionClient
	Broker    *plugin.GRPCBroker
}

// GRPCServer registers the extension's service (extension side).
func (p *Plugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	if b, ok := p.Impl.(BrokerAware); ok {
		b.SetBroker(broker)
	}
	extpb.RegisterExtensionServer(s, p.Impl)
	return nil
}

// GRPCClient wraps the connection to an extension (gateway side).
func (p *Plugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return &Client{Extension: extpb.NewExtensionClient(conn), Broker: broker}, nil
}

// Map is the plugin set both sides pass to go-plugin.
func Map(impl extpb.ExtensionServer) map[string]plugin.Plugin {
	return map[string]plugin.Plugin{PluginName: &Plugin{Impl: impl}}
}
