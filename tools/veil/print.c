// SPDX-License-Identifier: GPL-2.0
/*
 * SAs and policies from the kernel, as JSON objects whose names are the
 * spec's attribute names, and as text shaped like `ip xfrm state` and
 * `ip xfrm policy` output. Text is printed from the JSON, so the two
 * never disagree.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/veil.h>
#include <netlink/attr.h>

#include "parse.h"
#include "veil.h"

/* ---- netlink to JSON ---- */

static struct json_object *j_addr(const struct nlattr *nla)
{
	char buf[INET6_ADDRSTRLEN];
	int len = nla_len(nla);

	if ((len != 4 && len != 16) ||
	    !inet_ntop(len == 4 ? AF_INET : AF_INET6, nla_data(nla), buf, sizeof(buf)))
		return json_object_new_string("?");
	return json_object_new_string(buf);
}

static struct json_object *j_family(struct nlattr *fam, const struct nlattr *addr)
{
	int f = fam ? nla_get_u16(fam) : addr && nla_len(addr) == 16 ? AF_INET6 : AF_INET;

	return json_object_new_string(f == AF_INET6 ? "inet6" : f == AF_INET ? "inet" : "?");
}

static struct json_object *j_enum(const struct veil_name *tab, int v)
{
	const char *name = veil_name_of(tab, v);

	return name ? json_object_new_string(name) : json_object_new_int(v);
}

/*
 * Every key here is a string literal added once to a fresh object: tell
 * json-c, which then neither copies the key nor looks for an old entry
 * (a third of the cost of printing a large dump).
 */
static void j_add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add_ex(o, k, v, JSON_C_OBJECT_ADD_KEY_IS_NEW |
				  JSON_C_OBJECT_KEY_IS_CONSTANT);
}

static void j_add_u32(struct json_object *o, const char *k, struct nlattr *nla)
{
	if (nla)
		j_add(o, k, json_object_new_uint64(nla_get_u32(nla)));
}

/* A key is shown only with --keys: null otherwise, and when the kernel sent none. */
static struct json_object *j_key(const struct veil_ctx *ctx, struct nlattr *nla)
{
	char hex[2 * VEIL_KEY_MAX_LEN + 3] = "0x";
	const uint8_t *k;
	int i, n;

	if (!ctx->keys || !nla)
		return NULL;
	k = nla_data(nla);
	n = nla_len(nla) < VEIL_KEY_MAX_LEN ? nla_len(nla) : VEIL_KEY_MAX_LEN;
	for (i = 0; i < n; i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", k[i]);
	return json_object_new_string(hex);
}

static struct json_object *j_key_alg(const struct veil_ctx *ctx, struct nlattr *nest)
{
	struct nlattr *tb[VEIL_A_KEY_ALG_MAX + 1];
	struct json_object *o = json_object_new_object();

	if (nla_parse_nested(tb, VEIL_A_KEY_ALG_MAX, nest, NULL) < 0)
		return o;
	if (tb[VEIL_A_KEY_ALG_NAME])
		j_add(o, "name", json_object_new_string(nla_get_string(tb[VEIL_A_KEY_ALG_NAME])));
	j_add(o, "key", j_key(ctx, tb[VEIL_A_KEY_ALG_KEY]));
	j_add_u32(o, "icv-len", tb[VEIL_A_KEY_ALG_ICV_LEN]);
	j_add_u32(o, "trunc-len", tb[VEIL_A_KEY_ALG_TRUNC_LEN]);
	return o;
}

static struct json_object *j_selector(struct nlattr *nest)
{
	struct nlattr *tb[VEIL_A_SELECTOR_MAX + 1];
	struct json_object *o = json_object_new_object();

