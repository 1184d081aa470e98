// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of IKEv1's proposals (iked/v1prop.c): strongSwan-syntax
 * proposals into Phase 1 and Quick Mode transforms, what IKEv1 cannot
 * say refused by name, SA payloads built and read back through the codec
 * (one checked octet by octet against RFC 2409 Appendix A's encoding),
 * the responder's choice, and the chosen IPsec SA in IKEv2's form. KTAP
 * output; the exit status is non-zero when any check fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isakmp.h"
#include "v1msg.h"
#include "v1prop.h"

#include "ktap.h"

#define MAXX 32

/* Proposals in strongSwan's syntax, read by proposal.c. */
static size_t props(const char *text, enum ikev2_proto proto, struct ike_prop *p, size_t max)
{
	char err[256];
	int n = ike_prop_parse(text, proto, p, max, err, sizeof(err));

	if (n < 0) {
		printf("# %s: %s\n", text, err);
		return 0;
	}
	return (size_t)n;
}

static bool p1_eq(const struct ike_v1_p1_xf *a, const struct ike_v1_p1_xf *b)
{
	return a->encr == b->encr && a->keylen == b->keylen && a->hash == b->hash &&
	       a->auth == b->auth && a->group == b->group && a->life == b->life;
}

static bool p2_eq(const struct ike_v1_p2_xf *a, const struct ike_v1_p2_xf *b)
{
	return a->proto == b->proto && a->id == b->id && a->keylen == b->keylen &&
	       a->auth == b->auth && a->group == b->group && a->encap == b->encap &&
	       a->esn == b->esn && a->life == b->life;
}

/* An SA payload made by @add, read back by the codec into @sa. */
static struct ike_v1_sa *sa_of(uint8_t *buf, size_t cap, size_t *len, struct ike_v1_builder *b)
{
	static struct ike_v1_sa sa;
	struct ike_v1_chain chain;
	struct ike_msg_err e;

	if (!CHECK(ike_v1_msg_build_end(b, len) == 0))
		return NULL;
	if (!CHECK(ike_v1_msg_parse_chain(b->first, buf, *len, false, &chain, &e) == 0) ||
	    !CHECK(chain.n == 1 && chain.pl[0].type == IKEV1_PL_SA))
		return NULL;
	(void)cap;
	if (!CHECK(ike_v1_msg_parse_sa(chain.pl[0].body, chain.pl[0].len, &sa, &e) == 0)) {
		printf("# %s\n", e.reason);
		return NULL;
	}
	return &sa;
}

static void test_p1_expand(void)
{
	struct ike_prop p[4];
	struct ike_v1_p1_xf x[MAXX];
	size_t n = props("aes128-sha256-modp2048, aes256-sha1-ecp256-modp3072", IKEV2_PROTO_IKE,
			 p, 4);
	char err[256] = "";
	int k;

	k = ike_v1_p1_expand(p, n, IKEV1_AUTH_PSK, 14400, x, MAXX, err, sizeof(err));
	CHECK(k == 3);
	CHECK(x[0].encr == IKEV1_ENCR_AES_CBC && x[0].keylen == 128 &&
	      x[0].hash == IKEV1_HASH_SHA2_256 && x[0].auth == IKEV1_AUTH_PSK &&
	      x[0].group == 14 && x[0].life == 14400);
	CHECK(x[1].encr == IKEV1_ENCR_AES_CBC && x[1].keylen == 256 &&
	      x[1].hash == IKEV1_HASH_SHA && x[1].group == 19);
	CHECK(x[2].group == 15);
	n = props("3des-md5-modp1024", IKEV2_PROTO_IKE, p, 4);
	k = ike_v1_p1_expand(p, n, IKEV1_AUTH_RSA_SIG, 0, x, MAXX, err, sizeof(err));
	CHECK(k == 1 && x[0].encr == IKEV1_ENCR_3DES_CBC && x[0].keylen == 0 &&
	      x[0].hash == IKEV1_HASH_MD5 && x[0].auth == IKEV1_AUTH_RSA_SIG && x[0].group == 2);
	/* room for two of three */
	n = props("aes128-sha256-modp2048-ecp256-ecp384", IKEV2_PROTO_IKE, p, 4);
	CHECK(ike_v1_p1_expand(p, n, IKEV1_AUTH_PSK, 0, x, 2, err, sizeof(err)) == -ENOSPC);
}

static void test_p1_refused(void)
{
	static const struct {
		const char *text, *says;
	} cases[] = {
		{ "aes128gcm16-prfsha256-modp2048", "not an IKEv1 Phase 1 cipher" },
		{ "chacha20poly1305-prfsha256-ecp256", "not an IKEv1 Phase 1 cipher" },
		{ "aes128-sha256-x25519", "not an IKEv1 group" },
	};
	struct ike_prop p[2];
	struct ike_v1_p1_xf x[MAXX];
	char err[256];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		n = props(cases[i].text, IKEV2_PROTO_IKE, p, 2);
		if (!CHECK(n == 1))
			continue;
		if (!CHECK(ike_v1_p1_expand(p, n, IKEV1_AUTH_PSK, 0, x, MAXX, err,
					    sizeof(err)) == -EINVAL) ||
		    !CHECK(strstr(err, cases[i].says)))
			printf("# %s: \"%s\"\n", cases[i].text, err);
	}
}

