// SPDX-License-Identifier: GPL-2.0
/*
 * `veil link` command lines turned into rtnetlink requests for links of
 * kind "veil" (route-based IPsec interfaces): RTM_NEWLINK with the kind's
 * IFLA_INFO_DATA, which ip(8) cannot send for a kind it does not know,
 * RTM_DELLINK and RTM_GETLINK. As the other parsers, nothing here needs a
 * socket.
 */
#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veil.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "parse.h"

/* The link kind veil.ko registers. */
#define LINK_KIND	"veil"

/**
 * veil_link_msg_new() - start an rtnetlink link request
 * @type: RTM_NEWLINK, RTM_DELLINK or RTM_GETLINK
 * @flags: extra NLM_F_* flags (NLM_F_DUMP for dumps)
 *
 * The message starts with an all-zero struct ifinfomsg (AF_UNSPEC, no
 * index: the interface is named by IFLA_IFNAME). Requests other than
 * dumps ask for an ack, as veil_nl_msg_new()'s do.
 *
 * Return: the message, to be filled with attributes, or NULL on ENOMEM.
 */
struct nl_msg *veil_link_msg_new(int type, int flags)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;

	if (!(flags & NLM_F_DUMP))
		flags |= NLM_F_ACK;
	msg = nlmsg_alloc_simple(type, flags);
	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* What the kernel's dev_valid_name() takes, so the refusal is ours. */
static int link_check_name(struct veil_perr *e, const char *name)
{
	if (!*name)
		return veil_perr(e, "the interface name is empty");
	if (strlen(name) > IFNAMSIZ - 1)
		return veil_perr(e, "interface name \"%s\" is longer than %d characters",
				 name, IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, "..") || strpbrk(name, "/: \t\n\v\f\r"))
		return veil_perr(e, "interface name \"%s\" is not valid: it may not be \".\" or \"..\", nor hold \"/\", \":\" or white space",
				 name);
	return 0;
}

/**
 * veil_link_put_name() - name the interface a link request is about
 * @msg: from veil_link_msg_new()
 * @name: the interface's name, checked as the kernel would
 * @e: why @name was refused
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_link_put_name(struct nl_msg *msg, const char *name, struct veil_perr *e)
{
	if (link_check_name(e, name))
		return -EINVAL;
	if (nla_put_string(msg, IFLA_IFNAME, name))
		return veil_perr(e, "request too large");
	return 0;
}

/**
 * veil_link_msg_name() - the name a link request carries
 * @msg: from veil_link_msg_new()
 *
 * Return: the IFLA_IFNAME string in @msg, or NULL when it has none.
 */
const char *veil_link_msg_name(struct nl_msg *msg)
{
	struct nlattr *nla = nlmsg_find_attr(nlmsg_hdr(msg), sizeof(struct ifinfomsg),
					     IFLA_IFNAME);

	return nla ? nla_get_string(nla) : NULL;
}

struct link_args {
	const char *name;
	bool has_if_id;
	uint32_t if_id;
};

static bool link_is_if_id(const char *w)
{
	return !strcmp(w, "if_id") || !strcmp(w, "if-id");
}

/* "0", "000", "0x0": a zero however written. */
static bool link_is_zero(const char *s)
{
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	return *s && strspn(s, "0") == strlen(s);
}

static int link_parse_if_id(struct veil_perr *e, const char *s, uint32_t *id)
{
	uint64_t n;

	if (veil_parse_range(e, "if_id", s, 1, UINT32_MAX, &n)) {
		if (link_is_zero(s))
			return veil_perr(e, "if_id 0 means no interface: give 1 to 4294967295, or no if_id for the lowest free one");
		return -EINVAL;
	}
	*id = (uint32_t)n;
	return 0;
}

/*
 * add: [ name | dev ] NAME [ if_id N ], in any order, as ip link add
 * takes its name; del and show: [ dev ] NAME. @need_name: NAME must be
 * there.
 */
