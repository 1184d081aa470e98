// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_AUTH (RFC 7296 §1.2, §2.15): identities, authentication, and the
 * first Child SA. Each end authenticates by pre-shared key or by
 * certificate (cert.c does the X.509 and signature work).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "log.h"

#define AUTH_MSG_MAX	16384	/* certificates; the datagram itself may be larger */

/* What this end calls itself: as configured, else its certificate's
 * subject, else its address. */
static void auth_local_id(const struct ike_sa *sa, struct iked_id *id)
{
	const struct iked_auth_cfg *a = &sa->conn->local;

	if (a->has_id && a->id.type) {
		*id = a->id;
		return;
	}
	/* iked_creds_load() made sure the subject fits */
	if (a->method == IKED_AUTH_PUBKEY && !iked_cred_subject(a->cred, id))
		return;
	memset(id, 0, sizeof(*id));
	id->type = sa->local.ss_family == AF_INET ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
	id->len = iked_addr_len(sa->local.ss_family);
	memcpy(id->data, iked_addr_bytes(&sa->local), id->len);
}

/*
 * The identity the peer must have: as configured; else, with a
 * certificate, any its certificate vouches for (%any); else its address.
 */
static void auth_remote_id(const struct ike_sa *sa, struct iked_id *id)
{
	const struct iked_auth_cfg *a = &sa->conn->remote;

	if (a->has_id) {
		*id = a->id;
		return;
	}
	memset(id, 0, sizeof(*id));
	if (a->method == IKED_AUTH_PUBKEY)
		return;
	id->type = sa->remote.ss_family == AF_INET ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
	id->len = iked_addr_len(sa->remote.ss_family);
	memcpy(id->data, iked_addr_bytes(&sa->remote), id->len);
}

/*
 * The octets one end's AUTH covers (§2.15): @signer_is_initiator picks the
 * message, the nonce and SK_p; @id_body is that end's ID payload body.
 */
static int auth_octets(const struct ike_sa *sa, bool signer_is_initiator,
		       const uint8_t *id_body, size_t id_len, uint8_t **octets, size_t *olen)
{
	const uint8_t *msg = signer_is_initiator ? sa->init_req : sa->init_resp;
	size_t msg_len = signer_is_initiator ? sa->init_req_len : sa->init_resp_len;
	const uint8_t *nonce = signer_is_initiator ? sa->nr : sa->ni;
	size_t nonce_len = signer_is_initiator ? sa->nr_len : sa->ni_len;

	return ike_sk_signed_octets(sa->sk, signer_is_initiator, msg, msg_len, nonce, nonce_len,
				    id_body, id_len, octets, olen);
}

static void auth_octets_free(uint8_t *octets, size_t olen)
{
	OPENSSL_cleanse(octets, olen);
	free(octets);
}

/**
 * ike_auth_add_certreq - a CERTREQ naming the CAs we trust, when the
 * connection checks the peer's certificate (IKE_SA_INIT's response, and
 * the initiator's IKE_AUTH): without one, strongSwan sends no certificate
 * @sa: the IKE SA
 * @b: the message being built
 *
 * Return: 0, or -ENOSPC.
 */
int ike_auth_add_certreq(const struct ike_sa *sa, struct ike_builder *b)
{
	uint8_t hashes[IKE_CERT_CERTREQ_MAX];
	struct ike_cert req = { .encoding = IKEV2_CERT_X509_SIG, .data = hashes };

	if (sa->conn->remote.method != IKED_AUTH_PUBKEY)
		return 0;
	req.len = iked_cred_certreq(sa->conn->remote.cred, hashes, sizeof(hashes));
	if (!req.len)
		return 0;
	return ike_msg_add_certreq(b, &req) ? -ENOSPC : 0;
}

