// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1's proposals: IKEv2-form proposals (proposal.c) turned into Phase 1
 * and Quick Mode transforms, a peer's transforms read back, the
 * responder's choice, and the chosen IPsec SA in IKEv2's form for child.c.
 * See v1prop.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "isakmp.h"
#include "v1prop.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Attributes one transform of ours carries at most. */
#define V1_ATTRS_MAX 8

/* One number in IKEv2's registry and its counterpart in IKEv1's. */
struct v1_map {
	uint16_t v2;
	uint16_t v1;
};

/* Phase 1 encryption (RFC 2409 Appendix A, RFC 3602): CBC only. */
static const struct v1_map v1_p1_encr[] = {
	{ IKEV2_ENCR_AES_CBC, IKEV1_ENCR_AES_CBC },
	{ IKEV2_ENCR_3DES, IKEV1_ENCR_3DES_CBC },
};

/* Phase 1 hash: the one the PRF is the HMAC of. */
static const struct v1_map v1_p1_hash[] = {
	{ IKEV2_PRF_HMAC_MD5, IKEV1_HASH_MD5 },
	{ IKEV2_PRF_HMAC_SHA1, IKEV1_HASH_SHA },
	{ IKEV2_PRF_HMAC_SHA2_256, IKEV1_HASH_SHA2_256 },
	{ IKEV2_PRF_HMAC_SHA2_384, IKEV1_HASH_SHA2_384 },
	{ IKEV2_PRF_HMAC_SHA2_512, IKEV1_HASH_SHA2_512 },
};

/* ESP transform IDs: the registries agree but for GMAC. */
static const struct v1_map v1_esp[] = {
	{ IKEV2_ENCR_3DES, IKEV1_ESP_3DES },
	{ IKEV2_ENCR_NULL, IKEV1_ESP_NULL },
	{ IKEV2_ENCR_AES_CBC, IKEV1_ESP_AES },
	{ IKEV2_ENCR_AES_CTR, IKEV1_ESP_AES_CTR },
	{ IKEV2_ENCR_AES_CCM_8, IKEV1_ESP_AES_CCM_8 },
	{ IKEV2_ENCR_AES_CCM_12, IKEV1_ESP_AES_CCM_12 },
	{ IKEV2_ENCR_AES_CCM_16, IKEV1_ESP_AES_CCM_16 },
	{ IKEV2_ENCR_AES_GCM_8, IKEV1_ESP_AES_GCM_8 },
	{ IKEV2_ENCR_AES_GCM_12, IKEV1_ESP_AES_GCM_12 },
	{ IKEV2_ENCR_AES_GCM_16, IKEV1_ESP_AES_GCM_16 },
	{ IKEV2_ENCR_NULL_AUTH_AES_GMAC, IKEV1_ESP_NULL_AUTH_AES_GMAC },
};

/* Quick Mode's Authentication Algorithm attribute (RFC 2407, RFC 4868). */
static const struct v1_map v1_p2_auth[] = {
	{ IKEV2_INTEG_HMAC_MD5_96, IKEV1_P2_AUTH_HMAC_MD5 },
	{ IKEV2_INTEG_HMAC_SHA1_96, IKEV1_P2_AUTH_HMAC_SHA },
	{ IKEV2_INTEG_HMAC_SHA2_256_128, IKEV1_P2_AUTH_HMAC_SHA2_256 },
	{ IKEV2_INTEG_HMAC_SHA2_384_192, IKEV1_P2_AUTH_HMAC_SHA2_384 },
	{ IKEV2_INTEG_HMAC_SHA2_512_256, IKEV1_P2_AUTH_HMAC_SHA2_512 },
};

/* AH transform IDs, named by the integrity algorithm. */
static const struct v1_map v1_ah[] = {
	{ IKEV2_INTEG_HMAC_MD5_96, IKEV1_AH_MD5 },
	{ IKEV2_INTEG_HMAC_SHA1_96, IKEV1_AH_SHA },
	{ IKEV2_INTEG_HMAC_SHA2_256_128, IKEV1_AH_SHA2_256 },
	{ IKEV2_INTEG_HMAC_SHA2_384_192, IKEV1_AH_SHA2_384 },
	{ IKEV2_INTEG_HMAC_SHA2_512_256, IKEV1_AH_SHA2_512 },
};

