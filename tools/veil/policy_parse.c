// SPDX-License-Identifier: GPL-2.0
/*
 * `veil policy` command lines, in the `ip xfrm policy` grammar, turned into
 * policy-* requests and list filters.
 */
#include <errno.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/attr.h>

#include "parse.h"

static bool pol_is_sel_word(const char *w)
{
	return !strcmp(w, "src") || !strcmp(w, "dst") || !strcmp(w, "proto") ||
	       !strcmp(w, "sport") || !strcmp(w, "dport");
}

/* Is @w a template word that @t has not taken yet? */
static bool pol_tmpl_word(const struct veil_pol_tmpl *t, const char *w)
{
	return (!strcmp(w, "src") && !t->has_src) ||
	       (!strcmp(w, "dst") && !t->has_dst) ||
	       (!strcmp(w, "proto") && !t->has_proto) ||
	       (!strcmp(w, "spi") && !t->has_spi) ||
	       (!strcmp(w, "mode") && !t->has_mode) ||
	       (!strcmp(w, "reqid") && !t->has_reqid) ||
	       (!strcmp(w, "level") && !t->has_level);
}

/* tmpl [ src ADDR ] [ dst ADDR ] [ proto P ] [ spi N ] [ mode M ] [ reqid N ] [ level L ] */
static int pol_take_tmpl(struct veil_args *a, struct veil_pol_args *p)
{
	struct veil_pol_tmpl *t;
	const char *w, *v;
	int lvl;

	veil_args_next(a);
	if (p->ntmpl == VEIL_POLICY_MAX_TMPL)
		return veil_perr(a->e, "more than %d templates", VEIL_POLICY_MAX_TMPL);
	t = &p->tmpl[p->ntmpl++];
	while ((w = veil_args_peek(a)) && pol_tmpl_word(t, w)) {
		int ret;

		veil_args_next(a);
		if (veil_args_value(a, w, &v))
			return -EINVAL;
		if (!strcmp(w, "src")) {
			t->has_src = true;
			ret = veil_parse_addr(a->e, "tmpl src", v, &t->src);
		} else if (!strcmp(w, "dst")) {
			t->has_dst = true;
			ret = veil_parse_addr(a->e, "tmpl dst", v, &t->dst);
		} else if (!strcmp(w, "proto")) {
			t->has_proto = true;
			ret = veil_parse_xfrm_proto(a->e, v, &t->proto);
		} else if (!strcmp(w, "spi")) {
			t->has_spi = true;
			ret = veil_parse_u32(a->e, "tmpl spi", v, &t->spi);
		} else if (!strcmp(w, "mode")) {
			t->has_mode = true;
			ret = veil_parse_mode(a->e, v, &t->mode);
		} else if (!strcmp(w, "reqid")) {
			t->has_reqid = true;
			ret = veil_parse_u32(a->e, "tmpl reqid", v, &t->reqid);
		} else {
			t->has_level = true;
			ret = veil_lookup(veil_level_names, v, &lvl) ?
				veil_perr(a->e, "unknown level \"%s\": use required or use", v) : 0;
			t->level = (uint8_t)lvl;
		}
		if (ret)
			return -EINVAL;
	}
	if (t->has_src && t->has_dst && t->src.family != t->dst.family)
		return veil_perr(a->e, "tmpl src and dst are of different families");
	return 0;
}

static int pol_take_enum(struct veil_args *a, const char *kw,
			 const struct veil_name *tab, const char *choices,
			 bool *has, uint8_t *val)
{
	const char *v;
	int x;

	veil_args_next(a);
	if (*has)
		return veil_perr(a->e, "\"%s\" given twice", kw);
	if (veil_args_value(a, kw, &v))
		return -EINVAL;
	if (veil_lookup(tab, v, &x))
		return veil_perr(a->e, "unknown %s \"%s\": use %s", kw, v, choices);
	*has = true;
	*val = (uint8_t)x;
	return 0;
}

