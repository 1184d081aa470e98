/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An SA, a policy, an encap socket or a veil link from the kernel, decoded
 * once from its netlink attributes into plain C. Text (print.c) and JSON
 * (json.c) are both made from the view, so they cannot disagree, and text
 * needs no JSON object.
 *
 * Decoding allocates nothing: addresses are formatted into the view, while
 * algorithm names and keys point into the message, which must outlive the
 * view.
 */
#ifndef VEIL_VIEW_H
#define VEIL_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <linux/veil.h>

struct nlattr;
struct nlmsghdr;
struct veil_ctx;

/* Room for an address as text: inet_ntop()'s, or "?". */
#define VEIL_ADDR_STRLEN	INET6_ADDRSTRLEN

/* Room for a key as text: "0x", two digits a byte, NUL. */
#define VEIL_KEY_HEX_LEN	(2 * VEIL_KEY_MAX_LEN + 3)

/*
 * Templates kept of a policy. The kernel allows 6 (VEIL_TMPL_MAX in
 * kmod/policy.h, which userland cannot include); more are not printed.
 */
#define VEIL_VIEW_TMPL_MAX	16

/* The bit of a view's @has that stands for attribute @attr of its nest. */
#define VEIL_BIT(attr)		(1u << (attr))
#define VEIL_HAS(v, attr)	(((v)->has & VEIL_BIT(attr)) != 0)

/**
 * struct veil_alg_view - an algorithm of an SA (its aead, enc or auth nest)
 * @has: VEIL_BIT(VEIL_A_KEY_ALG_*) of the attributes sent; the key's bit only
 *	with --keys, as keys are shown with --keys only
 * @name: the algorithm's name, in the message; NULL when not sent
 * @key: the key's bytes, in the message, when @has its bit
 * @key_len: bytes of @key, at most VEIL_KEY_MAX_LEN
 * @icv_len: ICV length in bits; 0 when not sent
 * @trunc_len: truncated ICV length in bits; 0 when not sent
 */
struct veil_alg_view {
	uint32_t has;
	const char *name;
	const uint8_t *key;
	int key_len;
	uint32_t icv_len;
	uint32_t trunc_len;
};

/**
 * struct veil_sel_view - a traffic selector
 * @family: the family attribute, else AF_INET6 for a 16-byte source, else
 *	AF_INET
 * @src: source address; "" when not sent, "?" when not 4 or 16 bytes
 * @dst: destination address, likewise
 * @src_plen: source prefix length; 0 when not sent
 * @dst_plen: destination prefix length; 0 when not sent
 * @proto: upper-layer protocol; 0 (any) when not sent
 * @sport: source port; 0 (any) when not sent
 * @dport: destination port; 0 (any) when not sent
 */
struct veil_sel_view {
	int family;
	char src[VEIL_ADDR_STRLEN];
	char dst[VEIL_ADDR_STRLEN];
	uint8_t src_plen;
	uint8_t dst_plen;
	uint8_t proto;
	uint16_t sport;
	uint16_t dport;
};

/**
 * struct veil_encap_view - an SA's UDP encapsulation
 * @has: VEIL_BIT(VEIL_A_ENCAP_*) of the attributes sent
 * @type: VEIL_ENCAP_TYPE_*; 0 when not sent
 * @sport: source port; 0 when not sent
 * @dport: destination port; 0 when not sent
 * @oaddr: original address; "" when not sent, "?" when not 4 or 16 bytes
 */
struct veil_encap_view {
	uint32_t has;
	uint16_t type;
	uint16_t sport;
	uint16_t dport;
	char oaddr[VEIL_ADDR_STRLEN];
};

/**
 * struct veil_sa_view - one SA
 * @has: VEIL_BIT(VEIL_A_SA_*) of what is shown. That is the attributes sent,
 *	except that an SA with an SPI always has a mode and flags (the
 *	defaults when not sent), that the lifetime is kept only for JSON or
 *	-s, and the counters only for -s.
 * @family: the family attribute, else AF_INET6 for a 16-byte destination,
 *	else AF_INET
 * @src: source address; "" when not sent, "?" when not 4 or 16 bytes
 * @dst: destination address, likewise
 * @proto: VEIL_PROTO_*
 * @mode: VEIL_MODE_*; VEIL_MODE_TRANSPORT when not sent
 * @spi: SPI
 * @reqid: request ID
 * @if_id: XFRM interface ID
 * @replay_window: replay window size
 * @flags: VEIL_SA_FLAGS_*
 * @replay_seq: highest inbound sequence number seen
 * @replay_oseq: last outbound sequence number
 * @replay_seq_hi: high half of @replay_seq with ESN
 * @replay_oseq_hi: high half of @replay_oseq with ESN
 * @aead: the AEAD algorithm
 * @enc: the cipher
 * @auth: the integrity algorithm
 * @lifetime: the limits, indexed by VEIL_A_LIFETIME_*; 0 when not sent
 * @stats: the counters, indexed by VEIL_A_STATS_*; 0 when not sent
 * @encap: the UDP encapsulation
 * @sel: the selector
 *
 * Numbers not sent are 0 unless said otherwise.
 */
