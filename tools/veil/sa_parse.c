// SPDX-License-Identifier: GPL-2.0
/*
 * `veil sa` command lines, in the `ip xfrm state` grammar, turned into
 * sa-* requests and list filters.
 */
#include <errno.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "parse.h"

/* Lifetime words: ip-xfrm's name for each VEIL_A_LIFETIME_* attribute. */
static const struct veil_name sa_limit_names[] = {
	{ "byte-soft", VEIL_A_LIFETIME_SOFT_BYTES },
	{ "byte-hard", VEIL_A_LIFETIME_HARD_BYTES },
	{ "packet-soft", VEIL_A_LIFETIME_SOFT_PACKETS },
	{ "packet-hard", VEIL_A_LIFETIME_HARD_PACKETS },
	{ "time-soft", VEIL_A_LIFETIME_SOFT_ADD_SECONDS },
	{ "time-hard", VEIL_A_LIFETIME_HARD_ADD_SECONDS },
	{ "time-use-soft", VEIL_A_LIFETIME_SOFT_USE_SECONDS },
	{ "time-use-hard", VEIL_A_LIFETIME_HARD_USE_SECONDS },
	{ NULL, 0 },
};

/* ip-xfrm state flags veil does not implement. */
static const char *const sa_xfrm_flags[] = {
	"noecn", "decap-dscp", "nopmtudisc", "wildrecv", "icmp", "af-unspec", NULL,
};

/* The words that take one u32: spi, reqid, if_id, replay-*. */
static const struct veil_name sa_u32_words[] = {
	{ "spi", VEIL_A_SA_SPI },
	{ "reqid", VEIL_A_SA_REQID },
	{ "if_id", VEIL_A_SA_IF_ID },
	{ "if-id", VEIL_A_SA_IF_ID },
	{ "replay-window", VEIL_A_SA_REPLAY_WINDOW },
	{ "replay-seq", VEIL_A_SA_REPLAY_SEQ },
	{ "replay-oseq", VEIL_A_SA_REPLAY_OSEQ },
	{ "replay-seq-hi", VEIL_A_SA_REPLAY_SEQ_HI },
	{ "replay-oseq-hi", VEIL_A_SA_REPLAY_OSEQ_HI },
	{ NULL, 0 },
};

static int sa_dup(struct veil_args *a, const char *kw)
{
	return veil_perr(a->e, "\"%s\" given twice", kw);
}

/* aead NAME KEY ICV-BITS | enc NAME KEY | auth NAME KEY | auth-trunc NAME KEY BITS */
static int sa_take_alg(struct veil_args *a, const char *kw, struct veil_sa_alg *alg)
{
	bool bits = !strcmp(kw, "aead") || !strcmp(kw, "auth-trunc");
	const char *key, *n;
	char what[48];

	if (alg->set)
		return veil_perr(a->e, "more than one %s algorithm",
				 !strcmp(kw, "auth-trunc") ? "auth" : kw);
	alg->name = veil_args_next(a);
	key = veil_args_next(a);
	n = bits ? veil_args_next(a) : "";
	if (!alg->name || !key || !n)
		return veil_perr(a->e, "\"%s\" needs NAME KEY%s", kw,
				 !strcmp(kw, "aead") ? " ICV-BITS" :
				 bits ? " TRUNC-BITS" : "");
	if (strlen(alg->name) >= VEIL_ALG_NAME_LEN)
		return veil_perr(a->e, "%s: algorithm name longer than %d characters",
				 kw, VEIL_ALG_NAME_LEN - 1);
	snprintf(what, sizeof(what), "%s %.32s", kw, alg->name);
	if (veil_parse_key(a->e, what, key, alg->key, &alg->keylen))
		return -EINVAL;
	if (bits) {
		if (veil_parse_u32(a->e, !strcmp(kw, "aead") ? "ICV length" :
				   "truncation length", n, &alg->bits))
			return -EINVAL;
		alg->has_bits = true;
	}
	alg->set = true;
	return 0;
}

/* flag FLAG... : names until a word that is not one. */
static int sa_take_flags(struct veil_args *a, struct veil_sa_args *s)
{
	const char *w;
	int v, n = 0;

	veil_args_next(a);
	while ((w = veil_args_peek(a))) {
		const char *const *x;

		if (!veil_lookup(veil_sa_flag_names, w, &v)) {
			s->u32[VEIL_A_SA_FLAGS] |= (uint32_t)v;
			s->has[VEIL_A_SA_FLAGS] = true;
			veil_args_next(a);
			n++;
			continue;
		}
		for (x = sa_xfrm_flags; *x; x++)
			if (!strcmp(w, *x))
				return veil_perr(a->e, "flag \"%s\" (ip xfrm) is not supported by veil; veil knows: esn, align4",
						 w);
		if (!n)
			return veil_perr(a->e, "unknown flag \"%s\"; veil knows: esn, align4", w);
		break;
	}
	if (!n)
		return veil_perr(a->e, "\"flag\" needs a flag name (esn, align4)");
	return 0;
}