/* RFC 2409 Appendix A's attributes, TV but for the 4-octet life duration. */
static const uint8_t p1_wire[] = {
	0x00, 0x00, 0x00, 0x01,		/* DOI: IPsec */
	0x00, 0x00, 0x00, 0x01,		/* SIT_IDENTITY_ONLY */
	0x00, 0x00, 0x00, 0x30,		/* proposal: last, length 48 */
	0x01, 0x01, 0x00, 0x01,		/* #1, ISAKMP, no SPI, 1 transform */
	0x00, 0x00, 0x00, 0x28,		/* transform: last, length 40 */
	0x01, 0x01, 0x00, 0x00,		/* #1, KEY_IKE */
	0x80, 0x01, 0x00, 0x07,		/* encryption: AES-CBC */
	0x80, 0x0e, 0x00, 0x80,		/* key length 128 */
	0x80, 0x02, 0x00, 0x04,		/* hash: SHA2-256 */
	0x80, 0x03, 0x00, 0x01,		/* authentication: pre-shared key */
	0x80, 0x04, 0x00, 0x0e,		/* group 14 */
	0x80, 0x0b, 0x00, 0x01,		/* life type: seconds */
	0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x38, 0x40,	/* life: 14400 s */
};

static void test_p1_wire(void)
{
	struct ike_prop p[4];
	struct ike_v1_p1_xf x[MAXX], y;
	struct ike_v1_builder b;
	struct ike_v1_sa *sa;
	uint8_t buf[2048];
	size_t n, len, i;
	int k;

	n = props("aes128-sha256-modp2048", IKEV2_PROTO_IKE, p, 4);
	k = ike_v1_p1_expand(p, n, IKEV1_AUTH_PSK, 14400, x, MAXX, NULL, 0);
	CHECK(k == 1);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_p1_add_sa(&b, x, 1) == 0);
	CHECK(ike_v1_msg_build_end(&b, &len) == 0);
	if (CHECK(len == 4 + sizeof(p1_wire)))
		CHECK(!memcmp(buf + 4, p1_wire, sizeof(p1_wire)));

	/* many transforms come back as they went */
	n = props("aes128-sha256-modp2048-ecp256, aes256-sha512-sha1-ecp384, 3des-md5-modp1024",
		  IKEV2_PROTO_IKE, p, 4);
	k = ike_v1_p1_expand(p, n, IKEV1_AUTH_RSA_SIG, 86400, x, MAXX, NULL, 0);
	CHECK(k == 5);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_p1_add_sa(&b, x, (size_t)k) == 0);
	sa = sa_of(buf, sizeof(buf), &len, &b);
	if (!sa || !CHECK(sa->n_proposals == 1 && sa->prop[0].n_transforms == (size_t)k))
		return;
	for (i = 0; i < (size_t)k; i++) {
		CHECK(ike_v1_p1_read(&sa->prop[0].tr[i], &y) == 0);
		CHECK(p1_eq(&x[i], &y));
	}
}

