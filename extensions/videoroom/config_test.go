package main

import (
	"slices"
	"testing"
)

func TestConfig(t *testing.T) {
	c, err := parseConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	rooms, err := c.configuredRooms()
	if err != nil || len(rooms) != 2 {
		t.Fatalf("sample rooms: %v %v", rooms, err)
	}
	demo, vp9 := rooms[0], rooms[1]
	if demo.Room != 1234 || demo.Description != "Demo Room" || demo.Secret != "adminpwd" || demo.Publishers != 6 ||
		demo.Bitrate != 128000 || demo.FirFreq != 10 {
		t.Errorf("room 1234: %+v", demo)
	}
	if vp9.Room != 5678 || !slices.Equal(vp9.VideoCodecs, []string{"vp9"}) || !vp9.VideoSVC || vp9.Bitrate != 512000 {
		t.Errorf("room 5678: %+v", vp9)
	}
	c, err = parseConfig([]byte(`{"admin_key":"k","rooms":[{"room":7,"description":"Seven"}]}`))
	if err != nil || c.AdminKey != "k" {
		t.Fatalf("config: %+v %v", c, err)
	}
	if rooms, err := c.configuredRooms(); err != nil || len(rooms) != 1 || rooms[0].Description != "Seven" {
		t.Fatalf("configured rooms: %v %v", rooms, err)
	}
	for _, bad := range []string{`{"rooms":[{"description":"no id"}]}`, `{"rooms":[{"room":1,"videocodec":"x"}]}`, `{"rooms":5}`} {
		c, err := parseConfig([]byte(bad))
		if err == nil {
			_, err = c.configuredRooms()
		}
		if err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
