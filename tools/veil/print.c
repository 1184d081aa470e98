// SPDX-License-Identifier: GPL-2.0
/*
 * SAs and policies as text shaped like `ip xfrm state` and `ip xfrm policy`
 * output, and encap sockets and veil links one a line. Text is printed from the same
 * decoded view (view.h) that JSON is built from (json.c), so the two never
 * disagree.
 *
 * A dump can hold a hundred thousand SAs, so an SA's text is put together
 * in a buffer with the small string and number helpers below and handed to
 * stdio at once: parsing printf() formats, and even a fputs() per word,
 * cost more than the rest of decoding and printing. The -s block is
 * printed with fprintf().
 */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <linux/veil.h>

#include "parse.h"
#include "veil.h"
#include "view.h"

/*
 * Text on its way to @f. A stdio call costs about a hundred instructions
 * however little it copies, and an SA is some thirty pieces of text.
 */
struct text {
	FILE *f;
	size_t len;
	char buf[1024];
};

/* Not an initializer: that would clear the whole buffer for every SA. */
static struct text *text_start(struct text *t, FILE *f)
{
	t->f = f;
	t->len = 0;
	return t;
}

static void put_flush(struct text *t)
{
	fwrite(t->buf, 1, t->len, t->f);
	t->len = 0;
}

