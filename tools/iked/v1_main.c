// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 Main Mode (RFC 2409 §5), both roles: the ISAKMP SA's proposal,
 * key exchange and NAT-D, then the identities and HASH_I / HASH_R under
 * encryption, by pre-shared key or, with certificates, as RSA signatures
 * (§5.1; cert.c checks the chain and the identity, v1crypto.c signs).
 * Aggressive Mode (§5.4), pre-shared keys only.
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

/* The RFC 3947 NAT-T and RFC 3706 DPD Vendor IDs: what we speak. */
const uint8_t ike_v1_vid_natt[16] = {
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};
const uint8_t ike_v1_vid_dpd[16] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

/* --- Main Mode, initiator --- */

static int v1_am1_send(struct ike_sa *sa);

/*
 * The Authentication Method a connection offers and takes: one for both
 * ends (config.c has local and remote agree), RSA signatures when it has
 * certificates (cert.c refuses other keys for IKEv1).
 */
static uint16_t v1_auth_method(const struct iked_conn_cfg *conn)
{
	return conn->local.method == IKED_AUTH_PUBKEY ? IKEV1_AUTH_RSA_SIG : IKEV1_AUTH_PSK;
}

/* Whether the chosen transform authenticates by signatures. */
static bool v1_sig(const struct ike_sa *sa)
{
	return sa->v1->chosen.auth == IKEV1_AUTH_RSA_SIG;
}

/*
 * CR payloads naming the CAs we take the peer's certificate from, in MM3
 * and MM4 (RFC 2408 §3.10): charon sends its certificate only when asked.
 */
static void v1_add_cr(const struct ike_sa *sa, struct ike_v1_builder *b)
{
	const struct iked_cred *cas = sa->conn->remote.cred;
	struct ike_v1_cert cr = { .encoding = IKEV1_CERT_X509_SIG };
	unsigned int i;

	if (!v1_sig(sa))
		return;
	for (i = 0; i < iked_cred_n_cas(cas); i++) {
		cr.data = iked_cred_ca_name(cas, i, &cr.len);
		if (cr.data)
			ike_v1_msg_add_cr(b, &cr);	/* a failure stays in @b */
	}
}

static void v1_fail(struct ike_sa *sa, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "IKEv1 Main Mode failed: %s", why);
	ike_sa_dead(sa, msg);
}

/**
 * ike_v1_start - initiate an ISAKMP SA (Main Mode) and then @child
 * @d: the daemon
 * @conn: a connection with version = 1
 * @child: the child to bring up once the ISAKMP SA is there
 *
 * Return: 0 or a negative errno (logged).
 */
int ike_v1_start(struct iked *d, const struct iked_conn_cfg *conn,
		 const struct iked_child_cfg *child)
{
	struct ike_prop props[IKED_MAX_PROPS];
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	uint8_t buf[V1_MSG_MAX];
	struct ike_sa *sa;
	char err[256];
	size_t len, off, blen;
	int n, ret;

	n = ike_prop_parse(conn->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, err,
			   sizeof(err));
	if (n < 0) {
		iked_log(IKED_CFG, 0, "%s: proposals: %s", conn->name, err);
		return n;
	}
	sa = ike_sa_new(d, conn, true);
	if (!sa)
		return -ENOMEM;
	sa->version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (!sa->v1) {
		ike_sa_dead(sa, "out of memory");
		return -ENOMEM;
	}
	ret = ike_v1_p1_expand(props, (size_t)n, v1_auth_method(conn), conn->rekey_time,
			       sa->v1->xf, IKE_V1_MSG_MAX_TRANSFORMS, err, sizeof(err));
	if (ret < 0) {
		iked_log(IKED_CFG, 0, "%s: IKEv1 proposals: %s", conn->name, err);
		ike_sa_dead(sa, "no IKEv1 proposal");
		return ret;
	}
	sa->v1->n_xf = (size_t)ret;
	ret = ike_init_addrs(sa, conn);
	if (ret)
		return ret;
	sa->pending = child;
	sa->state = IKE_SA_INIT_SENT;
	if (conn->aggressive)
		return v1_am1_send(sa);

	ike_v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_p1_add_sa(&b, sa->v1->xf, sa->v1->n_xf);
	ike_v1_msg_add_vendor(&b, ike_v1_vid_natt, sizeof(ike_v1_vid_natt));
	ike_v1_msg_add_vendor(&b, ike_v1_vid_dpd, sizeof(ike_v1_vid_dpd));
	ret = ike_v1_msg_build_end(&b, &len);
	if (!ret)
		ret = ike_v1_msg_span_body(&b, 0, &off, &blen);
	if (ret) {
		ike_sa_dead(sa, "cannot build Main Mode's first message");
		return -EIO;
	}
	sa->v1->sai_b = malloc(blen);
	if (!sa->v1->sai_b) {
		ike_sa_dead(sa, "out of memory");
		return -ENOMEM;
	}
	memcpy(sa->v1->sai_b, buf + off, blen);
	sa->v1->sai_len = blen;
	sa->v1->state = V1_MM1_SENT;
	ike_sa_log(sa, 1, "initiating IKEv1 Main Mode to %s", conn->name);
	return ike_v1_send(sa, buf, len, true);
}

/* What the peer's Vendor IDs say it speaks: RFC 3947 NAT traversal. */
static void v1_vendors(struct ike_sa *sa, const struct ike_v1_chain *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->pl[i].type == IKEV1_PL_VID && c->pl[i].len == sizeof(ike_v1_vid_natt) &&
		    !memcmp(c->pl[i].body, ike_v1_vid_natt, sizeof(ike_v1_vid_natt)))
			sa->v1->natt = true;
}

/*
 * NAT-D hashes, when the peer speaks NAT-T: the peer's address first,
 * then ours (RFC 3947 §3.2). With encap = yes, ours is a hash that cannot
 * match, which makes both ends take UDP encapsulation.
 */