/* limit NAME VALUE */
static int sa_take_limit(struct veil_args *a, struct veil_sa_args *s)
{
	const char *name, *val;
	int attr;

	veil_args_next(a);
	if (veil_args_value(a, "limit", &name))
		return -EINVAL;
	if (veil_lookup(sa_limit_names, name, &attr))
		return veil_perr(a->e, "unknown limit \"%s\": use time-soft, time-hard, time-use-soft, time-use-hard, byte-soft, byte-hard, packet-soft or packet-hard",
				 name);
	if (s->has_life[attr])
		return veil_perr(a->e, "limit \"%s\" given twice", name);
	if (veil_args_value(a, name, &val) ||
	    veil_parse_u64(a->e, name, val, UINT64_MAX, &s->life[attr]))
		return -EINVAL;
	s->has_life[attr] = true;
	return 0;
}

/* encap TYPE SPORT DPORT OADDR */
static int sa_take_encap(struct veil_args *a, struct veil_sa_args *s)
{
	const char *w[4];
	int type, i;

	veil_args_next(a);
	if (s->has_encap)
		return sa_dup(a, "encap");
	for (i = 0; i < 4; i++)
		if (!(w[i] = veil_args_next(a)))
			return veil_perr(a->e, "\"encap\" needs TYPE SPORT DPORT OADDR");
	if (veil_lookup(veil_encap_names, w[0], &type))
		return veil_perr(a->e, "unknown encap type \"%s\": veil supports espinudp and espinudp-nonike",
				 w[0]);
	s->encap_type = (uint16_t)type;
	if (veil_parse_port(a->e, "encap sport", w[1], &s->encap_sport) ||
	    veil_parse_port(a->e, "encap dport", w[2], &s->encap_dport) ||
	    veil_parse_addr(a->e, "encap oaddr", w[3], &s->oaddr))
		return -EINVAL;
	s->has_encap = true;
	return 0;
}

/* sel SELECTOR: selector words until one that is not. */
static int sa_take_sel(struct veil_args *a, struct veil_sa_args *s)
{
	const char *w;

	veil_args_next(a);
	if (s->has_sel)
		return sa_dup(a, "sel");
	s->has_sel = true;
	if (!(w = veil_args_peek(a)) || !veil_sel_word(&s->sel, w))
		return veil_perr(a->e, "\"sel\" needs [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ proto PROTO [ sport PORT ] [ dport PORT ] ]");
	while ((w = veil_args_peek(a)) && veil_sel_word(&s->sel, w))
		if (veil_sel_take(a, &s->sel))
			return -EINVAL;
	return 0;
}

/* ID words, shared by every verb: src, dst, proto, spi. */
static int sa_take_id(struct veil_args *a, struct veil_sa_args *s, const char *kw)
{
	const char *v;

	veil_args_next(a);
	if (veil_args_value(a, kw, &v))
		return -EINVAL;
	if (!strcmp(kw, "src") || !strcmp(kw, "dst")) {
		bool *has = kw[0] == 's' ? &s->has_src : &s->has_dst;

		if (*has)
			return sa_dup(a, kw);
		*has = true;
		return veil_parse_addr(a->e, kw, v, kw[0] == 's' ? &s->src : &s->dst);
	}
	if (!strcmp(kw, "proto")) {
		if (s->proto)
			return sa_dup(a, kw);
		return veil_parse_xfrm_proto(a->e, v, &s->proto);
	}
	if (!strcmp(kw, "mode")) {
		if (s->has[VEIL_A_SA_MODE])
			return sa_dup(a, kw);
		s->has[VEIL_A_SA_MODE] = true;
		return veil_parse_mode(a->e, v, &s->mode);
	}
	return -ENOENT;
}

static bool sa_is_id_word(const char *w)
{
	return !strcmp(w, "src") || !strcmp(w, "dst") || !strcmp(w, "proto") ||
	       !strcmp(w, "mode");
}