	if (nla_parse_nested(tb, VEIL_A_SELECTOR_MAX, nest, NULL) < 0)
		return o;
	j_add(o, "family", j_family(tb[VEIL_A_SELECTOR_FAMILY], tb[VEIL_A_SELECTOR_SRC]));
	if (tb[VEIL_A_SELECTOR_SRC])
		j_add(o, "src", j_addr(tb[VEIL_A_SELECTOR_SRC]));
	if (tb[VEIL_A_SELECTOR_DST])
		j_add(o, "dst", j_addr(tb[VEIL_A_SELECTOR_DST]));
	j_add(o, "src-prefix-len", json_object_new_int(tb[VEIL_A_SELECTOR_SRC_PREFIX_LEN] ?
			nla_get_u8(tb[VEIL_A_SELECTOR_SRC_PREFIX_LEN]) : 0));
	j_add(o, "dst-prefix-len", json_object_new_int(tb[VEIL_A_SELECTOR_DST_PREFIX_LEN] ?
			nla_get_u8(tb[VEIL_A_SELECTOR_DST_PREFIX_LEN]) : 0));
	if (tb[VEIL_A_SELECTOR_PROTO] && nla_get_u8(tb[VEIL_A_SELECTOR_PROTO]))
		j_add(o, "proto", json_object_new_int(nla_get_u8(tb[VEIL_A_SELECTOR_PROTO])));
	if (tb[VEIL_A_SELECTOR_SPORT] && nla_get_u16(tb[VEIL_A_SELECTOR_SPORT]))
		j_add(o, "sport", json_object_new_int(nla_get_u16(tb[VEIL_A_SELECTOR_SPORT])));
	if (tb[VEIL_A_SELECTOR_DPORT] && nla_get_u16(tb[VEIL_A_SELECTOR_DPORT]))
		j_add(o, "dport", json_object_new_int(nla_get_u16(tb[VEIL_A_SELECTOR_DPORT])));
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
};

/* A nest of u64s; every name of @names is present, 0 when absent. */
static struct json_object *j_u64_nest(struct nlattr *nest,
				      const char *const *names, int max)
{
	struct nlattr *tb[16] = { NULL };
	struct json_object *o = json_object_new_object();
	int i;

	if (nla_parse_nested(tb, max, nest, NULL) < 0)
		return o;
	for (i = 1; i <= max; i++)
		j_add(o, names[i], json_object_new_uint64(tb[i] ? nla_get_u64(tb[i]) : 0));
	return o;
}

static struct json_object *j_encap(struct nlattr *nest)
{
	struct nlattr *tb[VEIL_A_ENCAP_MAX + 1];
	struct json_object *o = json_object_new_object();

