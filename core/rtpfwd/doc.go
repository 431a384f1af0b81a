// Package rtpfwd sends copies of media to plain UDP destinations, the way
// Janus' rtp_forward requests do: a Forwarder is a media-core sink that
// re-sends each RTP packet of one stream to host:port with a configured
// SSRC, optionally another payload type, and optionally SRTP-protected
// (AES_CM_128 with an 80- or 32-bit tag, the key given as in Janus'
// srtp_crypto). A DataForwarder sends data channel messages as plain UDP
// datagrams.
//
// Sending never waits: a packet the socket cannot take at once is counted
// as an error and dropped, so a slow or unreachable destination cannot
// stall the publisher's media.
package rtpfwd
