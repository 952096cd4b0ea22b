/* Unit tests for include/domain/netaddr.h: which addresses a webhook may reach, from a table. */
#include <arpa/inet.h>
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domain/netaddr.h"

static const struct {
	const char *text;
	netaddr_class want;
} cases[] = {
	/* IPv4 */
	{"0.0.0.0", NETADDR_UNSPECIFIED},
	{"0.1.2.3", NETADDR_UNSPECIFIED},
	{"127.0.0.1", NETADDR_LOOPBACK},
	{"127.255.255.254", NETADDR_LOOPBACK},
	{"10.0.0.0", NETADDR_PRIVATE},
	{"10.255.255.255", NETADDR_PRIVATE},
	{"172.15.255.255", NETADDR_PUBLIC},
	{"172.16.0.0", NETADDR_PRIVATE},
	{"172.31.255.255", NETADDR_PRIVATE},
	{"172.32.0.0", NETADDR_PUBLIC},
	{"192.168.0.1", NETADDR_PRIVATE},
	{"192.169.0.1", NETADDR_PUBLIC},
	{"169.254.169.254", NETADDR_LINK_LOCAL},
	{"169.254.0.1", NETADDR_LINK_LOCAL},
	{"169.255.0.1", NETADDR_PUBLIC},
	{"100.63.255.255", NETADDR_PUBLIC},
	{"100.64.0.0", NETADDR_SHARED},
	{"100.127.255.255", NETADDR_SHARED},
	{"100.128.0.0", NETADDR_PUBLIC},
	{"224.0.0.1", NETADDR_MULTICAST},
	{"239.255.255.255", NETADDR_MULTICAST},
	{"240.0.0.1", NETADDR_RESERVED},
	{"255.255.255.255", NETADDR_RESERVED},
	{"192.0.0.8", NETADDR_RESERVED},
	{"198.18.0.1", NETADDR_RESERVED},
	{"198.20.0.1", NETADDR_PUBLIC},
	{"8.8.8.8", NETADDR_PUBLIC},
	{"93.184.215.14", NETADDR_PUBLIC},
	{"1.1.1.1", NETADDR_PUBLIC},
	/* IPv6 */
	{"::", NETADDR_UNSPECIFIED},
	{"::1", NETADDR_LOOPBACK},
	{"::2", NETADDR_RESERVED},
	{"fc00::1", NETADDR_PRIVATE},
	{"fdff:ffff::1", NETADDR_PRIVATE},
	{"fe80::1", NETADDR_LINK_LOCAL},
	{"febf::1", NETADDR_LINK_LOCAL},
	{"fec0::1", NETADDR_PRIVATE},
	{"ff02::1", NETADDR_MULTICAST},
	{"2001:4860:4860::8888", NETADDR_PUBLIC},
	{"2606:2800:220:1::", NETADDR_PUBLIC},
	/* IPv4 inside IPv6: judged as the IPv4 address */
	{"::ffff:127.0.0.1", NETADDR_LOOPBACK},
	{"::ffff:10.0.0.1", NETADDR_PRIVATE},
	{"::ffff:169.254.169.254", NETADDR_LINK_LOCAL},
	{"::ffff:8.8.8.8", NETADDR_PUBLIC},
	{"::127.0.0.1", NETADDR_LOOPBACK},
	{"64:ff9b::192.168.0.1", NETADDR_PRIVATE},
	{"64:ff9b::8.8.8.8", NETADDR_PUBLIC},
	{"2002:7f00:1::", NETADDR_LOOPBACK},
	{"2002:0808:0808::", NETADDR_PUBLIC},
};

START_TEST(test_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char buf[16];
		bool v6 = strchr(cases[i].text, ':') != NULL;
		ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET, cases[i].text, buf), 1);
		netaddr_class got = netaddr_classify(buf, v6 ? 16 : 4);
		ck_assert_msg(got == cases[i].want, "%s: %s, expected %s", cases[i].text,
			      netaddr_class_name(got), netaddr_class_name(cases[i].want));
	}
}
END_TEST

START_TEST(test_invalid)
{
	const uint8_t bytes[16] = {0};
	ck_assert_int_eq(netaddr_classify(bytes, 5), NETADDR_INVALID);
	ck_assert_int_eq(netaddr_classify(NULL, 4), NETADDR_INVALID);
	ck_assert_str_eq(netaddr_class_name(NETADDR_INVALID), "invalid");
	ck_assert_str_eq(netaddr_class_name(NETADDR_LINK_LOCAL), "link-local");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("netaddr");
	TCase *tc = tcase_create("classify");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_invalid);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