	if (nla_parse_nested(tb, VEIL_A_ENCAP_MAX, nest, NULL) < 0)
		return o;
	if (tb[VEIL_A_ENCAP_TYPE])
		j_add(o, "type", j_enum(veil_encap_names, nla_get_u16(tb[VEIL_A_ENCAP_TYPE])));
	if (tb[VEIL_A_ENCAP_SPORT])
		j_add(o, "sport", json_object_new_int(nla_get_u16(tb[VEIL_A_ENCAP_SPORT])));
	if (tb[VEIL_A_ENCAP_DPORT])
		j_add(o, "dport", json_object_new_int(nla_get_u16(tb[VEIL_A_ENCAP_DPORT])));
	if (tb[VEIL_A_ENCAP_OADDR])
		j_add(o, "oaddr", j_addr(tb[VEIL_A_ENCAP_OADDR]));
	return o;
}

/**
 * veil_sa_json() - one SA as JSON
 * @ctx: global options: keys are shown only with --keys, stats only with -s
 * @attrs: the SA's attributes (VEIL_A_SA_*)
 * @len: their length
 *
 * Return: a new object, with the spec's attribute names as keys.
 */
struct json_object *veil_sa_json(const struct veil_ctx *ctx, struct nlattr *attrs,
				 int len)
{
	struct json_object *o = json_object_new_object(), *flags;
	struct nlattr *tb[VEIL_A_SA_MAX + 1];
	const struct veil_name *n;
	uint32_t f;

	if (nla_parse(tb, VEIL_A_SA_MAX, attrs, len, NULL) < 0)
		return o;
	f = tb[VEIL_A_SA_FLAGS] ? nla_get_u32(tb[VEIL_A_SA_FLAGS]) : 0;

	j_add(o, "family", j_family(tb[VEIL_A_SA_FAMILY], tb[VEIL_A_SA_DST]));
	if (tb[VEIL_A_SA_SRC])
		j_add(o, "src", j_addr(tb[VEIL_A_SA_SRC]));
	if (tb[VEIL_A_SA_DST])
		j_add(o, "dst", j_addr(tb[VEIL_A_SA_DST]));
	if (tb[VEIL_A_SA_PROTO])
		j_add(o, "proto", j_enum(veil_xfrm_proto_names, nla_get_u8(tb[VEIL_A_SA_PROTO])));
	j_add_u32(o, "spi", tb[VEIL_A_SA_SPI]);
	if (tb[VEIL_A_SA_MODE] || tb[VEIL_A_SA_SPI])
		j_add(o, "mode", j_enum(veil_mode_names, tb[VEIL_A_SA_MODE] ?
					nla_get_u8(tb[VEIL_A_SA_MODE]) : VEIL_MODE_TRANSPORT));
	j_add_u32(o, "reqid", tb[VEIL_A_SA_REQID]);
	j_add_u32(o, "if-id", tb[VEIL_A_SA_IF_ID]);
	if (tb[VEIL_A_SA_AEAD])
		j_add(o, "aead", j_key_alg(ctx, tb[VEIL_A_SA_AEAD]));
	if (tb[VEIL_A_SA_ENC])
		j_add(o, "enc", j_key_alg(ctx, tb[VEIL_A_SA_ENC]));
	if (tb[VEIL_A_SA_AUTH])
		j_add(o, "auth", j_key_alg(ctx, tb[VEIL_A_SA_AUTH]));
	j_add_u32(o, "replay-window", tb[VEIL_A_SA_REPLAY_WINDOW]);
	if (tb[VEIL_A_SA_FLAGS] || tb[VEIL_A_SA_SPI]) {
		flags = json_object_new_array();
		for (n = veil_sa_flag_names; n->name; n++)
			if (f & (uint32_t)n->value)
				json_object_array_add(flags, json_object_new_string(n->name));
		j_add(o, "flags", flags);
	}
	j_add_u32(o, "replay-seq", tb[VEIL_A_SA_REPLAY_SEQ]);
	j_add_u32(o, "replay-oseq", tb[VEIL_A_SA_REPLAY_OSEQ]);
	j_add_u32(o, "replay-seq-hi", tb[VEIL_A_SA_REPLAY_SEQ_HI]);
	j_add_u32(o, "replay-oseq-hi", tb[VEIL_A_SA_REPLAY_OSEQ_HI]);
	/* Text shows limits only with -s; a big dump need not build them. */
	if (tb[VEIL_A_SA_LIFETIME] && (ctx->json || ctx->stats))
		j_add(o, "lifetime", j_u64_nest(tb[VEIL_A_SA_LIFETIME], lifetime_names,
						VEIL_A_LIFETIME_MAX));
	if (tb[VEIL_A_SA_ENCAP])
		j_add(o, "encap", j_encap(tb[VEIL_A_SA_ENCAP]));
	if (tb[VEIL_A_SA_SELECTOR])
		j_add(o, "selector", j_selector(tb[VEIL_A_SA_SELECTOR]));
	if (ctx->stats && tb[VEIL_A_SA_STATS])
		j_add(o, "stats", j_u64_nest(tb[VEIL_A_SA_STATS], stats_names,
					     VEIL_A_STATS_MAX));
	return o;
}

static struct json_object *j_tmpl(struct nlattr *nest)
{
	struct nlattr *tb[VEIL_A_TMPL_MAX + 1];
	struct json_object *o = json_object_new_object();

