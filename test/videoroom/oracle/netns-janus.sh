#!/usr/bin/env bash
# netns-janus.sh starts (or stops, with "stop") a Janus 1.1.2 of its own in
# a network namespace made for it, to record the oracle transcripts of
# scenarios with media. Janus (libnice) never gathers loopback candidates,
# so a Janus on this machine cannot do ICE with pion clients that use only
# 127.0.0.1; inside the namespace it has a veth address of its own that the
# test clients reach directly, and all traffic stays inside this machine.
#
#   sudo test/videoroom/oracle/netns-janus.sh        # Janus at http://10.77.0.2:18088/janus
#   VIDEOROOM_RECORD=1 REPRISE_TARGET_HTTP=http://10.77.0.2:18088/janus \
#     VIDEOROOM_PEER_IP=10.77.0.1 go test ./test/videoroom -run TestOracleTranscripts
#   sudo test/videoroom/oracle/netns-janus.sh stop
set -euo pipefail
NS=vrjanus
DIR=/tmp/vrjanus
if [[ "${1:-}" == stop ]]; then
	[[ -f $DIR/janus.pid ]] && kill "$(cat $DIR/janus.pid)" 2>/dev/null || true
	ip netns del $NS 2>/dev/null || true
	ip link del vrh0 2>/dev/null || true
	exit 0
fi
mkdir -p $DIR
cp /etc/janus/janus.plugin.videoroom.jcfg /etc/janus/janus.transport.http.jcfg /etc/janus/janus.jcfg $DIR/
# Only the HTTP transport and the VideoRoom; ICE on the namespace's veth only.
sed -i -e 's|^\(\s*\)#\?\s*configs_folder = .*|\1configs_folder = "'$DIR'"|' \
	-e 's|^\(\s*\)#ice_enforce_list = "eth0"|\1ice_enforce_list = "vrj0"|' \
	-e 's|^\(\s*\)#\?\s*admin_secret = .*|\1admin_secret = "janusoverlord"|' $DIR/janus.jcfg
sed -i -e 's|^\(\s*\)port = .*|\1port = 18088|' $DIR/janus.transport.http.jcfg
sed -i -e 's|^plugins: {|plugins: {\n\tdisable = "libjanus_voicemail.so,libjanus_sip.so,libjanus_nosip.so,libjanus_audiobridge.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_recordplay.so,libjanus_lua.so,libjanus_duktape.so,libjanus_echotest.so"|' \
	-e 's|^transports: {|transports: {\n\tdisable = "libjanus_websockets.so,libjanus_pfunix.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_rabbitmq.so"|' \
	-e 's|^events: {|events: {\n\tbroadcast = false|' $DIR/janus.jcfg
ip netns add $NS
ip link add vrh0 type veth peer name vrj0
ip link set vrj0 netns $NS
ip addr add 10.77.0.1/24 dev vrh0
ip link set vrh0 up
ip netns exec $NS ip addr add 10.77.0.2/24 dev vrj0
ip netns exec $NS ip link set vrj0 up
ip netns exec $NS ip link set lo up
ip netns exec $NS janus -F $DIR -C $DIR/janus.jcfg --disable-colors -L $DIR/janus.log >$DIR/stdout.log 2>&1 &
echo $! >$DIR/janus.pid
for _ in $(seq 50); do
	curl -sf http://10.77.0.2:18088/janus/info >/dev/null && { echo "janus up at http://10.77.0.2:18088/janus"; exit 0; }
	sleep 0.2
done
echo "janus did not come up; see $DIR/janus.log" >&2
exit 1
