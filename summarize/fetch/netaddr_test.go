package fetch

import (
	"net/netip"
	"testing"
)

func TestBlockedAddr(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		// Public space.
		{"93.184.215.14", false},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"2606:4700:4700::1111", false},
		{"::ffff:8.8.8.8", false},            // IPv4-mapped public
		{"64:ff9b::808:808", false},          // NAT64 of 8.8.8.8
		{"2002:808:808::1", false},           // 6to4 of 8.8.8.8
		{"2001:0:808:808::f7f7:f7f7", false}, // Teredo, server and client 8.8.8.8
		// IPv4 special space.
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"100.100.100.200", true}, // Alibaba metadata, in CGNAT space
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"169.254.169.254", true},
		{"169.254.0.1", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.0.0.192", true}, // Oracle metadata
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		{"168.63.129.16", true},
		// Documentation space (RFC 5737, 3849, 9637).
		{"192.0.2.0", true},
		{"192.0.2.255", true},
		{"198.51.100.1", true},
		{"203.0.113.10", true},
		{"2001:db8::1", true},
		{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"3fff::1", true},
		{"3fff:fff:ffff::1", true},
		{"::ffff:203.0.113.10", true}, // IPv4-mapped
		{"64:ff9b::c000:201", true},   // NAT64 of 192.0.2.1
		{"2002:c633:6401::1", true},   // 6to4 of 198.51.100.1
		{"2001:0:cb00:710a::1", true}, // Teredo server 203.0.113.10
		// Just outside the ranges.
		{"192.0.3.1", false},
		{"198.51.101.1", false},
		{"203.0.112.255", false},
		{"203.0.114.1", false},
		{"2001:db9::1", false},
		{"2001:db7:ffff::1", false},
		{"3fff:1000::1", false},
		{"3ffe:ffff::1", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"198.20.0.1", false},
		{"168.63.129.17", false},
		{"11.0.0.1", false},
		// IPv6.
		{"::", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::127.0.0.1", true}, // IPv4-compatible
		{"::8.8.8.8", true},   // IPv4-compatible is refused whatever it holds
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"2606:4700::1%eth0", true}, // any zone
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fd00:ec2::254", true},
		{"ff02::1", true},
		{"ff05::1:3", true},
		{"fec0::1", true}, // site-local
		{"100::1", true},  // discard-only
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::a9fe:a9fe", true},
		{"64:ff9b:1::808:808", true},
		{"2002:7f00:1::1", true},
		{"2002:a00:1::", true},
		{"2001:0:7f00:1::f7f7:f7f7", true},             // Teredo server 127.0.0.1
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", true}, // Teredo client 10.0.0.1
		{"2001:2::1", true},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.addr)
			reason, blocked := blockedAddr(ip)
			if blocked != tt.blocked {
				t.Errorf("blockedAddr(%q) = %q, %v; want blocked %v", tt.addr, reason, blocked, tt.blocked)
			}
			if blocked && reason == "" {
				t.Errorf("blockedAddr(%q) gives no reason", tt.addr)
			}
		})
	}
	if _, blocked := blockedAddr(netip.Addr{}); !blocked {
		t.Errorf("blockedAddr(zero Addr) allowed; want blocked")
	}
}

func TestParseWebIPv4(t *testing.T) {
	tests := []struct {
		host string
		want string // "" when invalid
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"127.0.0.1.", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0177.0.0.01", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0x7F.0.0.1", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"10.1", "10.0.0.1"},
		{"0", "0.0.0.0"},
		{"0x", "0.0.0.0"},
		{"017700000001", "127.0.0.1"},
		{"192.168.257", "192.168.1.1"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", ""},
		{"256.0.0.1", ""},
		{"1.2.3.256", ""},
		{"1.2.3.4.5", ""},
		{"08.0.0.1", ""},
		{"0x7g.1", ""},
		{"1..1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := parseWebIPv4(tt.host)
		gotStr := ""
		if ok {
			gotStr = got.String()
		}
		if gotStr != tt.want {
			t.Errorf("parseWebIPv4(%q) = %q; want %q", tt.host, gotStr, tt.want)
		}
	}
}

func TestHostEndsInNumber(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true},
		{"example.com", false},
		{"1.2.3.4.example", false},
		{"example.123", true},
		{"example.0x1f", true},
		{"example.0x", true},
		{"example.0xg", false},
		{"2130706433", true},
		{"127.0.0.1.", true},
		{"1e3", false},
		{".", false},
	}
	for _, tt := range tests {
		if got := hostEndsInNumber(tt.host); got != tt.want {
			t.Errorf("hostEndsInNumber(%q) = %v; want %v", tt.host, got, tt.want)
		}
	}
}

func TestBlockedPort(t *testing.T) {
	for port, want := range map[uint16]bool{80: false, 443: false, 0: true, 22: true, 8080: true, 6379: true, 8443: true} {
		if got := blockedPort(port); got != want {
			t.Errorf("blockedPort(%d) = %v; want %v", port, got, want)
		}
	}
}

func TestIsLocalName(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "app.localhost": true,
		"localhost.example": false, "mylocalhost": false, "example.com": false,
	} {
		if got := isLocalName(host); got != want {
			t.Errorf("isLocalName(%q) = %v; want %v", host, got, want)
		}
	}
}