/* @v's counterpart; @to_v1 picks the direction. 0 for none. */
static uint16_t v1_lookup(const struct v1_map *m, size_t n, uint16_t v, bool to_v1)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((to_v1 ? m[i].v2 : m[i].v1) == v)
			return to_v1 ? m[i].v1 : m[i].v2;
	return 0;
}

#define V1_TO(tbl, v) v1_lookup(tbl, ARRAY_SIZE(tbl), v, true)
#define V1_FROM(tbl, v) v1_lookup(tbl, ARRAY_SIZE(tbl), v, false)

/* A transform's name in proposal.c's table, for a reason. */
static const char *v1_name(const struct ike_prop_transform *t)
{
	const struct ike_prop_alg *a = ike_prop_alg_of(t);

	return a ? a->name : "an algorithm";
}

/* IKEv1 has the MODP and ECP groups; Curve25519 and 448 came with IKEv2. */
static bool v1_group_ok(uint16_t g)
{
	return g && g <= IKEV2_DH_ECP521 && ike_dh_supported(g);
}

/**
 * ike_v1_p1_expand - a connection's IKE proposals as Phase 1 transforms
 * @props: the proposals, IKEv2's form (ike_prop_parse() for IKE)
 * @n: how many
 * @auth: the authentication method: IKEV1_AUTH_PSK or IKEV1_AUTH_RSA_SIG
 * @life: the ISAKMP SA's lifetime to offer, seconds (0: none)
 * @out: the transforms, each combination of a proposal's encryption
 *	algorithm, PRF and group, in the order of preference
 * @max: room in @out
 * @err: why it failed
 * @errlen: its size
 *
 * Return: the number of transforms, -EINVAL for an algorithm IKEv1 does
 * not have (@err says which), -ENOSPC beyond @max.
 */
int ike_v1_p1_expand(const struct ike_prop *props, size_t n, uint16_t auth, uint32_t life,
		     struct ike_v1_p1_xf *out, size_t max, char *err, size_t errlen)
{
	size_t i, e, f, g, k = 0;

	for (i = 0; i < n; i++) {
		const struct ike_prop_list *encr = &props[i].xf[IKE_PROP_IDX(IKEV2_TRANS_ENCR)];
		const struct ike_prop_list *prf = &props[i].xf[IKE_PROP_IDX(IKEV2_TRANS_PRF)];
		const struct ike_prop_list *dh = &props[i].xf[IKE_PROP_IDX(IKEV2_TRANS_DH)];

		for (e = 0; e < encr->n; e++) {
			uint16_t v1e = V1_TO(v1_p1_encr, encr->t[e].id);

			if (!v1e) {
				ike_prop_err(err, errlen, "%s is not an IKEv1 Phase 1 cipher "
				       "(aes128, aes192, aes256 or 3des)", v1_name(&encr->t[e]));
				return -EINVAL;
			}
			for (f = 0; f < prf->n; f++) {
				uint16_t h = V1_TO(v1_p1_hash, prf->t[f].id);

				if (!h) {
					ike_prop_err(err, errlen, "%s has no IKEv1 hash (md5, sha1, "
					       "sha256, sha384 or sha512)", v1_name(&prf->t[f]));
					return -EINVAL;
				}
				for (g = 0; g < dh->n; g++) {
					if (!v1_group_ok(dh->t[g].id)) {
						ike_prop_err(err, errlen, "%s is not an IKEv1 group",
						       v1_name(&dh->t[g]));
						return -EINVAL;
					}
					if (k == max) {
						ike_prop_err(err, errlen, "more than %zu Phase 1 "
						       "transforms", max);
						return -ENOSPC;
					}
					out[k++] = (struct ike_v1_p1_xf){
						.encr = v1e, .keylen = encr->t[e].keylen, .hash = h,
						.auth = auth, .group = dh->t[g].id, .life = life,
					};
				}
			}
		}
	}
	if (!k) {
		ike_prop_err(err, errlen, "no Phase 1 transform (a proposal without a group?)");
		return -EINVAL;
	}
	return (int)k;
}