static void test_p1_select(void)
{
	struct ike_prop p[4];
	struct ike_v1_p1_xf ours[MAXX], offer[MAXX], chosen;
	struct ike_v1_builder b;
	struct ike_v1_sa *sa;
	uint8_t buf[2048];
	size_t n, len, tr = 99;
	int no, ko;

	n = props("aes128-sha256-modp2048, aes256-sha384-ecp384", IKEV2_PROTO_IKE, p, 4);
	no = ike_v1_p1_expand(p, n, IKEV1_AUTH_PSK, 3600, ours, MAXX, NULL, 0);
	n = props("aes256-sha512-modp4096, aes128-sha256-modp2048", IKEV2_PROTO_IKE, p, 4);
	ko = ike_v1_p1_expand(p, n, IKEV1_AUTH_PSK, 28800, offer, MAXX, NULL, 0);
	CHECK(no == 2 && ko == 2);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_p1_add_sa(&b, offer, (size_t)ko) == 0);
	sa = sa_of(buf, sizeof(buf), &len, &b);
	if (!sa)
		return;
	CHECK(ike_v1_p1_select(ours, (size_t)no, sa, &chosen, &tr) == 0);
	/* the second offered; its lifetime, not ours */
	CHECK(tr == 1 && chosen.keylen == 128 && chosen.group == 14 && chosen.life == 28800);
	/* the same algorithms but another authentication method: no */
	ours[0].auth = ours[1].auth = IKEV1_AUTH_RSA_SIG;
	CHECK(ike_v1_p1_select(ours, (size_t)no, sa, &chosen, &tr) == -ENOENT);
	/* an attribute we do not know (a PRF) makes a transform unacceptable */
	ours[0].auth = ours[1].auth = IKEV1_AUTH_PSK;
	{
		struct ike_v1_attr a[8];
		struct ike_v1_attr_iter it;
		struct ike_v1_transform t = sa->prop[0].tr[1];
		size_t k = 0;
		struct ike_v1_p1_xf y;

		ike_v1_attr_iter_init(&it, &t);
		while (k < 7 && ike_v1_attr_next(&it, &a[k]))
			k++;
		a[k++] = (struct ike_v1_attr){ .type = IKEV1_P1_PRF, .tv = true, .value = 1 };
		t.attr = a;
		t.n_attrs = k;
		t.raw = NULL;
		ike_v1_msg_chain_init(&b, buf, sizeof(buf));
		sa->prop[0].tr[1] = t;
		sa->prop[0].n_transforms = 2;
		CHECK(ike_v1_msg_add_sa(&b, sa) == 0);
		sa = sa_of(buf, sizeof(buf), &len, &b);
		if (sa) {
			CHECK(ike_v1_p1_read(&sa->prop[0].tr[1], &y) == -ENOTSUP);
			CHECK(ike_v1_p1_select(ours, (size_t)no, sa, &chosen, &tr) == -ENOENT);
		}
	}
}

