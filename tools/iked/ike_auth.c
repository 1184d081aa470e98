// SPDX-License-Identifier: GPL-2.0
/*
 * IKE_AUTH (RFC 7296 §1.2, §2.15): identities, authentication, and the
 * first Child SA. Authentication here is by pre-shared key; certificates
 * (RFC 7427 signatures) come with their own file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "daemon.h"
#include "log.h"

#define AUTH_MSG_MAX	8192

/* An identity's ID payload body: type, three reserved bytes, data. */
static size_t auth_id_body(const struct iked_id *id, uint8_t *body)
{
	body[0] = id->type;
	body[1] = body[2] = body[3] = 0;
	memcpy(body + 4, id->data, id->len);
	return 4 + id->len;
}

/* What this end calls itself: as configured, else its address. */
static void auth_local_id(const struct ike_sa *sa, struct iked_id *id)
{
	const struct iked_auth_cfg *a = &sa->conn->local;

	if (a->has_id && a->id.type) {
		*id = a->id;
		return;
	}
	memset(id, 0, sizeof(*id));
	id->type = sa->local.ss_family == AF_INET ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
	id->len = iked_addr_len(sa->local.ss_family);
	memcpy(id->data, iked_addr_bytes(&sa->local), id->len);
}

/* The identity the peer must have: as configured, else its address. */
static void auth_remote_id(const struct ike_sa *sa, struct iked_id *id)
{
	const struct iked_auth_cfg *a = &sa->conn->remote;

	if (a->has_id) {
		*id = a->id;
		return;
	}
	memset(id, 0, sizeof(*id));
	id->type = sa->remote.ss_family == AF_INET ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
	id->len = iked_addr_len(sa->remote.ss_family);
	memcpy(id->data, iked_addr_bytes(&sa->remote), id->len);
}

/*
 * The PSK AUTH value of one end: @signer_is_initiator picks the message,
 * the nonce and SK_p (§2.15), @id_body is that end's ID payload body.
 */
static int auth_psk(struct ike_sa *sa, bool signer_is_initiator, const uint8_t *id_body,
		    size_t id_len, const struct iked_secret *psk, uint8_t *auth, size_t *auth_len,
		    const uint8_t *check, size_t check_len)
{
	const uint8_t *msg = signer_is_initiator ? sa->init_req : sa->init_resp;
	size_t msg_len = signer_is_initiator ? sa->init_req_len : sa->init_resp_len;
	const uint8_t *nonce = signer_is_initiator ? sa->nr : sa->ni;
	size_t nonce_len = signer_is_initiator ? sa->nr_len : sa->ni_len;
	uint8_t *octets;
	size_t olen;
	int ret;

	ret = ike_sk_signed_octets(sa->sk, signer_is_initiator, msg, msg_len, nonce, nonce_len,
				   id_body, id_len, &octets, &olen);
	if (ret)
		return ret;
	if (check)
		ret = ike_sk_psk_verify(sa->sk, psk->key, psk->len, octets, olen, check, check_len);
	else
		ret = ike_sk_psk_auth(sa->sk, psk->key, psk->len, octets, olen, auth, auth_len);
	OPENSSL_cleanse(octets, olen);
	free(octets);
	return ret;
}

/* IDx, AUTH: this end's identity and its proof. */
static int auth_add_self(struct ike_sa *sa, struct ike_builder *b, uint8_t id_type)
{
	struct iked_id self, peer;
	uint8_t body[4 + IKED_ID_MAX], value[IKE_PRF_MAX];
	const struct iked_secret *psk;
	struct ike_auth auth;
	struct ike_id idp;
	size_t blen, vlen = sizeof(value);
	int ret;

	if (sa->conn->local.method != IKED_AUTH_PSK) {
		ike_sa_log(sa, 0, "certificate authentication is not available yet");
		return -ENOTSUP;
	}
	auth_local_id(sa, &self);
	if (sa->peer_id.type)
		peer = sa->peer_id;
	else
		auth_remote_id(sa, &peer);
	psk = iked_secret_find(&sa->d->cfg, &self, &peer);
	if (!psk) {
		ike_sa_log(sa, 0, "no pre-shared key for this pair of identities");
		return -ENOKEY;
	}
	blen = auth_id_body(&self, body);
	ret = auth_psk(sa, sa->initiator, body, blen, psk, value, &vlen, NULL, 0);
	if (ret)
		return ret;
	idp = (struct ike_id){ .type = self.type, .data = self.data, .len = self.len };
	auth = (struct ike_auth){ .method = IKEV2_AUTH_PSK, .data = value, .len = vlen };
	ret = ike_msg_add_id(b, id_type, &idp);
	ret = ret ?: ike_msg_add_auth(b, &auth);
	OPENSSL_cleanse(value, sizeof(value));
	return ret ? -ENOSPC : 0;
}