/* A lifetime's duration, when its type is seconds (kilobytes are not kept). */
static void v1_life(uint64_t type, const struct ike_v1_attr *a, uint32_t *life)
{
	if (type == IKEV1_LIFE_SECONDS)
		*life = a->value > UINT32_MAX ? UINT32_MAX : (uint32_t)a->value;
}

/* A variable attribute holds a number only up to 8 octets. */
static bool v1_number(const struct ike_v1_attr *a)
{
	return a->tv || a->len <= 8;
}

/**
 * ike_v1_p1_read - a peer's Phase 1 transform
 * @t: the transform, as the codec read it
 * @x: filled in
 *
 * Return: 0, or -ENOTSUP for a transform ID, an attribute or a value this
 * end does not take (the transform cannot be chosen), -EINVAL for one
 * that lacks an attribute it must have.
 */
int ike_v1_p1_read(const struct ike_v1_transform *t, struct ike_v1_p1_xf *x)
{
	struct ike_v1_attr_iter it;
	struct ike_v1_attr a;
	uint64_t life_type = IKEV1_LIFE_SECONDS;

	memset(x, 0, sizeof(*x));
	if (t->id != IKEV1_KEY_IKE)
		return -ENOTSUP;
	ike_v1_attr_iter_init(&it, t);
	while (ike_v1_attr_next(&it, &a)) {
		if (!v1_number(&a) || (a.value > UINT16_MAX && a.type != IKEV1_P1_LIFE_DURATION))
			return -ENOTSUP;
		switch (a.type) {
		case IKEV1_P1_ENCR:
			x->encr = a.value;
			break;
		case IKEV1_P1_HASH:
			x->hash = a.value;
			break;
		case IKEV1_P1_AUTH:
			x->auth = a.value;
			break;
		case IKEV1_P1_GROUP:
			x->group = a.value;
			break;
		case IKEV1_P1_KEY_LENGTH:
			x->keylen = a.value;
			break;
		case IKEV1_P1_LIFE_TYPE:
			life_type = a.value;
			break;
		case IKEV1_P1_LIFE_DURATION:
			v1_life(life_type, &a, &x->life);
			break;
		default:
			/* a private group, another PRF: not something we can run */
			return -ENOTSUP;
		}
	}
	if (!x->encr || !x->hash || !x->auth || !x->group)
		return -EINVAL;
	/* RFC 3602: AES names its key length; the other ciphers have one */
	if ((x->encr == IKEV1_ENCR_AES_CBC) != (x->keylen != 0))
		return -ENOTSUP;
	return 0;
}

static bool v1_p1_equal(const struct ike_v1_p1_xf *a, const struct ike_v1_p1_xf *b)
{
	return a->encr == b->encr && a->keylen == b->keylen && a->hash == b->hash &&
	       a->auth == b->auth && a->group == b->group;
}

/**
 * ike_v1_p1_select - the responder's choice of an offered Phase 1 transform
 * @ours: our transforms (ike_v1_p1_expand())
 * @n: how many
 * @offered: the initiator's SA payload: one ISAKMP proposal (RFC 2409 §5)
 * @chosen: the transform chosen, as offered (its lifetime included)
 * @tr: its index in the proposal, to echo it back unchanged
 *
 * The first offered transform that is one of ours wins: the initiator
 * lists them in its order of preference. A lifetime is not negotiated:
 * each end rekeys by its own.
 *
 * Return: 0, or -ENOENT when none is acceptable (NO-PROPOSAL-CHOSEN).
 */
int ike_v1_p1_select(const struct ike_v1_p1_xf *ours, size_t n, const struct ike_v1_sa *offered,
		     struct ike_v1_p1_xf *chosen, size_t *tr)
{
	const struct ike_v1_proposal *p;
	struct ike_v1_p1_xf x;
	size_t i, j;

