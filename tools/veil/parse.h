/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Turning `ip xfrm`-style words into veil requests (and `veil link` words
 * into rtnetlink ones). Nothing here needs a
 * socket: parsers fill a struct or an nl_msg and explain failure in a
 * struct veil_perr, so tests/parse_test.c can run them on any host.
 */
#ifndef VEIL_PARSE_H
#define VEIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netlink/msg.h>
#include <linux/veil.h>

/**
 * struct veil_perr - why a command line was refused
 * @msg: one line, without the "veil: " prefix
 */
struct veil_perr {
	char msg[320];
};

int veil_perr(struct veil_perr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * struct veil_addr - an address, possibly with a prefix length
 * @family: AF_INET or AF_INET6
 * @plen: prefix length; the full host length when none was given
 * @bytes: the address in network order; 4 or 16 bytes are used
 */
struct veil_addr {
	uint16_t family;
	uint8_t plen;
	uint8_t bytes[16];
};

static inline int veil_addr_len(const struct veil_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/**
 * struct veil_args - a cursor over the words of one command
 * @argc: number of words
 * @argv: the words
 * @i: index of the next word
 * @e: where to explain a refusal
 */
struct veil_args {
	int argc;
	char **argv;
	int i;
	struct veil_perr *e;
};

const char *veil_args_peek(const struct veil_args *a);
const char *veil_args_next(struct veil_args *a);
int veil_args_value(struct veil_args *a, const char *kw, const char **val);
int veil_args_unknown(struct veil_args *a, const char *word, const char *where);

/* A name of an enum value, as the command line and the output spell it. */
struct veil_name {
	const char *name;
	int value;
};

extern const struct veil_name veil_xfrm_proto_names[];
extern const struct veil_name veil_mode_names[];
extern const struct veil_name veil_dir_names[];
extern const struct veil_name veil_action_names[];
extern const struct veil_name veil_level_names[];
extern const struct veil_name veil_encap_names[];
extern const struct veil_name veil_sa_flag_names[];
extern const struct veil_name veil_family_names[];

const char *veil_name_of(const struct veil_name *tab, int value);
int veil_lookup(const struct veil_name *tab, const char *s, int *value);

int veil_parse_range(struct veil_perr *e, const char *what, const char *s,
		     uint64_t min, uint64_t max, uint64_t *v);
int veil_parse_u64(struct veil_perr *e, const char *what, const char *s,
		   uint64_t max, uint64_t *v);
int veil_parse_u32(struct veil_perr *e, const char *what, const char *s,
		   uint32_t *v);
int veil_parse_port(struct veil_perr *e, const char *what, const char *s,
		    uint16_t *v);
int veil_parse_addr(struct veil_perr *e, const char *what, const char *s,
		    struct veil_addr *a);
int veil_parse_prefix(struct veil_perr *e, const char *what, const char *s,
		      struct veil_addr *a);
int veil_parse_key(struct veil_perr *e, const char *what, const char *s,
		   uint8_t *buf, size_t *len);
int veil_parse_ulproto(struct veil_perr *e, const char *s, uint8_t *proto);
int veil_parse_xfrm_proto(struct veil_perr *e, const char *s, uint8_t *proto);
int veil_parse_mode(struct veil_perr *e, const char *s, uint8_t *mode);
bool veil_prefix_match(const uint8_t *addr, const uint8_t *prefix,
		       unsigned int plen);
int veil_split_line(char *line, char **argv, int max, struct veil_perr *e);

/**
 * struct veil_sel - a traffic selector as typed
 * @src: source prefix, when @has_src
 * @dst: destination prefix, when @has_dst
 * @proto: upper-layer protocol, 0 for any
 * @sport: source port, 0 for any
 * @dport: destination port, 0 for any
 */
struct veil_sel {
	bool has_src, has_dst;
	struct veil_addr src, dst;
	uint8_t proto;
	uint16_t sport, dport;
};

bool veil_sel_word(const struct veil_sel *s, const char *word);
int veil_sel_take(struct veil_args *a, struct veil_sel *s);
int veil_sel_put(struct nl_msg *msg, int attr, const struct veil_sel *s,
		 uint16_t default_family, struct veil_perr *e);

/* Which fields of a list filter were given. */
enum {
	VEIL_FILTER_SRC		= 1 << 0,
	VEIL_FILTER_DST		= 1 << 1,
	VEIL_FILTER_PROTO	= 1 << 2,
	VEIL_FILTER_SPI		= 1 << 3,
	VEIL_FILTER_REQID	= 1 << 4,
	VEIL_FILTER_MODE	= 1 << 5,
	VEIL_FILTER_DIR		= 1 << 6,
};

/**
 * struct veil_filter - what `sa list` and `policy list` keep from a dump
 * @set: VEIL_FILTER_* bits of the fields given
 * @src: SA source, or a prefix the policy's selector source must lie in
 * @dst: likewise for the destination
 * @proto: SA protocol (VEIL_PROTO_*)
 * @mode: SA mode
 * @dir: policy direction
 * @spi: SA SPI
 * @reqid: SA reqid
 */
struct veil_filter {
	unsigned int set;
	struct veil_addr src, dst;
	uint8_t proto, mode, dir;
	uint32_t spi, reqid;
};

/* Which u32 attributes an SA has; indexed by VEIL_A_SA_*. */
#define VEIL_SA_NATTR (VEIL_A_SA_MAX + 1)

/**
 * struct veil_sa_alg - one algorithm with its key: aead, enc, auth or
 *	auth-trunc
 * @set: given
 * @name: the kernel crypto API's name
 * @key: the key
 * @keylen: its length
 * @bits: ICV length (aead) or truncation (auth-trunc), when @has_bits
 * @has_bits: @bits was given
 */
struct veil_sa_alg {
	bool set;
	const char *name;
	uint8_t key[VEIL_KEY_MAX_LEN];
	size_t keylen;
	uint32_t bits;
	bool has_bits;
};

/**
 * struct veil_sa_args - an SA: what `sa add` parsed, or what veil-iked
 *	negotiated; veil_sa_put_new() turns either into a request
 * @src: source address
 * @dst: destination address
 * @oaddr: NAT-T original address, with @has_encap
 * @has_src: @src given
 * @has_dst: @dst given
 * @has_encap: UDP encapsulation given (@encap_*)
 * @has_sel: selector given (@sel)
 * @proto: VEIL_PROTO_*
 * @mode: VEIL_MODE_*, with has[VEIL_A_SA_MODE]
 * @u32: spi, reqid, if_id, replay-*, flags, by attribute, with @has
 * @has: which of @u32 (and mode) were given
 * @aead: an AEAD algorithm
 * @enc: a cipher
 * @auth: an integrity algorithm
 * @life: lifetime limits by VEIL_A_LIFETIME_*, with @has_life
 * @has_life: which of @life were given
 * @encap_type: VEIL_ENCAP_TYPE_*
 * @encap_sport: UDP source port
 * @encap_dport: UDP destination port
 * @sel: the selector
 */
struct veil_sa_args {
	struct veil_addr src, dst, oaddr;
	bool has_src, has_dst, has_encap, has_sel;
	uint8_t proto, mode;
	uint32_t u32[VEIL_SA_NATTR];
	bool has[VEIL_SA_NATTR];
	struct veil_sa_alg aead, enc, auth;
	uint64_t life[VEIL_A_LIFETIME_MAX + 1];
	bool has_life[VEIL_A_LIFETIME_MAX + 1];
	uint16_t encap_type, encap_sport, encap_dport;
	struct veil_sel sel;
};

/* The spec's limit on templates per policy. */
#define VEIL_POLICY_MAX_TMPL 6

/* A policy template; each field with its has_ flag. */
struct veil_pol_tmpl {
	bool has_src, has_dst, has_proto, has_spi, has_mode, has_reqid, has_level;
	struct veil_addr src, dst;
	uint8_t proto, mode, level;
	uint32_t spi, reqid;
};

/**
 * struct veil_pol_args - a policy: what `policy add` parsed, or what
 *	veil-iked built; veil_policy_put_new() turns either into a request
 * @sel: its selector
 * @has_dir: and so on: which fields were given
 * @dir: VEIL_DIR_*
 * @action: VEIL_ACTION_*
 * @prio: priority
 * @if_id: interface ID
 * @index: index (get, del)
 * @tmpl: templates
 * @ntmpl: how many
 */
struct veil_pol_args {
	struct veil_sel sel;
	bool has_dir, has_action, has_prio, has_if_id, has_index;
	uint8_t dir, action;
	uint32_t prio, if_id, index;
	struct veil_pol_tmpl tmpl[VEIL_POLICY_MAX_TMPL];
	int ntmpl;
};

/* sa_parse.c */
int veil_sa_put_id(struct nl_msg *msg, const struct veil_sa_args *s);
int veil_sa_put_new(struct nl_msg *msg, const struct veil_sa_args *s, struct veil_perr *e);
int veil_sa_parse_new(int argc, char **argv, struct nl_msg *msg,
		      struct veil_perr *e);
int veil_sa_parse_id(int argc, char **argv, struct nl_msg *msg,
		     struct veil_perr *e);
int veil_sa_parse_flush(int argc, char **argv, struct nl_msg *msg,
			struct veil_perr *e);
int veil_sa_parse_filter(int argc, char **argv, struct veil_filter *f,
			 struct veil_perr *e);
bool veil_sa_filter_match(const struct veil_filter *f, struct nlattr **tb);

/* policy_parse.c */
int veil_policy_put_new(struct nl_msg *msg, const struct veil_pol_args *p, struct veil_perr *e);
int veil_policy_put_id(struct nl_msg *msg, const struct veil_pol_args *p, struct veil_perr *e);
int veil_policy_parse_new(int argc, char **argv, struct nl_msg *msg,
			  struct veil_perr *e);
int veil_policy_parse_id(int argc, char **argv, struct nl_msg *msg,
			 struct veil_perr *e);
int veil_policy_parse_filter(int argc, char **argv, struct veil_filter *f,
			     struct veil_perr *e);
int veil_policy_parse_lookup(int argc, char **argv, struct nl_msg *msg,
			     struct veil_perr *e);
bool veil_policy_filter_match(const struct veil_filter *f, struct nlattr **tb);

/* encap_parse.c */
int veil_encap_parse_new(int argc, char **argv, struct nl_msg *msg,
			 struct veil_perr *e);
int veil_encap_parse_del(int argc, char **argv, struct nl_msg *msg,
			 struct veil_perr *e);

/* link_parse.c: rtnetlink requests, which start with a struct ifinfomsg */
struct nl_msg *veil_link_msg_new(int type, int flags);
int veil_link_put_name(struct nl_msg *msg, const char *name, struct veil_perr *e);
const char *veil_link_msg_name(struct nl_msg *msg);
int veil_link_parse_add(int argc, char **argv, struct nl_msg *msg,
			struct veil_perr *e);
int veil_link_parse_del(int argc, char **argv, struct nl_msg *msg,
			struct veil_perr *e);
int veil_link_parse_show(int argc, char **argv, struct nl_msg *msg,
			 struct veil_perr *e);

#endif
