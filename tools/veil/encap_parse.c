// SPDX-License-Identifier: GPL-2.0
/*
 * `veil encap` command lines turned into encap-new and encap-del requests:
 * a UDP socket veil opens (or closes) in the kernel for UDP-encapsulated
 * ESP (RFC 3948), named by family and port.
 */
#include <errno.h>
#include <string.h>
#include <linux/veil.h>
#include <netlink/attr.h>

#include "parse.h"

struct encap_args {
	bool has_port, has_family, has_local;
	uint16_t port;
	int family;
	struct veil_addr local;
	const char *local_word;
};

/* The value after keyword @kw, which must be there, parsed into @p. */
static int encap_take(struct veil_args *a, const char *kw, struct encap_args *p)
{
	const char *v;
	uint64_t port;

	if (veil_args_value(a, kw, &v))
		return -EINVAL;
	if (!strcmp(kw, "port")) {
		if (veil_parse_range(a->e, kw, v, 1, UINT16_MAX, &port))
			return -EINVAL;
		p->port = (uint16_t)port;
		return 0;
	}
	if (!strcmp(kw, "family")) {
		if (veil_lookup(veil_family_names, v, &p->family))
			return veil_perr(a->e, "unknown family \"%s\": use inet or inet6", v);
		return 0;
	}
	p->local_word = v;
	return veil_parse_addr(a->e, kw, v, &p->local);
}

/*
 * port PORT [ family inet|inet6 ] [ local ADDR ], in any order; local only
 * when @add. Without family, the family is local's, else inet.
 */
static int encap_parse(struct veil_args *a, struct encap_args *p, bool add)
{
	const char *w, *where = add ? "encap add" : "encap del";

	memset(p, 0, sizeof(*p));
	while ((w = veil_args_next(a))) {
		bool *has;

		if (!strcmp(w, "port"))
			has = &p->has_port;
		else if (!strcmp(w, "family"))
			has = &p->has_family;
		else if (add && !strcmp(w, "local"))
			has = &p->has_local;
		else if (!strcmp(w, "local"))
			return veil_perr(a->e, "encap del takes no \"local\": family and port name the socket");
		else
			return veil_perr(a->e, "unknown argument \"%s\" to %s", w, where);
		if (*has)
			return veil_perr(a->e, "\"%s\" given twice", w);
		*has = true;
		if (encap_take(a, w, p))
			return -EINVAL;
	}
	if (!p->has_port)
		return veil_perr(a->e, "missing \"port PORT\"");
	if (!p->has_family)
		p->family = p->has_local ? p->local.family : AF_INET;
	else if (p->has_local && p->local.family != p->family)
		return veil_perr(a->e, "local \"%s\" is an %s address, but family is %s",
				 p->local_word, p->local.family == AF_INET6 ? "IPv6" : "IPv4",
				 veil_name_of(veil_family_names, p->family));
	return 0;
}

static int encap_put(struct nl_msg *msg, const struct encap_args *p,
		     struct veil_perr *e)
{
	if (nla_put_u16(msg, VEIL_A_ENCAP_SOCK_FAMILY, (uint16_t)p->family) ||
	    nla_put_u16(msg, VEIL_A_ENCAP_SOCK_PORT, p->port) ||
	    (p->has_local && nla_put(msg, VEIL_A_ENCAP_SOCK_LOCAL,
				     veil_addr_len(&p->local), p->local.bytes)))
		return veil_perr(e, "request too large");
	return 0;
}

/**
 * veil_encap_parse_new() - the words of `encap add`
 * @argc: words after the verb
 * @argv: port PORT [ family inet|inet6 ] [ local ADDR ]
 * @msg: an encap-new request to fill
 * @e: why the words were refused
 *
 * Family and port are always sent; local only when given (absent: any).
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_encap_parse_new(int argc, char **argv, struct nl_msg *msg,
			 struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct encap_args p;

	if (encap_parse(&a, &p, true))
		return -EINVAL;
	return encap_put(msg, &p, e);
}

/**
 * veil_encap_parse_del() - the words of `encap del`
 * @argc: words after the verb
 * @argv: port PORT [ family inet|inet6 ]
 * @msg: an encap-del request to fill
 * @e: why the words were refused
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_encap_parse_del(int argc, char **argv, struct nl_msg *msg,
			 struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct encap_args p;

	if (encap_parse(&a, &p, false))
		return -EINVAL;
	return encap_put(msg, &p, e);
}