static int v1_add_natd(struct ike_sa *sa, struct ike_v1_builder *b)
{
	uint8_t h[IKE_V1_HASH_MAX];
	size_t hl = ike_v1_hash_len(sa->v1->chosen.hash);

	if (!sa->v1->natt)
		return 0;
	if (ike_v1_natd(sa->v1->chosen.hash, sa->spi_i, sa->spi_r, &sa->remote, h))
		return -EIO;
	ike_v1_msg_add_nat_d(b, IKEV1_PL_NAT_D, h, hl);
	if (sa->conn->encap ? ike_crypto_random(h, hl) :
	    ike_v1_natd(sa->v1->chosen.hash, sa->spi_i, sa->spi_r, &sa->local, h))
		return -EIO;
	return ike_v1_msg_add_nat_d(b, IKEV1_PL_NAT_D, h, hl);
}

/* Whether a NAT-D payload's hash is that of @addr. */
static bool v1_natd_is(const struct ike_sa *sa, const struct ike_v1_payload *pl,
		       const struct sockaddr_storage *addr)
{
	uint8_t h[IKE_V1_HASH_MAX];
	struct ike_blob got;
	struct ike_msg_err e;

	return !ike_v1_msg_parse_nat_d(pl->body, pl->len, &got, &e) &&
	       got.len == ike_v1_hash_len(sa->v1->chosen.hash) &&
	       !ike_v1_natd(sa->v1->chosen.hash, sa->spi_i, sa->spi_r, addr, h) &&
	       !CRYPTO_memcmp(h, got.data, got.len);
}

/*
 * The peer's NAT-D payloads (RFC 3947 §3.2): the first hashes the address
 * and port it sent to, which are ours unless a NAT in front of us changed
 * them; the others hash its own, which are what we see unless a NAT in
 * front of it changed them.
 */
static void v1_check_natd(struct ike_sa *sa, const struct ike_v1_chain *c)
{
	bool seen = false, local_ok = false, remote_ok = false;
	size_t i;

	if (!sa->v1->natt)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->pl[i].type != IKEV1_PL_NAT_D)
			continue;
		if (!seen)
			local_ok = v1_natd_is(sa, &c->pl[i], &sa->local);
		else
			remote_ok = remote_ok || v1_natd_is(sa, &c->pl[i], &sa->remote);
		seen = true;
	}
	if (!seen)
		return;
	sa->nat_local = !local_ok;
	sa->nat_remote = !remote_ok;
	if (sa->nat_local || sa->nat_remote)
		ike_sa_log(sa, 1, "NAT-D: a NAT in front of %s",
			   sa->nat_local && sa->nat_remote ? "both ends" :
			   sa->nat_local ? "us" : "the peer");
}

/* MM2: the responder's choice; MM3: our KE, nonce and NAT-D. */
void ike_v1_mm2(struct ike_sa *sa, const struct ike_v1_msg *msg)
{
	static struct ike_v1_sa offered;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_msg_err e;
	uint8_t buf[V1_MSG_MAX];
	size_t tr, len;
	int i;

	i = ike_v1_chain_find(&msg->chain, IKEV1_PL_SA, 0);
	if (i < 0 || ike_v1_msg_parse_sa(msg->chain.pl[i].body, msg->chain.pl[i].len, &offered,
					 &e) ||
	    offered.n_proposals != 1 || offered.prop[0].n_transforms != 1 ||
	    ike_v1_p1_select(sa->v1->xf, sa->v1->n_xf, &offered, &sa->v1->chosen, &tr)) {
		v1_fail(sa, "the responder's SA is not one we offered");
		return;
	}
	memcpy(sa->spi_r, msg->hdr.rcookie, IKEV1_COOKIE_LEN);
	v1_vendors(sa, &msg->chain);
	sa->dh = ike_dh_new(sa->v1->chosen.group);
	sa->ni_len = V1_NONCE_LEN;
	len = sizeof(sa->v1->gxi);
	if (!sa->dh || ike_crypto_random(sa->ni, sa->ni_len) ||
	    ike_dh_public(sa->dh, sa->v1->gxi, &len)) {
		v1_fail(sa, "key exchange");
		return;
	}
	sa->v1->gxi_len = len;
	ike_v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_ke(&b, sa->v1->gxi, sa->v1->gxi_len);
	ike_v1_msg_add_nonce(&b, sa->ni, sa->ni_len);
	v1_add_cr(sa, &b);
	if (v1_add_natd(sa, &b) || ike_v1_msg_build_end(&b, &len)) {
		v1_fail(sa, "cannot build Main Mode's third message");
		return;
	}
	sa->v1->state = V1_MM3_SENT;
	ike_v1_send(sa, buf, len, true);
}

/* The pre-shared key for this connection's identities. */
static const struct iked_secret *v1_psk(const struct ike_sa *sa)
{
	struct iked_id any = { 0 };
	const struct iked_id *peer = sa->conn->remote.has_id ? &sa->conn->remote.id : &any;

	return iked_secret_find(&sa->d->cfg, &sa->conn->local.id, peer);
}

/* What HASH_I and HASH_R cover of the exchange (not g^xy). */
static void v1_p1_public(const struct ike_sa *sa, struct ike_v1_phase1 *p1)
{
	const struct ike_v1 *v = sa->v1;

	*p1 = (struct ike_v1_phase1){
		.cky_i = sa->spi_i, .cky_r = sa->spi_r,
		.gxi = v->gxi, .gxi_len = v->gxi_len, .gxr = v->gxr, .gxr_len = v->gxr_len,
		.ni = sa->ni, .ni_len = sa->ni_len, .nr = sa->nr, .nr_len = sa->nr_len,
	};
}

