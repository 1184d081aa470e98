// SPDX-License-Identifier: GPL-2.0
/*
 * SAs, policies, encap sockets and veil links as JSON objects whose names
 * are the spec's attribute names (but an encap socket's "owner", for its
 * kernel flag, and a link's "ifname", "mtu" and "up", which are
 * rtnetlink's), for -j. They are built from the same decoded view (view.h) that
 * text is printed from (print.c), so the two never disagree.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/veil.h>

#include "parse.h"
#include "veil.h"
#include "view.h"

static struct json_object *j_family(int family)
{
	return json_object_new_string(family == AF_INET6 ? "inet6" :
				      family == AF_INET ? "inet" : "?");
}

static struct json_object *j_enum(const struct veil_name *tab, int v)
{
	const char *name = veil_name_of(tab, v);

	return name ? json_object_new_string(name) : json_object_new_int(v);
}

/*
 * Every key here is a string literal added once to a fresh object: tell
 * json-c, which then neither copies the key nor looks for an old entry
 * (a third of the cost of building a large dump).
 */
static void j_add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add_ex(o, k, v, JSON_C_OBJECT_ADD_KEY_IS_NEW |
				  JSON_C_OBJECT_KEY_IS_CONSTANT);
}

/* @addr, unless it was not sent (""). */
static void j_add_addr(struct json_object *o, const char *k, const char *addr)
{
	if (addr[0])
		j_add(o, k, json_object_new_string(addr));
}

static void j_add_u32(struct json_object *o, const char *k, bool has, uint32_t v)
{
	if (has)
		j_add(o, k, json_object_new_uint64(v));
}

/* A key is shown only with --keys: null otherwise, and when the kernel sent none. */
static struct json_object *j_alg(const struct veil_alg_view *a)
{
	struct json_object *o = json_object_new_object();
	char hex[VEIL_KEY_HEX_LEN];

	if (VEIL_HAS(a, VEIL_A_KEY_ALG_NAME))
		j_add(o, "name", json_object_new_string(a->name));
	j_add(o, "key", VEIL_HAS(a, VEIL_A_KEY_ALG_KEY) ?
	      json_object_new_string(veil_key_hex(a, hex)) : NULL);
	j_add_u32(o, "icv-len", VEIL_HAS(a, VEIL_A_KEY_ALG_ICV_LEN), a->icv_len);
	j_add_u32(o, "trunc-len", VEIL_HAS(a, VEIL_A_KEY_ALG_TRUNC_LEN), a->trunc_len);
	return o;
}

/* Prefix lengths always; protocol and ports only when not "any". */
static struct json_object *j_selector(const struct veil_sel_view *s)
{
	struct json_object *o = json_object_new_object();

	j_add(o, "family", j_family(s->family));
	j_add_addr(o, "src", s->src);
	j_add_addr(o, "dst", s->dst);
	j_add(o, "src-prefix-len", json_object_new_int(s->src_plen));
	j_add(o, "dst-prefix-len", json_object_new_int(s->dst_plen));
	if (s->proto)
		j_add(o, "proto", json_object_new_int(s->proto));
	if (s->sport)
		j_add(o, "sport", json_object_new_int(s->sport));
	if (s->dport)
		j_add(o, "dport", json_object_new_int(s->dport));
	return o;
}

static const char *const lifetime_names[] = {
	[VEIL_A_LIFETIME_SOFT_BYTES] = "soft-bytes",
	[VEIL_A_LIFETIME_HARD_BYTES] = "hard-bytes",
	[VEIL_A_LIFETIME_SOFT_PACKETS] = "soft-packets",
	[VEIL_A_LIFETIME_HARD_PACKETS] = "hard-packets",
	[VEIL_A_LIFETIME_SOFT_ADD_SECONDS] = "soft-add-seconds",
	[VEIL_A_LIFETIME_HARD_ADD_SECONDS] = "hard-add-seconds",
	[VEIL_A_LIFETIME_SOFT_USE_SECONDS] = "soft-use-seconds",
	[VEIL_A_LIFETIME_HARD_USE_SECONDS] = "hard-use-seconds",
};

static const char *const stats_names[] = {
	[VEIL_A_STATS_PACKETS] = "packets",
	[VEIL_A_STATS_BYTES] = "bytes",
	[VEIL_A_STATS_REPLAY_DROPS] = "replay-drops",
	[VEIL_A_STATS_INTEGRITY_FAILURES] = "integrity-failures",
	[VEIL_A_STATS_OTHER_DROPS] = "other-drops",
	[VEIL_A_STATS_ADD_TIME] = "add-time",
	[VEIL_A_STATS_USE_TIME] = "use-time",
	[VEIL_A_STATS_BAD_PADDING] = "bad-padding",
	[VEIL_A_STATS_POLICY_DROPS] = "policy-drops",
};

