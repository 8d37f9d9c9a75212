/* Unit tests for access.c: allow-list rules, peers (crafted sockaddrs:
 * IPv4, IPv6, IPv4-mapped IPv6), loopback, bind addresses, passwords. */
#include "test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "access.h"

/* A peer as the kernel reports it: "192.0.2.7" or "fe80::1" (port 5000). */
static socklen_t peer(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(5000);
		return sizeof *v4;
	}
	assert_int_equal(inet_pton(AF_INET6, text, &v6->sin6_addr), 1);
	v6->sin6_family = AF_INET6;
	v6->sin6_port = htons(5000);
	return sizeof *v6;
}

static int matches(const char *rule_text, const char *peer_text)
{
	access_rule rule;
	char err[256];
	if (access_parse_rule(rule_text, &rule, err, sizeof err) < 0)
		fail_msg("%s", err);
	struct sockaddr_storage ss;
	socklen_t len = peer(peer_text, &ss);
	return access_rule_matches(&rule, (struct sockaddr *)&ss, len);
}

static int loopback(const char *peer_text)
{
	struct sockaddr_storage ss;
	socklen_t len = peer(peer_text, &ss);
	return access_is_loopback((struct sockaddr *)&ss, len);
}

static void cidr_ranges_match_their_prefix_only(void **state)
{
	(void)state;
	assert_true(matches("192.168.0.0/16", "192.168.1.20"));
	assert_true(matches("192.168.0.0/16", "192.168.255.255"));
	assert_false(matches("192.168.0.0/16", "192.169.0.1"));
	assert_true(matches("172.16.0.0/12", "172.31.255.1"));
	assert_false(matches("172.16.0.0/12", "172.32.0.1"));
	assert_true(matches("10.0.0.7", "10.0.0.7")); /* a bare address is /32 */
	assert_false(matches("10.0.0.7", "10.0.0.8"));
	assert_true(matches("0.0.0.0/0", "203.0.113.9"));
	assert_true(matches("fe80::/10", "fe80::1"));
	assert_true(matches("fe80::/10", "febf::1"));
	assert_false(matches("fe80::/10", "fec0::1"));
	assert_true(matches("fc00::/7", "fd00::2"));
	assert_false(matches("fc00::/7", "2001:db8::1"));
	assert_true(matches("2001:db8::5", "2001:db8::5"));
	assert_false(matches("2001:db8::5", "2001:db8::6"));
}

static void ipv4_mapped_peers_match_ipv4_rules_and_not_ipv6_ones(void **state)
{
	(void)state;
	assert_true(matches("192.168.0.0/16", "::ffff:192.168.1.20"));
	assert_false(matches("192.168.0.0/16", "::ffff:10.0.0.1"));
	assert_false(matches("::/0", "::ffff:192.168.1.20"));
	assert_false(matches("192.168.0.0/16", "2001:db8::1")); /* families never cross otherwise */
	assert_false(matches("::/0", "192.168.1.20"));
}

static void loopback_is_127_8_and_colon_colon_1(void **state)
{
	(void)state;
	assert_true(loopback("127.0.0.1"));
	assert_true(loopback("127.8.9.10"));
	assert_true(loopback("::1"));
	assert_true(loopback("::ffff:127.0.0.1"));
	assert_false(loopback("128.0.0.1"));
	assert_false(loopback("192.0.2.2"));
	assert_false(loopback("::2"));
	assert_false(loopback("fd00::1"));
	struct sockaddr_storage ss = {.ss_family = AF_UNIX};
	assert_false(access_is_loopback((struct sockaddr *)&ss, sizeof ss)); /* neither IPv4 nor IPv6 */
}