static void v1_established(struct ike_sa *sa)
{
	char a[64], b[64];

	sa->v1->state = V1_ESTABLISHED;
	if (sa->state == IKE_SA_INIT_DONE && sa->d->half_open)
		sa->d->half_open--;
	iked_timer_cancel(&sa->expire);
	sa->state = IKE_SA_ESTABLISHED;
	/* RFC 3948 §2.3: keep the NAT's mapping for the ESP in UDP alive */
	if (sa->nat_local)
		iked_timer_set(&sa->keepalive, 20000);
	ike_sa_log(sa, 0, "ISAKMP SA established between %s and %s (IKEv1 Main Mode)",
		   iked_addr_str(&sa->local, a, sizeof(a)), iked_addr_str(&sa->remote, b, sizeof(b)));
	/*
	 * A transport-mode child between the two ISAKMP peers covers port
	 * 500 too, and Quick Mode's initiator has its SAs in before QM3
	 * leaves: IKE needs the bypass an IKEv2 SA takes in
	 * ike_sa_established() (ike_sa_dead() lets it go), or QM3 and every
	 * later exchange would go into ESP.
	 */
	ike_sa_bypass(sa, true);
	ike_v1_life_up(sa);
}

/*
 * Our identity: ike_v1_self_id()'s, but with a certificate and no id
 * configured, the certificate's subject DN, as in IKEv2 (@dn holds it).
 */
static void v1_self_id(const struct ike_sa *sa, struct ike_v1_id *id, struct iked_id *dn)
{
	const struct iked_auth_cfg *a = &sa->conn->local;

	ike_v1_self_id(sa, id);
	/* iked_creds_load() made sure the subject fits */
	if (a->method == IKED_AUTH_PUBKEY && !(a->has_id && a->id.type) &&
	    !iked_cred_subject(a->cred, dn)) {
		id->type = IKEV1_ID_DER_ASN1_DN;
		id->data = dn->data;
		id->len = dn->len;
	}
}

/*
 * RSA signatures (§5.1): after our ID in @b, our certificate and its
 * intermediates, and SIG_I or SIG_R: HASH_I or HASH_R signed as it is.
 */
static int v1_add_cert_sig(struct ike_sa *sa, const struct ike_v1_phase1 *p1,
			   struct ike_v1_builder *b)
{
	const struct iked_cred *cred = sa->conn->local.cred;
	struct ike_v1_cert cert = { .encoding = IKEV1_CERT_X509_SIG };
	struct ike_v1 *v = sa->v1;
	uint8_t hash[IKE_V1_HASH_MAX], sig[IKE_CERT_SIG_MAX];
	size_t off, len, slen = sizeof(sig);
	unsigned int i;
	int ret;

	ret = ike_v1_msg_span_body(b, 0, &off, &len);
	if (!ret)
		ret = (sa->initiator ? ike_v1_hash_i : ike_v1_hash_r)(v->keys, p1, v->sai_b,
								      v->sai_len, b->buf + off,
								      len, hash);
	if (!ret) {
		ret = ike_v1_rsa_sign(iked_cred_key(cred), hash, v->keys->hash_len, sig, &slen);
		if (ret)
			ike_sa_log(sa, 0, "cannot sign %s with the %s key: %s",
				   sa->initiator ? "HASH_I" : "HASH_R", iked_cred_key_type(cred),
				   ret == -EINVAL ? "too short for the hash" : "OpenSSL failed");
	}
	for (i = 0; !ret && i < iked_cred_n_certs(cred); i++) {
		cert.data = iked_cred_cert_der(cred, i, &cert.len);
		ret = ike_v1_msg_add_cert(b, &cert);
	}
	if (!ret)
		ret = ike_v1_msg_add_sig(b, sig, slen);
	OPENSSL_cleanse(hash, sizeof(hash));
	return ret;
}

/*
 * Main Mode's fifth or sixth message of ours, in the clear in @b over
 * @buf: our ID, and HASH_I (we initiated) or HASH_R over it; with
 * signatures, our certificates and SIG instead of HASH.
 */
static int v1_build_id_hash(struct ike_sa *sa, const struct ike_v1_phase1 *p1,
			    struct ike_v1_builder *b, uint8_t *buf, size_t cap)
{
	struct ike_v1 *v = sa->v1;
	uint8_t hash[IKE_V1_HASH_MAX];
	struct ike_v1_hdr h;
	struct ike_v1_id id;
	struct iked_id dn;
	size_t off, len;
	int ret;

	ike_v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, IKEV1_FLAG_ENCRYPTION, 0);
	ike_v1_msg_build_init(b, buf, cap, &h);
	v1_self_id(sa, &id, &dn);
	ike_v1_msg_add_id(b, &id);
	if (v1_sig(sa))
		return v1_add_cert_sig(sa, p1, b);
	ike_v1_msg_add_hash(b, NULL, v->keys->hash_len);
	ret = ike_v1_msg_span_body(b, 0, &off, &len);
	if (!ret)
		ret = (sa->initiator ? ike_v1_hash_i : ike_v1_hash_r)(v->keys, p1, v->sai_b,
								      v->sai_len, buf + off, len,
								      hash);
	if (!ret)
		ret = ike_v1_msg_span_body(b, 1, &off, &len);
	if (!ret)
		memcpy(buf + off, hash, len);
	return ret;
}

/*
 * With signatures: the peer's identity is one the connection accepts (any
 * its certificate vouches for when none is configured), its chain ends in
 * one of our CAs, the certificate vouches for the identity, and its key
 * signed HASH_I or HASH_R, which covers the ID payload @idb. Each refusal
 * is logged as IKEv2's are.
 *
 * Return: NULL, or why not.
 */