	if (nla_parse_nested(tb, VEIL_A_TMPL_MAX, nest, NULL) < 0)
		return o;
	if (tb[VEIL_A_TMPL_FAMILY] || tb[VEIL_A_TMPL_SRC] || tb[VEIL_A_TMPL_DST])
		j_add(o, "family", j_family(tb[VEIL_A_TMPL_FAMILY],
					    tb[VEIL_A_TMPL_SRC] ? tb[VEIL_A_TMPL_SRC] :
					    tb[VEIL_A_TMPL_DST]));
	if (tb[VEIL_A_TMPL_SRC])
		j_add(o, "src", j_addr(tb[VEIL_A_TMPL_SRC]));
	if (tb[VEIL_A_TMPL_DST])
		j_add(o, "dst", j_addr(tb[VEIL_A_TMPL_DST]));
	if (tb[VEIL_A_TMPL_PROTO])
		j_add(o, "proto", j_enum(veil_xfrm_proto_names, nla_get_u8(tb[VEIL_A_TMPL_PROTO])));
	j_add(o, "spi", json_object_new_uint64(tb[VEIL_A_TMPL_SPI] ?
					       nla_get_u32(tb[VEIL_A_TMPL_SPI]) : 0));
	j_add(o, "mode", j_enum(veil_mode_names, tb[VEIL_A_TMPL_MODE] ?
				nla_get_u8(tb[VEIL_A_TMPL_MODE]) : VEIL_MODE_TRANSPORT));
	j_add(o, "reqid", json_object_new_uint64(tb[VEIL_A_TMPL_REQID] ?
						 nla_get_u32(tb[VEIL_A_TMPL_REQID]) : 0));
	j_add(o, "level", j_enum(veil_level_names, tb[VEIL_A_TMPL_LEVEL] ?
				 nla_get_u8(tb[VEIL_A_TMPL_LEVEL]) : VEIL_LEVEL_REQUIRED));
	return o;
}

/**
 * veil_policy_json() - one policy as JSON
 * @attrs: the policy's attributes (VEIL_A_POLICY_*)
 * @len: their length
 *
 * Absent action, priority and level are shown with the spec's defaults.
 *
 * Return: a new object, with the spec's attribute names as keys.
 */
struct json_object *veil_policy_json(struct nlattr *attrs, int len)
{
	struct nlattr *tb[VEIL_A_POLICY_MAX + 1], *a;
	struct json_object *o = json_object_new_object(), *tmpls;
	int rem;

