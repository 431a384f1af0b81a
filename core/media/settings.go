package media

import (
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// videoOrientationURI is forwarded so rotated mobile cameras render upright.
const videoOrientationURI = "urn:3gpp:video-orientation"

// newAPI builds the pion API every PeerConnection of the engine shares:
// codecs, RTCP feedback, header extensions, interceptors and the ICE
// network settings. The returned closer releases the single-port mux, if any.
func newAPI(cfg Config, log *slog.Logger) (*webrtc.API, func() error, error) {
	me := &webrtc.MediaEngine{}
	if err := registerCodecs(me); err != nil {
		return nil, nil, err
	}
	ir := &interceptor.Registry{}
	// NACK generator+responder, sender/receiver reports and TWCC feedback
	// for what we receive. The stats interceptor is left out on purpose: it
	// costs per packet and PeerInfo keeps its own counters.
	if err := webrtc.ConfigureNack(me, ir); err != nil {
		return nil, nil, fmt.Errorf("configure nack: %w", err)
	}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, nil, fmt.Errorf("configure rtcp reports: %w", err)
	}
	if err := webrtc.ConfigureTWCCSender(me, ir); err != nil {
		return nil, nil, fmt.Errorf("configure twcc: %w", err)
	}

	se := webrtc.SettingEngine{LoggerFactory: pionLoggerFactory{log: log}}
	filter, err := newEnforceFilter(cfg.ICEEnforceList)
	if err != nil {
		return nil, nil, err
	}
	if filter != nil {
		se.SetInterfaceFilter(filter.keepInterface)
		se.SetIPFilter(filter.keepIP)
		// pion skips loopback unless asked; an enforce list naming a
		// loopback address or interface is exactly that request.
		se.SetIncludeLoopbackCandidate(filter.loopback)
	}
	if len(cfg.NAT1To1IPs) > 0 {
		if err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{
			External:        cfg.NAT1To1IPs,
			AsCandidateType: webrtc.ICECandidateTypeHost,
			Mode:            webrtc.ICEAddressRewriteReplace,
		}); err != nil {
			return nil, nil, fmt.Errorf("nat 1:1 mapping: %w", err)
		}
	}
	closer := func() error { return nil }
	switch {
	case cfg.UDPPort > 0:
		opts := []ice.UDPMuxFromPortOption{}
		if filter != nil {
			opts = append(opts,
				ice.UDPMuxFromPortWithInterfaceFilter(filter.keepInterface),
				ice.UDPMuxFromPortWithIPFilter(filter.keepIP))
			if filter.loopback {
				opts = append(opts, ice.UDPMuxFromPortWithLoopback())
			}
		}
		mux, err := ice.NewMultiUDPMuxFromPort(cfg.UDPPort, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("udp mux on port %d: %w", cfg.UDPPort, err)
		}
		se.SetICEUDPMux(mux)
		closer = mux.Close
	case cfg.UDPPortMin > 0 || cfg.UDPPortMax > 0:
		if err := se.SetEphemeralUDPPortRange(cfg.UDPPortMin, cfg.UDPPortMax); err != nil {
			return nil, nil, fmt.Errorf("udp port range %d-%d: %w", cfg.UDPPortMin, cfg.UDPPortMax, err)
		}
	}

	api := webrtc.NewAPI(
		webrtc.WithMediaEngine(me),
		webrtc.WithInterceptorRegistry(ir),
		webrtc.WithSettingEngine(se),
	)
	return api, closer, nil
}

func registerCodecs(me *webrtc.MediaEngine) error {
	for _, c := range supportedCodecs {
		if err := me.RegisterCodec(c.params(), c.kind); err != nil {
			return fmt.Errorf("register codec %s: %w", c.mime, err)
		}
		if c.rtxPT != 0 {
			if err := me.RegisterCodec(c.rtxParams(), c.kind); err != nil {
				return fmt.Errorf("register rtx for %s: %w", c.mime, err)
			}
		}
	}
	exts := []struct {
		uri  string
		kind webrtc.RTPCodecType
	}{
		{sdp.SDESMidURI, webrtc.RTPCodecTypeAudio},
		{sdp.SDESMidURI, webrtc.RTPCodecTypeVideo},
		{sdp.SDESRTPStreamIDURI, webrtc.RTPCodecTypeVideo},
		{sdp.SDESRepairRTPStreamIDURI, webrtc.RTPCodecTypeVideo},
		{sdp.AudioLevelURI, webrtc.RTPCodecTypeAudio},
		{sdp.ABSSendTimeURI, webrtc.RTPCodecTypeVideo},
		{videoOrientationURI, webrtc.RTPCodecTypeVideo},
	}
	for _, x := range exts {
		if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: x.uri}, x.kind); err != nil {
			return fmt.Errorf("register header extension %s: %w", x.uri, err)
		}
	}
	return nil
}

// enforceFilter implements ICEEnforceList. pion applies its interface and
// IP filters together (a candidate must pass both), while a Janus list may
// mix names and addresses (a candidate must match either), so both filters
// accept whatever either kind of entry allows.
type enforceFilter struct {
	names    []string     // interface name prefixes
	nets     []*net.IPNet // addresses (as /32 or /128) and CIDR prefixes
	loopback bool
}

func newEnforceFilter(list []string) (*enforceFilter, error) {
	if len(list) == 0 {
		return nil, nil
	}
	f := &enforceFilter{}
	for _, raw := range list {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		if ip := net.ParseIP(entry); ip != nil {
			bits := 8 * len(ip.To16())
			if ip4 := ip.To4(); ip4 != nil {
				ip, bits = ip4, 32
			}
			f.nets = append(f.nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			f.loopback = f.loopback || ip.IsLoopback()
			continue
		}
		if _, n, err := net.ParseCIDR(entry); err == nil {
			f.nets = append(f.nets, n)
			f.loopback = f.loopback || n.IP.IsLoopback()
			continue
		}
		if strings.ContainsAny(entry, " /:") {
			return nil, fmt.Errorf("ice enforce list entry %q: neither an interface name nor an IP address", entry)
		}
		f.names = append(f.names, entry)
		if iface, err := net.InterfaceByName(entry); err == nil && iface.Flags&net.FlagLoopback != 0 {
			f.loopback = true
		}
	}
	if len(f.names) == 0 && len(f.nets) == 0 {
		return nil, nil
	}
	return f, nil
}

func (f *enforceFilter) nameListed(name string) bool {
	for _, n := range f.names {
		if strings.HasPrefix(name, n) {
			return true
		}
	}
	return false
}

func (f *enforceFilter) ipListed(ip net.IP) bool {
	for _, n := range f.nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// keepInterface accepts a listed interface, or any interface owning a
// listed address (the IP filter then narrows it to that address).
func (f *enforceFilter) keepInterface(name string) bool {
	if f.nameListed(name) {
		return true
	}
	if len(f.nets) == 0 {
		return false
	}
	iface, err := net.InterfaceByName(name)
	if err != nil {
		return false
	}
	addrs, err := iface.Addrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && f.ipListed(ipn.IP) {
			return true
		}
	}
	return false
}

// keepIP accepts a listed address, or any address of a listed interface.
func (f *enforceFilter) keepIP(ip net.IP) bool {
	if f.ipListed(ip) {
		return true
	}
	if len(f.names) == 0 {
		return false
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return false
	}
	for _, iface := range ifaces {
		if !f.nameListed(iface.Name) {
			continue
		}
		addrs, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.Equal(ip) {
				return true
			}
		}
	}
	return false
}