/* This end's AUTH value, by PSK or by its private key. */
static int auth_make(struct ike_sa *sa, const struct iked_id *self, const uint8_t *body,
		     size_t blen, uint8_t *method, uint8_t *value, size_t *vlen)
{
	const struct iked_secret *psk;
	struct iked_id peer;
	uint8_t *octets;
	size_t olen;
	char why[256];
	int ret;

	ret = auth_octets(sa, sa->initiator, body, blen, &octets, &olen);
	if (ret)
		return ret;
	if (sa->conn->local.method == IKED_AUTH_PSK) {
		if (sa->peer_id.type)
			peer = sa->peer_id;
		else
			auth_remote_id(sa, &peer);
		psk = iked_secret_find(&sa->d->cfg, self, &peer);
		if (!psk) {
			ike_sa_log(sa, 0, "no pre-shared key for this pair of identities");
			ret = -ENOKEY;
		} else {
			*method = IKEV2_AUTH_PSK;
			ret = ike_sk_psk_auth(sa->sk, psk->key, psk->len, octets, olen, value,
					      vlen);
		}
	} else {
		ret = iked_cred_sign(sa->conn->local.cred, sa->peer_hashes, octets, olen, method,
				     value, vlen, why, sizeof(why));
		if (ret)
			ike_sa_log(sa, 0, "cannot sign AUTH: %s", why);
	}
	auth_octets_free(octets, olen);
	return ret;
}

/*
 * IDx, [CERT...], AUTH: this end's identity and its proof. The initiator
 * also says which CAs it trusts and, when the configuration names it,
 * whom it wants (IDr), between its certificates and AUTH (§1.2).
 */
static int auth_add_self(struct ike_sa *sa, struct ike_builder *b, uint8_t id_type)
{
	const struct iked_auth_cfg *local = &sa->conn->local, *remote = &sa->conn->remote;
	uint8_t body[4 + IKED_ID_MAX], value[IKE_CERT_SIG_MAX];
	struct ike_auth auth = { .data = value };
	struct ike_cert cert = { .encoding = IKEV2_CERT_X509_SIG };
	struct iked_id self;
	struct ike_id idp;
	unsigned int i;
	size_t vlen = sizeof(value);
	int ret;

	auth_local_id(sa, &self);
	body[0] = self.type;
	body[1] = body[2] = body[3] = 0;
	memcpy(body + 4, self.data, self.len);
	ret = auth_make(sa, &self, body, 4 + self.len, &auth.method, value, &vlen);
	if (ret)
		return ret;
	auth.len = vlen;
	idp = (struct ike_id){ .type = self.type, .data = self.data, .len = self.len };
	ret = ike_msg_add_id(b, id_type, &idp);
	for (i = 0; !ret && local->method == IKED_AUTH_PUBKEY &&
		    i < iked_cred_n_certs(local->cred); i++) {
		cert.data = iked_cred_cert_der(local->cred, i, &cert.len);
		ret = ike_msg_add_cert(b, &cert);
	}
	if (!ret && id_type == IKEV2_PL_IDI) {
		ret = ike_auth_add_certreq(sa, b);
		/* an IDr of "*.example" would be a wildcard the peer cannot be */
		if (!ret && remote->has_id && remote->id.type &&
		    !(remote->id.len && remote->id.data[0] == '*' &&
		      (remote->id.type == IKEV2_ID_FQDN ||
		       remote->id.type == IKEV2_ID_RFC822_ADDR))) {
			idp = (struct ike_id){ .type = remote->id.type, .data = remote->id.data,
					       .len = remote->id.len };
			ret = ike_msg_add_id(b, IKEV2_PL_IDR, &idp);
		}
	}
	ret = ret ?: ike_msg_add_auth(b, &auth);
	OPENSSL_cleanse(value, sizeof(value));
	return ret ? -ENOSPC : 0;
}

/* The peer's IDx, CERTs and AUTH, in an IKE_AUTH message. */
struct auth_parts {
	const struct ike_payload *id;
	struct ike_id idp;
	const struct ike_payload *id_other;	/* IDr in a request: whom it wants */
	struct ike_id idp_other;
	struct ike_auth auth;
	bool has_auth;
	const uint8_t *certs[IKE_CERT_CHAIN_MAX];
	size_t cert_len[IKE_CERT_CHAIN_MAX];
	unsigned int n_certs;
	unsigned int n_other_certs;	/* in encodings we do not read */
	bool initial_contact;
	uint16_t error;
};