	if (nla_parse(tb, VEIL_A_POLICY_MAX, attrs, len, NULL) < 0)
		return o;
	if (tb[VEIL_A_POLICY_SELECTOR])
		j_add(o, "selector", j_selector(tb[VEIL_A_POLICY_SELECTOR]));
	if (tb[VEIL_A_POLICY_DIR])
		j_add(o, "dir", j_enum(veil_dir_names, nla_get_u8(tb[VEIL_A_POLICY_DIR])));
	j_add(o, "action", j_enum(veil_action_names, tb[VEIL_A_POLICY_ACTION] ?
				  nla_get_u8(tb[VEIL_A_POLICY_ACTION]) : VEIL_ACTION_ALLOW));
	j_add(o, "priority", json_object_new_uint64(tb[VEIL_A_POLICY_PRIORITY] ?
						    nla_get_u32(tb[VEIL_A_POLICY_PRIORITY]) : 0));
	j_add_u32(o, "if-id", tb[VEIL_A_POLICY_IF_ID]);
	j_add_u32(o, "index", tb[VEIL_A_POLICY_INDEX]);
	/* tb[] keeps only the last of a multi-attr; walk the whole stream. */
	tmpls = json_object_new_array();
	nla_for_each_attr(a, attrs, len, rem)
		if (nla_type(a) == VEIL_A_POLICY_TMPL)
			json_object_array_add(tmpls, j_tmpl(a));
	j_add(o, "tmpl", tmpls);
	return o;
}

/* ---- JSON to text ---- */

static struct json_object *jget(struct json_object *o, const char *k)
{
	return o ? json_object_object_get(o, k) : NULL;
}

static const char *jstr(struct json_object *o, const char *k, const char *dflt)
{
	struct json_object *v = jget(o, k);

	return v ? json_object_get_string(v) : dflt;
}

static unsigned long long ju(struct json_object *o, const char *k)
{
	struct json_object *v = jget(o, k);

	return v ? (unsigned long long)json_object_get_uint64(v) : 0;
}

static const char *proto_name(int p, char *buf, size_t len)
{
	struct protoent *pe = getprotobynumber(p);

	if (pe)
		return pe->p_name;
	snprintf(buf, len, "%d", p);
	return buf;
}

/* "src A/P dst B/P [proto P [sport N] [dport N]]" */
static void print_selector(FILE *f, struct json_object *sel)
{
	char buf[16];

	fprintf(f, "src %s/%llu dst %s/%llu", jstr(sel, "src", "?"),
		ju(sel, "src-prefix-len"), jstr(sel, "dst", "?"),
		ju(sel, "dst-prefix-len"));
	if (jget(sel, "proto"))
		fprintf(f, " proto %s", proto_name((int)ju(sel, "proto"), buf, sizeof(buf)));
	if (jget(sel, "sport"))
		fprintf(f, " sport %llu", ju(sel, "sport"));
	if (jget(sel, "dport"))
		fprintf(f, " dport %llu", ju(sel, "dport"));
}

static void print_alg(FILE *f, const char *kw, struct json_object *alg,
		      const char *bits)
{
	const char *key = jstr(alg, "key", NULL);

	if (!alg)
		return;
	if (!strcmp(kw, "auth") && jget(alg, "trunc-len"))
		kw = "auth-trunc";
	fprintf(f, "\t%s %s %s", kw, jstr(alg, "name", "?"), key ? key : "0x<masked>");
	if (bits && jget(alg, bits))
		fprintf(f, " %llu", ju(alg, bits));
	fputc('\n', f);
}

static void print_limit(FILE *f, const char *what, unsigned long long soft,
			unsigned long long hard)
{
	fputs("\t  limit: soft ", f);
	soft ? fprintf(f, "%llu", soft) : fputs("(INF)", f);
	fprintf(f, "(%s), hard ", what);
	hard ? fprintf(f, "%llu", hard) : fputs("(INF)", f);
	fprintf(f, "(%s)\n", what);
}

static const char *print_time(unsigned long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm))
		return "-";
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static void print_sa_stats(FILE *f, struct json_object *sa)
{
	struct json_object *lt = jget(sa, "lifetime"), *st = jget(sa, "stats");
	char t1[32], t2[32];

	fputs("\tlifetime config:\n", f);
	print_limit(f, "bytes", ju(lt, "soft-bytes"), ju(lt, "hard-bytes"));
	print_limit(f, "packets", ju(lt, "soft-packets"), ju(lt, "hard-packets"));
	fprintf(f, "\t  expire add: soft %llu(sec), hard %llu(sec)\n",
		ju(lt, "soft-add-seconds"), ju(lt, "hard-add-seconds"));
	fprintf(f, "\t  expire use: soft %llu(sec), hard %llu(sec)\n",
		ju(lt, "soft-use-seconds"), ju(lt, "hard-use-seconds"));
	if (!st)
		return;
	fputs("\tlifetime current:\n", f);
	fprintf(f, "\t  %llu(bytes), %llu(packets)\n", ju(st, "bytes"), ju(st, "packets"));
	fprintf(f, "\t  add %s use %s\n", print_time(ju(st, "add-time"), t1, sizeof(t1)),
		print_time(ju(st, "use-time"), t2, sizeof(t2)));
	fputs("\tstats:\n", f);
	fprintf(f, "\t  replay %llu integrity-failures %llu other-drops %llu\n",
		ju(st, "replay-drops"), ju(st, "integrity-failures"), ju(st, "other-drops"));
}

/* "src A dst B" SEP "proto esp spi 0x... reqid N mode M": the SA's ID. */
static void print_sa_id(FILE *f, struct json_object *sa, const char *sep)
{
	fprintf(f, "src %s dst %s%sproto %s spi 0x%08llx reqid %llu",
		jstr(sa, "src", "?"), jstr(sa, "dst", "?"), sep,
		jstr(sa, "proto", "?"), ju(sa, "spi"), ju(sa, "reqid"));
	if (jget(sa, "mode"))
		fprintf(f, " mode %s", jstr(sa, "mode", "?"));
}

/**
 * veil_sa_print() - one SA, shaped like `ip xfrm state` output
 * @ctx: -s adds the lifetime and stats blocks
 * @f: where to print
 * @sa: from veil_sa_json()
 */