	if (offered->n_proposals != 1 || offered->prop[0].proto != IKEV1_PROTO_ISAKMP)
		return -ENOENT;
	p = &offered->prop[0];
	for (i = 0; i < p->n_transforms; i++) {
		if (ike_v1_p1_read(&p->tr[i], &x))
			continue;
		for (j = 0; j < n; j++) {
			if (v1_p1_equal(&x, &ours[j])) {
				*chosen = x;
				*tr = i;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* Appends a basic (TV) attribute, or a variable one (TLV) when @var. */
static void v1_attr(struct ike_v1_attr *attrs, size_t *n, uint16_t type, uint64_t value, bool var)
{
	attrs[(*n)++] = (struct ike_v1_attr){ .type = type, .tv = !var, .value = value };
}

/* The room an SA payload's description needs: too large for the stack. */
struct v1_sa_build {
	struct ike_v1_sa sa;
	struct ike_v1_attr attrs[IKE_V1_MSG_MAX_TRANSFORMS][V1_ATTRS_MAX];
};

/**
 * ike_v1_p1_add_sa - append the initiator's Phase 1 SA payload
 * @b: the builder
 * @xf: the transforms (ike_v1_p1_expand())
 * @n: how many, at most IKE_V1_MSG_MAX_TRANSFORMS
 *
 * One ISAKMP proposal with the transforms in order (RFC 2409 §5).
 *
 * Return: 0, -EINVAL for too many transforms, -ENOMEM, or the codec's
 * negative enum ike_msg_code.
 */
int ike_v1_p1_add_sa(struct ike_v1_builder *b, const struct ike_v1_p1_xf *xf, size_t n)
{
	struct v1_sa_build *s;
	struct ike_v1_transform *t;
	size_t i, k;
	int ret;

	if (!n || n > IKE_V1_MSG_MAX_TRANSFORMS)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sa.doi = IKEV1_DOI_IPSEC;
	s->sa.situation = IKEV1_SIT_IDENTITY_ONLY;
	s->sa.n_proposals = 1;
	s->sa.prop[0].num = 1;
	s->sa.prop[0].proto = IKEV1_PROTO_ISAKMP;
	s->sa.prop[0].n_transforms = n;
	for (i = 0; i < n; i++) {
		struct ike_v1_attr *a = s->attrs[i];

		k = 0;
		v1_attr(a, &k, IKEV1_P1_ENCR, xf[i].encr, false);
		if (xf[i].keylen)
			v1_attr(a, &k, IKEV1_P1_KEY_LENGTH, xf[i].keylen, false);
		v1_attr(a, &k, IKEV1_P1_HASH, xf[i].hash, false);
		v1_attr(a, &k, IKEV1_P1_AUTH, xf[i].auth, false);
		v1_attr(a, &k, IKEV1_P1_GROUP, xf[i].group, false);
		if (xf[i].life) {
			v1_attr(a, &k, IKEV1_P1_LIFE_TYPE, IKEV1_LIFE_SECONDS, false);
			v1_attr(a, &k, IKEV1_P1_LIFE_DURATION, xf[i].life, true);
		}
		t = &s->sa.prop[0].tr[i];
		t->num = i + 1;
		t->id = IKEV1_KEY_IKE;
		t->attr = a;
		t->n_attrs = k;
	}
	ret = ike_v1_msg_add_sa(b, &s->sa);
	free(s);
	return ret;
}

/* Tunnel or transport, whether UDP-encapsulated or not. */
static bool v1_tunnel(uint16_t encap)
{
	return encap == IKEV1_ENCAP_TUNNEL || encap == IKEV1_ENCAP_UDP_TUNNEL ||
	       encap == IKEV1_ENCAP_UDP_TUNNEL_DRAFT;
}

/**
 * ike_v1_p2_expand - a child's ESP or AH proposals as Quick Mode transforms
 * @props: the proposals, IKEv2's form (ike_prop_parse() for ESP or AH); a
 *	key exchange method in them asks for PFS with that group
 * @n: how many
 * @encap: the Encapsulation Mode to ask for: tunnel or transport, the UDP
 *	ones behind a NAT (RFC 3947)
 * @life: the IPsec SAs' lifetime to offer, seconds (0: none)
 * @out: the transforms, in the order of preference
 * @max: room in @out
 * @err: why it failed
 * @errlen: its size
 *
 * Return: the number of transforms, -EINVAL for an algorithm IKEv1 does
 * not have (@err says which), -ENOSPC beyond @max.
 */
int ike_v1_p2_expand(const struct ike_prop *props, size_t n, uint16_t encap, uint32_t life,
		     struct ike_v1_p2_xf *out, size_t max, char *err, size_t errlen)
{
	size_t i, e, a, g, k = 0;

	for (i = 0; i < n; i++) {
		const struct ike_prop *p = &props[i];
		const struct ike_prop_list *encr = &p->xf[IKE_PROP_IDX(IKEV2_TRANS_ENCR)];
		const struct ike_prop_list *integ = &p->xf[IKE_PROP_IDX(IKEV2_TRANS_INTEG)];
		const struct ike_prop_list *dh = &p->xf[IKE_PROP_IDX(IKEV2_TRANS_DH)];
		const struct ike_prop_transform *esn = ike_prop_get(p, IKEV2_TRANS_ESN);
		size_t ne = p->proto == IKEV2_PROTO_ESP ? encr->n : 1;
		size_t ng = dh->n && dh->t[0].id ? dh->n : 1;
		size_t na;

		for (e = 0; e < ne; e++) {
			struct ike_v1_p2_xf x = {
				.proto = p->proto, .encap = encap, .life = life,
				.esn = esn && esn->id == IKEV2_ESN_YES,
			};

			if (p->proto == IKEV2_PROTO_ESP) {
				x.id = V1_TO(v1_esp, encr->t[e].id);
				x.keylen = encr->t[e].keylen;
				if (!x.id) {
					ike_prop_err(err, errlen, "%s has no IKEv1 ESP transform",
					       v1_name(&encr->t[e]));
					return -EINVAL;
				}
			}
			/* an AEAD has no integrity algorithm: one transform */
			na = integ->n ? integ->n : 1;
			for (a = 0; a < na; a++) {
				if (integ->n) {
					x.auth = V1_TO(v1_p2_auth, integ->t[a].id);
					if (p->proto == IKEV2_PROTO_AH)
						x.id = V1_TO(v1_ah, integ->t[a].id);
					if (!x.auth || !x.id) {
						ike_prop_err(err, errlen, "%s has no IKEv1 number",
						       v1_name(&integ->t[a]));
						return -EINVAL;
					}
				}
				for (g = 0; g < ng; g++) {
					x.group = dh->n ? dh->t[g].id : 0;
					if (x.group && !v1_group_ok(x.group)) {
						ike_prop_err(err, errlen, "%s is not an IKEv1 group",
						       v1_name(&dh->t[g]));
						return -EINVAL;
					}
					if (k == max) {
						ike_prop_err(err, errlen, "more than %zu Quick Mode "
						       "transforms", max);
						return -ENOSPC;
					}
					out[k++] = x;
				}
			}
		}
	}
	if (!k) {
		ike_prop_err(err, errlen, "no Quick Mode transform");
		return -EINVAL;
	}
	return (int)k;
}

/**
 * ike_v1_p2_read - a peer's Quick Mode transform
 * @proto: its proposal's protocol, IKEV1_PROTO_ESP or IKEV1_PROTO_AH
 * @t: the transform, as the codec read it
 * @x: filled in; without an Encapsulation Mode, tunnel (RFC 2407 leaves
 *	the default to the host)
 *
 * Return: 0, or -ENOTSUP for a protocol, an attribute or a value this end
 * does not take.
 */
int ike_v1_p2_read(uint8_t proto, const struct ike_v1_transform *t, struct ike_v1_p2_xf *x)
{
	struct ike_v1_attr_iter it;
	struct ike_v1_attr a;
	uint64_t life_type = IKEV1_LIFE_SECONDS;

	memset(x, 0, sizeof(*x));
	if (proto != IKEV1_PROTO_ESP && proto != IKEV1_PROTO_AH)
		return -ENOTSUP;
	x->proto = proto;
	x->id = t->id;
	x->encap = IKEV1_ENCAP_TUNNEL;
	ike_v1_attr_iter_init(&it, t);
	while (ike_v1_attr_next(&it, &a)) {
		if (!v1_number(&a) || (a.value > UINT16_MAX && a.type != IKEV1_P2_LIFE_DURATION))
			return -ENOTSUP;
		switch (a.type) {
		case IKEV1_P2_LIFE_TYPE:
			life_type = a.value;
			break;
		case IKEV1_P2_LIFE_DURATION:
			v1_life(life_type, &a, &x->life);
			break;
		case IKEV1_P2_GROUP:
			x->group = a.value;
			break;
		case IKEV1_P2_ENCAP:
			x->encap = a.value;
			break;
		case IKEV1_P2_AUTH:
			x->auth = a.value;
			break;
		case IKEV1_P2_KEY_LENGTH:
			x->keylen = a.value;
			break;
		case IKEV1_P2_ESN:
			if (a.value != IKEV1_ESN_64BIT)
				return -ENOTSUP;
			x->esn = true;
			break;
		default:
			return -ENOTSUP;
		}
	}
	if (x->encap != IKEV1_ENCAP_TUNNEL && x->encap != IKEV1_ENCAP_TRANSPORT &&
	    x->encap != IKEV1_ENCAP_UDP_TUNNEL && x->encap != IKEV1_ENCAP_UDP_TRANSPORT &&
	    x->encap != IKEV1_ENCAP_UDP_TUNNEL_DRAFT && x->encap != IKEV1_ENCAP_UDP_TRANSPORT_DRAFT)
		return -ENOTSUP;
	return 0;
}

/* Same algorithms, PFS group, ESN and mode (UDP or not is the NAT's say). */
static bool v1_p2_equal(const struct ike_v1_p2_xf *a, const struct ike_v1_p2_xf *b)
{
	return a->proto == b->proto && a->id == b->id && a->keylen == b->keylen &&
	       a->auth == b->auth && a->group == b->group && a->esn == b->esn &&
	       v1_tunnel(a->encap) == v1_tunnel(b->encap);
}

/**
 * ike_v1_p2_select - the responder's choice of an offered Quick Mode
 *	transform
 * @ours: our transforms (ike_v1_p2_expand())
 * @n: how many
 * @offered: the initiator's SA payload
 * @chosen: the transform chosen, as offered
 * @prop: the index of its proposal
 * @tr: its index in that proposal
 *
 * The first acceptable transform in the initiator's order wins. Bundles
 * (two proposals with one number: ESP and AH together) are not taken.
 *
 * Return: 0, or -ENOENT when none is acceptable (NO-PROPOSAL-CHOSEN).
 */
int ike_v1_p2_select(const struct ike_v1_p2_xf *ours, size_t n, const struct ike_v1_sa *offered,
		     struct ike_v1_p2_xf *chosen, size_t *prop, size_t *tr)
{
	struct ike_v1_p2_xf x;
	size_t i, j, k;

	for (i = 0; i < offered->n_proposals; i++) {
		const struct ike_v1_proposal *p = &offered->prop[i];

		if (p->spi_size != 4 ||
		    (i + 1 < offered->n_proposals && offered->prop[i + 1].num == p->num) ||
		    (i && offered->prop[i - 1].num == p->num))
			continue;
		for (j = 0; j < p->n_transforms; j++) {
			if (ike_v1_p2_read(p->proto, &p->tr[j], &x))
				continue;
			for (k = 0; k < n; k++) {
				if (v1_p2_equal(&x, &ours[k])) {
					*chosen = x;
					*prop = i;
					*tr = j;
					return 0;
				}
			}
		}
	}
	return -ENOENT;
}

/**
 * ike_v1_p2_add_sa - append the initiator's Quick Mode SA payload
 * @b: the builder
 * @xf: the transforms (ike_v1_p2_expand()), all of one protocol
 * @n: how many, at most IKE_V1_MSG_MAX_TRANSFORMS
 * @spi: our inbound SPI, as on the wire
 *
 * One proposal of the transforms' protocol with them all, in order.
 *
 * Return: 0, -EINVAL for too many transforms or mixed protocols, -ENOMEM,
 * or the codec's negative enum ike_msg_code.
 */
int ike_v1_p2_add_sa(struct ike_v1_builder *b, const struct ike_v1_p2_xf *xf, size_t n,
		     const uint8_t spi[4])
{
	struct v1_sa_build *s;
	struct ike_v1_transform *t;
	size_t i, k;
	int ret;

	if (!n || n > IKE_V1_MSG_MAX_TRANSFORMS)
		return -EINVAL;
	for (i = 1; i < n; i++)
		if (xf[i].proto != xf[0].proto)
			return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sa.doi = IKEV1_DOI_IPSEC;
	s->sa.situation = IKEV1_SIT_IDENTITY_ONLY;
	s->sa.n_proposals = 1;
	s->sa.prop[0].num = 1;
	s->sa.prop[0].proto = xf[0].proto;
	s->sa.prop[0].spi_size = 4;
	s->sa.prop[0].spi = spi;
	s->sa.prop[0].n_transforms = n;
	for (i = 0; i < n; i++) {
		struct ike_v1_attr *a = s->attrs[i];

		k = 0;
		if (xf[i].life) {
			v1_attr(a, &k, IKEV1_P2_LIFE_TYPE, IKEV1_LIFE_SECONDS, false);
			v1_attr(a, &k, IKEV1_P2_LIFE_DURATION, xf[i].life, true);
		}
		if (xf[i].group)
			v1_attr(a, &k, IKEV1_P2_GROUP, xf[i].group, false);
		v1_attr(a, &k, IKEV1_P2_ENCAP, xf[i].encap, false);
		if (xf[i].auth)
			v1_attr(a, &k, IKEV1_P2_AUTH, xf[i].auth, false);
		if (xf[i].keylen)
			v1_attr(a, &k, IKEV1_P2_KEY_LENGTH, xf[i].keylen, false);
		if (xf[i].esn)
			v1_attr(a, &k, IKEV1_P2_ESN, IKEV1_ESN_64BIT, false);
		t = &s->sa.prop[0].tr[i];
		t->num = i + 1;
		t->id = xf[i].id;
		t->attr = a;
		t->n_attrs = k;
	}
	ret = ike_v1_msg_add_sa(b, &s->sa);
	free(s);
	return ret;
}

/* Appends one transform to an IKEv2-form proposal. */
static void v1_prop_add(struct ike_prop *p, uint8_t type, uint16_t id, uint16_t keylen)
{
	struct ike_prop_list *l = &p->xf[IKE_PROP_IDX(type)];

	l->t[l->n++] = (struct ike_prop_transform){ .type = type, .id = id, .keylen = keylen };
}

/**
 * ike_v1_p2_to_prop - a chosen Quick Mode transform in IKEv2's form, which
 *	child.c installs
 * @x: the transform
 * @p: filled in: ENCR (ESP), INTEG (unless an AEAD), DH (PFS) and ESN
 *
 * Return: 0, or -ENOTSUP for a transform that has no IKEv2 counterpart
 * (which ike_v1_p2_select() never chooses, ours all having one).
 */
int ike_v1_p2_to_prop(const struct ike_v1_p2_xf *x, struct ike_prop *p)
{
	uint16_t encr = 0, integ = 0;

	memset(p, 0, sizeof(*p));
	p->proto = x->proto;
	if (x->proto == IKEV1_PROTO_ESP) {
		encr = V1_FROM(v1_esp, x->id);
		if (!encr)
			return -ENOTSUP;
		v1_prop_add(p, IKEV2_TRANS_ENCR, encr, x->keylen);
	} else if (x->proto != IKEV1_PROTO_AH || V1_FROM(v1_ah, x->id) !=
		   V1_FROM(v1_p2_auth, x->auth)) {
		return -ENOTSUP;
	}
	if (x->auth) {
		integ = V1_FROM(v1_p2_auth, x->auth);
		if (!integ)
			return -ENOTSUP;
		v1_prop_add(p, IKEV2_TRANS_INTEG, integ, 0);
	} else if (x->proto == IKEV1_PROTO_AH) {
		return -ENOTSUP;
	}
	if (x->group)
		v1_prop_add(p, IKEV2_TRANS_DH, x->group, 0);
	v1_prop_add(p, IKEV2_TRANS_ESN, x->esn ? IKEV2_ESN_YES : IKEV2_ESN_NO, 0);
	return 0;
}
