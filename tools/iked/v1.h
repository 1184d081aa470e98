/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 (RFC 2409) in veil-iked; see v1.c.
 */
#ifndef VEIL_IKED_V1_H
#define VEIL_IKED_V1_H

struct iked;
struct iked_conn_cfg;
struct iked_child_cfg;
struct iked_dgram;
struct ike_v1;
struct ike_sa;

#include <stdbool.h>

int ike_v1_start(struct iked *d, const struct iked_conn_cfg *conn,
		 const struct iked_child_cfg *child);
void ike_v1_receive(struct iked *d, struct iked_dgram *dg);
void ike_v1_delete(struct ike_sa *sa, bool tell_peer);
void ike_v1_kick(struct ike_sa *sa);
void ike_v1_free(struct ike_v1 *v);
int ike_v1_dpd(struct ike_sa *sa);
int ike_v1_rekey(struct ike_sa *sa);
const struct iked_child_cfg *ike_v1_qm_new_child(const struct ike_sa *sa);

#endif /* VEIL_IKED_V1_H */