static void test_p2_expand(void)
{
	struct ike_prop p[4];
	struct ike_v1_p2_xf x[MAXX];
	char err[256] = "";
	size_t n;
	int k;

	n = props("aes128gcm16, aes256-sha256-sha1-modp2048", IKEV2_PROTO_ESP, p, 4);
	k = ike_v1_p2_expand(p, n, IKEV1_ENCAP_TUNNEL, 3600, x, MAXX, err, sizeof(err));
	CHECK(k == 3);
	CHECK(x[0].proto == IKEV1_PROTO_ESP && x[0].id == IKEV1_ESP_AES_GCM_16 &&
	      x[0].keylen == 128 && x[0].auth == 0 && x[0].group == 0 &&
	      x[0].encap == IKEV1_ENCAP_TUNNEL && x[0].life == 3600);
	CHECK(x[1].id == IKEV1_ESP_AES && x[1].keylen == 256 &&
	      x[1].auth == IKEV1_P2_AUTH_HMAC_SHA2_256 && x[1].group == 14);
	CHECK(x[2].auth == IKEV1_P2_AUTH_HMAC_SHA && x[2].group == 14);
	n = props("sha384", IKEV2_PROTO_AH, p, 4);
	k = ike_v1_p2_expand(p, n, IKEV1_ENCAP_UDP_TRANSPORT, 0, x, MAXX, err, sizeof(err));
	CHECK(k == 1 && x[0].proto == IKEV1_PROTO_AH && x[0].id == IKEV1_AH_SHA2_384 &&
	      x[0].auth == IKEV1_P2_AUTH_HMAC_SHA2_384 && x[0].encap == IKEV1_ENCAP_UDP_TRANSPORT);
	n = props("aes128gcm16-esn", IKEV2_PROTO_ESP, p, 4);
	k = ike_v1_p2_expand(p, n, IKEV1_ENCAP_TUNNEL, 0, x, MAXX, err, sizeof(err));
	CHECK(k == 1 && x[0].esn);
	/* the one ESP transform whose number differs from IKEv2's */
	n = props("aes128gmac", IKEV2_PROTO_ESP, p, 4);
	k = ike_v1_p2_expand(p, n, IKEV1_ENCAP_TUNNEL, 0, x, MAXX, err, sizeof(err));
	CHECK(k == 1 && x[0].id == IKEV1_ESP_NULL_AUTH_AES_GMAC && x[0].keylen == 128);
	n = props("chacha20poly1305", IKEV2_PROTO_ESP, p, 4);
	CHECK(ike_v1_p2_expand(p, n, IKEV1_ENCAP_TUNNEL, 0, x, MAXX, err, sizeof(err)) ==
	      -EINVAL && strstr(err, "has no IKEv1 ESP transform"));
	n = props("aes128gcm16-x25519", IKEV2_PROTO_ESP, p, 4);
	CHECK(ike_v1_p2_expand(p, n, IKEV1_ENCAP_TUNNEL, 0, x, MAXX, err, sizeof(err)) ==
	      -EINVAL && strstr(err, "not an IKEv1 group"));
}

static void test_p2_wire_select(void)
{
	static const uint8_t spi[4] = { 0xc1, 0x00, 0x00, 0x2a };
	struct ike_prop p[4];
	struct ike_v1_p2_xf ours[MAXX], offer[MAXX], chosen, y;
	struct ike_v1_builder b;
	struct ike_v1_sa *sa;
	uint8_t buf[2048];
	size_t n, len, i, pi = 9, ti = 9;
	int no, ko;

	n = props("aes256-sha512-modp3072-esn, aes128gcm16-modp3072", IKEV2_PROTO_ESP, p, 4);
	ko = ike_v1_p2_expand(p, n, IKEV1_ENCAP_UDP_TUNNEL, 1200, offer, MAXX, NULL, 0);
	CHECK(ko == 2);
	ike_v1_msg_chain_init(&b, buf, sizeof(buf));
	CHECK(ike_v1_p2_add_sa(&b, offer, (size_t)ko, spi) == 0);
	sa = sa_of(buf, sizeof(buf), &len, &b);
	if (!sa || !CHECK(sa->n_proposals == 1 && sa->prop[0].proto == IKEV1_PROTO_ESP &&
			  sa->prop[0].spi_size == 4 && !memcmp(sa->prop[0].spi, spi, 4)))
		return;
	for (i = 0; i < (size_t)ko; i++) {
		CHECK(ike_v1_p2_read(IKEV1_PROTO_ESP, &sa->prop[0].tr[i], &y) == 0);
		CHECK(p2_eq(&y, &offer[i]));
	}
	/* ours: tunnel (not UDP: the NAT decides that), the second one */
	n = props("aes128gcm16-modp3072", IKEV2_PROTO_ESP, p, 4);
	no = ike_v1_p2_expand(p, n, IKEV1_ENCAP_TUNNEL, 3600, ours, MAXX, NULL, 0);
	CHECK(ike_v1_p2_select(ours, (size_t)no, sa, &chosen, &pi, &ti) == 0);
	CHECK(pi == 0 && ti == 1 && chosen.id == IKEV1_ESP_AES_GCM_16 && chosen.life == 1200 &&
	      chosen.encap == IKEV1_ENCAP_UDP_TUNNEL);
	/* transport is not tunnel; no PFS is not PFS; ESN must agree */
	ours[0].encap = IKEV1_ENCAP_TRANSPORT;
	CHECK(ike_v1_p2_select(ours, (size_t)no, sa, &chosen, &pi, &ti) == -ENOENT);
	ours[0].encap = IKEV1_ENCAP_TUNNEL;
	ours[0].group = 0;
	CHECK(ike_v1_p2_select(ours, (size_t)no, sa, &chosen, &pi, &ti) == -ENOENT);
	n = props("aes256-sha512-modp3072", IKEV2_PROTO_ESP, p, 4);
	no = ike_v1_p2_expand(p, n, IKEV1_ENCAP_TUNNEL, 0, ours, MAXX, NULL, 0);
	CHECK(ike_v1_p2_select(ours, (size_t)no, sa, &chosen, &pi, &ti) == -ENOENT);
}

