/*
 * access.c — allow-list rules and peer tests (include/access.h).
 *
 * A rule is an address and a prefix length; a peer matches when its first
 * `prefix` bits equal the rule's. IPv4 peers that arrive on an IPv6 socket
 * as ::ffff:a.b.c.d are unwrapped first, so one "192.168.0.0/16" serves
 * both kinds of socket.
 */
#include "access.h"

#include "error.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* The peer's family and address bytes, IPv4-mapped IPv6 unwrapped to IPv4;
 * -1 for anything but IPv4 and IPv6. */
static int peer_bytes(const struct sockaddr *addr, socklen_t len, unsigned char out[16])
{
	if (addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		memcpy(out, &((const struct sockaddr_in *)addr)->sin_addr, 4);
		return AF_INET;
	}
	if (addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const unsigned char *b = ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr;
		if (memcmp(b, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0) {
			memcpy(out, b + 12, 4);
			return AF_INET;
		}
		memcpy(out, b, 16);
		return AF_INET6;
	}
	return -1;
}

/* Whether the first `bits` bits of a and b are equal. */
static int prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)whole) != 0)
		return 0;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return rest == 0 || ((a[whole] ^ b[whole]) & mask) == 0;
}

int access_parse_rule(const char *text, access_rule *rule, char *err, size_t errlen)
{
	char host[ACCESS_RULE_TEXT_MAX];
	const char *slash = strchr(text, '/');
	size_t host_len = slash ? (size_t)(slash - text) : strlen(text);
	if (host_len == 0 || host_len >= sizeof host)
		return error_set(err, errlen, "'%s' is not an IP address or CIDR range", text);
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	memset(rule, 0, sizeof *rule);
	if (inet_pton(AF_INET, host, rule->addr) == 1)
		rule->family = AF_INET;
	else if (inet_pton(AF_INET6, host, rule->addr) == 1)
		rule->family = AF_INET6;
	else
		return error_set(err, errlen,
		                 "'%s' is not an IP address or CIDR range (e.g. \"192.168.1.20\", "
		                 "\"192.168.0.0/16\", \"fe80::/10\"; host names are not resolved)",
		                 text);
	int max_bits = rule->family == AF_INET ? 32 : 128;
	rule->prefix = max_bits;
	if (slash) {
		char *end;
		long bits = strtol(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || bits > max_bits)
			return error_set(err, errlen, "'%s': the prefix length must be 0 to %d", text, max_bits);
		rule->prefix = (int)bits;
	}
	unsigned char masked[16];
	memcpy(masked, rule->addr, sizeof masked);
	for (int bit = rule->prefix; bit < max_bits; bit++)
		masked[bit / 8] &= (unsigned char)~(0x80 >> (bit % 8));
	if (memcmp(masked, rule->addr, sizeof masked) != 0) {
		char net[INET6_ADDRSTRLEN];
		inet_ntop(rule->family, masked, net, sizeof net);
		return error_set(err, errlen, "'%s' has bits set beyond its /%d prefix: did you mean %s/%d?", text,
		                 rule->prefix, net, rule->prefix);
	}
	return 0;
}

void access_format_rule(const access_rule *rule, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	inet_ntop(rule->family, rule->addr, host, sizeof host);
	snprintf(out, len, "%s/%d", host, rule->prefix);
}

int access_rule_matches(const access_rule *rule, const struct sockaddr *addr, socklen_t len)
{
	unsigned char bytes[16];
	return peer_bytes(addr, len, bytes) == rule->family && prefix_equal(bytes, rule->addr, rule->prefix);
}

int access_is_loopback(const struct sockaddr *addr, socklen_t len)
{
	static const unsigned char v6_loopback[16] = {[15] = 1};
	unsigned char bytes[16];
	int family = peer_bytes(addr, len, bytes);
	return (family == AF_INET && bytes[0] == 127) ||
	       (family == AF_INET6 && memcmp(bytes, v6_loopback, sizeof v6_loopback) == 0);
}

int access_allowed(const access_rule *rules, int n_rules, const struct sockaddr *addr, socklen_t len)
{
	if (access_is_loopback(addr, len))
		return 1;
	for (int i = 0; i < n_rules; i++)
		if (access_rule_matches(&rules[i], addr, len))
			return 1;
	return 0;
}

int access_bind_is_loopback(const char *bind_address)
{
	/* Numeric addresses only (and "localhost"): a host name would need a
	 * DNS lookup while the configuration is checked, and its answer can
	 * change; it is treated as reaching beyond loopback. */
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *list;
	if (strcmp(bind_address, "localhost") == 0)
		return 1;
	if (getaddrinfo(bind_address, NULL, &hints, &list) != 0)
		return 0;
	int loopback = access_is_loopback(list->ai_addr, list->ai_addrlen);
	freeaddrinfo(list);
	return loopback;
}

int access_password_matches(const char *expected, const char *given)
{
	size_t expected_len = strlen(expected), given_len = strlen(given);
	/* Every byte of `given` is compared (against expected's NUL past its
	 * end), and differences are OR-ed, never branched on. */
	unsigned diff = expected_len != given_len;
	for (size_t i = 0; i < given_len; i++)
		diff |= (unsigned)(unsigned char)given[i] ^
		        (unsigned)(unsigned char)expected[i < expected_len ? i : expected_len];
	return diff == 0;
}
