/*
 * access — who may talk to the daemon: the allow-list of addresses and
 * CIDR ranges (osc.allow), loopback tests, and the TCP session password
 * compare.
 *
 * Pure functions over values: no sockets, no locks, no allocation (beyond
 * getaddrinfo in access_bind_is_loopback), so that net.c and osc.c can ask
 * and the unit tests can check each decision with crafted sockaddrs.
 *
 * IPv4-mapped IPv6 peers (::ffff:a.b.c.d, what a dual-stack socket reports
 * for an IPv4 client) are treated as the IPv4 address: they match IPv4
 * rules and 127.0.0.0/8 counts as loopback.
 *
 * Threads: any non-RT thread.
 */
#ifndef TERRAIND_ACCESS_H
#define TERRAIND_ACCESS_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct access_rule {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network byte order; 4 bytes used for AF_INET */
	int prefix;             /* leading bits that must match (0..32 or 0..128) */
} access_rule;

enum { ACCESS_RULE_TEXT_MAX = 64 };

/* Parses "192.168.1.20", "192.168.0.0/16", "fe80::/10" or "::1". Host
 * bits set beyond the prefix ("192.168.1.1/16") are refused: they suggest a
 * typo, and the rule would not mean what it says. */
int access_parse_rule(const char *text, access_rule *rule, char *err, size_t errlen);
/* Writes the rule back as text ("10.0.0.0/8"). */
void access_format_rule(const access_rule *rule, char *out, size_t len);

/* Whether `addr` lies in the rule's range. */
int access_rule_matches(const access_rule *rule, const struct sockaddr *addr, socklen_t len);
/* Whether the address is loopback (127.0.0.0/8, ::1, ::ffff:127.x.y.z). */
int access_is_loopback(const struct sockaddr *addr, socklen_t len);
/* Whether a peer may talk to the daemon: loopback always may, others when
 * a rule matches. */
int access_allowed(const access_rule *rules, int n_rules, const struct sockaddr *addr, socklen_t len);

/* Whether binding to `bind_address` keeps the daemon on this machine:
 * "127.0.0.1" (any 127.x.y.z), "::1", "localhost". Any other address, and
 * any other host name, reaches beyond loopback. */
int access_bind_is_loopback(const char *bind_address);

/* Compares a password in time that depends only on the length of the
 * given one, so that a remote peer cannot learn the expected password
 * byte by byte from reply timing. */
int access_password_matches(const char *expected, const char *given);

#endif