static int pol_take_u32(struct veil_args *a, const char *kw, bool *has,
			uint32_t *val)
{
	const char *v;

	veil_args_next(a);
	if (*has)
		return veil_perr(a->e, "\"%s\" given twice", kw);
	if (veil_args_value(a, kw, &v) || veil_parse_u32(a->e, kw, v, val))
		return -EINVAL;
	*has = true;
	return 0;
}

/* @full: add/update words; otherwise get/del words. */
static int pol_parse(struct veil_args *a, struct veil_pol_args *p, bool full)
{
	const char *w, *where = full ? "policy add" : "policy get/del";

	memset(p, 0, sizeof(*p));
	while ((w = veil_args_peek(a))) {
		int ret;

		if (pol_is_sel_word(w)) {
			if (!veil_sel_word(&p->sel, w))
				return veil_perr(a->e, "selector \"%s\" given twice", w);
			ret = veil_sel_take(a, &p->sel);
		} else if (!strcmp(w, "dir"))
			ret = pol_take_enum(a, w, veil_dir_names, "in, out or fwd",
					    &p->has_dir, &p->dir);
		else if (full && !strcmp(w, "action"))
			ret = pol_take_enum(a, w, veil_action_names, "allow or block",
					    &p->has_action, &p->action);
		else if (full && (!strcmp(w, "priority") || !strcmp(w, "prio")))
			ret = pol_take_u32(a, "priority", &p->has_prio, &p->prio);
		else if (!strcmp(w, "if_id") || !strcmp(w, "if-id"))
			ret = pol_take_u32(a, "if_id", &p->has_if_id, &p->if_id);
		else if (!full && !strcmp(w, "index"))
			ret = pol_take_u32(a, w, &p->has_index, &p->index);
		else if (full && !strcmp(w, "tmpl"))
			ret = pol_take_tmpl(a, p);
		else if (full && !strcmp(w, "index"))
			ret = veil_perr(a->e, "the kernel chooses a policy's index; \"index\" is for get and del");
		else
			ret = veil_args_unknown(a, w, where);
		if (ret)
			return -EINVAL;
	}
	if (p->sel.has_src && p->sel.has_dst && p->sel.src.family != p->sel.dst.family)
		return veil_perr(a->e, "selector src and dst are of different families");
	return 0;
}

/* The selector's family, for templates that name no address. */
static uint16_t pol_family(const struct veil_pol_args *p)
{
	if (p->sel.has_src)
		return p->sel.src.family;
	if (p->sel.has_dst)
		return p->sel.dst.family;
	return AF_INET;
}