static int auth_parts(const struct ike_chain *in, bool from_initiator, struct auth_parts *p)
{
	uint8_t own = from_initiator ? IKEV2_PL_IDI : IKEV2_PL_IDR;
	uint8_t other = from_initiator ? IKEV2_PL_IDR : IKEV2_PL_IDI;
	const struct ike_payload *pl;
	struct ike_msg_err e;
	struct ike_notify n;
	struct ike_cert cert;
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < in->n; i++) {
		pl = &in->pl[i];
		if (pl->type == own) {
			if (ike_msg_parse_id(pl->body, pl->len, &p->idp, &e))
				return -EBADMSG;
			p->id = pl;
		} else if (pl->type == other && from_initiator) {
			if (ike_msg_parse_id(pl->body, pl->len, &p->idp_other, &e))
				return -EBADMSG;
			p->id_other = pl;
		} else if (pl->type == IKEV2_PL_AUTH) {
			if (ike_msg_parse_auth(pl->body, pl->len, &p->auth, &e))
				return -EBADMSG;
			p->has_auth = true;
		} else if (pl->type == IKEV2_PL_CERT) {
			if (ike_msg_parse_cert(pl->body, pl->len, &cert, &e))
				return -EBADMSG;
			if (cert.encoding != IKEV2_CERT_X509_SIG ||
			    p->n_certs == IKE_CERT_CHAIN_MAX) {
				p->n_other_certs++;
				continue;
			}
			p->certs[p->n_certs] = cert.data;
			p->cert_len[p->n_certs++] = cert.len;
		} else if (pl->type == IKEV2_PL_NOTIFY) {
			if (ike_msg_parse_notify(pl->body, pl->len, &n, &e))
				return -EBADMSG;
			if (n.type <= IKEV2_N_ERROR_MAX && !p->error)
				p->error = n.type;
			if (n.type == IKEV2_N_INITIAL_CONTACT)
				p->initial_contact = true;
		}
	}
	return 0;
}

/*
 * INITIAL_CONTACT (RFC 7296 §2.4): the peer says this is the only IKE SA
 * between us now, so it has restarted and lost the others; those, and
 * their children, go without a word to it.
 */
static void auth_initial_contact(struct ike_sa *sa)
{
	struct ike_sa *old;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (old = sa->d->sas[b]; old; old = old->hnext)
			if (old != sa && old->conn == sa->conn &&
			    old->state == IKE_SA_ESTABLISHED &&
			    iked_id_equal(&old->peer_id, &sa->peer_id))
				ike_sa_dead(old, "INITIAL_CONTACT: the peer has started anew");
}

static const char *auth_method_name(uint8_t method)
{
	switch (method) {
	case IKEV2_AUTH_PSK: return "a pre-shared key";
	case IKEV2_AUTH_RSA_SIG: return "an RSA signature";
	case IKEV2_AUTH_ECDSA_SHA256_P256:
	case IKEV2_AUTH_ECDSA_SHA384_P384:
	case IKEV2_AUTH_ECDSA_SHA512_P521: return "an ECDSA signature";
	case IKEV2_AUTH_DIGITAL_SIGNATURE: return "an RFC 7427 signature";
	case IKEV2_AUTH_NULL: return "NULL authentication";
	default: return "an unknown method";
	}
}

/* PSK: the secret the two identities share opens the peer's AUTH. */
static int auth_check_psk(struct ike_sa *sa, const struct auth_parts *p,
			  const struct iked_id *got, const char *text)
{
	const struct iked_secret *psk;
	struct iked_id self;
	uint8_t *octets;
	size_t olen;
	int ret;

	auth_local_id(sa, &self);
	psk = iked_secret_find(&sa->d->cfg, &self, got);
	if (!psk) {
		ike_sa_log(sa, 0, "no pre-shared key for peer %s", text);
		return -ENOKEY;
	}
	ret = auth_octets(sa, !sa->initiator, p->id->body, p->id->len, &octets, &olen);
	if (ret)
		return ret;
	ret = ike_sk_psk_verify(sa->sk, psk->key, psk->len, octets, olen, p->auth.data,
				p->auth.len);
	auth_octets_free(octets, olen);
	if (ret)
		ike_sa_log(sa, 0, "peer %s failed pre-shared key authentication", text);
	else
		ike_sa_log(sa, 1, "peer %s authenticated with a pre-shared key", text);
	return ret;
}