void veil_sa_print(const struct veil_ctx *ctx, FILE *f, struct json_object *sa)
{
	struct json_object *flags = jget(sa, "flags"), *enc = jget(sa, "encap");
	size_t i;

	print_sa_id(f, sa, "\n\t");
	fprintf(f, "\n\treplay-window %llu", ju(sa, "replay-window"));
	for (i = 0; flags && i < json_object_array_length(flags); i++)
		fprintf(f, "%s%s", i ? " " : " flag ",
			json_object_get_string(json_object_array_get_idx(flags, i)));
	fputc('\n', f);
	print_alg(f, "aead", jget(sa, "aead"), "icv-len");
	print_alg(f, "enc", jget(sa, "enc"), NULL);
	print_alg(f, "auth", jget(sa, "auth"), "trunc-len");
	if (enc)
		fprintf(f, "\tencap type %s sport %llu dport %llu addr %s\n",
			jstr(enc, "type", "?"), ju(enc, "sport"), ju(enc, "dport"),
			jstr(enc, "oaddr", "-"));
	if (jget(sa, "if-id"))
		fprintf(f, "\tif_id 0x%llx\n", ju(sa, "if-id"));
	if (jget(sa, "replay-seq-hi") || jget(sa, "replay-oseq-hi"))
		fprintf(f, "\tanti-replay esn context:\n\t seq-hi 0x%llx, seq 0x%llx, oseq-hi 0x%llx, oseq 0x%llx\n",
			ju(sa, "replay-seq-hi"), ju(sa, "replay-seq"),
			ju(sa, "replay-oseq-hi"), ju(sa, "replay-oseq"));
	else if (jget(sa, "replay-seq") || jget(sa, "replay-oseq"))
		fprintf(f, "\tanti-replay context: seq 0x%llx, oseq 0x%llx\n",
			ju(sa, "replay-seq"), ju(sa, "replay-oseq"));
	if (jget(sa, "selector")) {
		fputs("\tsel ", f);
		print_selector(f, jget(sa, "selector"));
		fputc('\n', f);
	}
	if (ctx->stats)
		print_sa_stats(f, sa);
}

/* One line for sa-expire-ntf, whose attributes are the SA's ID only. */
void veil_sa_print_id(FILE *f, struct json_object *sa)
{
	print_sa_id(f, sa, " ");
	if (jget(sa, "if-id"))
		fprintf(f, " if_id 0x%llx", ju(sa, "if-id"));
}

/**
 * veil_policy_print() - one policy, shaped like `ip xfrm policy` output
 * @f: where to print
 * @pol: from veil_policy_json()
 */
void veil_policy_print(FILE *f, struct json_object *pol)
{
	struct json_object *tmpls = jget(pol, "tmpl");
	size_t i;

	print_selector(f, jget(pol, "selector"));
	fprintf(f, "\n\tdir %s", jstr(pol, "dir", "?"));
	if (strcmp(jstr(pol, "action", "allow"), "allow"))
		fprintf(f, " action %s", jstr(pol, "action", "?"));
	fprintf(f, " priority %llu", ju(pol, "priority"));
	if (jget(pol, "index"))
		fprintf(f, " index %llu", ju(pol, "index"));
	fputc('\n', f);
	if (jget(pol, "if-id"))
		fprintf(f, "\tif_id 0x%llx\n", ju(pol, "if-id"));
	for (i = 0; tmpls && i < json_object_array_length(tmpls); i++) {
		struct json_object *t = json_object_array_get_idx(tmpls, i);

		fputs("\ttmpl", f);
		if (jget(t, "src"))
			fprintf(f, " src %s", jstr(t, "src", "?"));
		if (jget(t, "dst"))
			fprintf(f, " dst %s", jstr(t, "dst", "?"));
		fputs("\n\t\t", f);
		if (jget(t, "proto"))
			fprintf(f, "proto %s ", jstr(t, "proto", "?"));
		fprintf(f, "spi 0x%08llx reqid %llu mode %s\n", ju(t, "spi"),
			ju(t, "reqid"), jstr(t, "mode", "transport"));
		if (!strcmp(jstr(t, "level", "required"), "use"))
			fputs("\t\tlevel use\n", f);
	}
}
