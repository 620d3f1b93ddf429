package fetch

import (
	"net/netip"
	"strconv"
	"strings"
)

// This file decides which network addresses a fetch may connect to, and
// reads numeric hosts the way a browser does.
//
// Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
// 2001:db8::/32, 3fff::/20) are refused: no public article lives there,
// and a network that does route them (a lab, a misconfigured intranet) is
// not the public internet.

// blockedPrefix is a range of addresses a fetch must not reach, and why.
type blockedPrefix struct {
	prefix netip.Prefix
	reason string
}

// blockedV4 lists the IPv4 ranges that are not the public internet.
var blockedV4 = []blockedPrefix{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	// IETF protocol assignments: NAT64 discovery, Oracle's metadata
	// service (192.0.0.192) and other special-purpose addresses.
	{netip.MustParsePrefix("192.0.0.0/24"), "special-purpose"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	// Azure's wire server (metadata and agent traffic) sits in public
	// space, so it must be named.
	{netip.MustParsePrefix("168.63.129.16/32"), "cloud metadata"},
}

// blockedV6 lists the IPv6 ranges inside global unicast (2000::/3) that must
// still be refused; everything outside 2000::/3 is refused unless it embeds
// an allowed IPv4 address (IPv4-mapped, NAT64 well-known prefix).
var blockedV6 = []blockedPrefix{
	{netip.MustParsePrefix("2001:10::/28"), "deprecated ORCHID"},
	{netip.MustParsePrefix("2001:20::/28"), "ORCHIDv2"},
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
}

var (
	// nat64Prefix is the NAT64 well-known prefix (RFC 6052): the low 32
	// bits are an IPv4 address reached through a translator.
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	// nat64LocalPrefix is the local-use NAT64 prefix (RFC 8215), whose
	// translators are private by definition.
	nat64LocalPrefix = netip.MustParsePrefix("64:ff9b:1::/48")
	// sixToFourPrefix embeds an IPv4 address in bits 16–47 (RFC 3056).
	sixToFourPrefix = netip.MustParsePrefix("2002::/16")
	// teredoPrefix embeds the server's IPv4 address in bits 32–63 and the
	// client's, inverted, in the low 32 bits (RFC 4380).
	teredoPrefix = netip.MustParsePrefix("2001::/32")
	// ipv4CompatPrefix is the deprecated IPv4-compatible form ::a.b.c.d,
	// which also holds :: and ::1.
	ipv4CompatPrefix = netip.MustParsePrefix("::/96")
	// globalUnicast is the only IPv6 space a public host lives in.
	globalUnicast = netip.MustParsePrefix("2000::/3")
	// awsMetadataV6 is the IPv6 address of AWS's instance metadata service
	// (also inside fc00::/7, named so the log says why).
	awsMetadataV6 = netip.MustParseAddr("fd00:ec2::254")
)

// blockedAddr reports whether a fetch must refuse to connect to ip, and a
// short reason for the log. Addresses with a zone are always refused: a
// zone only has meaning for link-local and other scoped addresses.
func blockedAddr(ip netip.Addr) (reason string, blocked bool) {
	if !ip.IsValid() {
		return "invalid address", true
	}
	if ip.Zone() != "" {
		return "scoped address", true
	}
	if ip.Is4In6() {
		if r, b := blockedV4Addr(ip.Unmap()); b {
			return "IPv4-mapped " + r, true
		}
		return "", false
	}
	if ip.Is4() {
		return blockedV4Addr(ip)
	}
	return blockedV6Addr(ip)
}

func blockedV4Addr(ip netip.Addr) (string, bool) {
	for _, p := range blockedV4 {
		if p.prefix.Contains(ip) {
			return p.reason, true
		}
	}
	return "", false
}

func blockedV6Addr(ip netip.Addr) (string, bool) {
	switch {
	case ip == awsMetadataV6:
		return "cloud metadata", true
	case ip.IsUnspecified():
		return "unspecified", true
	case ip.IsLoopback():
		return "loopback", true
	case ipv4CompatPrefix.Contains(ip):
		return "IPv4-compatible", true
	case nat64Prefix.Contains(ip):
		b := ip.As16()
		if r, blocked := blockedV4Addr(netip.AddrFrom4([4]byte(b[12:16]))); blocked {
			return "NAT64 " + r, true
		}
		return "", false
	case nat64LocalPrefix.Contains(ip):
		return "local-use NAT64", true
	case ip.IsMulticast():
		return "multicast", true
	case ip.IsLinkLocalUnicast():
		return "link-local", true
	case ip.IsPrivate():
		return "private", true
	case !globalUnicast.Contains(ip):
		// Site-local fec0::/10, discard-only 100::/64 and all other
		// reserved space.
		return "reserved", true
	case sixToFourPrefix.Contains(ip):
		b := ip.As16()
		if r, blocked := blockedV4Addr(netip.AddrFrom4([4]byte(b[2:6]))); blocked {
			return "6to4 " + r, true
		}
	case teredoPrefix.Contains(ip):
		b := ip.As16()
		server := netip.AddrFrom4([4]byte(b[4:8]))
		client := netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
		if r, blocked := blockedV4Addr(server); blocked {
			return "Teredo server " + r, true
		}
		if r, blocked := blockedV4Addr(client); blocked {
			return "Teredo client " + r, true
		}
	}
	for _, p := range blockedV6 {
		if p.prefix.Contains(ip) {
			return p.reason, true
		}
	}
	return "", false
}

// blockedPort reports whether a fetch must refuse port: only the web's
// default ports are allowed, so a link cannot reach a database, mail or
// admin port that happens to listen on a public host.
func blockedPort(port uint16) bool {
	return port != 80 && port != 443
}

// isLocalName reports whether host is "localhost" or a name under it
// (RFC 6761), which resolve to loopback without asking DNS.
func isLocalName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// hostEndsInNumber reports whether a (lower-case, ASCII) host must be read
// as an IPv4 address, following the WHATWG URL standard: its last label
// (ignoring one trailing dot) is all decimal digits or 0x followed by hex
// digits. Such a host is an address or an invalid host, never a name.
func hostEndsInNumber(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		last = host[i+1:]
	}
	if last == "" {
		return false
	}
	if isAllDigits(last, 10) {
		return true
	}
	if strings.HasPrefix(last, "0x") || strings.HasPrefix(last, "0X") {
		return last == "0x" || last == "0X" || isAllDigits(last[2:], 16)
	}
	return false
}

// parseWebIPv4 reads host as a browser reads a numeric host: one to four
// dot-separated parts, each decimal, octal (leading 0) or hex (0x), the last
// part filling the remaining bytes. So 2130706433, 0177.0.0.1, 0x7f.1 and
// 127.1 are all 127.0.0.1. ok is false when host is not a valid address.
func parseWebIPv4(host string) (ip netip.Addr, ok bool) {
	host = strings.TrimSuffix(host, ".")
	parts := strings.Split(host, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseWebIPv4Number(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	last := len(nums) - 1
	for _, n := range nums[:last] {
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	if nums[last] >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v := nums[last]
	for i, n := range nums[:last] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseWebIPv4Number reads one part of a numeric host.
func parseWebIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		s, base = s[2:], 16
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, true
	}
	if !isAllDigits(s, base) {
		return 0, false
	}
	// Anything above 32 bits is invalid; ParseUint's range error says so.
	n, err := strconv.ParseUint(s, base, 32)
	if err != nil {
		return 0, false
	}
	return n, true
}

func isAllDigits(s string, base int) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '7':
		case c == '8' || c == '9':
			if base < 10 {
				return false
			}
		case ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F'):
			if base < 16 {
				return false
			}
		default:
			return false
		}
	}
	return true
}