static int pol_put_tmpl(struct nl_msg *msg, const struct veil_pol_tmpl *t)
{
	struct nlattr *nest = nla_nest_start(msg, VEIL_A_POLICY_TMPL);
	const struct veil_addr *any = t->has_src ? &t->src : &t->dst;

	if (!nest ||
	    ((t->has_src || t->has_dst) &&
	     nla_put_u16(msg, VEIL_A_TMPL_FAMILY, any->family)) ||
	    (t->has_src && nla_put(msg, VEIL_A_TMPL_SRC, veil_addr_len(&t->src), t->src.bytes)) ||
	    (t->has_dst && nla_put(msg, VEIL_A_TMPL_DST, veil_addr_len(&t->dst), t->dst.bytes)) ||
	    (t->has_proto && nla_put_u8(msg, VEIL_A_TMPL_PROTO, t->proto)) ||
	    (t->has_spi && nla_put_u32(msg, VEIL_A_TMPL_SPI, t->spi)) ||
	    (t->has_mode && nla_put_u8(msg, VEIL_A_TMPL_MODE, t->mode)) ||
	    (t->has_reqid && nla_put_u32(msg, VEIL_A_TMPL_REQID, t->reqid)) ||
	    (t->has_level && nla_put_u8(msg, VEIL_A_TMPL_LEVEL, t->level)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * veil_policy_parse_new() - the words of `policy add` or `policy update`
 * @argc: words after the verb
 * @argv: the words
 * @msg: a policy-new or policy-update request to fill
 * @e: why the words were refused
 *
 * The selector is always sent whole (family, src, dst and both prefix
 * lengths), absent addresses as the zero prefix.
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_policy_parse_new(int argc, char **argv, struct nl_msg *msg,
			  struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct veil_pol_args p;

	if (pol_parse(&a, &p, true))
		return -EINVAL;
	if (!p.has_dir)
		return veil_perr(e, "missing \"dir in|out|fwd\"");
	return veil_policy_put_new(msg, &p, e);
}

/**
 * veil_policy_put_new() - a policy-new or policy-update request's attributes
 * @msg: the request
 * @p: the policy, as `policy add` parsed it or veil-iked built it
 * @e: why it could not be put
 *
 * The selector is always sent whole (family, src, dst and both prefix
 * lengths), absent addresses as the zero prefix.
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_policy_put_new(struct nl_msg *msg, const struct veil_pol_args *p, struct veil_perr *e)
{
	int i;

	if (veil_sel_put(msg, VEIL_A_POLICY_SELECTOR, &p->sel, pol_family(p), e))
		return -EINVAL;
	if (nla_put_u8(msg, VEIL_A_POLICY_DIR, p->dir) ||
	    (p->has_action && nla_put_u8(msg, VEIL_A_POLICY_ACTION, p->action)) ||
	    (p->has_prio && nla_put_u32(msg, VEIL_A_POLICY_PRIORITY, p->prio)) ||
	    (p->has_if_id && nla_put_u32(msg, VEIL_A_POLICY_IF_ID, p->if_id)))
		return veil_perr(e, "request too large");
	for (i = 0; i < p->ntmpl; i++)
		if (pol_put_tmpl(msg, &p->tmpl[i]))
			return veil_perr(e, "request too large");
	return 0;
}

/**
 * veil_policy_put_id() - the attributes that name a policy: selector, dir
 *	and if_id, as get, del and lookup send them
 * @msg: the request
 * @p: the policy
 * @e: why they could not be put
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_policy_put_id(struct nl_msg *msg, const struct veil_pol_args *p, struct veil_perr *e)
{
	if (veil_sel_put(msg, VEIL_A_POLICY_SELECTOR, &p->sel, pol_family(p), e))
		return -EINVAL;
	if (nla_put_u8(msg, VEIL_A_POLICY_DIR, p->dir) ||
	    (p->has_if_id && nla_put_u32(msg, VEIL_A_POLICY_IF_ID, p->if_id)))
		return veil_perr(e, "request too large");
	return 0;
}

/**
 * veil_policy_parse_id() - the words of `policy get` or `policy del`
 * @argc: words after the verb
 * @argv: SELECTOR dir DIR [ if_id N ], or index N [ dir DIR ]
 * @msg: a policy-get or policy-del request to fill
 * @e: why the words were refused
 *
 * With index, only the index is sent (dir is accepted, as ip takes it).
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_policy_parse_id(int argc, char **argv, struct nl_msg *msg,
			 struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct veil_pol_args p;

	if (pol_parse(&a, &p, false))
		return -EINVAL;
	if (p.has_index) {
		if (p.sel.has_src || p.sel.has_dst || p.sel.proto || p.has_if_id)
			return veil_perr(e, "give either index or SELECTOR dir DIR, not both");
		if (nla_put_u32(msg, VEIL_A_POLICY_INDEX, p.index))
			return veil_perr(e, "request too large");
		return 0;
	}
	if (!p.has_dir)
		return veil_perr(e, "missing \"dir in|out|fwd\" (or \"index N\")");
	return veil_policy_put_id(msg, &p, e);
}

/**
 * veil_policy_parse_lookup() - the words of `policy lookup`
 * @argc: words after the verb
 * @argv: src ADDR dst ADDR [ proto P [ sport N ] [ dport N ] ] dir DIR [ if_id N ]
 * @msg: a policy-lookup request to fill
 * @e: why the words were refused
 *
 * A flow, not a selector: both addresses are hosts.
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_policy_parse_lookup(int argc, char **argv, struct nl_msg *msg,
			     struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct veil_pol_args p;

	if (pol_parse(&a, &p, false))
		return -EINVAL;
	if (p.has_index)
		return veil_perr(e, "policy lookup takes a flow, not an index");
	if (!p.sel.has_src || !p.sel.has_dst)
		return veil_perr(e, "policy lookup needs both \"src ADDR\" and \"dst ADDR\"");
	if (p.sel.src.plen != 8 * veil_addr_len(&p.sel.src) ||
	    p.sel.dst.plen != 8 * veil_addr_len(&p.sel.dst))
		return veil_perr(e, "policy lookup takes host addresses, not prefixes");
	if (!p.has_dir)
		return veil_perr(e, "missing \"dir in|out|fwd\"");
	return veil_policy_put_id(msg, &p, e);
}

/* policy list [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dir DIR ] */
int veil_policy_parse_filter(int argc, char **argv, struct veil_filter *f,
			     struct veil_perr *e)
{
	int i, dir;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i += 2) {
		const char *kw = argv[i], *v;
		int ret = 0;

		if (strcmp(kw, "src") && strcmp(kw, "dst") && strcmp(kw, "dir"))
			return veil_perr(e, "unknown argument \"%s\" to policy list", kw);
		if (i + 1 >= argc)
			return veil_perr(e, "\"%s\" needs an argument", kw);
		v = argv[i + 1];
		if (!strcmp(kw, "src")) {
			f->set |= VEIL_FILTER_SRC;
			ret = veil_parse_prefix(e, kw, v, &f->src);
		} else if (!strcmp(kw, "dst")) {
			f->set |= VEIL_FILTER_DST;
			ret = veil_parse_prefix(e, kw, v, &f->dst);
		} else {
			f->set |= VEIL_FILTER_DIR;
			if (veil_lookup(veil_dir_names, v, &dir))
				ret = veil_perr(e, "unknown dir \"%s\": use in, out or fwd", v);
			f->dir = (uint8_t)dir;
		}
		if (ret)
			return -EINVAL;
	}
	return 0;
}

static bool pol_match_addr(const struct veil_addr *want, struct nlattr *nla)
{
	return nla && nla_len(nla) == veil_addr_len(want) &&
	       veil_prefix_match(nla_data(nla), want->bytes, want->plen);
}

/**
 * veil_policy_filter_match() - does a policy pass `policy list`'s filter?
 * @f: the filter
 * @tb: the policy's attributes, indexed by VEIL_A_POLICY_*
 *
 * As with ip xfrm, a src or dst filter keeps the policies whose selector
 * address lies within the filter's prefix.
 */
bool veil_policy_filter_match(const struct veil_filter *f, struct nlattr **tb)
{
	struct nlattr *sel[VEIL_A_SELECTOR_MAX + 1] = { NULL };

	if ((f->set & VEIL_FILTER_DIR) &&
	    (!tb[VEIL_A_POLICY_DIR] || nla_get_u8(tb[VEIL_A_POLICY_DIR]) != f->dir))
		return false;
	if (!(f->set & (VEIL_FILTER_SRC | VEIL_FILTER_DST)))
		return true;
	if (!tb[VEIL_A_POLICY_SELECTOR] ||
	    nla_parse_nested(sel, VEIL_A_SELECTOR_MAX, tb[VEIL_A_POLICY_SELECTOR], NULL) < 0)
		return false;
	if ((f->set & VEIL_FILTER_SRC) && !pol_match_addr(&f->src, sel[VEIL_A_SELECTOR_SRC]))
		return false;
	if ((f->set & VEIL_FILTER_DST) && !pol_match_addr(&f->dst, sel[VEIL_A_SELECTOR_DST]))
		return false;
	return true;
}