static void put_mem(struct text *t, const char *s, size_t n)
{
	if (n > sizeof(t->buf) - t->len) {
		put_flush(t);
		if (n > sizeof(t->buf)) {
			fwrite(s, 1, n, t->f);
			return;
		}
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static void put_str(struct text *t, const char *s)
{
	put_mem(t, s, strlen(s));
}

static void put_chr(struct text *t, char c)
{
	put_mem(t, &c, 1);
}

/* printf(), for the -s block: rare enough that speed does not matter. */
static void __attribute__((format(printf, 2, 3)))
put_fmt(struct text *t, const char *fmt, ...)
{
	va_list ap;

	put_flush(t);
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
}

/* Room for a u64 in decimal (20 digits) or in hex with "0x". */
#define NUM_LEN 24

static void put_dec(struct text *t, uint64_t v)
{
	char buf[NUM_LEN], *end = buf + sizeof(buf), *p = end;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	put_mem(t, p, (size_t)(end - p));
}

/* "0x" and @v in lowercase hex, with leading zeros up to @width digits. */
static void put_hex(struct text *t, uint64_t v, int width)
{
	static const char digits[] = "0123456789abcdef";
	char buf[NUM_LEN], *end = buf + sizeof(buf), *p = end;

	do {
		*--p = digits[v & 15];
		width--;
	} while ((v >>= 4) || width > 0);
	*--p = 'x';
	*--p = '0';
	put_mem(t, p, (size_t)(end - p));
}

/* @v's name in @tab, or @v in decimal as JSON would show it. */
static void put_enum(struct text *t, const struct veil_name *tab, int v)
{
	const char *name = veil_name_of(tab, v);

	if (name)
		put_str(t, name);
	else
		put_dec(t, (uint64_t)v);
}

/* An address of a view, or @none when the kernel sent none (""). */
static void put_addr(struct text *t, const char *addr, const char *none)
{
	put_str(t, addr[0] ? addr : none);
}

static void put_proto(struct text *t, int p)
{
	struct protoent *pe = getprotobynumber(p);

	if (pe)
		put_str(t, pe->p_name);
	else
		put_dec(t, (uint64_t)p);
}

/* "src A/P dst B/P [proto P] [sport N] [dport N]" */
static void print_selector(struct text *t, const struct veil_sel_view *s)
{
	put_str(t, "src ");
	put_addr(t, s->src, "?");
	put_chr(t, '/');
	put_dec(t, s->src_plen);
	put_str(t, " dst ");
	put_addr(t, s->dst, "?");
	put_chr(t, '/');
	put_dec(t, s->dst_plen);
	if (s->proto) {
		put_str(t, " proto ");
		put_proto(t, s->proto);
	}
	if (s->sport) {
		put_str(t, " sport ");
		put_dec(t, s->sport);
	}
	if (s->dport) {
		put_str(t, " dport ");
		put_dec(t, s->dport);
	}
}

/* "\tKW NAME KEY [BITS]"; @bits is NULL when the line shows none. */
static void print_alg(struct text *t, const char *kw, const struct veil_alg_view *a,
		      const uint32_t *bits)
{
	char hex[VEIL_KEY_HEX_LEN];

	put_chr(t, '\t');
	put_str(t, kw);
	put_chr(t, ' ');
	put_str(t, a->name ? a->name : "?");
	put_chr(t, ' ');
	put_str(t, VEIL_HAS(a, VEIL_A_KEY_ALG_KEY) ? veil_key_hex(a, hex) : "0x<masked>");
	if (bits) {
		put_chr(t, ' ');
		put_dec(t, *bits);
	}
	put_chr(t, '\n');
}

/* A limit of the lifetime: 0 is none. */
static const char *limit_str(uint64_t v, char *buf, size_t len)
{
	if (!v)
		return "(INF)";
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

static void print_limit(struct text *t, const char *what, uint64_t soft, uint64_t hard)
{
	char s[NUM_LEN], h[NUM_LEN];

	put_fmt(t, "\t  limit: soft %s(%s), hard %s(%s)\n", limit_str(soft, s, sizeof(s)),
		what, limit_str(hard, h, sizeof(h)), what);
}

static const char *print_time(uint64_t secs, char *buf, size_t len)
{
	time_t tt = (time_t)secs;
	struct tm tm;

	if (!secs || !localtime_r(&tt, &tm))
		return "-";
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* The -s block: limits always, counters when the kernel sent them. */
static void print_sa_stats(struct text *t, const struct veil_sa_view *v)
{
	const uint64_t *lt = v->lifetime, *st = v->stats;
	char t1[32], t2[32];

	put_str(t, "\tlifetime config:\n");
	print_limit(t, "bytes", lt[VEIL_A_LIFETIME_SOFT_BYTES], lt[VEIL_A_LIFETIME_HARD_BYTES]);
	print_limit(t, "packets", lt[VEIL_A_LIFETIME_SOFT_PACKETS],
		    lt[VEIL_A_LIFETIME_HARD_PACKETS]);
	put_fmt(t, "\t  expire add: soft %llu(sec), hard %llu(sec)\n",
		(unsigned long long)lt[VEIL_A_LIFETIME_SOFT_ADD_SECONDS],
		(unsigned long long)lt[VEIL_A_LIFETIME_HARD_ADD_SECONDS]);
	put_fmt(t, "\t  expire use: soft %llu(sec), hard %llu(sec)\n",
		(unsigned long long)lt[VEIL_A_LIFETIME_SOFT_USE_SECONDS],
		(unsigned long long)lt[VEIL_A_LIFETIME_HARD_USE_SECONDS]);
	if (!VEIL_HAS(v, VEIL_A_SA_STATS))
		return;
	put_str(t, "\tlifetime current:\n");
	put_fmt(t, "\t  %llu(bytes), %llu(packets)\n",
		(unsigned long long)st[VEIL_A_STATS_BYTES],
		(unsigned long long)st[VEIL_A_STATS_PACKETS]);
	put_fmt(t, "\t  add %s use %s\n",
		print_time(st[VEIL_A_STATS_ADD_TIME], t1, sizeof(t1)),
		print_time(st[VEIL_A_STATS_USE_TIME], t2, sizeof(t2)));
	put_str(t, "\tstats:\n");
	put_fmt(t, "\t  replay %llu integrity-failures %llu other-drops %llu"
		" bad-padding %llu policy-drops %llu\n",
		(unsigned long long)st[VEIL_A_STATS_REPLAY_DROPS],
		(unsigned long long)st[VEIL_A_STATS_INTEGRITY_FAILURES],
		(unsigned long long)st[VEIL_A_STATS_OTHER_DROPS],
		(unsigned long long)st[VEIL_A_STATS_BAD_PADDING],
		(unsigned long long)st[VEIL_A_STATS_POLICY_DROPS]);
}

/* "src A dst B" SEP "proto esp spi 0x... reqid N [mode M]": the SA's ID. */
static void print_sa_id(struct text *t, const struct veil_sa_view *v, const char *sep)
{
	put_str(t, "src ");
	put_addr(t, v->src, "?");
	put_str(t, " dst ");
	put_addr(t, v->dst, "?");
	put_str(t, sep);
	put_str(t, "proto ");
	if (VEIL_HAS(v, VEIL_A_SA_PROTO))
		put_enum(t, veil_xfrm_proto_names, v->proto);
	else
		put_chr(t, '?');
	put_str(t, " spi ");
	put_hex(t, v->spi, 8);
	put_str(t, " reqid ");
	put_dec(t, v->reqid);
	if (VEIL_HAS(v, VEIL_A_SA_MODE)) {
		put_str(t, " mode ");
		put_enum(t, veil_mode_names, v->mode);
	}
}

/* "\tanti-replay [esn] context: ..." when the kernel sent sequence numbers. */
static void print_replay(struct text *t, const struct veil_sa_view *v)
{
	if (VEIL_HAS(v, VEIL_A_SA_REPLAY_SEQ_HI) || VEIL_HAS(v, VEIL_A_SA_REPLAY_OSEQ_HI)) {
		put_str(t, "\tanti-replay esn context:\n\t seq-hi ");
		put_hex(t, v->replay_seq_hi, 1);
		put_str(t, ", seq ");
		put_hex(t, v->replay_seq, 1);
		put_str(t, ", oseq-hi ");
		put_hex(t, v->replay_oseq_hi, 1);
		put_str(t, ", oseq ");
		put_hex(t, v->replay_oseq, 1);
		put_chr(t, '\n');
	} else if (VEIL_HAS(v, VEIL_A_SA_REPLAY_SEQ) || VEIL_HAS(v, VEIL_A_SA_REPLAY_OSEQ)) {
		put_str(t, "\tanti-replay context: seq ");
		put_hex(t, v->replay_seq, 1);
		put_str(t, ", oseq ");
		put_hex(t, v->replay_oseq, 1);
		put_chr(t, '\n');
	}
}

/**
 * veil_sa_print() - one SA, shaped like `ip xfrm state` output
 * @ctx: -s adds the lifetime and stats blocks
 * @f: where to print
 * @v: the SA, from veil_sa_view_decode() with the same @ctx
 */
void veil_sa_print(const struct veil_ctx *ctx, FILE *f, const struct veil_sa_view *v)
{
	struct text text, *t = text_start(&text, f);
	const struct veil_alg_view *auth = &v->auth;
	const struct veil_name *n;
	const char *sep = " flag ";

	print_sa_id(t, v, "\n\t");
	put_str(t, "\n\treplay-window ");
	put_dec(t, v->replay_window);
	if (VEIL_HAS(v, VEIL_A_SA_FLAGS)) {
		for (n = veil_sa_flag_names; n->name; n++) {
			if (v->flags & (uint32_t)n->value) {
				put_str(t, sep);
				put_str(t, n->name);
				sep = " ";
			}
		}
	}
	put_chr(t, '\n');
	if (VEIL_HAS(v, VEIL_A_SA_AEAD))
		print_alg(t, "aead", &v->aead, VEIL_HAS(&v->aead, VEIL_A_KEY_ALG_ICV_LEN) ?
			  &v->aead.icv_len : NULL);
	if (VEIL_HAS(v, VEIL_A_SA_ENC))
		print_alg(t, "enc", &v->enc, NULL);
	if (VEIL_HAS(v, VEIL_A_SA_AUTH)) {
		if (VEIL_HAS(auth, VEIL_A_KEY_ALG_TRUNC_LEN))
			print_alg(t, "auth-trunc", auth, &auth->trunc_len);
		else
			print_alg(t, "auth", auth, NULL);
	}
	if (VEIL_HAS(v, VEIL_A_SA_ENCAP)) {
		put_str(t, "\tencap type ");
		if (VEIL_HAS(&v->encap, VEIL_A_ENCAP_TYPE))
			put_enum(t, veil_encap_names, v->encap.type);
		else
			put_chr(t, '?');
		put_str(t, " sport ");
		put_dec(t, v->encap.sport);
		put_str(t, " dport ");
		put_dec(t, v->encap.dport);
		put_str(t, " addr ");
		put_addr(t, v->encap.oaddr, "-");
		put_chr(t, '\n');
	}
	if (VEIL_HAS(v, VEIL_A_SA_IF_ID)) {
		put_str(t, "\tif_id ");
		put_hex(t, v->if_id, 1);
		put_chr(t, '\n');
	}
	print_replay(t, v);
	if (VEIL_HAS(v, VEIL_A_SA_SELECTOR)) {
		put_str(t, "\tsel ");
		print_selector(t, &v->sel);
		put_chr(t, '\n');
	}
	if (ctx->stats)
		print_sa_stats(t, v);
	put_flush(t);
}

/**
 * veil_sa_print_id() - one line for sa-expire-ntf, whose attributes are the
 *	SA's ID only
 * @f: where to print
 * @v: the SA, from veil_sa_view_decode()
 */
void veil_sa_print_id(FILE *f, const struct veil_sa_view *v)
{
	struct text text, *t = text_start(&text, f);

	print_sa_id(t, v, " ");
	if (VEIL_HAS(v, VEIL_A_SA_IF_ID)) {
		put_str(t, " if_id ");
		put_hex(t, v->if_id, 1);
	}
	put_flush(t);
}

static void print_tmpl(struct text *t, const struct veil_tmpl_view *tp)
{
	put_str(t, "\ttmpl");
	if (tp->src[0]) {
		put_str(t, " src ");
		put_str(t, tp->src);
	}
	if (tp->dst[0]) {
		put_str(t, " dst ");
		put_str(t, tp->dst);
	}
	put_str(t, "\n\t\t");
	if (VEIL_HAS(tp, VEIL_A_TMPL_PROTO)) {
		put_str(t, "proto ");
		put_enum(t, veil_xfrm_proto_names, tp->proto);
		put_chr(t, ' ');
	}
	put_str(t, "spi ");
	put_hex(t, tp->spi, 8);
	put_str(t, " reqid ");
	put_dec(t, tp->reqid);
	put_str(t, " mode ");
	put_enum(t, veil_mode_names, tp->mode);
	put_chr(t, '\n');
	if (tp->level == VEIL_LEVEL_USE)
		put_str(t, "\t\tlevel use\n");
}

/**
 * veil_policy_print() - one policy, shaped like `ip xfrm policy` output
 * @f: where to print
 * @v: the policy, from veil_policy_view_decode()
 */
void veil_policy_print(FILE *f, const struct veil_policy_view *v)
{
	struct text text, *t = text_start(&text, f);
	int i;

	print_selector(t, &v->sel);
	if (VEIL_HAS(v, VEIL_A_POLICY_FLOW)) {
		put_str(t, "\n\tflow ");
		print_selector(t, &v->flow);
		put_str(t, " tmpl-index ");
		put_dec(t, v->tmpl_index);
	}
	put_str(t, "\n\tdir ");
	if (VEIL_HAS(v, VEIL_A_POLICY_DIR))
		put_enum(t, veil_dir_names, v->dir);
	else
		put_chr(t, '?');
	if (v->action != VEIL_ACTION_ALLOW) {
		put_str(t, " action ");
		put_enum(t, veil_action_names, v->action);
	}
	put_str(t, " priority ");
	put_dec(t, v->priority);
	if (VEIL_HAS(v, VEIL_A_POLICY_INDEX)) {
		put_str(t, " index ");
		put_dec(t, v->index);
	}
	put_chr(t, '\n');
	if (VEIL_HAS(v, VEIL_A_POLICY_IF_ID)) {
		put_str(t, "\tif_id ");
		put_hex(t, v->if_id, 1);
		put_chr(t, '\n');
	}
	for (i = 0; i < v->n_tmpl; i++)
		print_tmpl(t, &v->tmpl[i]);
	put_flush(t);
}

/**
 * veil_encap_sock_print() - one encap socket on one line:
 *	"encap inet port 4500 local 0.0.0.0 kernel esp-packets 12 other-packets 0"
 * @f: where to print
 * @v: the socket, from veil_encap_sock_view_decode()
 *
 * A socket bound to no address shows its family's any address; "process"
 * in place of "kernel" marks one a process handed over.
 */
void veil_encap_sock_print(FILE *f, const struct veil_encap_sock_view *v)
{
	struct text text, *t = text_start(&text, f);
	const char *family = veil_name_of(veil_family_names, v->family);

	put_str(t, "encap ");
	put_str(t, family ? family : "?");
	put_str(t, " port ");
	put_dec(t, v->port);
	put_str(t, " local ");
	put_addr(t, v->local, v->family == AF_INET6 ? "::" : "0.0.0.0");
	put_str(t, VEIL_HAS(v, VEIL_A_ENCAP_SOCK_KERNEL) ? " kernel" : " process");
	put_str(t, " esp-packets ");
	put_dec(t, v->esp_packets);
	put_str(t, " other-packets ");
	put_dec(t, v->other_packets);
	put_chr(t, '\n');
	put_flush(t);
}

/**
 * veil_link_print() - one veil link on one line:
 *	"veil0 if_id 0x5 mtu 1400 state UP"
 * @f: where to print
 * @v: the link, from veil_link_view_decode()
 *
 * The state is UP or DOWN, from IFF_UP (whether the interface was set up,
 * not whether it carries traffic); if_id and mtu are left out when the
 * kernel did not send them.
 */
void veil_link_print(FILE *f, const struct veil_link_view *v)
{
	struct text text, *t = text_start(&text, f);

	put_str(t, v->ifname);
	if (v->has_if_id) {
		put_str(t, " if_id ");
		put_hex(t, v->if_id, 1);
	}
	if (v->has_mtu) {
		put_str(t, " mtu ");
		put_dec(t, v->mtu);
	}
	put_str(t, v->flags & IFF_UP ? " state UP\n" : " state DOWN\n");
	put_flush(t);
}
