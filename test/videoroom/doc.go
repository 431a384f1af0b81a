// Package videoroom holds the end-to-end tests of the janus.plugin.videoroom
// extension: the real gateway binary with the real extension process, driven
// over the Janus API by test clients and pion PeerConnections on 127.0.0.1.
//
// testdata/oracle holds transcripts of scenarios (scenarios_test.go) run
// against Janus 1.1.2 itself; TestOracleTranscripts runs the same scenarios
// against Reprise and compares every message field by field (ids, SDP
// bodies and other generated values by type only). A step Janus answered
// with nothing is stored as "<missing>", so an extra event is a difference
// too.
//
// Janus (libnice) never offers loopback ICE candidates, so the scenarios
// with media are recorded against a Janus run in a network namespace of its
// own (oracle/netns-janus.sh, as root):
//
//	test/videoroom/oracle/netns-janus.sh
//	VIDEOROOM_RECORD=1 REPRISE_TARGET_HTTP=http://10.77.0.2:18088/janus VIDEOROOM_PEER_IP=10.77.0.1 \
//	  go test ./test/videoroom -run TestOracleTranscripts
//	test/videoroom/oracle/netns-janus.sh stop
//
// VIDEOROOM_DUMP=<dir> writes Reprise's own transcripts there, to look at.
package videoroom
