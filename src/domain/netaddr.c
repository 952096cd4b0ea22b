/* Address classes for webhook URLs; see include/domain/netaddr.h. */
#include <string.h>

#include "domain/netaddr.h"

static netaddr_class classify_v4(const uint8_t *a)
{
	if (a[0] == 0)
		return NETADDR_UNSPECIFIED;
	if (a[0] == 127)
		return NETADDR_LOOPBACK;
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168))
		return NETADDR_PRIVATE;
	if (a[0] == 169 && a[1] == 254)
		return NETADDR_LINK_LOCAL;
	if (a[0] == 100 && (a[1] & 0xc0) == 64)
		return NETADDR_SHARED;
	if ((a[0] & 0xf0) == 224)
		return NETADDR_MULTICAST;
	if ((a[0] & 0xf0) == 240)
		return NETADDR_RESERVED; /* 240/4, with 255.255.255.255 */
	/* 192.0.0/24 (IETF protocol assignments) and 198.18/15 (benchmarking) stay inside too. */
	if ((a[0] == 192 && a[1] == 0 && a[2] == 0) || (a[0] == 198 && (a[1] & 0xfe) == 18))
		return NETADDR_RESERVED;
	return NETADDR_PUBLIC;
}

netaddr_class netaddr_classify(const uint8_t *bytes, size_t len)
{
	if (bytes == NULL)
		return NETADDR_INVALID;
	if (len == 4)
		return classify_v4(bytes);
	if (len != 16)
		return NETADDR_INVALID;
	static const uint8_t zero[16] = {0};
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	if (memcmp(bytes, zero, 15) == 0)
		return bytes[15] == 1	? NETADDR_LOOPBACK
		       : bytes[15] == 0 ? NETADDR_UNSPECIFIED
					: NETADDR_RESERVED;
	/* ::ffff:a.b.c.d, ::a.b.c.d (deprecated) and 64:ff9b::a.b.c.d carry an IPv4 address. */
	if (memcmp(bytes, mapped, 12) == 0 || memcmp(bytes, zero, 12) == 0 ||
	    memcmp(bytes, nat64, 12) == 0)
		return classify_v4(bytes + 12);
	if ((bytes[0] & 0xfe) == 0xfc)
		return NETADDR_PRIVATE; /* fc00::/7 */
	if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80)
		return NETADDR_LINK_LOCAL; /* fe80::/10 */
	if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0xc0)
		return NETADDR_PRIVATE; /* fec0::/10, deprecated site-local */
	if (bytes[0] == 0xff)
		return NETADDR_MULTICAST;
	/* 2002::/16 (6to4) carries an IPv4 address in bytes 2..5. */
	if (bytes[0] == 0x20 && bytes[1] == 0x02) {
		netaddr_class inner = classify_v4(bytes + 2);
		if (inner != NETADDR_PUBLIC)
			return inner;
	}
	return NETADDR_PUBLIC;
}

const char *netaddr_class_name(netaddr_class c)
{
	switch (c) {
	case NETADDR_PUBLIC: return "public";
	case NETADDR_LOOPBACK: return "loopback";
	case NETADDR_PRIVATE: return "private";
	case NETADDR_LINK_LOCAL: return "link-local";
	case NETADDR_MULTICAST: return "multicast";
	case NETADDR_UNSPECIFIED: return "unspecified";
	case NETADDR_SHARED: return "shared (carrier-grade NAT)";
	case NETADDR_RESERVED: return "reserved";
	case NETADDR_INVALID: break;
	}
	return "invalid";
}