static void loopback_is_always_allowed_others_only_when_listed(void **state)
{
	(void)state;
	access_rule rules[2];
	char err[256];
	assert_int_equal(access_parse_rule("192.168.0.0/16", &rules[0], err, sizeof err), 0);
	assert_int_equal(access_parse_rule("fe80::/10", &rules[1], err, sizeof err), 0);
	struct sockaddr_storage ss;
	socklen_t len = peer("127.0.0.1", &ss);
	assert_true(access_allowed(NULL, 0, (struct sockaddr *)&ss, len));
	len = peer("192.168.4.4", &ss);
	assert_false(access_allowed(NULL, 0, (struct sockaddr *)&ss, len));
	assert_true(access_allowed(rules, 2, (struct sockaddr *)&ss, len));
	len = peer("fe80::9", &ss);
	assert_true(access_allowed(rules, 2, (struct sockaddr *)&ss, len));
	len = peer("10.1.1.1", &ss);
	assert_false(access_allowed(rules, 2, (struct sockaddr *)&ss, len));
}

static void bad_rules_are_refused_with_a_reason(void **state)
{
	(void)state;
	access_rule rule;
	char err[256];
	assert_int_equal(access_parse_rule("192.168.1.1/16", &rule, err, sizeof err), -1);
	assert_contains(err, "did you mean 192.168.0.0/16?");
	assert_int_equal(access_parse_rule("10.0.0.0/33", &rule, err, sizeof err), -1);
	assert_contains(err, "prefix length must be 0 to 32");
	assert_int_equal(access_parse_rule("fe80::/129", &rule, err, sizeof err), -1);
	assert_contains(err, "0 to 128");
	assert_int_equal(access_parse_rule("10.0.0.0/", &rule, err, sizeof err), -1);
	assert_int_equal(access_parse_rule("10.0.0.0/-1", &rule, err, sizeof err), -1);
	assert_int_equal(access_parse_rule("10.0.0.0/8x", &rule, err, sizeof err), -1);
	assert_int_equal(access_parse_rule("tablet.local", &rule, err, sizeof err), -1);
	assert_contains(err, "not an IP address or CIDR range");
	assert_int_equal(access_parse_rule("", &rule, err, sizeof err), -1);
	char text[ACCESS_RULE_TEXT_MAX];
	assert_int_equal(access_parse_rule("fc00::/7", &rule, err, sizeof err), 0);
	access_format_rule(&rule, text, sizeof text);
	assert_string_equal(text, "fc00::/7");
	assert_int_equal(access_parse_rule("10.0.0.1", &rule, err, sizeof err), 0);
	access_format_rule(&rule, text, sizeof text);
	assert_string_equal(text, "10.0.0.1/32");
}

static void bind_addresses_beyond_loopback_are_told_apart(void **state)
{
	(void)state;
	assert_int_equal(access_bind_is_loopback("127.0.0.1"), 1);
	assert_int_equal(access_bind_is_loopback("::1"), 1);
	assert_int_equal(access_bind_is_loopback("localhost"), 1);
	assert_int_equal(access_bind_is_loopback("127.0.0.2"), 1);
	assert_int_equal(access_bind_is_loopback("studio.example"), 0); /* a host name: never looked up */
	assert_int_equal(access_bind_is_loopback("0.0.0.0"), 0);
	assert_int_equal(access_bind_is_loopback("::"), 0);
	assert_int_equal(access_bind_is_loopback("192.0.2.2"), 0);
}

static void passwords_match_exactly(void **state)
{
	(void)state;
	assert_true(access_password_matches("s3cret", "s3cret"));
	assert_false(access_password_matches("s3cret", "s3cre"));
	assert_false(access_password_matches("s3cret", "s3cret!"));
	assert_false(access_password_matches("s3cret", "S3cret"));
	assert_false(access_password_matches("s3cret", ""));
	assert_false(access_password_matches("s3cret", "s3creu"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cidr_ranges_match_their_prefix_only),
	    cmocka_unit_test(ipv4_mapped_peers_match_ipv4_rules_and_not_ipv6_ones),
	    cmocka_unit_test(loopback_is_127_8_and_colon_colon_1),
	    cmocka_unit_test(loopback_is_always_allowed_others_only_when_listed),
	    cmocka_unit_test(bad_rules_are_refused_with_a_reason),
	    cmocka_unit_test(bind_addresses_beyond_loopback_are_told_apart),
	    cmocka_unit_test(passwords_match_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
