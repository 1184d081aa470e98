// SPDX-License-Identifier: GPL-2.0
/*
 * INFORMATIONAL exchanges (RFC 7296 §1.4): Delete of Child SAs and of the
 * IKE SA, liveness checks (an empty request), and notifications.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/veil.h>

#include "daemon.h"
#include "log.h"

#define INFO_MSG_MAX	2048
#define INFO_MAX_SPIS	64

static void info_on_dpd_reply(struct ike_sa *sa, const struct ike_msg *msg,
			      const struct ike_chain *in)
{
	(void)in;
	if (msg)
		ike_sa_log(sa, 2, "the peer is alive");
}

/**
 * ike_info_dpd - ask the peer whether it is alive: an empty INFORMATIONAL
 * @sa: an established SA
 *
 * No answer after the retransmissions ends the SA (ike_sa.c), and its
 * children go as their dpd_action says.
 *
 * Return: 0 or a negative errno.
 */
int ike_info_dpd(struct ike_sa *sa)
{
	uint8_t buf[16];
	struct ike_builder b;

	ike_sa_log(sa, 2, "checking that the peer is alive");
	ike_msg_chain_init(&b, buf, sizeof(buf));
	return ike_sa_request(sa, IKEV2_EXCH_INFORMATIONAL, &b, info_on_dpd_reply);
}

static void info_on_delete_reply(struct ike_sa *sa, const struct ike_msg *msg,
				 const struct ike_chain *in)
{
	struct ike_child *c = ike_child_by_spi_in(sa, sa->delete_spi);

	(void)msg;
	(void)in;
	/* The peer has stopped sending on it: now it can go. */
	if (c) {
		ike_child_uninstall(sa, c);
		ike_child_release(sa, c);
	}
	sa->delete_spi = 0;
}

/**
 * ike_info_delete_child - delete a child, and tell the peer
 * @sa: the SA
 * @c: the child
 *
 * Its SAs stay in veil.ko until the peer answers: packets the peer sent
 * before it saw the Delete still find the inbound SA, and the outbound SA
 * is no longer used once a rekey's successor (newer, same reqid) is in.
 *
 * Return: 0 or a negative errno (the child is then removed at once).
 */
int ike_info_delete_child(struct ike_sa *sa, struct ike_child *c)
{
	uint8_t buf[64];
	uint32_t spi = htonl(c->spi_in);
	struct ike_builder b;
	struct ike_delete del = {
		.proto = c->proto == VEIL_PROTO_AH ? IKEV2_PROTO_AH : IKEV2_PROTO_ESP,
		.spi_size = 4, .n_spis = 1, .spis = (const uint8_t *)&spi,
	};
	int ret;

	ike_sa_log(sa, 1, "deleting child %s (SPIs %08x_i %08x_o)", c->cfg->name, c->spi_in,
		   c->spi_out);
	ike_msg_chain_init(&b, buf, sizeof(buf));
	ret = ike_msg_add_delete(&b, &del);
	if (!ret)
		ret = ike_sa_request(sa, IKEV2_EXCH_INFORMATIONAL, &b, info_on_delete_reply);
	if (ret) {
		ike_child_uninstall(sa, c);
		ike_child_release(sa, c);
		return ret;
	}
	sa->delete_spi = c->spi_in;
	c->rekeyed = true;	/* nothing more to do for it */
	return 0;
}

/* The child whose SPI the peer chose (its inbound = our outbound). */
static struct ike_child *info_child_by_peer_spi(struct ike_sa *sa, uint8_t proto, uint32_t spi)
{
	struct ike_child *c;

	for (c = sa->children; c; c = c->next)
		if (c->spi_out == spi && c->proto == proto)
			return c;
	return NULL;
}

/**
 * ike_info_respond - the peer's INFORMATIONAL request
 * @sa: the SA
 * @msg: the request
 * @in: its inner payloads
 */
void ike_info_respond(struct ike_sa *sa, const struct ike_msg *msg, const struct ike_chain *in)
{
	uint8_t buf[INFO_MSG_MAX], spis[4 * INFO_MAX_SPIS];
	struct ike_delete del, ours = { .spi_size = 4 };
	const struct ike_payload *pl;
	struct ike_msg_err e;
	struct ike_builder b;
	struct ike_child *c;
	bool delete_ike = false;
	uint32_t spi;
	size_t i, k;

	ike_msg_chain_init(&b, buf, sizeof(buf));
	for (i = 0; i < in->n; i++) {
		pl = &in->pl[i];
		if (pl->type != IKEV2_PL_DELETE || ike_msg_parse_delete(pl->body, pl->len, &del, &e))
			continue;
		if (del.proto == IKEV2_PROTO_IKE) {
			delete_ike = true;
			continue;
		}
		/* §1.4.1: answer with the SPIs of our halves of the same children */
		ours.proto = del.proto;
		ours.n_spis = 0;
		ours.spis = spis;
		for (k = 0; k < del.n_spis; k++) {
			spi = ike_msg_delete_spi(&del, k);
			c = info_child_by_peer_spi(sa, del.proto == IKEV2_PROTO_AH ?
						   VEIL_PROTO_AH : VEIL_PROTO_ESP, spi);
			if (!c)
				continue;
			ike_sa_log(sa, 1, "the peer deletes child %s", c->cfg->name);
			if (ours.n_spis < INFO_MAX_SPIS) {
				uint32_t n = htonl(c->spi_in);

				memcpy(spis + 4 * ours.n_spis++, &n, 4);
			}
			ike_action_child_closed(sa, c);
		}
		if (ours.n_spis)
			ike_msg_add_delete(&b, &ours);
	}
	if (delete_ike) {
		/* §1.4.1: an empty answer, then the SA and its children are gone */
		ike_msg_chain_init(&b, buf, sizeof(buf));
		ike_sa_respond(sa, &msg->hdr, &b);
		ike_action_sa_end(sa, IKE_END_PEER_CLOSED, "the peer deleted the IKE SA");
		return;
	}
	ike_sa_respond(sa, &msg->hdr, &b);
}