static int sa_take_u32(struct veil_args *a, struct veil_sa_args *s, const char *kw,
		       int attr)
{
	const char *v;

	veil_args_next(a);
	if (s->has[attr])
		return sa_dup(a, kw);
	if (veil_args_value(a, kw, &v) || veil_parse_u32(a->e, kw, v, &s->u32[attr]))
		return -EINVAL;
	s->has[attr] = true;
	return 0;
}

/*
 * Parse every word of a command into @s. @full is true for add and update;
 * otherwise only the ID words (src, dst, proto, spi) are taken.
 */
static int sa_parse(struct veil_args *a, struct veil_sa_args *s, bool full,
		    const char *where)
{
	const char *w;
	int attr;

	memset(s, 0, sizeof(*s));
	while ((w = veil_args_peek(a))) {
		int ret;

		if (sa_is_id_word(w) && (full || strcmp(w, "mode")))
			ret = sa_take_id(a, s, w);
		else if (!veil_lookup(sa_u32_words, w, &attr) &&
			 (full || attr == VEIL_A_SA_SPI))
			ret = sa_take_u32(a, s, w, attr);
		else if (full && (!strcmp(w, "aead") || !strcmp(w, "enc") ||
				  !strcmp(w, "auth") || !strcmp(w, "auth-trunc"))) {
			struct veil_sa_alg *alg = w[0] == 'e' ? &s->enc :
				w[1] == 'e' ? &s->aead : &s->auth;

			veil_args_next(a);
			ret = sa_take_alg(a, w, alg);
		} else if (full && !strcmp(w, "flag"))
			ret = sa_take_flags(a, s);
		else if (full && !strcmp(w, "limit"))
			ret = sa_take_limit(a, s);
		else if (full && !strcmp(w, "encap"))
			ret = sa_take_encap(a, s);
		else if (full && !strcmp(w, "sel"))
			ret = sa_take_sel(a, s);
		else
			ret = veil_args_unknown(a, w, where);
		if (ret)
			return -EINVAL;
	}
	if (s->has_src && s->has_dst && s->src.family != s->dst.family)
		return veil_perr(a->e, "src and dst are of different families");
	if (s->has_encap && s->has_dst && s->dst.family != s->oaddr.family)
		return veil_perr(a->e, "encap oaddr is not of the SA's address family");
	return 0;
}

static int sa_need_id(struct veil_args *a, const struct veil_sa_args *s,
		      bool need_src)
{
	if (need_src && !s->has_src)
		return veil_perr(a->e, "missing \"src ADDR\"");
	if (!s->has_dst)
		return veil_perr(a->e, "missing \"dst ADDR\"");
	if (!s->proto)
		return veil_perr(a->e, "missing \"proto esp|ah\"");
	if (!s->has[VEIL_A_SA_SPI])
		return veil_perr(a->e, "missing \"spi SPI\"");
	return 0;
}

