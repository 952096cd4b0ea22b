/*
 * Where a webhook may be sent (CONTRACT.md section 11): an address is
 * public, or it is one of the kinds a URL must not reach (the server's own
 * machine, its networks, the cloud's metadata service). Pure: no I/O.
 */
#ifndef DROPLINE_DOMAIN_NETADDR_H
#define DROPLINE_DOMAIN_NETADDR_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	NETADDR_PUBLIC = 0,
	NETADDR_LOOPBACK,    /* 127/8, ::1 */
	NETADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7 */
	NETADDR_LINK_LOCAL,  /* 169.254/16 (169.254.169.254 too), fe80::/10 */
	NETADDR_MULTICAST,   /* 224/4, ff00::/8 */
	NETADDR_UNSPECIFIED, /* 0/8, :: */
	NETADDR_SHARED,	     /* 100.64/10, carrier-grade NAT */
	NETADDR_RESERVED,    /* 240/4 and 255.255.255.255 */
	NETADDR_INVALID,     /* not 4 or 16 bytes */
} netaddr_class;

/*
 * netaddr_classify() tells what an address is: `bytes` are 4 (IPv4) or 16
 * (IPv6) bytes in network order. An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) and the IPv4-compatible and NAT64 forms are judged as
 * the IPv4 address they carry.
 */
netaddr_class netaddr_classify(const uint8_t *bytes, size_t len);

/* "loopback", "private", ...: how a refusal names the class. */
const char *netaddr_class_name(netaddr_class c);

#endif