static const char *v1_check_cert_sig(struct ike_sa *sa, const struct ike_v1_phase1 *p1,
				     const struct ike_v1_chain *c, const struct ike_v1_id *id,
				     const struct ike_v1_payload *idb)
{
	const struct iked_auth_cfg *peer = &sa->conn->remote;
	const uint8_t *der[IKE_CERT_CHAIN_MAX];
	size_t dlen[IKE_CERT_CHAIN_MAX];
	struct ike_v1 *v = sa->v1;
	uint8_t want[IKE_V1_HASH_MAX];
	struct iked_id any = { 0 }, got = { 0 };
	struct ike_peer_cert *pc;
	struct ike_v1_cert cert;
	struct ike_blob sig;
	struct ike_msg_err e;
	unsigned int n = 0, other = 0;
	char text[256], why[384];
	size_t k;
	int j, ret;

	for (k = 0; k < c->n; k++) {
		if (c->pl[k].type != IKEV1_PL_CERT)
			continue;
		if (ike_v1_msg_parse_cert(c->pl[k].body, c->pl[k].len, &cert, &e))
			return "a malformed CERT payload";
		if (cert.encoding != IKEV1_CERT_X509_SIG || n == IKE_CERT_CHAIN_MAX) {
			other++;
			continue;
		}
		der[n] = cert.data;
		dlen[n++] = cert.len;
	}
	j = ike_v1_chain_find(c, IKEV1_PL_SIG, 0);
	if (j < 0 || ike_v1_msg_parse_sig(c->pl[j].body, c->pl[j].len, &sig, &e))
		return "no SIG payload";
	if (id->len > IKED_ID_MAX)
		return "the peer's identity is too long";
	got.type = id->type;
	got.len = id->len;
	memcpy(got.data, id->data, id->len);
	iked_id_format(&got, text, sizeof(text));
	if (!iked_id_match(peer->has_id ? &peer->id : &any, &got)) {
		ike_sa_log(sa, 0, "peer identity %s is not the one %s accepts", text,
			   sa->conn->name);
		return "the peer's identity is not the configured one";
	}
	if (!n) {
		ike_sa_log(sa, 0, "peer %s sent no X.509 certificate%s", text,
			   other ? " (only encodings veil-iked does not read)" : "");
		return "no certificate from the peer";
	}
	if (ike_peer_cert_verify(peer->cred, der, dlen, n, &pc, why, sizeof(why))) {
		ike_sa_log(sa, 0, "peer %s: %s", text, why);
		return "the peer's certificate does not verify";
	}
	if (!ike_peer_cert_has_id(pc, &got)) {
		ike_sa_log(sa, 0, "peer identity %s is not in its certificate", text);
		ike_peer_cert_free(pc);
		return "the peer's identity is not in its certificate";
	}
	ret = (sa->initiator ? ike_v1_hash_r : ike_v1_hash_i)(v->keys, p1, v->sai_b, v->sai_len,
							      idb->body, idb->len, want);
	if (!ret)
		ret = ike_v1_rsa_verify(ike_peer_cert_key(pc), want, v->keys->hash_len, sig.data,
					sig.len);
	ike_peer_cert_free(pc);
	if (ret) {
		ike_sa_log(sa, 0, "peer %s failed authentication: %s", text,
			   ret == -ENOTSUP ? "its certificate's key is not RSA" :
			   sa->initiator ? "SIG_R does not verify" : "SIG_I does not verify");
		return "the peer's signature does not verify";
	}
	ike_sa_log(sa, 1, "peer %s authenticated with an RSA signature and its certificate",
		   text);
	sa->peer_id = got;
	return NULL;
}

/*
 * The peer's fifth or sixth message: its ID, and HASH_R (we initiated) or
 * HASH_I over it (or its certificate and signature: v1_check_cert_sig()),
 * and the identity the connection wants.
 *
 * Return: NULL, or why not.
 */
static const char *v1_check_id_hash(struct ike_sa *sa, const struct ike_v1_phase1 *p1,
				    const struct ike_v1_chain *c)
{
	const struct iked_auth_cfg *peer = &sa->conn->remote;
	struct ike_v1 *v = sa->v1;
	uint8_t want[IKE_V1_HASH_MAX];
	struct ike_v1_id id;
	struct ike_blob got;
	struct ike_msg_err e;
	int i, j;

	i = ike_v1_chain_find(c, IKEV1_PL_ID, 0);
	if (v1_sig(sa))
		return i < 0 || ike_v1_msg_parse_id(c->pl[i].body, c->pl[i].len, &id, &e) ?
		       "no ID" : v1_check_cert_sig(sa, p1, c, &id, &c->pl[i]);
	j = ike_v1_chain_find(c, IKEV1_PL_HASH, 0);
	if (i < 0 || j < 0 || ike_v1_msg_parse_id(c->pl[i].body, c->pl[i].len, &id, &e) ||
	    ike_v1_msg_parse_hash(c->pl[j].body, c->pl[j].len, &got, &e))
		return "no ID or HASH";
	if ((sa->initiator ? ike_v1_hash_r : ike_v1_hash_i)(v->keys, p1, v->sai_b, v->sai_len,
							    c->pl[i].body, c->pl[i].len, want) ||
	    ike_v1_hash_check(v->keys, want, got.data, got.len))
		return sa->initiator ? "HASH_R does not verify: a wrong pre-shared key?" :
				       "HASH_I does not verify: a wrong pre-shared key?";
	if (peer->has_id && peer->id.type &&
	    (id.type != peer->id.type || id.len != peer->id.len ||
	     memcmp(id.data, peer->id.data, id.len)))
		return "the peer's identity is not the configured one";
	return NULL;
}

/*
 * The keys, from the KE and nonce both ends have now; SKEYID from the
 * pre-shared key, or with signatures from the nonces and g^xy (§5).
 */
static int v1_derive(struct ike_sa *sa, struct ike_v1_phase1 *p1)
{
	struct ike_v1 *v = sa->v1;
	const struct iked_secret *psk = v1_sig(sa) ? NULL : v1_psk(sa);
	uint8_t gxy[1024];
	size_t gxy_len = sizeof(gxy);
	int ret;

	if (!psk && !v1_sig(sa))
		return -ENOENT;
	if (ike_dh_derive(sa->dh, sa->initiator ? v->gxr : v->gxi,
			  sa->initiator ? v->gxr_len : v->gxi_len, gxy, &gxy_len))
		return -EBADMSG;
	ret = ike_v1_keys_new(v->chosen.hash, v->chosen.encr, v->chosen.keylen, &v->keys);
	*p1 = (struct ike_v1_phase1){
		.cky_i = sa->spi_i, .cky_r = sa->spi_r,
		.gxi = v->gxi, .gxi_len = v->gxi_len, .gxr = v->gxr, .gxr_len = v->gxr_len,
		.gxy = gxy, .gxy_len = gxy_len,
		.ni = sa->ni, .ni_len = sa->ni_len, .nr = sa->nr, .nr_len = sa->nr_len,
	};
	if (!ret)
		ret = ike_v1_keys_derive(v->keys, p1, psk ? psk->key : NULL, psk ? psk->len : 0);
	OPENSSL_cleanse(gxy, sizeof(gxy));
	p1->gxy = NULL;
	p1->gxy_len = 0;
	return ret;
}