/* j_u64_nest() reads a name for every attribute up to the set's max. */
_Static_assert(sizeof(lifetime_names) / sizeof(lifetime_names[0]) == VEIL_A_LIFETIME_MAX + 1,
	       "lifetime_names lacks a VEIL_A_LIFETIME_* name");
_Static_assert(sizeof(stats_names) / sizeof(stats_names[0]) == VEIL_A_STATS_MAX + 1,
	       "stats_names lacks a VEIL_A_STATS_* name");

/* A nest of u64s: every name of @names[1..@max], 0 when not sent. */
static struct json_object *j_u64_nest(const uint64_t *v, const char *const *names, int max)
{
	struct json_object *o = json_object_new_object();
	int i;

	for (i = 1; i <= max; i++)
		j_add(o, names[i], json_object_new_uint64(v[i]));
	return o;
}

static struct json_object *j_encap(const struct veil_encap_view *e)
{
	struct json_object *o = json_object_new_object();

	if (VEIL_HAS(e, VEIL_A_ENCAP_TYPE))
		j_add(o, "type", j_enum(veil_encap_names, e->type));
	if (VEIL_HAS(e, VEIL_A_ENCAP_SPORT))
		j_add(o, "sport", json_object_new_int(e->sport));
	if (VEIL_HAS(e, VEIL_A_ENCAP_DPORT))
		j_add(o, "dport", json_object_new_int(e->dport));
	j_add_addr(o, "oaddr", e->oaddr);
	return o;
}

static struct json_object *j_sa_flags(uint32_t flags)
{
	struct json_object *a = json_object_new_array();
	const struct veil_name *n;

	for (n = veil_sa_flag_names; n->name; n++)
		if (flags & (uint32_t)n->value)
			json_object_array_add(a, json_object_new_string(n->name));
	return a;
}

/**
 * veil_sa_json() - one SA as JSON
 * @v: the SA, from veil_sa_view_decode()
 *
 * Return: a new object, with the spec's attribute names as keys.
 */
struct json_object *veil_sa_json(const struct veil_sa_view *v)
{
	struct json_object *o = json_object_new_object();

	j_add(o, "family", j_family(v->family));
	j_add_addr(o, "src", v->src);
	j_add_addr(o, "dst", v->dst);
	if (VEIL_HAS(v, VEIL_A_SA_PROTO))
		j_add(o, "proto", j_enum(veil_xfrm_proto_names, v->proto));
	j_add_u32(o, "spi", VEIL_HAS(v, VEIL_A_SA_SPI), v->spi);
	if (VEIL_HAS(v, VEIL_A_SA_MODE))
		j_add(o, "mode", j_enum(veil_mode_names, v->mode));
	j_add_u32(o, "reqid", VEIL_HAS(v, VEIL_A_SA_REQID), v->reqid);
	j_add_u32(o, "if-id", VEIL_HAS(v, VEIL_A_SA_IF_ID), v->if_id);
	if (VEIL_HAS(v, VEIL_A_SA_AEAD))
		j_add(o, "aead", j_alg(&v->aead));
	if (VEIL_HAS(v, VEIL_A_SA_ENC))
		j_add(o, "enc", j_alg(&v->enc));
	if (VEIL_HAS(v, VEIL_A_SA_AUTH))
		j_add(o, "auth", j_alg(&v->auth));
	j_add_u32(o, "replay-window", VEIL_HAS(v, VEIL_A_SA_REPLAY_WINDOW), v->replay_window);
	if (VEIL_HAS(v, VEIL_A_SA_FLAGS))
		j_add(o, "flags", j_sa_flags(v->flags));
	j_add_u32(o, "replay-seq", VEIL_HAS(v, VEIL_A_SA_REPLAY_SEQ), v->replay_seq);
	j_add_u32(o, "replay-oseq", VEIL_HAS(v, VEIL_A_SA_REPLAY_OSEQ), v->replay_oseq);
	j_add_u32(o, "replay-seq-hi", VEIL_HAS(v, VEIL_A_SA_REPLAY_SEQ_HI), v->replay_seq_hi);
	j_add_u32(o, "replay-oseq-hi", VEIL_HAS(v, VEIL_A_SA_REPLAY_OSEQ_HI), v->replay_oseq_hi);
	if (VEIL_HAS(v, VEIL_A_SA_LIFETIME))
		j_add(o, "lifetime", j_u64_nest(v->lifetime, lifetime_names, VEIL_A_LIFETIME_MAX));
	if (VEIL_HAS(v, VEIL_A_SA_ENCAP))
		j_add(o, "encap", j_encap(&v->encap));
	if (VEIL_HAS(v, VEIL_A_SA_SELECTOR))
		j_add(o, "selector", j_selector(&v->sel));
	if (VEIL_HAS(v, VEIL_A_SA_STATS))
		j_add(o, "stats", j_u64_nest(v->stats, stats_names, VEIL_A_STATS_MAX));
	return o;
}