/*
 * Certificates: the peer's chain ends in one of our CAs, its certificate
 * vouches for the identity it claims, and its key signed the AUTH.
 */
static int auth_check_cert(struct ike_sa *sa, const struct auth_parts *p,
			   const struct iked_id *got, const char *text)
{
	struct ike_peer_cert *pc;
	uint8_t *octets;
	size_t olen;
	char why[384];
	int ret;

	if (!p->n_certs) {
		ike_sa_log(sa, 0, "peer %s sent no X.509 certificate%s", text,
			   p->n_other_certs ? " (only encodings veil-iked does not read)" : "");
		return -EACCES;
	}
	ret = ike_peer_cert_verify(sa->conn->remote.cred, p->certs, p->cert_len, p->n_certs,
				   &pc, why, sizeof(why));
	if (ret) {
		ike_sa_log(sa, 0, "peer %s: %s", text, why);
		return ret;
	}
	if (!ike_peer_cert_has_id(pc, got)) {
		ike_sa_log(sa, 0, "peer identity %s is not in its certificate", text);
		ike_peer_cert_free(pc);
		return -EACCES;
	}
	ret = auth_octets(sa, !sa->initiator, p->id->body, p->id->len, &octets, &olen);
	if (!ret) {
		ret = ike_peer_cert_check_auth(pc, p->auth.method, p->auth.data, p->auth.len,
					       octets, olen, why, sizeof(why));
		auth_octets_free(octets, olen);
		if (ret)
			ike_sa_log(sa, 0, "peer %s failed authentication: %s", text, why);
		else
			ike_sa_log(sa, 1, "peer %s authenticated with %s and its certificate",
				   text, auth_method_name(p->auth.method));
	}
	ike_peer_cert_free(pc);
	return ret;
}

/*
 * Checks the peer's identity against the connection and its AUTH; on
 * success sa->peer_id is the identity. Returns a notify type, or 0.
 */