struct veil_sa_view {
	uint32_t has;
	int family;
	char src[VEIL_ADDR_STRLEN];
	char dst[VEIL_ADDR_STRLEN];
	uint8_t proto;
	uint8_t mode;
	uint32_t spi;
	uint32_t reqid;
	uint32_t if_id;
	uint32_t replay_window;
	uint32_t flags;
	uint32_t replay_seq;
	uint32_t replay_oseq;
	uint32_t replay_seq_hi;
	uint32_t replay_oseq_hi;
	struct veil_alg_view aead;
	struct veil_alg_view enc;
	struct veil_alg_view auth;
	uint64_t lifetime[VEIL_A_LIFETIME_MAX + 1];
	uint64_t stats[VEIL_A_STATS_MAX + 1];
	struct veil_encap_view encap;
	struct veil_sel_view sel;
};

/**
 * struct veil_tmpl_view - one template of a policy
 * @has: VEIL_BIT(VEIL_A_TMPL_*) of the attributes sent
 * @family: the family attribute, else AF_INET6 for a 16-byte source (or
 *	destination, without a source), else AF_INET
 * @src: tunnel source; "" when not sent, "?" when not 4 or 16 bytes
 * @dst: tunnel destination, likewise
 * @proto: VEIL_PROTO_*
 * @mode: VEIL_MODE_*; VEIL_MODE_TRANSPORT when not sent
 * @level: VEIL_LEVEL_*; VEIL_LEVEL_REQUIRED when not sent
 * @spi: SPI; 0 (any) when not sent
 * @reqid: request ID; 0 when not sent
 */
struct veil_tmpl_view {
	uint32_t has;
	int family;
	char src[VEIL_ADDR_STRLEN];
	char dst[VEIL_ADDR_STRLEN];
	uint8_t proto;
	uint8_t mode;
	uint8_t level;
	uint32_t spi;
	uint32_t reqid;
};

/**
 * struct veil_policy_view - one policy
 * @has: VEIL_BIT(VEIL_A_POLICY_*) of the attributes sent
 * @sel: the selector; all zero when not sent
 * @dir: VEIL_DIR_*
 * @action: VEIL_ACTION_*; VEIL_ACTION_ALLOW when not sent
 * @priority: priority; 0 when not sent
 * @if_id: XFRM interface ID
 * @index: the kernel's index of the policy
 * @n_tmpl: templates in @tmpl
 * @tmpl: the templates, in the order sent
 * @flow: acquire-ntf: the packet that found no SA
 * @tmpl_index: acquire-ntf: the template it found none for
 */
struct veil_policy_view {
	uint32_t has;
	struct veil_sel_view sel;
	uint8_t dir;
	uint8_t action;
	uint32_t priority;
	uint32_t if_id;
	uint32_t index;
	struct veil_sel_view flow;
	uint32_t tmpl_index;
	int n_tmpl;
	struct veil_tmpl_view tmpl[VEIL_VIEW_TMPL_MAX];
};

/**
 * struct veil_encap_sock_view - one UDP encapsulation socket (encap-get)
 * @has: VEIL_BIT(VEIL_A_ENCAP_SOCK_*) of the attributes sent; the kernel
 *	flag's bit says veil opened the socket, else a process handed it over
 * @family: the family attribute, else AF_INET6 for a 16-byte local, else
 *	AF_INET
 * @port: local UDP port; 0 when not sent
 * @local: local address; "" when not sent (any), "?" when not 4 or 16 bytes
 * @esp_packets: ESP packets taken off the socket; 0 when not sent
 * @other_packets: other datagrams; 0 when not sent
 */
struct veil_encap_sock_view {
	uint32_t has;
	int family;
	uint16_t port;
	char local[VEIL_ADDR_STRLEN];
	uint64_t esp_packets;
	uint64_t other_packets;
};

/* Room for a link kind as text; a longer one is cut (and is not "veil"). */
#define VEIL_LINK_KIND_LEN	32

/* Room for an interface name: IFNAMSIZ, which <net/if.h> would bring. */
#define VEIL_IFNAME_LEN		16

/**
 * struct veil_link_view - one interface of an RTM_GETLINK reply or dump
 * @ifindex: its index
 * @flags: its IFF_* flags (IFF_UP: administratively up)
 * @ifname: its name; "" when not sent
 * @kind: its link kind (IFLA_INFO_KIND); "" when it has none
 * @is_veil: @kind is "veil"
 * @has_mtu: the kernel sent IFLA_MTU
 * @mtu: its MTU; 0 when not sent
 * @has_if_id: a veil link whose IFLA_INFO_DATA carried IFLA_VEIL_IF_ID
 * @if_id: the interface id; 0 when not sent
 */
struct veil_link_view {
	int ifindex;
	unsigned int flags;
	char ifname[VEIL_IFNAME_LEN];
	char kind[VEIL_LINK_KIND_LEN];
	bool is_veil;
	bool has_mtu;
	uint32_t mtu;
	bool has_if_id;
	uint32_t if_id;
};

int veil_sa_view_decode(const struct veil_ctx *ctx, struct nlattr *attrs, int len,
			struct veil_sa_view *v);
int veil_policy_view_decode(struct nlattr *attrs, int len, struct veil_policy_view *v);
int veil_encap_sock_view_decode(struct nlattr *attrs, int len,
				struct veil_encap_sock_view *v);
int veil_link_view_decode(const struct nlmsghdr *nlh, struct veil_link_view *v);
char *veil_key_hex(const struct veil_alg_view *a, char *buf);

#endif