static int link_parse(struct veil_args *a, struct link_args *p, bool add,
		      bool need_name, const char *where)
{
	const char *w, *v;

	memset(p, 0, sizeof(*p));
	while ((w = veil_args_next(a))) {
		if (add && link_is_if_id(w)) {
			if (p->has_if_id)
				return veil_perr(a->e, "\"if_id\" given twice");
			if (veil_args_value(a, w, &v) || link_parse_if_id(a->e, v, &p->if_id))
				return -EINVAL;
			p->has_if_id = true;
		} else if (!add && link_is_if_id(w)) {
			return veil_perr(a->e, "%s takes no \"%s\": NAME names the interface",
					 where, w);
		} else if (!strcmp(w, "dev") || (add && !strcmp(w, "name"))) {
			if (veil_args_value(a, w, &v))
				return -EINVAL;
			if (p->name)
				return veil_perr(a->e, "two interface names: \"%s\" and \"%s\"",
						 p->name, v);
			p->name = v;
		} else if (!p->name) {
			p->name = w;
		} else {
			return veil_perr(a->e, "unknown argument \"%s\" to %s", w, where);
		}
	}
	if (!p->name && need_name)
		return veil_perr(a->e, "missing NAME, the interface's name");
	if (p->name && link_check_name(a->e, p->name))
		return -EINVAL;
	return 0;
}

/**
 * veil_link_parse_add() - the words of `link add`
 * @argc: words after the verb
 * @argv: [ name ] NAME [ if_id N ]
 * @msg: an RTM_NEWLINK request from veil_link_msg_new() to fill
 * @e: why the words were refused
 *
 * Sets NLM_F_CREATE and NLM_F_EXCL: an existing interface of that name is
 * an error, never modified. IFLA_INFO_DATA is sent only with if_id (1 to
 * 2^32-1); without it the kernel picks the lowest id free.
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_link_parse_add(int argc, char **argv, struct nl_msg *msg,
			struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct nlattr *info, *data;
	struct link_args p;

	if (link_parse(&a, &p, true, true, "link add"))
		return -EINVAL;
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	if (veil_link_put_name(msg, p.name, e))
		return -EINVAL;
	info = nla_nest_start(msg, IFLA_LINKINFO);
	if (!info || nla_put_string(msg, IFLA_INFO_KIND, LINK_KIND))
		return veil_perr(e, "request too large");
	if (p.has_if_id) {
		data = nla_nest_start(msg, IFLA_INFO_DATA);
		if (!data || nla_put_u32(msg, IFLA_VEIL_IF_ID, p.if_id))
			return veil_perr(e, "request too large");
		nla_nest_end(msg, data);
	}
	nla_nest_end(msg, info);
	return 0;
}

/**
 * veil_link_parse_del() - the words of `link del`
 * @argc: words after the verb
 * @argv: [ dev ] NAME
 * @msg: an RTM_DELLINK request from veil_link_msg_new() to fill
 * @e: why the words were refused
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_link_parse_del(int argc, char **argv, struct nl_msg *msg,
			struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct link_args p;

	if (link_parse(&a, &p, false, true, "link del"))
		return -EINVAL;
	return veil_link_put_name(msg, p.name, e);
}

/**
 * veil_link_parse_show() - the words of `link show`
 * @argc: words after the verb
 * @argv: [ [ dev ] NAME ]
 * @msg: an RTM_GETLINK request from veil_link_msg_new(RTM_GETLINK, 0)
 * @e: why the words were refused
 *
 * With NAME, @msg asks for that interface. Without, it becomes a dump
 * (NLM_F_DUMP) that asks the kernel to keep links of kind "veil" only (a
 * kernel that does not know the kind sends every link; the caller filters
 * anyway).
 *
 * Return: 0, or -EINVAL with @e filled in.
 */
int veil_link_parse_show(int argc, char **argv, struct nl_msg *msg,
			 struct veil_perr *e)
{
	struct veil_args a = { .argc = argc, .argv = argv, .e = e };
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct link_args p;
	struct nlattr *info;

	if (link_parse(&a, &p, false, false, "link show"))
		return -EINVAL;
	if (p.name)
		return veil_link_put_name(msg, p.name, e);
	nlh->nlmsg_flags = (nlh->nlmsg_flags & ~NLM_F_ACK) | NLM_F_DUMP;
	info = nla_nest_start(msg, IFLA_LINKINFO);
	if (!info || nla_put_string(msg, IFLA_INFO_KIND, LINK_KIND))
		return veil_perr(e, "request too large");
	nla_nest_end(msg, info);
	return 0;
}