/* IKEv2 form, to IKEv1 and back: the same algorithms. */
static void test_p2_to_prop(void)
{
	static const char *const texts[] = {
		"aes128gcm16-noesn", "aes256-sha256-modp2048-noesn", "3des-md5-noesn",
		"aes192ctr-sha384-ecp256-esn", "null-sha512-noesn",
	};
	struct ike_prop p[2], q;
	struct ike_v1_p2_xf x[MAXX];
	char a[256], b[256];
	size_t i, n;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		n = props(texts[i], IKEV2_PROTO_ESP, p, 2);
		if (!CHECK(n == 1) ||
		    !CHECK(ike_v1_p2_expand(p, n, IKEV1_ENCAP_TUNNEL, 0, x, MAXX, NULL, 0) == 1) ||
		    !CHECK(ike_v1_p2_to_prop(&x[0], &q) == 0))
			continue;
		ike_prop_format(&p[0], a, sizeof(a));
		ike_prop_format(&q, b, sizeof(b));
		if (!CHECK(!strcmp(a, b)))
			printf("# %s: %s, back %s\n", texts[i], a, b);
	}
	n = props("sha256-noesn", IKEV2_PROTO_AH, p, 2);
	if (CHECK(ike_v1_p2_expand(p, n, IKEV1_ENCAP_TRANSPORT, 0, x, MAXX, NULL, 0) == 1) &&
	    CHECK(ike_v1_p2_to_prop(&x[0], &q) == 0)) {
		ike_prop_format(&p[0], a, sizeof(a));
		ike_prop_format(&q, b, sizeof(b));
		CHECK(!strcmp(a, b));
	}
	/* an AH transform whose ID and algorithm disagree */
	x[0].auth = IKEV1_P2_AUTH_HMAC_SHA;
	CHECK(ike_v1_p2_to_prop(&x[0], &q) == -ENOTSUP);
}

static const struct ktap_test tests[] = {
	{ "p1_expand", test_p1_expand },
	{ "p1_refused_by_name", test_p1_refused },
	{ "p1_sa_on_the_wire", test_p1_wire },
	{ "p1_select", test_p1_select },
	{ "p2_expand", test_p2_expand },
	{ "p2_sa_wire_and_select", test_p2_wire_select },
	{ "p2_to_ikev2_form", test_p2_to_prop },
};

int main(void)
{
	return ktap_run(tests, sizeof(tests) / sizeof(tests[0]));
}