static int sa_put_alg(struct nl_msg *msg, int attr, const struct veil_sa_alg *alg,
		      int bits_attr)
{
	struct nlattr *nest;

	if (!alg->set)
		return 0;
	nest = nla_nest_start(msg, attr);
	if (!nest ||
	    nla_put_string(msg, VEIL_A_KEY_ALG_NAME, alg->name) ||
	    nla_put(msg, VEIL_A_KEY_ALG_KEY, (int)alg->keylen, alg->key) ||
	    (alg->has_bits && nla_put_u32(msg, bits_attr, alg->bits)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * veil_sa_put_id() - the attributes that name an SA: family, dst, proto, spi
 * @msg: the request
 * @s: the SA
 *
 * Return: 0, or -EMSGSIZE.
 */
int veil_sa_put_id(struct nl_msg *msg, const struct veil_sa_args *s)
{
	if (nla_put_u16(msg, VEIL_A_SA_FAMILY, s->dst.family) ||
	    nla_put(msg, VEIL_A_SA_DST, veil_addr_len(&s->dst), s->dst.bytes) ||
	    nla_put_u8(msg, VEIL_A_SA_PROTO, s->proto) ||
	    nla_put_u32(msg, VEIL_A_SA_SPI, s->u32[VEIL_A_SA_SPI]))
		return -EMSGSIZE;
	return 0;
}

/**
 * veil_sa_put_new() - an sa-new or sa-update request's attributes
 * @msg: the request
 * @s: the SA, as `sa add` parsed it or veil-iked negotiated it
 * @e: why it could not be put
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_sa_put_new(struct nl_msg *msg, const struct veil_sa_args *s, struct veil_perr *e)
{
	struct nlattr *nest;
	int attr, i;

	if (veil_sa_put_id(msg, s) ||
	    nla_put(msg, VEIL_A_SA_SRC, veil_addr_len(&s->src), s->src.bytes) ||
	    (s->has[VEIL_A_SA_MODE] && nla_put_u8(msg, VEIL_A_SA_MODE, s->mode)))
		return veil_perr(e, "request too large");
	for (i = 0; sa_u32_words[i].name; i++) {
		attr = sa_u32_words[i].value;
		/* if_id and if-id share an attribute: put it once. */
		if (attr != VEIL_A_SA_SPI && s->has[attr] &&
		    strcmp(sa_u32_words[i].name, "if-id") &&
		    nla_put_u32(msg, attr, s->u32[attr]))
			return veil_perr(e, "request too large");
	}
	if (s->has[VEIL_A_SA_FLAGS] &&
	    nla_put_u32(msg, VEIL_A_SA_FLAGS, s->u32[VEIL_A_SA_FLAGS]))
		return veil_perr(e, "request too large");
	if (sa_put_alg(msg, VEIL_A_SA_AEAD, &s->aead, VEIL_A_KEY_ALG_ICV_LEN) ||
	    sa_put_alg(msg, VEIL_A_SA_ENC, &s->enc, 0) ||
	    sa_put_alg(msg, VEIL_A_SA_AUTH, &s->auth, VEIL_A_KEY_ALG_TRUNC_LEN))
		return veil_perr(e, "request too large");
	for (attr = 1; attr <= VEIL_A_LIFETIME_MAX; attr++)
		if (s->has_life[attr])
			break;
	if (attr <= VEIL_A_LIFETIME_MAX) {
		nest = nla_nest_start(msg, VEIL_A_SA_LIFETIME);
		if (!nest)
			return veil_perr(e, "request too large");
		for (attr = 1; attr <= VEIL_A_LIFETIME_MAX; attr++)
			if (s->has_life[attr] && nla_put_u64(msg, attr, s->life[attr]))
				return veil_perr(e, "request too large");
		nla_nest_end(msg, nest);
	}
	if (s->has_encap) {
		nest = nla_nest_start(msg, VEIL_A_SA_ENCAP);
		if (!nest ||
		    nla_put_u16(msg, VEIL_A_ENCAP_TYPE, s->encap_type) ||
		    nla_put_u16(msg, VEIL_A_ENCAP_SPORT, s->encap_sport) ||
		    nla_put_u16(msg, VEIL_A_ENCAP_DPORT, s->encap_dport) ||
		    nla_put(msg, VEIL_A_ENCAP_OADDR, veil_addr_len(&s->oaddr),
			    s->oaddr.bytes))
			return veil_perr(e, "request too large");
		nla_nest_end(msg, nest);
	}
	if (s->has_sel)
		return veil_sel_put(msg, VEIL_A_SA_SELECTOR, &s->sel, s->dst.family, e);
	return 0;
}

/**
 * veil_sa_parse_new() - the words of `sa add` or `sa update`
 * @argc: words after the verb
 * @argv: the words
 * @msg: an sa-new or sa-update request to fill
 * @e: why the words were refused
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_sa_parse_new(int argc, char **argv, struct nl_msg *msg,
		      struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct veil_sa_args s;

	if (sa_parse(&a, &s, true, "sa add") || sa_need_id(&a, &s, true))
		return -EINVAL;
	if (!s.aead.set && !s.enc.set && !s.auth.set)
		return veil_perr(e, "missing an algorithm: aead, or enc and auth (esp), or auth (ah)");
	if (s.aead.set && (s.enc.set || s.auth.set))
		return veil_perr(e, "aead cannot be combined with enc or auth");
	return veil_sa_put_new(msg, &s, e);
}

/**
 * veil_sa_parse_id() - the words of `sa get` or `sa del`
 * @argc: words after the verb
 * @argv: the words: [ src ADDR ] dst ADDR proto PROTO spi SPI
 * @msg: an sa-get or sa-del request to fill
 * @e: why the words were refused
 *
 * src is accepted, as `ip xfrm state get` takes it, and checked against
 * dst's family, but not sent: an SA is identified by (dst, spi, proto).
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_sa_parse_id(int argc, char **argv, struct nl_msg *msg,
		     struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct veil_sa_args s;

	if (sa_parse(&a, &s, false, "sa get/del") || sa_need_id(&a, &s, false))
		return -EINVAL;
	if (veil_sa_put_id(msg, &s))
		return veil_perr(e, "request too large");
	return 0;
}

/* sa flush [ proto esp|ah ] */
int veil_sa_parse_flush(int argc, char **argv, struct nl_msg *msg,
			struct veil_perr *e)
{
	uint8_t proto;

	if (!argc)
		return 0;
	if (strcmp(argv[0], "proto"))
		return veil_perr(e, "unknown argument \"%s\" to sa flush", argv[0]);
	if (argc < 2)
		return veil_perr(e, "\"proto\" needs an argument");
	if (veil_parse_xfrm_proto(e, argv[1], &proto))
		return -EINVAL;
	if (argc > 2)
		return veil_perr(e, "unknown argument \"%s\" to sa flush", argv[2]);
	if (nla_put_u8(msg, VEIL_A_SA_PROTO, proto))
		return veil_perr(e, "request too large");
	return 0;
}

/* sa list [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ proto P ] [ spi N ] [ reqid N ] [ mode M ] */
int veil_sa_parse_filter(int argc, char **argv, struct veil_filter *f,
			 struct veil_perr *e)
{
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i += 2) {
		const char *kw = argv[i], *v;
		int ret;

		if (strcmp(kw, "src") && strcmp(kw, "dst") && strcmp(kw, "proto") &&
		    strcmp(kw, "spi") && strcmp(kw, "reqid") && strcmp(kw, "mode"))
			return veil_perr(e, "unknown argument \"%s\" to sa list", kw);
		if (i + 1 >= argc)
			return veil_perr(e, "\"%s\" needs an argument", kw);
		v = argv[i + 1];
		if (!strcmp(kw, "src")) {
			f->set |= VEIL_FILTER_SRC;
			ret = veil_parse_prefix(e, kw, v, &f->src);
		} else if (!strcmp(kw, "dst")) {
			f->set |= VEIL_FILTER_DST;
			ret = veil_parse_prefix(e, kw, v, &f->dst);
		} else if (!strcmp(kw, "proto")) {
			f->set |= VEIL_FILTER_PROTO;
			ret = veil_parse_xfrm_proto(e, v, &f->proto);
		} else if (!strcmp(kw, "spi")) {
			f->set |= VEIL_FILTER_SPI;
			ret = veil_parse_u32(e, kw, v, &f->spi);
		} else if (!strcmp(kw, "reqid")) {
			f->set |= VEIL_FILTER_REQID;
			ret = veil_parse_u32(e, kw, v, &f->reqid);
		} else {
			f->set |= VEIL_FILTER_MODE;
			ret = veil_parse_mode(e, v, &f->mode);
		}
		if (ret)
			return -EINVAL;
	}
	return 0;
}