/* The KE and nonce of the peer's message into @gx and @n. */
static int v1_ke_nonce(const struct ike_v1_chain *c, uint8_t *gx, size_t *gx_len, uint8_t *n,
		       size_t *n_len)
{
	struct ike_blob ke, nonce;
	struct ike_msg_err e;
	int i = ike_v1_chain_find(c, IKEV1_PL_KE, 0), j = ike_v1_chain_find(c, IKEV1_PL_NONCE, 0);

	if (i < 0 || j < 0 || ike_v1_msg_parse_ke(c->pl[i].body, c->pl[i].len, &ke, &e) ||
	    ike_v1_msg_parse_nonce(c->pl[j].body, c->pl[j].len, &nonce, &e) ||
	    ke.len > sizeof(((struct ike_v1 *)0)->gxi) || nonce.len > IKE_CRYPTO_NONCE_MAX)
		return -EBADMSG;
	memcpy(gx, ke.data, ke.len);
	*gx_len = ke.len;
	memcpy(n, nonce.data, nonce.len);
	*n_len = nonce.len;
	return 0;
}

/* MM4: the responder's KE and nonce: the keys; MM5: our ID and HASH_I. */
void ike_v1_mm4(struct ike_sa *sa, const struct ike_v1_msg *msg)
{
	struct ike_v1 *v = sa->v1;
	struct ike_v1_phase1 p1;
	struct ike_v1_builder b;
	uint8_t buf[V1_MSG_MAX];
	int ret;

	if (v1_ke_nonce(&msg->chain, v->gxr, &v->gxr_len, sa->nr, &sa->nr_len)) {
		v1_fail(sa, "Main Mode's fourth message lacks KE or Nonce");
		return;
	}
	ret = v1_derive(sa, &p1);
	if (ret) {
		v1_fail(sa, ret == -ENOENT ? "no pre-shared key for these identities" :
			ret == -EBADMSG ? "the responder's KE is not a valid public value" :
			"key derivation");
		return;
	}
	/* RFC 3947 §4: a NAT found, the identities go on the NAT-T port */
	v1_check_natd(sa, &msg->chain);
	ike_sa_float(sa);
	if (v1_build_id_hash(sa, &p1, &b, buf, sizeof(buf)) ||
	    ike_v1_add_initial_contact(sa, &b)) {
		v1_fail(sa, "cannot build Main Mode's fifth message");
		return;
	}
	v->state = V1_MM5_SENT;
	sa->state = IKE_SA_AUTH_SENT;
	if (ike_v1_seal_send(sa, &b, 0, true, NULL))
		v1_fail(sa, "cannot encrypt Main Mode's fifth message");
}

/* MM6: the responder's ID and HASH_R: the ISAKMP SA is there. */
void ike_v1_mm6(struct ike_sa *sa, const struct ike_v1_chain *c)
{
	struct ike_v1_phase1 p1;
	const char *why;

	v1_p1_public(sa, &p1);
	why = v1_check_id_hash(sa, &p1, c);
	if (why) {
		/* the responder holds the SA for established: its Delete */
		ike_v1_iv_confirm(sa->v1->keys, 0);
		ike_v1_delete_isakmp(sa);
		v1_fail(sa, why);
		return;
	}
	ike_v1_iv_confirm(sa->v1->keys, 0);
	ike_wire_free(&sa->req);
	iked_timer_cancel(&sa->retransmit);
	v1_established(sa);
	if (sa->pending)
		ike_v1_qm_start(sa, 0);
}

/* --- Main Mode and Quick Mode, responder --- */

/* A responder's Main Mode message in the clear, sent as an answer. */
static int v1_mm_answer(struct ike_sa *sa, const struct iked_dgram *in, struct ike_v1_builder *b)
{
	size_t len;

	if (ike_v1_msg_build_end(b, &len))
		return -EIO;
	return ike_v1_answer(sa, in, b->buf, len);
}

/*
 * The responder's first step in Main and Aggressive Mode: the same first
 * message again gets the same answer; else a connection that takes it, a
 * new ISAKMP SA for it with the chosen transform, the initiator's SA
 * payload kept (HASH_I and HASH_R cover it), and @answer, the SA payload
 * to send back: the chosen transform as it came.
 *
 * Return: the SA, or NULL (logged) when there is none to go on with.
 */
static struct ike_sa *v1_responder_new(struct iked *d, struct iked_dgram *dg,
				       const struct ike_v1_msg *msg, bool aggressive,
				       struct ike_v1_sa *answer)
{
	static struct ike_v1_sa offered;
	const struct iked_conn_cfg *conn = ike_init_find_conn(d, dg);
	const char *mode = aggressive ? "Aggressive Mode" : "Main Mode";
	struct ike_prop props[IKED_MAX_PROPS];
	struct ike_msg_err e;
	struct ike_sa *sa;
	char a[64], err[256];
	unsigned int bk;
	size_t tr;
	int i, n;

