/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 */

#ifndef _VEIL_SA_H
#define _VEIL_SA_H

#include <linux/atomic.h>
#include <linux/llist.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "addr.h"

struct crypto_aead;
struct crypto_ahash;
struct dst_cache;
struct veil_replay;
struct netlink_ext_ack;
struct veil_crypto_alg;
struct veil_net;

/**
 * struct veil_sa_alg - one algorithm of an SA, with its key
 * @alg: the algorithm, from veil's table
 * @bits: AEAD: ICV length; auth: truncated ICV length; cipher: 0
 * @key_len: length of @key in bytes, salt included
 * @key: the key; wiped when the SA is freed
 */
struct veil_sa_alg {
	const struct veil_crypto_alg *alg;
	u16 bits;
	u16 key_len;
	u8 key[];
};

/**
 * struct veil_lifetime - limits on an SA's life; 0 means none
 * @soft_bytes: bytes after which a soft expire event is sent
 * @hard_bytes: bytes after which the SA is deleted
 * @soft_packets: packets, as @soft_bytes
 * @hard_packets: packets, as @hard_bytes
 * @soft_add: seconds after the add, as @soft_bytes
 * @hard_add: seconds after the add, as @hard_bytes
 * @soft_use: seconds after first use, as @soft_bytes
 * @hard_use: seconds after first use, as @hard_bytes
 */
struct veil_lifetime {
	u64 soft_bytes;
	u64 hard_bytes;
	u64 soft_packets;
	u64 hard_packets;
	u64 soft_add;
	u64 hard_add;
	u64 soft_use;
	u64 hard_use;
};

/**
 * struct veil_encap - UDP encapsulation of ESP (RFC 3948)
 * @oaddr: original address before NAT, if @has_oaddr
 * @type: UDP_ENCAP_ESPINUDP or UDP_ENCAP_ESPINUDP_NON_IKE; 0 for none
 * @sport: UDP source port, host order
 * @dport: UDP destination port, host order
 * @has_oaddr: @oaddr was given
 */
struct veil_encap {
	union veil_addr oaddr;
	u16 type;
	u16 sport;
	u16 dport;
	bool has_oaddr;
};

/**
 * struct veil_sa_key - what identifies an SA on input (RFC 4301 4.1)
 * @dst: destination address
 * @spi: SPI, host order
 * @family: AF_INET or AF_INET6
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @pad: zero, so the key can be hashed as bytes
 */
struct veil_sa_key {
	union veil_addr dst;
	u32 spi;
	u16 family;
	u8 proto;
	u8 pad;
};

/**
 * struct veil_sa_tkey - what an outbound policy template selects SAs by
 * @dst: destination address
 * @reqid: the template's reqid
 * @family: AF_INET or AF_INET6
 * @proto: IPPROTO_ESP or IPPROTO_AH
 * @pad: zero, so the key can be hashed as bytes
 */
struct veil_sa_tkey {
	union veil_addr dst;
	u32 reqid;
	u16 family;
	u8 proto;
	u8 pad;
};

/**
 * struct veil_sa_tgroup - the SAs that share one template key
 * @node: in veil_sa_tables.by_tmpl, by @key
 * @key: (dst, reqid, proto, family)
 * @sas: the SAs, newest first (RCU list, written under conf_lock)
 * @count: entries in @sas (under conf_lock)
 * @rcu: frees the group after readers are gone
 *
 * A group with an hlist rather than an rhltable entry per SA: removing an
 * SA is O(1) even when a great many share a reqid and destination.
 */
struct veil_sa_tgroup {
	struct rhash_head node;
	struct veil_sa_tkey key;
	struct hlist_head sas;
	unsigned int count;
	struct rcu_head rcu;
};

/**
 * struct veil_sa_tables - the lookup indexes of one namespace's SAD
 * @by_spi: SAs by (dst, spi, proto, family), for inbound packets
 * @by_tmpl: groups of SAs by (dst, reqid, proto, family), for outbound
 *	packets matched to a policy template
 * @free_node: on the reaper's list once a flush has replaced them
 *
 * Reached through veil_net.sa_tables, so that flushing every SA swaps in
 * empty tables with one pointer store rather than unlinking SAs one by
 * one; the old tables are destroyed after a grace period, before the SAs
 * they held are freed.
 */
struct veil_sa_tables {
	struct rhashtable by_spi;
	struct rhashtable by_tmpl;
	struct llist_node free_node;
};

/**
 * struct veil_sa_stats - what an SA has seen
 * @packets: packets protected or accepted
 * @bytes: their payload bytes
 * @replay_drops: packets dropped as replays or outside the window
 * @integrity_failures: packets whose ICV did not verify
 * @other_drops: packets dropped for any other reason
 * @bad_padding: inbound packets whose trailer was not well formed
 * @policy_drops: inbound packets decrypted, then refused by the SPD
 */
struct veil_sa_stats {
	u64 packets;
	u64 bytes;
	u64 replay_drops;
	u64 integrity_failures;
	u64 other_drops;
	u64 bad_padding;
	u64 policy_drops;
};