static uint16_t auth_verify_peer(struct ike_sa *sa, const struct auth_parts *p)
{
	enum iked_auth_method want_method = sa->conn->remote.method;
	struct iked_id want, got;
	char text[256];
	int ret;

	if (!p->id || !p->has_auth || p->idp.len > IKED_ID_MAX)
		return IKEV2_N_AUTHENTICATION_FAILED;
	memset(&got, 0, sizeof(got));
	got.type = p->idp.type;
	got.len = p->idp.len;
	memcpy(got.data, p->idp.data, got.len);
	iked_id_format(&got, text, sizeof(text));
	auth_remote_id(sa, &want);
	if (!iked_id_match(&want, &got)) {
		ike_sa_log(sa, 0, "peer identity %s is not the one %s accepts", text,
			   sa->conn->name);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	if ((p->auth.method == IKEV2_AUTH_PSK) != (want_method == IKED_AUTH_PSK)) {
		ike_sa_log(sa, 0, "peer %s authenticates with %s; %s wants %s", text,
			   auth_method_name(p->auth.method), sa->conn->name,
			   want_method == IKED_AUTH_PSK ? "a pre-shared key" : "a certificate");
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	ret = want_method == IKED_AUTH_PSK ? auth_check_psk(sa, p, &got, text) :
					     auth_check_cert(sa, p, &got, text);
	if (ret)
		return IKEV2_N_AUTHENTICATION_FAILED;
	sa->peer_id = got;
	return 0;
}

/* IKE_AUTH's inputs are not needed once it is done. */
static void auth_done(struct ike_sa *sa)
{
	free(sa->init_req);
	sa->init_req = NULL;
	free(sa->init_resp);
	sa->init_resp = NULL;
}

static void auth_on_reply(struct ike_sa *sa, const struct ike_msg *msg,
			  const struct ike_chain *in)
{
	struct auth_parts p;
	uint16_t err;

	if (!msg)
		return;
	if (auth_parts(in, false, &p)) {
		ike_sa_dead(sa, "IKE_AUTH response is malformed");
		return;
	}
	if (!p.has_auth) {
		ike_sa_log(sa, 0, "IKE_AUTH refused: %s",
			   p.error ? ike_msg_notify_name(p.error) : "no AUTH payload");
		ike_sa_dead(sa, "IKE SA not established");
		return;
	}
	err = auth_verify_peer(sa, &p);
	if (err) {
		/* §2.21.2: the responder is not told; the SA just goes. */
		ike_sa_dead(sa, "the responder failed authentication");
		return;
	}
	auth_done(sa);
	ike_sa_established(sa);
	if (sa->pending)
		ike_child_confirm(sa, in, sa->pending, sa->pending_spi, NULL, 0, sa->ni, sa->ni_len,
				  sa->nr, sa->nr_len, NULL);
	sa->pending = NULL;
	sa->has_pending_ts = false;	/* the trap's flow was for that child only */
	ike_sa_kick(sa);
}

/*
 * Whether this is the only IKE SA of its connection: then, and only then,
 * INITIAL_CONTACT (§2.4) tells the peer to drop any it still has with us.
 * Several IKE SAs of one connection (a second initiator with the same
 * identity, or one up while another is made) must not undo each other.
 */
static bool auth_only_sa(const struct ike_sa *sa)
{
	const struct ike_sa *o;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (o = sa->d->sas[b]; o; o = o->hnext)
			if (o != sa && o->conn == sa->conn && o->state == IKE_SA_ESTABLISHED)
				return false;
	return true;
}

/**
 * ike_auth_start - the initiator's IKE_AUTH request
 * @sa: an SA whose IKE_SA_INIT is done
 *
 * Return: 0 or a negative errno (logged).
 */
int ike_auth_start(struct ike_sa *sa)
{
	uint8_t buf[AUTH_MSG_MAX];
	struct ike_builder b;
	struct ike_notify ic = { .type = IKEV2_N_INITIAL_CONTACT };
	int ret;

	ike_msg_chain_init(&b, buf, sizeof(buf));
	ret = auth_add_self(sa, &b, IKEV2_PL_IDI);
	if (!ret && auth_only_sa(sa))
		ret = ike_msg_add_notify(&b, &ic);
	if (!ret && sa->pending) {
		sa->pending_spi = ike_child_spi();
		ret = ike_child_add_offer(sa, &b, sa->pending, sa->pending_spi, false, NULL, NULL,
					  NULL);
	}
	if (!ret)
		ret = ike_sa_request(sa, IKEV2_EXCH_IKE_AUTH, &b, auth_on_reply);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

static void auth_refuse(struct ike_sa *sa, const struct ike_msg *msg, uint16_t type)
{
	ike_sa_respond_notify(sa, &msg->hdr, type, NULL, 0);
}

/**
 * ike_auth_respond - the responder's side of IKE_AUTH
 * @sa: an SA whose IKE_SA_INIT is done
 * @msg: the request
 * @in: its inner payloads
 */
void ike_auth_respond(struct ike_sa *sa, const struct ike_msg *msg, const struct ike_chain *in)
{
	uint8_t buf[AUTH_MSG_MAX];
	struct ike_builder b;
	struct auth_parts p;
	struct ike_notify n = { 0 };
	uint16_t err, child_err;

	if (auth_parts(in, true, &p)) {
		auth_refuse(sa, msg, IKEV2_N_INVALID_SYNTAX);
		ike_sa_dead(sa, "IKE_AUTH request is malformed");
		return;
	}
	err = auth_verify_peer(sa, &p);
	if (err) {
		auth_refuse(sa, msg, err);
		ike_sa_dead(sa, "IKE SA not established");
		return;
	}
	if (p.initial_contact)
		auth_initial_contact(sa);
	ike_msg_chain_init(&b, buf, sizeof(buf));
	if (auth_add_self(sa, &b, IKEV2_PL_IDR)) {
		auth_refuse(sa, msg, IKEV2_N_AUTHENTICATION_FAILED);
		ike_sa_dead(sa, "IKE SA not established");
		return;
	}
	ike_sa_established(sa);
	if (ike_child_accept(sa, in, &b, &child_err) == 0 && child_err) {
		n.type = child_err;
		ike_msg_add_notify(&b, &n);
	}
	ike_sa_respond(sa, &msg->hdr, &b);
	OPENSSL_cleanse(buf, sizeof(buf));
	auth_done(sa);
}