	for (bk = 0; bk < IKED_SA_HASH; bk++)
		for (sa = d->sas[bk]; sa; sa = sa->hnext)
			if (sa->version == 1 && !sa->initiator &&
			    !memcmp(sa->spi_i, msg->hdr.icookie, IKEV1_COOKIE_LEN) &&
			    iked_addr_equal(&sa->remote, &dg->remote, true)) {
				ike_v1_again(sa, dg);
				return NULL;
			}
	iked_addr_str(&dg->remote, a, sizeof(a));
	/*
	 * IKEv1 has no stateless COOKIE round: past the limit a new peer
	 * waits (its retransmission comes back) until half-open SAs finish
	 * or expire.
	 */
	if (d->half_open >= d->cfg.half_open_limit) {
		iked_log(IKED_IKE, 1, "IKEv1 %s from %s: %u half-open SAs: dropped", mode, a,
			 d->half_open);
		return NULL;
	}
	/* Main Mode is always taken; Aggressive Mode only where allowed */
	if (!conn || conn->version != 1 || (aggressive && !conn->aggressive)) {
		iked_log(IKED_IKE, 1, "IKEv1 %s from %s: no connection takes it", mode, a);
		return NULL;
	}
	i = ike_v1_chain_find(&msg->chain, IKEV1_PL_SA, 0);
	if (i < 0 || ike_v1_msg_parse_sa(msg->chain.pl[i].body, msg->chain.pl[i].len, &offered,
					 &e)) {
		iked_log(IKED_IKE, 1, "IKEv1 %s from %s: no SA payload", mode, a);
		return NULL;
	}
	n = ike_prop_parse(conn->proposals, IKEV2_PROTO_IKE, props, IKED_MAX_PROPS, err,
			   sizeof(err));
	sa = n > 0 ? ike_sa_new(d, conn, false) : NULL;
	if (!sa)
		return NULL;
	sa->version = 1;
	sa->v1 = calloc(1, sizeof(*sa->v1));
	if (!sa->v1) {
		ike_sa_dead(sa, "out of memory");
		return NULL;
	}
	/* the Authentication Method is part of each transform: another is refused */
	n = ike_v1_p1_expand(props, (size_t)n, v1_auth_method(conn), conn->rekey_time,
			     sa->v1->xf, IKE_V1_MSG_MAX_TRANSFORMS, err, sizeof(err));
	if (n < 0 || (sa->v1->n_xf = (size_t)n,
		      ike_v1_p1_select(sa->v1->xf, sa->v1->n_xf, &offered, &sa->v1->chosen, &tr))) {
		ike_sa_log(sa, 0, "IKEv1 %s from %s: no proposal chosen%s%s (%s authenticates "
			   "by %s)", mode, a, n < 0 ? ": " : "", n < 0 ? err : "", conn->name,
			   conn->local.method == IKED_AUTH_PUBKEY ? "RSA signatures" :
			   "pre-shared key");
		ike_sa_dead(sa, "no proposal chosen");
		return NULL;
	}
	memcpy(sa->spi_i, msg->hdr.icookie, IKEV1_COOKIE_LEN);
	sa->local = dg->local;
	sa->remote = dg->remote;
	v1_vendors(sa, &msg->chain);
	/* half-open until Phase 1 is done, and forgotten if it is not */
	sa->state = IKE_SA_INIT_DONE;
	d->half_open++;
	iked_timer_set(&sa->expire, IKED_HALF_OPEN_MS);
	sa->v1->sai_b = malloc(msg->chain.pl[i].len);
	if (!sa->v1->sai_b) {
		ike_sa_dead(sa, "out of memory");
		return NULL;
	}
	memcpy(sa->v1->sai_b, msg->chain.pl[i].body, msg->chain.pl[i].len);
	sa->v1->sai_len = msg->chain.pl[i].len;
	*answer = (struct ike_v1_sa){ .doi = offered.doi, .situation = offered.situation,
				      .n_proposals = 1 };
	answer->prop[0] = offered.prop[0];
	answer->prop[0].n_transforms = 1;
	answer->prop[0].tr[0] = offered.prop[0].tr[tr];
	ike_sa_log(sa, 1, "IKEv1 %s from %s for %s", mode, a, conn->name);
	return sa;
}

/* MM1: the initiator's offer: a new ISAKMP SA, and MM2, our choice. */
void ike_v1_mm1(struct iked *d, struct iked_dgram *dg, const struct ike_v1_msg *msg)
{
	static struct ike_v1_sa answer;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	uint8_t buf[V1_MSG_MAX];
	struct ike_sa *sa = v1_responder_new(d, dg, msg, false, &answer);

	if (!sa)
		return;
	ike_v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_sa(&b, &answer);
	ike_v1_msg_add_vendor(&b, ike_v1_vid_natt, sizeof(ike_v1_vid_natt));
	ike_v1_msg_add_vendor(&b, ike_v1_vid_dpd, sizeof(ike_v1_vid_dpd));
	sa->v1->state = V1_MM2_SENT;
	if (v1_mm_answer(sa, dg, &b))
		ike_sa_dead(sa, "cannot answer Main Mode");
}

