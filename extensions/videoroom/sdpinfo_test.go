package main

import (
	"os"
	"testing"
)

func TestOffersAudioLevel(t *testing.T) {
	seed, err := os.ReadFile("../../test/videoroom/testdata/seed003_offer.sdp")
	if err != nil {
		t.Fatal(err)
	}
	if !offersAudioLevel(string(seed)) {
		t.Error("the seed's Chrome offer has the audio level extension")
	}
	videoOnly := "v=0\r\nm=audio 9 RTP 111\r\na=mid:0\r\nm=video 9 RTP 96\r\na=extmap:1 " + audioLevelURI + "\r\n"
	if offersAudioLevel(videoOnly) {
		t.Error("an extension on the video m-line is not the audio level")
	}
}

func FuzzOffersAudioLevel(f *testing.F) {
	f.Add("m=audio 9 UDP/TLS/RTP/SAVPF 111\na=extmap:1 " + audioLevelURI)
	f.Add("m=video 9\na=extmap:")
	f.Add("")
	f.Fuzz(func(t *testing.T, sdp string) { _ = offersAudioLevel(sdp) })
}