/* The peer's IDx and AUTH, in an IKE_AUTH message. */
struct auth_parts {
	const struct ike_payload *id;
	struct ike_id idp;
	const struct ike_payload *id_other;	/* IDr in a request: whom it wants */
	struct ike_id idp_other;
	struct ike_auth auth;
	bool has_auth;
	uint16_t error;
};

static int auth_parts(const struct ike_chain *in, bool from_initiator, struct auth_parts *p)
{
	uint8_t own = from_initiator ? IKEV2_PL_IDI : IKEV2_PL_IDR;
	uint8_t other = from_initiator ? IKEV2_PL_IDR : IKEV2_PL_IDI;
	const struct ike_payload *pl;
	struct ike_msg_err e;
	struct ike_notify n;
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
		} else if (pl->type == IKEV2_PL_NOTIFY) {
			if (ike_msg_parse_notify(pl->body, pl->len, &n, &e))
				return -EBADMSG;
			if (n.type <= IKEV2_N_ERROR_MAX && !p->error)
				p->error = n.type;
		}
	}
	return 0;
}

/*
 * Checks the peer's identity against the connection and its AUTH; on
 * success sa->peer_id is the identity. Returns a notify type, or 0.
 */
static uint16_t auth_verify_peer(struct ike_sa *sa, const struct auth_parts *p)
{
	const struct iked_secret *psk;
	struct iked_id want, got, self;
	char text[256];

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
	if (sa->conn->remote.method != IKED_AUTH_PSK || p->auth.method != IKEV2_AUTH_PSK) {
		ike_sa_log(sa, 0, "peer %s authenticates with method %u; %s wants %s", text,
			   p->auth.method, sa->conn->name,
			   sa->conn->remote.method == IKED_AUTH_PSK ? "psk" : "pubkey");
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	auth_local_id(sa, &self);
	psk = iked_secret_find(&sa->d->cfg, &self, &got);
	if (!psk) {
		ike_sa_log(sa, 0, "no pre-shared key for peer %s", text);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	if (auth_psk(sa, !sa->initiator, p->id->body, p->id->len, psk, NULL, NULL,
		     p->auth.data, p->auth.len)) {
		ike_sa_log(sa, 0, "peer %s failed pre-shared key authentication", text);
		return IKEV2_N_AUTHENTICATION_FAILED;
	}
	sa->peer_id = got;
	ike_sa_log(sa, 1, "peer %s authenticated with a pre-shared key", text);
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
	struct ike_id idr;
	int ret;

	ike_msg_chain_init(&b, buf, sizeof(buf));
	ret = auth_add_self(sa, &b, IKEV2_PL_IDI);
	/* Whom we want, when the configuration names it */
	if (!ret && sa->conn->remote.has_id && sa->conn->remote.id.type &&
	    !(sa->conn->remote.id.len && sa->conn->remote.id.data[0] == '*' &&
	      (sa->conn->remote.id.type == IKEV2_ID_FQDN ||
	       sa->conn->remote.id.type == IKEV2_ID_RFC822_ADDR))) {
		idr = (struct ike_id){ .type = sa->conn->remote.id.type,
				       .data = sa->conn->remote.id.data,
				       .len = sa->conn->remote.id.len };
		ret = ike_msg_add_id(&b, IKEV2_PL_IDR, &idr);
	}
	ret = ret ?: ike_msg_add_notify(&b, &ic);
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