/* Absent SPI, mode, reqid and level are shown with the spec's defaults. */
static struct json_object *j_tmpl(const struct veil_tmpl_view *t)
{
	struct json_object *o = json_object_new_object();

	if (t->has & (VEIL_BIT(VEIL_A_TMPL_FAMILY) | VEIL_BIT(VEIL_A_TMPL_SRC) |
		      VEIL_BIT(VEIL_A_TMPL_DST)))
		j_add(o, "family", j_family(t->family));
	j_add_addr(o, "src", t->src);
	j_add_addr(o, "dst", t->dst);
	if (VEIL_HAS(t, VEIL_A_TMPL_PROTO))
		j_add(o, "proto", j_enum(veil_xfrm_proto_names, t->proto));
	j_add(o, "spi", json_object_new_uint64(t->spi));
	j_add(o, "mode", j_enum(veil_mode_names, t->mode));
	j_add(o, "reqid", json_object_new_uint64(t->reqid));
	j_add(o, "level", j_enum(veil_level_names, t->level));
	return o;
}

/**
 * veil_policy_json() - one policy as JSON
 * @v: the policy, from veil_policy_view_decode()
 *
 * Absent action, priority and level are shown with the spec's defaults.
 *
 * Return: a new object, with the spec's attribute names as keys.
 */
struct json_object *veil_policy_json(const struct veil_policy_view *v)
{
	struct json_object *o = json_object_new_object(), *tmpls;
	int i;

	if (VEIL_HAS(v, VEIL_A_POLICY_SELECTOR))
		j_add(o, "selector", j_selector(&v->sel));
	if (VEIL_HAS(v, VEIL_A_POLICY_DIR))
		j_add(o, "dir", j_enum(veil_dir_names, v->dir));
	j_add(o, "action", j_enum(veil_action_names, v->action));
	j_add(o, "priority", json_object_new_uint64(v->priority));
	j_add_u32(o, "if-id", VEIL_HAS(v, VEIL_A_POLICY_IF_ID), v->if_id);
	j_add_u32(o, "index", VEIL_HAS(v, VEIL_A_POLICY_INDEX), v->index);
	if (VEIL_HAS(v, VEIL_A_POLICY_FLOW))
		j_add(o, "flow", j_selector(&v->flow));
	j_add_u32(o, "tmpl-index", VEIL_HAS(v, VEIL_A_POLICY_TMPL_INDEX), v->tmpl_index);
	tmpls = json_object_new_array();
	for (i = 0; i < v->n_tmpl; i++)
		json_object_array_add(tmpls, j_tmpl(&v->tmpl[i]));
	j_add(o, "tmpl", tmpls);
	return o;
}

/**
 * veil_encap_sock_json() - one encap socket as JSON
 * @v: the socket, from veil_encap_sock_view_decode()
 *
 * Return: a new object: family, port, local (null when bound to no
 * address), owner ("kernel" when veil opened the socket, else "process"),
 * esp-packets and other-packets.
 */
struct json_object *veil_encap_sock_json(const struct veil_encap_sock_view *v)
{
	struct json_object *o = json_object_new_object();

	j_add(o, "family", j_family(v->family));
	j_add(o, "port", json_object_new_int(v->port));
	j_add(o, "local", v->local[0] ? json_object_new_string(v->local) : NULL);
	j_add(o, "owner", json_object_new_string(VEIL_HAS(v, VEIL_A_ENCAP_SOCK_KERNEL) ?
						 "kernel" : "process"));
	j_add(o, "esp-packets", json_object_new_uint64(v->esp_packets));
	j_add(o, "other-packets", json_object_new_uint64(v->other_packets));
	return o;
}

/**
 * veil_link_json() - one veil link as JSON
 * @v: the link, from veil_link_view_decode()
 *
 * Return: a new object: ifname, if-id, mtu (each left out when the kernel
 * did not send it) and up (IFF_UP, a boolean).
 */
struct json_object *veil_link_json(const struct veil_link_view *v)
{
	struct json_object *o = json_object_new_object();

	j_add(o, "ifname", json_object_new_string(v->ifname));
	j_add_u32(o, "if-id", v->has_if_id, v->if_id);
	j_add_u32(o, "mtu", v->has_mtu, v->mtu);
	j_add(o, "up", json_object_new_boolean(!!(v->flags & IFF_UP)));
	return o;
}
