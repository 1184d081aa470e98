// SPDX-License-Identifier: GPL-2.0
/*
 * The codec's SA payload (struct ike_sa_payload, transforms in wire order)
 * and proposal.c's struct ike_prop (transforms grouped by type) are two
 * views of the same proposals; these turn one into the other.
 */
#include <string.h>

#include "daemon.h"

/**
 * ike_props_from_payload - a peer's SA payload as proposals
 * @sa: the parsed payload
 * @props: filled in
 * @max: room in @props
 * @n: set to how many were filled
 *
 * A proposal with a transform type or attribute this end does not know is
 * kept, flagged IKE_PROP_F_UNKNOWN, so that selection skips it (RFC 7296
 * §3.3.6) while its number still counts.
 *
 * Return: 0.
 */
int ike_props_from_payload(const struct ike_sa_payload *sa, struct ike_prop *props,
			   size_t max, size_t *n)
{
	const struct ike_proposal *p;
	struct ike_prop_list *l;
	size_t i, j;

	*n = 0;
	for (i = 0; i < sa->n_proposals && *n < max; i++) {
		struct ike_prop *o = &props[(*n)++];

		p = &sa->prop[i];
		memset(o, 0, sizeof(*o));
		o->proto = p->proto;
		o->num = p->num;
		o->spi_len = p->spi_size;
		memcpy(o->spi, p->spi, p->spi_size);
		for (j = 0; j < p->n_transforms; j++) {
			const struct ike_transform *t = &p->tr[j];

			if (t->type < 1 || t->type > IKE_PROP_NTYPES || t->unknown_attrs) {
				o->flags |= IKE_PROP_F_UNKNOWN;
				continue;
			}
			l = &o->xf[IKE_PROP_IDX(t->type)];
			if (l->n == IKE_PROP_MAX_TRANSFORMS)
				continue;
			l->t[l->n].type = t->type;
			l->t[l->n].id = t->id;
			l->t[l->n].keylen = t->key_len;
			l->n++;
		}
	}
	return 0;
}

/**
 * ike_props_to_payload - proposals as an SA payload to send
 * @props: the proposals, numbered
 * @n: how many
 * @sa: filled in
 */
void ike_props_to_payload(const struct ike_prop *props, size_t n, struct ike_sa_payload *sa)
{
	size_t i, k;
	int type;

	memset(sa, 0, sizeof(*sa));
	for (i = 0; i < n && i < IKE_MSG_MAX_PROPOSALS; i++) {
		struct ike_proposal *p = &sa->prop[sa->n_proposals++];

		p->num = props[i].num ? props[i].num : i + 1;
		p->proto = props[i].proto;
		p->spi_size = props[i].spi_len;
		memcpy(p->spi, props[i].spi, props[i].spi_len);
		for (type = IKEV2_TRANS_ENCR; type <= IKEV2_TRANS_ESN; type++) {
			const struct ike_prop_list *l = &props[i].xf[IKE_PROP_IDX(type)];

			for (k = 0; k < l->n && p->n_transforms < IKE_MSG_MAX_TRANSFORMS; k++) {
				struct ike_transform *t = &p->tr[p->n_transforms++];

				t->type = type;
				t->id = l->t[k].id;
				t->key_len = l->t[k].keylen;
			}
		}
	}
}
