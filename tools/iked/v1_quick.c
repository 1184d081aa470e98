// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 Quick Mode (RFC 2409 §5.5), both roles: a child's proposal,
 * nonces, PFS and proxy IDs under HASH(1..3), and its KEYMAT into veil.ko
 * through child.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/veil.h>
#include <openssl/crypto.h>

#include "isakmp.h"
#include "log.h"
#include "v1.h"
#include "v1_int.h"

/* --- Quick Mode, initiator --- */

/* Whether this ISAKMP SA's children put ESP in UDP (RFC 3948). */
static bool v1_udp(const struct ike_sa *sa)
{
	return sa->nat_local || sa->nat_remote || sa->conn->encap;
}

/*
 * NAT-OA (RFC 3947 §5.2), sent with a UDP-Encapsulated-Transport
 * proposal and its answer: the Quick Mode initiator's address, then the
 * responder's, as this end knows them.
 */
static int v1_add_nat_oa(const struct ike_sa *sa, struct ike_v1_builder *b, bool qm_initiator)
{
	const struct sockaddr_storage *a[2] = {
		qm_initiator ? &sa->local : &sa->remote, qm_initiator ? &sa->remote : &sa->local,
	};
	int i, ret = 0;

	for (i = 0; i < 2 && !ret; i++) {
		int v4 = a[i]->ss_family == AF_INET;

		ret = ike_v1_msg_add_nat_oa(b, IKEV1_PL_NAT_OA, &(struct ike_v1_nat_oa){
			.id_type = v4 ? IKEV1_ID_IPV4_ADDR : IKEV1_ID_IPV6_ADDR,
			.addr = iked_addr_bytes(a[i]), .len = v4 ? 4 : 16,
		});
	}
	return ret;
}

/*
 * The peer's own address from its NAT-OA payloads (the first when it
 * initiated the Quick Mode, else the second), kept for the inbound SA:
 * veil.ko mends the transport checksums with it. Only a NAT in front of
 * the peer alone is mended so (the source address changed); with one in
 * front of us the destination changed too, and the checksums are left to
 * ESP's ICV, as XFRM does.
 */
static void v1_peer_nat_oa(const struct ike_sa *sa, const struct ike_v1_chain *c,
			   bool peer_initiated, struct v1_qm *q)
{
	struct ike_v1_nat_oa oa;
	struct ike_msg_err e;
	size_t i, n = 0;

	if (!sa->nat_remote || sa->nat_local)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->pl[i].type != IKEV1_PL_NAT_OA && c->pl[i].type != IKEV1_PL_NAT_OA_DRAFT)
			continue;
		if (n++ != (peer_initiated ? 0 : 1))
			continue;
		if (ike_v1_msg_parse_nat_oa(c->pl[i].body, c->pl[i].len, &oa, &e) ||
		    oa.len != (size_t)iked_addr_len(sa->remote.ss_family))
			return;
		memcpy(q->oa, oa.addr, oa.len);
		q->has_oa = true;
	}
}

/* Whether a transform puts ESP in UDP (RFC 3947's modes, or a draft's). */
static bool v1_xf_udp(const struct ike_v1_p2_xf *x)
{
	return x->encap != IKEV1_ENCAP_TUNNEL && x->encap != IKEV1_ENCAP_TRANSPORT;
}

/*
 * A child's first selector on one side; a dynamic one (transport mode's,
 * or none configured) is the ISAKMP SA's address on that side, as in
 * IKEv2, with the selector's protocol and ports: iked_ts_from_addr()
 * keeps those, so they come from the configuration first.
 */
static void v1_child_ts(const struct ike_sa *sa, const struct iked_child_cfg *cfg, bool local,
			struct iked_ts *ts)
{
	const struct sockaddr_storage *a = local ? &sa->local : &sa->remote;

	if (local ? cfg->n_local_ts : cfg->n_remote_ts)
		*ts = local ? cfg->local_ts[0] : cfg->remote_ts[0];
	else
		*ts = (struct iked_ts){ .dynamic = true, .to_port = 0xffff };
	if (ts->dynamic)
		iked_ts_from_addr(ts, a->ss_family, iked_addr_bytes(a));
}