static bool filter_addr(const struct veil_addr *want, const struct nlattr *nla)
{
	return nla && nla_len(nla) == veil_addr_len(want) &&
	       veil_prefix_match(nla_data(nla), want->bytes, want->plen);
}

static bool filter_u32(const struct nlattr *nla, uint32_t want, uint32_t dflt)
{
	return (nla && nla_len(nla) >= 4 ? nla_get_u32((struct nlattr *)nla) : dflt) == want;
}

/**
 * veil_sa_filter_match() - does an SA from a dump pass `sa list`'s filter?
 * @f: the filter
 * @tb: the SA's attributes, indexed by VEIL_A_SA_*
 *
 * Absent mode counts as transport and absent reqid as 0, as in the spec.
 */
bool veil_sa_filter_match(const struct veil_filter *f, struct nlattr **tb)
{
	if ((f->set & VEIL_FILTER_SRC) && !filter_addr(&f->src, tb[VEIL_A_SA_SRC]))
		return false;
	if ((f->set & VEIL_FILTER_DST) && !filter_addr(&f->dst, tb[VEIL_A_SA_DST]))
		return false;
	if ((f->set & VEIL_FILTER_PROTO) &&
	    (!tb[VEIL_A_SA_PROTO] || nla_get_u8(tb[VEIL_A_SA_PROTO]) != f->proto))
		return false;
	if ((f->set & VEIL_FILTER_SPI) && !tb[VEIL_A_SA_SPI])
		return false;
	if ((f->set & VEIL_FILTER_SPI) && !filter_u32(tb[VEIL_A_SA_SPI], f->spi, 0))
		return false;
	if ((f->set & VEIL_FILTER_REQID) && !filter_u32(tb[VEIL_A_SA_REQID], f->reqid, 0))
		return false;
	if ((f->set & VEIL_FILTER_MODE) &&
	    (tb[VEIL_A_SA_MODE] ? nla_get_u8(tb[VEIL_A_SA_MODE]) : VEIL_MODE_TRANSPORT) != f->mode)
		return false;
	return true;
}
