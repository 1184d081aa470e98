/* SPDX-License-Identifier: GPL-2.0 */
/*
 * veil-iked's side of veil.ko: installing and removing Child SAs and their
 * policies, handing over the NAT-T socket, and the acquire and expire
 * events that start negotiations and rekeys.
 */
#ifndef VEIL_IKED_KERNEL_H
#define VEIL_IKED_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "ts.h"

/**
 * struct iked_kernel - veil-iked's two netlink connections
 * @nl: requests
 * @ev: the "events" group: acquire-ntf and sa-expire-ntf
 */
struct iked_kernel {
	struct veil_nl nl;
	struct veil_nl ev;
};

/**
 * struct iked_kernel_sa - one direction of a Child SA, as veil.ko takes it
 * @family: AF_INET or AF_INET6 (of @src and @dst)
 * @src: source address
 * @dst: destination address
 * @proto: VEIL_PROTO_ESP or VEIL_PROTO_AH
 * @spi: SPI, host order
 * @mode: VEIL_MODE_TUNNEL or VEIL_MODE_TRANSPORT
 * @reqid: ties the SA to its policies' templates
 * @if_id: interface ID, 0 for none
 * @replay_window: packets; 0 for none (outbound SAs)
 * @esn: extended sequence numbers
 * @align4: IPv4 AH padded to 4 bytes (as strongSwan's, RFC 4302)
 * @aead: @enc_alg is an AEAD (and @auth_alg is NULL)
 * @enc_alg: kernel crypto API name: "rfc4106(gcm(aes))", "cbc(aes)"; NULL
 *	for AH
 * @enc_key: its key (with the salt, for AEADs)
 * @enc_keylen: its length
 * @icv_bits: the AEAD's ICV length in bits
 * @auth_alg: "hmac(sha256)"..., or NULL
 * @auth_key: its key
 * @auth_keylen: its length
 * @trunc_bits: its truncation in bits
 * @soft_bytes: bytes before sa-expire-ntf (soft), 0 for no limit
 * @hard_bytes: bytes before the SA is deleted
 * @soft_packets: likewise in packets
 * @hard_packets: likewise
 * @soft_secs: seconds after it is added before sa-expire-ntf (soft)
 * @hard_secs: seconds after which it is deleted
 * @encap: UDP-encapsulated (NAT-T)
 * @encap_sport: UDP source port, host order
 * @encap_dport: UDP destination port, host order
 * @oaddr: with @encap, inbound transport mode: the peer's own address
 *	(NAT-OA), to mend checksums; NULL when not known
 * @oseq: the last sequence number sent, 0 for a new SA
 * @update: replace the SA with the same destination, SPI and protocol
 *	(sa-update, which keeps its counters and sequence numbers)
 */
struct iked_kernel_sa {
	int family;
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t proto;
	uint32_t spi;
	uint8_t mode;
	uint32_t reqid;
	uint32_t if_id;
	uint32_t replay_window;
	bool esn;
	bool align4;
	bool aead;
	const char *enc_alg;
	const uint8_t *enc_key;
	size_t enc_keylen;
	uint32_t icv_bits;
	const char *auth_alg;
	const uint8_t *auth_key;
	size_t auth_keylen;
	uint32_t trunc_bits;
	uint64_t soft_bytes;
	uint64_t hard_bytes;
	uint64_t soft_packets;
	uint64_t hard_packets;
	uint32_t soft_secs;
	uint32_t hard_secs;
	bool encap;
	uint16_t encap_sport;
	uint16_t encap_dport;
	const uint8_t *oaddr;
	uint64_t oseq;
	bool update;
};

/**
 * struct iked_kernel_sa_state - what veil.ko says of an SA now
 * @bytes: bytes it carried
 * @packets: packets
 * @use_time: when it was last used (seconds since the epoch), 0 if never
 * @oseq: the last sequence number it sent
 */
struct iked_kernel_sa_state {
	uint64_t bytes;
	uint64_t packets;
	uint64_t use_time;
	uint64_t oseq;
};

/**
 * struct iked_kernel_policy - one direction of a Child SA's policy
 * @src: the selector's source (addresses, protocol, ports)
 * @dst: its destination
 * @dir: VEIL_DIR_IN, VEIL_DIR_OUT or VEIL_DIR_FWD
 * @block: a blocking policy (no template)
 * @bypass: a policy that lets its packets pass in clear (no template)
 * @priority: lower wins
 * @if_id: interface ID, 0 for none
 * @family: the template's address family (tunnel mode)
 * @tmpl_src: the template's source (tunnel mode: the outer address)
 * @tmpl_dst: its destination
 * @proto: VEIL_PROTO_ESP or VEIL_PROTO_AH
 * @mode: VEIL_MODE_*
 * @reqid: the SAs' reqid
 */
struct iked_kernel_policy {
	struct iked_ts src;
	struct iked_ts dst;
	uint8_t dir;
	bool block;
	bool bypass;
	uint32_t priority;
	uint32_t if_id;
	int family;
	uint8_t tmpl_src[16];
	uint8_t tmpl_dst[16];
	uint8_t proto;
	uint8_t mode;
	uint32_t reqid;
};

/**
 * struct iked_kernel_event - what veil.ko told the daemon
 * @type: VEIL_CMD_ACQUIRE_NTF or VEIL_CMD_SA_EXPIRE_NTF
 * @family: the SA's, or the template's, address family
 * @src: acquire: the template's source (or the packet's, when it has none);
 *	expire: the SA's
 * @dst: likewise, destination
 * @flow: acquire: the packet that found no SA, as a one-host selector pair
 * @flow_dst: its destination
 * @proto: the SA's or the template's protocol
 * @spi: expire: the SA's SPI
 * @reqid: the SA's or the template's reqid
 * @if_id: the SA's or the policy's interface ID
 * @hard: expire: a hard limit was reached, and the SA is gone
 */
struct iked_kernel_event {
	int type;
	int family;
	uint8_t src[16];
	uint8_t dst[16];
	struct iked_ts flow;
	struct iked_ts flow_dst;
	uint8_t proto;
	uint32_t spi;
	uint32_t reqid;
	uint32_t if_id;
	bool hard;
};

typedef void (*iked_kernel_event_fn)(const struct iked_kernel_event *ev, void *arg);

int iked_kernel_open(struct iked_kernel *k, char *err, size_t errlen);
void iked_kernel_close(struct iked_kernel *k);
int iked_kernel_events_fd(const struct iked_kernel *k);
int iked_kernel_events(struct iked_kernel *k, iked_kernel_event_fn fn, void *arg);
int iked_kernel_sa_add(struct iked_kernel *k, const struct iked_kernel_sa *sa, char *err,
		       size_t errlen);
int iked_kernel_sa_del(struct iked_kernel *k, int family, const uint8_t *dst, uint8_t proto,
		       uint32_t spi, char *err, size_t errlen);
int iked_kernel_sa_state(struct iked_kernel *k, int family, const uint8_t *dst, uint8_t proto,
			 uint32_t spi, struct iked_kernel_sa_state *st);
int iked_kernel_policy_add(struct iked_kernel *k, const struct iked_kernel_policy *p,
			   char *err, size_t errlen);
int iked_kernel_policy_del(struct iked_kernel *k, const struct iked_kernel_policy *p,
			   char *err, size_t errlen);
int iked_kernel_encap_sock(struct iked_kernel *k, int fd, char *err, size_t errlen);

#endif /* VEIL_IKED_KERNEL_H */