/* A traffic selector as a Quick Mode ID: a subnet, or one address. */
static void v1_ts_id(const struct iked_ts *ts, struct ike_v1_id *id, uint8_t *data)
{
	size_t alen = ts->family == AF_INET ? 4 : 16, i;
	int plen;

	memset(id, 0, sizeof(*id));
	id->proto = ts->proto;
	id->port = ts->from_port == ts->to_port ? ts->from_port : 0;
	id->data = data;
	if (!iked_ts_to_prefix(ts, &plen))
		plen = (int)alen * 8;
	memcpy(data, ts->from, alen);
	if (plen == (int)alen * 8) {
		id->type = ts->family == AF_INET ? IKEV1_ID_IPV4_ADDR : IKEV1_ID_IPV6_ADDR;
		id->len = alen;
		return;
	}
	id->type = ts->family == AF_INET ? IKEV1_ID_IPV4_ADDR_SUBNET : IKEV1_ID_IPV6_ADDR_SUBNET;
	for (i = 0; i < alen; i++) {
		int bits = plen - (int)i * 8;

		data[alen + i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
	id->len = 2 * alen;
}

/*
 * The transforms a child's configuration allows, in the Encapsulation
 * Mode this ISAKMP SA calls for: with a NAT between the ends (or encap =
 * yes), RFC 3947's UDP-Encapsulated-Tunnel or -Transport.
 */
static int v1_qm_xf(const struct ike_sa *sa, const struct iked_child_cfg *cfg,
		    struct ike_v1_p2_xf *xf, char *err, size_t errlen)
{
	bool tunnel = cfg->mode == IKED_MODE_TUNNEL, udp = v1_udp(sa);
	struct ike_prop props[IKED_MAX_PROPS];
	int n;

	n = ike_prop_parse(*cfg->esp_proposals ? cfg->esp_proposals : cfg->ah_proposals,
			   *cfg->esp_proposals ? IKEV2_PROTO_ESP : IKEV2_PROTO_AH, props,
			   IKED_MAX_PROPS, err, errlen);
	if (!n) {
		ike_prop_err(err, errlen, "no proposal");
		return -EINVAL;
	}
	if (n < 0)
		return n;
	return ike_v1_p2_expand(props, (size_t)n,
				tunnel ? (udp ? IKEV1_ENCAP_UDP_TUNNEL : IKEV1_ENCAP_TUNNEL) :
				(udp ? IKEV1_ENCAP_UDP_TRANSPORT : IKEV1_ENCAP_TRANSPORT),
				cfg->life_time, xf, IKE_V1_MSG_MAX_TRANSFORMS, err, errlen);
}

void ike_v1_qm_start(struct ike_sa *sa, uint32_t replaces)
{
	const struct iked_child_cfg *cfg = sa->pending;
	struct v1_qm *q = &sa->v1->qm;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_v1_id idi, idr;
	struct iked_ts tl, tr;
	uint8_t buf[V1_MSG_MAX], di[32], dr[32], spi[4], ke[1024];
	size_t off, len, hoff, hlen, kel = sizeof(ke);
	char err[256];
	int n;

	sa->pending = NULL;
	ike_dh_free(q->dh);	/* a Quick Mode that failed half-way */
	memset(q, 0, sizeof(*q));
	q->cfg = cfg;
	q->replaces = replaces;
	n = v1_qm_xf(sa, cfg, q->xf, err, sizeof(err));
	if (n < 0) {
		ike_sa_log(sa, 0, "child %s: IKEv1 proposals: %s", cfg->name, err);
		return;
	}
	q->n_xf = (size_t)n;
	do {
		ike_crypto_random(&q->msgid, sizeof(q->msgid));
	} while (!q->msgid);
	q->spi_in = ike_child_spi();
	q->ni_len = V1_NONCE_LEN;
	ike_crypto_random(q->ni, q->ni_len);
	if (q->xf[0].group) {
		q->dh = ike_dh_new(q->xf[0].group);
		if (!q->dh || ike_dh_public(q->dh, ke, &kel)) {
			ike_sa_log(sa, 0, "child %s: PFS key exchange", cfg->name);
			return;
		}
	}
	spi[0] = q->spi_in >> 24;
	spi[1] = q->spi_in >> 16;
	spi[2] = q->spi_in >> 8;
	spi[3] = q->spi_in;
	ike_v1_hdr(sa, &h, IKEV1_EXCH_QUICK, IKEV1_FLAG_ENCRYPTION, q->msgid);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	ike_v1_p2_add_sa(&b, q->xf, q->n_xf, spi);
	ike_v1_msg_add_nonce(&b, q->ni, q->ni_len);
	if (q->dh)
		ike_v1_msg_add_ke(&b, ke, kel);
	v1_child_ts(sa, cfg, true, &tl);
	v1_child_ts(sa, cfg, false, &tr);
	v1_ts_id(&tl, &idi, di);
	v1_ts_id(&tr, &idr, dr);
	ike_v1_msg_add_id(&b, &idi);
	ike_v1_msg_add_id(&b, &idr);
	if (v1_udp(sa) && cfg->mode != IKED_MODE_TUNNEL)
		v1_add_nat_oa(sa, &b, true);
	if (ike_v1_msg_build_end(&b, &len) || ike_v1_msg_span_after(&b, 0, &off, &len) ||
	    ike_v1_msg_span_body(&b, 0, &hoff, &hlen) ||
	    ike_v1_qm_hash1(sa->v1->keys, q->msgid, buf + off, len, buf + hoff)) {
		ike_sa_log(sa, 0, "child %s: cannot build Quick Mode's first message", cfg->name);
		return;
	}
	q->active = true;
	ike_sa_log(sa, 1, "child %s: Quick Mode %08x", cfg->name, q->msgid);
	ike_v1_seal_send(sa, &b, q->msgid, true, NULL);
}

/*
 * A Quick Mode's child into veil.ko: its KEYMAT (RFC 2409 §5.5) for both
 * SAs, laid out as child.c takes it (the initiator's outbound keys
 * first), and its selectors from the configuration. With @defer_out the
 * outbound SA waits (ike_child_install_out()): the peer may not have its
 * inbound one yet.
 */
static void v1_install(struct ike_sa *sa, struct v1_qm *q, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, bool defer_out)
{
	uint32_t spi_i = q->responder ? q->spi_out : q->spi_in;
	uint32_t spi_r = q->responder ? q->spi_in : q->spi_out;
	uint8_t si[4] = { spi_i >> 24, spi_i >> 16, spi_i >> 8, spi_i };
	uint8_t sr[4] = { spi_r >> 24, spi_r >> 16, spi_r >> 8, spi_r };
	struct ike_child *ch;
	uint8_t *keymat;
	size_t half;

	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return;
	ch->cfg = q->cfg;
	ch->reqid = q->cfg->reqid;
	ch->proto = q->chosen.proto == IKEV1_PROTO_AH ? VEIL_PROTO_AH : VEIL_PROTO_ESP;
	ch->mode = q->cfg->mode == IKED_MODE_TUNNEL ? VEIL_MODE_TUNNEL : VEIL_MODE_TRANSPORT;
	ch->spi_in = q->spi_in;
	ch->spi_out = q->spi_out;
	ike_v1_p2_to_prop(&q->chosen, &ch->chosen);
	ch->esn = q->chosen.esn;
	v1_child_ts(sa, q->cfg, true, &ch->ts_local[0]);
	ch->n_local = 1;
	v1_child_ts(sa, q->cfg, false, &ch->ts_remote[0]);
	ch->n_remote = 1;
	ch->initiated = !q->responder;
	ch->defer_out = defer_out;
	ch->encap = v1_xf_udp(&q->chosen);
	ch->has_oaddr = q->has_oa;
	memcpy(ch->oaddr, q->oa, sizeof(ch->oaddr));
	half = ike_prop_child_keymat_len(&ch->chosen) / 2;
	keymat = malloc(2 * half);
	if (!keymat ||
	    ike_v1_keymat_sa_pair(sa->v1->keys, q->gqm_len ? q->gqm : NULL, q->gqm_len,
				  q->chosen.proto, si, sr, ni, ni_len, nr, nr_len, keymat,
				  keymat + half, half)) {
		free(keymat);
		free(ch);
		ike_sa_log(sa, 0, "Quick Mode: KEYMAT");
		return;
	}
	ch->next = sa->children;
	sa->children = ch;
	if (ike_child_install(sa, ch, keymat))
		ike_sa_log(sa, 0, "child %s: cannot install", q->cfg->name);
	OPENSSL_cleanse(keymat, 2 * half);
	free(keymat);
	OPENSSL_cleanse(q->gqm, sizeof(q->gqm));
	q->gqm_len = 0;
}

/* QM2: the responder's choice and keys: the child is installed; QM3. */
void ike_v1_qm2(struct ike_sa *sa, const struct ike_v1_msg *msg, const uint8_t *plain,
		const struct ike_v1_chain *c)
{
	static struct ike_v1_sa offered;
	struct v1_qm *q = &sa->v1->qm;
	struct ike_v1_p2_xf chosen;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_blob got, nr, ke;
	struct ike_msg_err e;
	uint8_t want[IKE_V1_HASH_MAX], buf[512], gqm[1024];
	size_t gqm_len = 0, pi, ti, off, len;
	int k, s, n;

	(void)plain;
	k = ike_v1_chain_find(c, IKEV1_PL_HASH, 0);
	s = ike_v1_chain_find(c, IKEV1_PL_SA, 0);
	n = ike_v1_chain_find(c, IKEV1_PL_NONCE, 0);
	if (k != 0 || s < 0 || n < 0 ||
	    ike_v1_msg_parse_hash(c->pl[0].body, c->pl[0].len, &got, &e) ||
	    ike_v1_msg_parse_sa(c->pl[s].body, c->pl[s].len, &offered, &e) ||
	    ike_v1_msg_parse_nonce(c->pl[n].body, c->pl[n].len, &nr, &e)) {
		ike_sa_log(sa, 0, "Quick Mode's second message is malformed");
		return;
	}
	{
		struct ike_blob after;

		ike_v1_chain_after(c, 0, &after);
		if (ike_v1_qm_hash2(sa->v1->keys, q->msgid, q->ni, q->ni_len, after.data,
				    after.len, want) ||
		    ike_v1_hash_check(sa->v1->keys, want, got.data, got.len)) {
			ike_sa_log(sa, 0, "Quick Mode's HASH(2) does not verify");
			return;
		}
	}
	ike_v1_iv_confirm(sa->v1->keys, q->msgid);
	if (ike_v1_p2_select(q->xf, q->n_xf, &offered, &chosen, &pi, &ti) ||
	    offered.prop[pi].spi_size != 4) {
		ike_sa_log(sa, 0, "Quick Mode: the responder's SA is not one we offered");
		return;
	}
	if (chosen.group) {
		int kk = ike_v1_chain_find(c, IKEV1_PL_KE, 0);

		gqm_len = sizeof(gqm);
		if (kk < 0 || !q->dh ||
		    ike_v1_msg_parse_ke(c->pl[kk].body, c->pl[kk].len, &ke, &e) ||
		    ike_dh_derive(q->dh, ke.data, ke.len, gqm, &gqm_len)) {
			ike_sa_log(sa, 0, "Quick Mode: the PFS key exchange failed");
			return;
		}
	}
	q->chosen = chosen;
	if (v1_xf_udp(&chosen) && q->cfg->mode != IKED_MODE_TUNNEL)
		v1_peer_nat_oa(sa, c, false, q);
	q->spi_out = (uint32_t)offered.prop[pi].spi[0] << 24 | offered.prop[pi].spi[1] << 16 |
		     offered.prop[pi].spi[2] << 8 | offered.prop[pi].spi[3];
	q->gqm_len = gqm_len;
	memcpy(q->gqm, gqm, gqm_len);
	OPENSSL_cleanse(gqm, sizeof(gqm));
	/*
	 * A rekey's new outbound SA waits a moment: the responder installs
	 * its SAs once it has our HASH(3), and until then the old child
	 * carries the traffic (ike_v1_switch()).
	 */
	v1_install(sa, q, q->ni, q->ni_len, nr.data, nr.len, q->replaces != 0);

	/* QM3: HASH(3) */
	ike_v1_hdr(sa, &h, IKEV1_EXCH_QUICK, IKEV1_FLAG_ENCRYPTION, q->msgid);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	if (!ike_v1_msg_span_body(&b, 0, &off, &len) &&
	    !ike_v1_qm_hash3(sa->v1->keys, q->msgid, q->ni, q->ni_len, nr.data, nr.len, buf + off))
		ike_v1_seal_send(sa, &b, q->msgid, false, NULL);
	ike_v1_iv_forget(sa->v1->keys, q->msgid);
	ike_dh_free(q->dh);
	q->dh = NULL;
	q->active = false;
	(void)msg;
	if (q->replaces)
		ike_v1_switch_later(sa, q->spi_in, q->replaces);
	else
		ike_v1_kick(sa);
}

/* A Quick Mode ID as a traffic selector. */
static bool v1_id_ts(const struct ike_v1_id *id, struct iked_ts *ts)
{
	size_t alen = id->type == IKEV1_ID_IPV4_ADDR || id->type == IKEV1_ID_IPV4_ADDR_SUBNET ?
		      4 : 16, i;

	memset(ts, 0, sizeof(*ts));
	ts->family = alen == 4 ? AF_INET : AF_INET6;
	ts->proto = id->proto;
	ts->from_port = id->port;
	ts->to_port = id->port ? id->port : 0xffff;
	switch (id->type) {
	case IKEV1_ID_IPV4_ADDR:
	case IKEV1_ID_IPV6_ADDR:
		memcpy(ts->from, id->data, alen);
		memcpy(ts->to, id->data, alen);
		return true;
	case IKEV1_ID_IPV4_ADDR_SUBNET:
	case IKEV1_ID_IPV6_ADDR_SUBNET:
		for (i = 0; i < alen; i++) {
			ts->from[i] = id->data[i] & id->data[alen + i];
			ts->to[i] = id->data[i] | (uint8_t)~id->data[alen + i];
		}
		return true;
	default:
		return false;
	}
}

static bool v1_ts_same(const struct iked_ts *a, const struct iked_ts *b)
{
	return a->family == b->family && !memcmp(a->from, b->from, 16) &&
	       !memcmp(a->to, b->to, 16) && a->proto == b->proto &&
	       a->from_port == b->from_port && a->to_port == b->to_port;
}

/*
 * Whether the initiator's proxy ID @id for one side is the child's
 * selector @ts there. In transport mode through a NAT the ID for the end
 * behind it is that end's own address (RFC 3947 §5.2), not the one the
 * other sees: a dynamic selector (the ISAKMP SA's address) takes any one
 * host of its family, and the child's SAs and policies still go by the
 * addresses IKE sees.
 */
static bool v1_ts_fits(const struct ike_sa *sa, const struct iked_child_cfg *cfg, bool local,
		       const struct iked_ts *ts, const struct iked_ts *id)
{
	bool dynamic = local ? !cfg->n_local_ts || cfg->local_ts[0].dynamic :
			       !cfg->n_remote_ts || cfg->remote_ts[0].dynamic;

	if (v1_ts_same(ts, id))
		return true;
	return dynamic && cfg->mode != IKED_MODE_TUNNEL && (local ? sa->nat_local : sa->nat_remote) &&
	       id->family == ts->family && iked_ts_is_host(id) && id->proto == ts->proto &&
	       id->from_port == ts->from_port && id->to_port == ts->to_port;
}

/*
 * The peer's Quick Mode refused (RFC 2408 §3.14.1), naming its first
 * proposal's SPI: the peer stops retransmitting a message whose IV is
 * spent here, and its log says why.
 */
static void v1_qm_refuse(struct ike_sa *sa, uint32_t msgid, const struct ike_v1_sa *offered,
			 uint16_t type)
{
	const struct ike_v1_proposal *p = &offered->prop[0];

	ike_v1_iv_forget(sa->v1->keys, msgid);
	ike_v1_info_send(sa, &(struct ike_v1_notify){
		.doi = IKEV1_DOI_IPSEC, .proto = p->proto, .spi_size = p->spi_size,
		.spi = p->spi, .type = type,
	}, NULL, false);
}

/* QM1: the initiator's offer for a child; QM2: our choice. */
void ike_v1_qm1(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_msg *msg,
		const struct ike_v1_chain *c)
{
	struct ike_child *ch;
	static struct ike_v1_sa offered;
	struct v1_qm *q = &sa->v1->qm;
	struct ike_v1_sa answer;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_v1_id idi, idr;
	struct iked_ts ti, tr;
	struct ike_blob got, after, ni, ke;
	struct ike_msg_err e;
	uint8_t want[IKE_V1_HASH_MAX], buf[V1_MSG_MAX], spi[4], pub[1024];
	size_t pi, tix, off, len, hoff, hlen, publen = sizeof(pub);
	unsigned int k;
	int s, n, x, y, kk;
	char err[256];

	s = ike_v1_chain_find(c, IKEV1_PL_SA, 0);
	n = ike_v1_chain_find(c, IKEV1_PL_NONCE, 0);
	x = ike_v1_chain_find(c, IKEV1_PL_ID, 0);
	y = x < 0 ? -1 : ike_v1_chain_find(c, IKEV1_PL_ID, (size_t)x + 1);
	if (c->n < 1 || c->pl[0].type != IKEV1_PL_HASH || s < 0 || n < 0 || x < 0 || y < 0 ||
	    ike_v1_msg_parse_hash(c->pl[0].body, c->pl[0].len, &got, &e) ||
	    ike_v1_msg_parse_sa(c->pl[s].body, c->pl[s].len, &offered, &e) ||
	    ike_v1_msg_parse_nonce(c->pl[n].body, c->pl[n].len, &ni, &e) ||
	    ike_v1_msg_parse_id(c->pl[x].body, c->pl[x].len, &idi, &e) ||
	    ike_v1_msg_parse_id(c->pl[y].body, c->pl[y].len, &idr, &e) ||
	    ni.len > sizeof(q->peer_ni)) {
		ike_sa_log(sa, 1, "Quick Mode's first message is malformed: dropped");
		return;
	}
	ike_v1_chain_after(c, 0, &after);
	if (ike_v1_qm_hash1(sa->v1->keys, msg->hdr.msg_id, after.data, after.len, want) ||
	    ike_v1_hash_check(sa->v1->keys, want, got.data, got.len)) {
		ike_sa_log(sa, 1, "Quick Mode's HASH(1) does not verify: dropped");
		return;
	}
	ike_v1_iv_confirm(sa->v1->keys, msg->hdr.msg_id);
	ike_dh_free(q->dh);	/* a Quick Mode that failed half-way */
	memset(q, 0, sizeof(*q));
	if (!v1_id_ts(&idi, &ti) || !v1_id_ts(&idr, &tr)) {
		ike_sa_log(sa, 0, "Quick Mode: IDs that are not addresses or subnets");
		v1_qm_refuse(sa, msg->hdr.msg_id, &offered, IKEV1_N_INVALID_ID_INFORMATION);
		return;
	}
	for (k = 0; k < sa->conn->n_children; k++) {
		const struct iked_child_cfg *cc = &sa->conn->children[k];

		struct iked_ts cl, cr;

		v1_child_ts(sa, cc, true, &cl);
		v1_child_ts(sa, cc, false, &cr);
		if (v1_ts_fits(sa, cc, false, &cr, &ti) && v1_ts_fits(sa, cc, true, &cl, &tr))
			q->cfg = cc;
	}
	if (!q->cfg) {
		ike_sa_log(sa, 0, "Quick Mode: no child of %s has these selectors", sa->conn->name);
		v1_qm_refuse(sa, msg->hdr.msg_id, &offered, IKEV1_N_INVALID_ID_INFORMATION);
		return;
	}
	kk = v1_qm_xf(sa, q->cfg, q->xf, err, sizeof(err));
	if (kk < 0 || (q->n_xf = (size_t)kk,
		       ike_v1_p2_select(q->xf, q->n_xf, &offered, &q->chosen, &pi, &tix))) {
		ike_sa_log(sa, 0, "child %s: Quick Mode: no proposal chosen", q->cfg->name);
		v1_qm_refuse(sa, msg->hdr.msg_id, &offered, IKEV1_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	q->msgid = msg->hdr.msg_id;
	q->responder = true;
	q->spi_out = (uint32_t)offered.prop[pi].spi[0] << 24 | offered.prop[pi].spi[1] << 16 |
		     offered.prop[pi].spi[2] << 8 | offered.prop[pi].spi[3];
	memcpy(q->peer_ni, ni.data, ni.len);
	q->peer_ni_len = ni.len;
	q->spi_in = ike_child_spi();
	q->ni_len = V1_NONCE_LEN;
	ike_crypto_random(q->ni, q->ni_len);
	if (q->chosen.group) {
		int ki = ike_v1_chain_find(c, IKEV1_PL_KE, 0);

		q->dh = ike_dh_new(q->chosen.group);
		q->gqm_len = sizeof(q->gqm);
		if (ki < 0 || !q->dh || ike_dh_public(q->dh, pub, &publen) ||
		    ike_v1_msg_parse_ke(c->pl[ki].body, c->pl[ki].len, &ke, &e) ||
		    ike_dh_derive(q->dh, ke.data, ke.len, q->gqm, &q->gqm_len)) {
			ike_sa_log(sa, 0, "child %s: Quick Mode: PFS key exchange", q->cfg->name);
			return;
		}
	}
	spi[0] = q->spi_in >> 24;
	spi[1] = q->spi_in >> 16;
	spi[2] = q->spi_in >> 8;
	spi[3] = q->spi_in;
	answer = (struct ike_v1_sa){ .doi = offered.doi, .situation = offered.situation,
				     .n_proposals = 1 };
	answer.prop[0] = offered.prop[pi];
	answer.prop[0].spi = spi;
	answer.prop[0].n_transforms = 1;
	answer.prop[0].tr[0] = offered.prop[pi].tr[tix];
	ike_v1_hdr(sa, &h, IKEV1_EXCH_QUICK, IKEV1_FLAG_ENCRYPTION, q->msgid);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	ike_v1_msg_add_sa(&b, &answer);
	ike_v1_msg_add_nonce(&b, q->ni, q->ni_len);
	if (q->dh)
		ike_v1_msg_add_ke(&b, pub, publen);
	ike_v1_msg_add_raw(&b, IKEV1_PL_ID, c->pl[x].body, c->pl[x].len);
	ike_v1_msg_add_raw(&b, IKEV1_PL_ID, c->pl[y].body, c->pl[y].len);
	if (v1_xf_udp(&q->chosen) && q->cfg->mode != IKED_MODE_TUNNEL) {
		v1_add_nat_oa(sa, &b, false);
		v1_peer_nat_oa(sa, c, true, q);
	}
	if (ike_v1_msg_build_end(&b, &len) || ike_v1_msg_span_after(&b, 0, &off, &len) ||
	    ike_v1_msg_span_body(&b, 0, &hoff, &hlen) ||
	    ike_v1_qm_hash2(sa->v1->keys, q->msgid, q->peer_ni, q->peer_ni_len, buf + off, len,
			    buf + hoff)) {
		ike_sa_log(sa, 0, "child %s: cannot answer Quick Mode", q->cfg->name);
		return;
	}
	q->active = true;
	/*
	 * A child of the same configuration is there already: the peer
	 * rekeys it. That one is not ours to rekey any more; it goes by the
	 * peer's Delete, or at its hard lifetime (charon keeps a rekeyed
	 * IKEv1 child until then unless delete_rekeyed is set).
	 */
	for (ch = sa->children; ch; ch = ch->next)
		if (ch->cfg == q->cfg && ch->installed && !ch->rekeyed) {
			ch->rekeyed = true;
			ike_sa_log(sa, 1, "child %s: the peer rekeys it (%08x_i)", ch->cfg->name,
				   ch->spi_in);
		}
	/* in before QM2 goes: the initiator sends on the new SA after QM3 */
	v1_install(sa, q, q->peer_ni, q->peer_ni_len, q->ni, q->ni_len, true);
	ike_v1_seal_send(sa, &b, q->msgid, false, dg);
}

/* QM3: HASH(3): the initiator has the keys; the child goes in. */
void ike_v1_qm3(struct ike_sa *sa, const struct ike_v1_chain *c)
{
	struct v1_qm *q = &sa->v1->qm;
	struct ike_child *ch;
	uint8_t want[IKE_V1_HASH_MAX];
	struct ike_blob got;
	struct ike_msg_err e;

	if (c->n < 1 || c->pl[0].type != IKEV1_PL_HASH ||
	    ike_v1_msg_parse_hash(c->pl[0].body, c->pl[0].len, &got, &e) ||
	    ike_v1_qm_hash3(sa->v1->keys, q->msgid, q->peer_ni, q->peer_ni_len, q->ni, q->ni_len,
			    want) ||
	    ike_v1_hash_check(sa->v1->keys, want, got.data, got.len)) {
		ike_sa_log(sa, 1, "Quick Mode's HASH(3) does not verify: dropped");
		return;
	}
	ch = ike_child_by_spi_in(sa, q->spi_in);
	if (ch)
		ike_child_install_out(sa, ch);
	ike_v1_iv_forget(sa->v1->keys, q->msgid);
	ike_dh_free(q->dh);
	q->dh = NULL;
	q->active = false;
	ike_v1_kick(sa);
}