/**
 * struct veil_sa - a security association
 * @node: in veil_sa_tables.by_spi, by @key
 * @tnode: in @tgroup's list
 * @tgroup: the SAs sharing @tkey, in veil_sa_tables.by_tmpl
 * @key: (dst, spi, proto, family)
 * @tkey: (dst, reqid, proto, family)
 * @src: source address
 * @vn: the namespace's state; the SA never outlives it
 * @id: index in veil_net.sa_ids, the dump cursor
 * @mode: VEIL_MODE_TRANSPORT or VEIL_MODE_TUNNEL
 * @reqid: request id tying the SA to policy templates
 * @if_id: interface id, 0 for none
 * @flags: VEIL_SA_FLAGS_*
 * @replay_window: anti-replay window in packets
 * @replay_seq: highest sequence number received, low half
 * @replay_seq_hi: high half, with ESN
 * @replay_oseq: last sequence number sent, low half
 * @replay_oseq_hi: high half, with ESN
 * @aead: AEAD, or NULL
 * @enc: cipher, or NULL
 * @auth: authentication, or NULL
 * @tfm: ESP: the keyed transform @aead, or @enc with @auth, runs on
 *	(sa_crypto.c); NULL for AH
 * @ahash: AH: the keyed integrity transform (ah.c); NULL for ESP
 * @replay: inbound anti-replay window, under @lock (replay.c)
 * @oseq: the last sequence number sent, all 64 bits (the high half stays
 *	0 without ESN); the output path takes the next one atomically
 * @route: outbound tunnel mode: the route to @key.dst, cached per CPU;
 *	allocated on first use (esp_output.c), NULL until then
 * @lft: lifetime limits
 * @encap: UDP encapsulation
 * @sel: selector; family 0 when the SA has none
 * @add_time: when it was added, real seconds
 * @add_mono: the same in boot-time nanoseconds, for deadlines
 * @lock: protects @stats, @use_time, @use_mono and @soft_sent, which the
 *	datapath updates
 * @stats: counters
 * @use_time: first use, real seconds, 0 if never
 * @use_mono: the same in boot-time nanoseconds, 0 if never
 * @soft_sent: the soft expire event went out
 * @exhausted: the sequence numbers ran out (2^32-1 without ESN): a hard
 *	expiry, whatever the limits say
 * @dead: unlinked from the tables (set under veil_net.conf_lock)
 * @lft_work: fires at the next time limit; holds a reference while queued
 * @refcnt: one for the tables, one per queued @lft_work, one per user
 * @free_node: on the list of SAs waiting for a grace period to be freed
 *
 * Everything but @lock's fields is fixed once the SA is published: an
 * update replaces the whole SA, so lockless readers always see one
 * consistent version.
 */
struct veil_sa {
	struct rhash_head node;
	struct hlist_node tnode;
	struct veil_sa_tgroup *tgroup;
	struct veil_sa_key key;
	struct veil_sa_tkey tkey;
	union veil_addr src;
	struct veil_net *vn;
	u32 id;
	u8 mode;
	u32 reqid;
	u32 if_id;
	u32 flags;
	u32 replay_window;
	u32 replay_seq;
	u32 replay_seq_hi;
	u32 replay_oseq;
	u32 replay_oseq_hi;
	struct veil_sa_alg *aead;
	struct veil_sa_alg *enc;
	struct veil_sa_alg *auth;
	struct crypto_aead *tfm;
	struct crypto_ahash *ahash;
	struct veil_replay *replay;
	atomic64_t oseq;
	struct dst_cache __rcu *route;
	struct veil_lifetime lft;
	struct veil_encap encap;
	struct veil_selector sel;
	time64_t add_time;
	u64 add_mono;

	spinlock_t lock;
	struct veil_sa_stats stats;
	time64_t use_time;
	u64 use_mono;
	bool soft_sent;
	bool exhausted;

	bool dead;
	struct delayed_work lft_work;
	refcount_t refcnt;
	struct llist_node free_node;
};

extern unsigned int veil_sa_limit;

int veil_sa_init(void);
void veil_sa_uninit(void);
int veil_sa_net_init(struct veil_net *vn);
void veil_sa_net_exit(struct veil_net *vn);

struct veil_sa *veil_sa_alloc(void);
void veil_sa_put(struct veil_sa *sa);
int veil_sa_add(struct veil_net *vn, struct veil_sa *sa, bool replace,
		struct netlink_ext_ack *extack);
struct veil_sa *veil_sa_lookup(struct veil_net *vn, const struct veil_sa_key *key);
struct veil_sa *veil_sa_lookup_tmpl(struct veil_net *vn,
				    const struct veil_sa_tkey *tkey,
				    const union veil_addr *src, u8 mode, u32 spi,
				    const struct veil_flow *flow);
void veil_sa_del(struct veil_net *vn, struct veil_sa *sa);
unsigned int veil_sa_flush(struct veil_net *vn, u8 proto);
struct veil_sa *veil_sa_next(struct veil_net *vn, unsigned long *id);
int veil_sa_account(struct veil_sa *sa, unsigned int bytes);
void veil_sa_exhaust(struct veil_sa *sa);

/* sa_crypto.c */
int veil_sa_crypto_init(struct veil_sa *sa, struct netlink_ext_ack *extack);
void veil_sa_crypto_free(struct veil_sa *sa);
void veil_sa_stats_read(struct veil_sa *sa, struct veil_sa_stats *stats,
			time64_t *use_time);
void veil_sa_seq_read(struct veil_sa *sa, u64 *seq, u64 *oseq);

#endif /* _VEIL_SA_H */