/* MM3: the initiator's KE and nonce; MM4: ours, and the keys. */
void ike_v1_mm3(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_msg *msg)
{
	struct ike_v1 *v = sa->v1;
	struct ike_v1_phase1 p1;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	uint8_t buf[V1_MSG_MAX];
	size_t len = sizeof(v->gxr);

	if (v1_ke_nonce(&msg->chain, v->gxi, &v->gxi_len, sa->ni, &sa->ni_len)) {
		ike_sa_log(sa, 1, "Main Mode's third message lacks KE or Nonce: dropped");
		return;
	}
	v1_check_natd(sa, &msg->chain);
	sa->dh = ike_dh_new(v->chosen.group);
	sa->nr_len = V1_NONCE_LEN;
	if (!sa->dh || ike_crypto_random(sa->nr, sa->nr_len) ||
	    ike_dh_public(sa->dh, v->gxr, &len)) {
		ike_sa_dead(sa, "key exchange");
		return;
	}
	v->gxr_len = len;
	if (v1_derive(sa, &p1)) {
		ike_sa_dead(sa, "no pre-shared key, or an invalid KE");
		return;
	}
	ike_v1_hdr(sa, &h, IKEV1_EXCH_IDENTITY_PROT, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_ke(&b, v->gxr, v->gxr_len);
	ike_v1_msg_add_nonce(&b, sa->nr, sa->nr_len);
	v1_add_cr(sa, &b);
	if (v1_add_natd(sa, &b) || v1_mm_answer(sa, dg, &b)) {
		ike_sa_dead(sa, "cannot answer Main Mode");
		return;
	}
	v->state = V1_MM4_SENT;
}

/* MM5: the initiator's ID and HASH_I; MM6: ours. */
void ike_v1_mm5(struct ike_sa *sa, const struct iked_dgram *dg, const struct ike_v1_chain *c)
{
	struct ike_v1_phase1 p1;
	struct ike_v1_builder b;
	uint8_t buf[V1_MSG_MAX];
	const char *why;
	char msg[160];

	v1_p1_public(sa, &p1);
	why = v1_check_id_hash(sa, &p1, c);
	if (why) {
		/*
		 * Told to the initiator under the keys it has (the IV of
		 * its fifth message on), so that it stops retransmitting.
		 */
		ike_v1_iv_confirm(sa->v1->keys, 0);
		ike_v1_notify_isakmp(sa, IKEV1_N_AUTHENTICATION_FAILED, NULL, 0, false);
		snprintf(msg, sizeof(msg), "IKEv1 Main Mode: %s", why);
		ike_sa_dead(sa, msg);
		return;
	}
	ike_v1_iv_confirm(sa->v1->keys, 0);
	if (v1_build_id_hash(sa, &p1, &b, buf, sizeof(buf)) ||
	    ike_v1_seal_send(sa, &b, 0, false, dg)) {
		ike_sa_dead(sa, "cannot answer Main Mode");
		return;
	}
	v1_established(sa);
}

/* --- Aggressive Mode (RFC 2409 §5.4), both roles --- */

/* Our ID payload's body, as HASH_I or HASH_R covers it. */
static size_t v1_self_id_body(const struct ike_sa *sa, uint8_t *out)
{
	struct ike_v1_id id;

	ike_v1_self_id(sa, &id);
	out[0] = id.type;
	out[1] = id.proto;
	out[2] = id.port >> 8;
	out[3] = id.port;
	memcpy(out + 4, id.data, id.len);
	return 4 + id.len;
}

/*
 * AM1: the SA, our KE, nonce and identity at once. The KE fixes the
 * group, so only the transforms with the first one's group are offered.
 */
static int v1_am1_send(struct ike_sa *sa)
{
	struct ike_v1 *v = sa->v1;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_v1_id id;
	uint8_t buf[V1_MSG_MAX];
	size_t i, k = 0, len = sizeof(v->gxi), off, blen;

	for (i = 0; i < v->n_xf; i++)
		if (v->xf[i].group == v->xf[0].group)
			v->xf[k++] = v->xf[i];
	v->n_xf = k;
	sa->dh = ike_dh_new(v->xf[0].group);
	sa->ni_len = V1_NONCE_LEN;
	if (!sa->dh || ike_crypto_random(sa->ni, sa->ni_len) || ike_dh_public(sa->dh, v->gxi, &len)) {
		ike_sa_dead(sa, "key exchange");
		return -EIO;
	}
	v->gxi_len = len;
	ike_v1_hdr(sa, &h, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_p1_add_sa(&b, v->xf, v->n_xf);
	ike_v1_msg_add_ke(&b, v->gxi, v->gxi_len);
	ike_v1_msg_add_nonce(&b, sa->ni, sa->ni_len);
	ike_v1_self_id(sa, &id);
	ike_v1_msg_add_id(&b, &id);
	ike_v1_msg_add_vendor(&b, ike_v1_vid_natt, sizeof(ike_v1_vid_natt));
	ike_v1_msg_add_vendor(&b, ike_v1_vid_dpd, sizeof(ike_v1_vid_dpd));
	if (ike_v1_msg_build_end(&b, &len) || ike_v1_msg_span_body(&b, 0, &off, &blen)) {
		ike_sa_dead(sa, "cannot build Aggressive Mode's first message");
		return -EIO;
	}
	v->sai_b = malloc(blen);
	if (!v->sai_b) {
		ike_sa_dead(sa, "out of memory");
		return -ENOMEM;
	}
	memcpy(v->sai_b, buf + off, blen);
	v->sai_len = blen;
	v->state = V1_AM1_SENT;
	ike_sa_log(sa, 1, "initiating IKEv1 Aggressive Mode to %s", sa->conn->name);
	return ike_v1_send(sa, buf, len, true);
}

/* AM2: the responder's choice, KE, nonce, identity and HASH_R; AM3: HASH_I. */
void ike_v1_am2(struct ike_sa *sa, const struct ike_v1_msg *msg)
{
	static struct ike_v1_sa offered;
	struct ike_v1 *v = sa->v1;
	struct ike_v1_phase1 p1;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_msg_err e;
	uint8_t buf[V1_MSG_MAX], idb[4 + IKED_ID_MAX];
	size_t tr, off, len, idl;
	const char *why;
	int i;

	i = ike_v1_chain_find(&msg->chain, IKEV1_PL_SA, 0);
	if (i < 0 || ike_v1_msg_parse_sa(msg->chain.pl[i].body, msg->chain.pl[i].len, &offered,
					 &e) ||
	    offered.n_proposals != 1 || offered.prop[0].n_transforms != 1 ||
	    ike_v1_p1_select(v->xf, v->n_xf, &offered, &v->chosen, &tr)) {
		v1_fail(sa, "the responder's SA is not one we offered");
		return;
	}
	memcpy(sa->spi_r, msg->hdr.rcookie, IKEV1_COOKIE_LEN);
	v1_vendors(sa, &msg->chain);
	if (v1_ke_nonce(&msg->chain, v->gxr, &v->gxr_len, sa->nr, &sa->nr_len) ||
	    v1_derive(sa, &p1)) {
		v1_fail(sa, "Aggressive Mode's second message: no KE or nonce, or no key");
		return;
	}
	v1_p1_public(sa, &p1);
	why = v1_check_id_hash(sa, &p1, &msg->chain);
	if (why) {
		v1_fail(sa, why);
		return;
	}
	/* RFC 3947 §4: a NAT found, the third message goes on the NAT-T port */
	v1_check_natd(sa, &msg->chain);
	ike_sa_float(sa);
	idl = v1_self_id_body(sa, idb);
	ike_v1_hdr(sa, &h, IKEV1_EXCH_AGGRESSIVE, IKEV1_FLAG_ENCRYPTION, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_hash(&b, NULL, v->keys->hash_len);
	if (ike_v1_msg_span_body(&b, 0, &off, &len) ||
	    ike_v1_hash_i(v->keys, &p1, v->sai_b, v->sai_len, idb, idl, buf + off) ||
	    v1_add_natd(sa, &b) || ike_v1_add_initial_contact(sa, &b) ||
	    ike_v1_seal_send(sa, &b, 0, false, NULL)) {
		v1_fail(sa, "cannot send Aggressive Mode's third message");
		return;
	}
	v1_established(sa);
	if (sa->pending)
		ike_v1_qm_start(sa, 0);
}

/* AM1: a new ISAKMP SA, when the connection allows Aggressive Mode; AM2. */
void ike_v1_am1(struct iked *d, struct iked_dgram *dg, const struct ike_v1_msg *msg)
{
	static struct ike_v1_sa answer;
	struct ike_v1_phase1 p1;
	struct ike_v1_builder b;
	struct ike_v1_hdr h;
	struct ike_v1_id id;
	struct ike_msg_err e;
	uint8_t buf[V1_MSG_MAX], hash[IKE_V1_HASH_MAX];
	struct ike_sa *sa;
	size_t off, len, glen;
	int k = ike_v1_chain_find(&msg->chain, IKEV1_PL_ID, 0);

	if (k < 0 || ike_v1_msg_parse_id(msg->chain.pl[k].body, msg->chain.pl[k].len, &id, &e) ||
	    msg->chain.pl[k].len > sizeof(((struct ike_v1 *)0)->idi_b))
		return;
	sa = v1_responder_new(d, dg, msg, true, &answer);
	if (!sa)
		return;
	memcpy(sa->v1->idi_b, msg->chain.pl[k].body, msg->chain.pl[k].len);
	sa->v1->idi_len = msg->chain.pl[k].len;
	glen = sizeof(sa->v1->gxr);
	sa->dh = ike_dh_new(sa->v1->chosen.group);
	sa->nr_len = V1_NONCE_LEN;
	if (v1_ke_nonce(&msg->chain, sa->v1->gxi, &sa->v1->gxi_len, sa->ni, &sa->ni_len) ||
	    !sa->dh || ike_crypto_random(sa->nr, sa->nr_len) ||
	    ike_dh_public(sa->dh, sa->v1->gxr, &glen)) {
		ike_sa_dead(sa, "Aggressive Mode: key exchange");
		return;
	}
	sa->v1->gxr_len = glen;
	if (v1_derive(sa, &p1)) {
		ike_sa_dead(sa, "no pre-shared key, or an invalid KE");
		return;
	}
	v1_p1_public(sa, &p1);
	ike_v1_hdr(sa, &h, IKEV1_EXCH_AGGRESSIVE, 0, 0);
	ike_v1_msg_build_init(&b, buf, sizeof(buf), &h);
	ike_v1_msg_add_sa(&b, &answer);
	ike_v1_msg_add_ke(&b, sa->v1->gxr, sa->v1->gxr_len);
	ike_v1_msg_add_nonce(&b, sa->nr, sa->nr_len);
	ike_v1_self_id(sa, &id);
	ike_v1_msg_add_id(&b, &id);
	ike_v1_msg_add_hash(&b, NULL, sa->v1->keys->hash_len);
	ike_v1_msg_add_vendor(&b, ike_v1_vid_natt, sizeof(ike_v1_vid_natt));
	ike_v1_msg_add_vendor(&b, ike_v1_vid_dpd, sizeof(ike_v1_vid_dpd));
	/* HASH_R covers our ID (payload 3) and goes into payload 4 */
	if (v1_add_natd(sa, &b) || ike_v1_msg_span_body(&b, 3, &off, &len) ||
	    ike_v1_hash_r(sa->v1->keys, &p1, sa->v1->sai_b, sa->v1->sai_len, buf + off, len,
			  hash) ||
	    ike_v1_msg_span_body(&b, 4, &off, &len)) {
		ike_sa_dead(sa, "cannot answer Aggressive Mode");
		return;
	}
	memcpy(buf + off, hash, len);
	if (v1_mm_answer(sa, dg, &b)) {
		ike_sa_dead(sa, "cannot answer Aggressive Mode");
		return;
	}
	sa->v1->state = V1_AM2_SENT;
}

/* AM3: HASH_I over the initiator's ID of AM1: the ISAKMP SA is there. */
void ike_v1_am3(struct ike_sa *sa, const struct ike_v1_chain *c, bool encrypted)
{
	struct ike_v1 *v = sa->v1;
	uint8_t want[IKE_V1_HASH_MAX];
	struct ike_v1_phase1 p1;
	struct ike_blob got;
	struct ike_msg_err e;
	int j = ike_v1_chain_find(c, IKEV1_PL_HASH, 0);

	v1_p1_public(sa, &p1);
	if (j < 0 || ike_v1_msg_parse_hash(c->pl[j].body, c->pl[j].len, &got, &e) ||
	    ike_v1_hash_i(v->keys, &p1, v->sai_b, v->sai_len, v->idi_b, v->idi_len, want) ||
	    ike_v1_hash_check(v->keys, want, got.data, got.len)) {
		ike_sa_dead(sa, "IKEv1 Aggressive Mode: HASH_I does not verify: a wrong pre-shared key?");
		return;
	}
	if (encrypted)
		ike_v1_iv_confirm(v->keys, 0);
	v1_check_natd(sa, c);
	v1_established(sa);
}

