// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * UDP encapsulation of ESP for NAT traversal (RFC 3948): the sockets
 * ESP-in-UDP arrives on, and the UDP header on the way in and out.
 *
 * An IKE daemon owns its NAT-T socket (port 4500): IKE messages arrive on
 * it behind a four-byte zero "non-ESP marker", ESP packets without one. The
 * daemon hands the socket to veil (encap-new with its file descriptor, as
 * the kernel's OpenVPN offload takes a peer's socket) and veil sets the
 * socket's encap_rcv: ESP goes to IPsec input, IKE messages and NAT
 * keepalives stay the daemon's. The socket stays the process's: when it
 * closes it, veil lets go (encap_destroy). Without a daemon (manual
 * keying), veil opens a socket itself (encap-new with a port) and drops
 * what is not ESP.
 *
 * ESP taken off either kind of socket goes through XFRM's demultiplexer
 * for UDP-encapsulated ESP, xfrm4_rcv_encap()/xfrm6_rcv_encap(), as if the
 * socket had UDP_ENCAP set: veil's handler comes first and takes the SPIs
 * of veil's SAs (esp_input.c), any other goes on to the kernel's XFRM.
 * The same handler finds veil's packets on sockets that do have
 * UDP_ENCAP set, such as charon's.
 */

#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/xfrm.h>

#include "encap.h"
#include "main.h"
#include "sa.h"

static void veil_encap_free_rcu(struct rcu_head *head)
{
	struct veil_encap_sock *es = container_of(head, struct veil_encap_sock, rcu);

	free_percpu(es->stats);
	kfree(es);
}

/*
 * An ESP packet is one whose first four bytes, the SPI, are not zero and
 * that is longer than an ESP header; IKE has the zero marker there, and a
 * NAT keepalive is the single byte 0xff (RFC 3948 sections 2.2 and 2.3).
 *
 * Return: as an encap_rcv: 0 when the packet was taken, 1 when it is the
 * socket's to queue as an ordinary datagram.
 */
static int veil_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct veil_encap_sock *es = rcu_dereference_sk_user_data(sk);
	unsigned int len = skb->len - sizeof(struct udphdr);
	const __be32 *marker;

	if (unlikely(!es))
		return 1;
	if (len <= sizeof(struct ip_esp_hdr) ||
	    !pskb_may_pull(skb, sizeof(struct udphdr) + sizeof(struct ip_esp_hdr)))
		goto other;
	marker = (const __be32 *)(skb->data + sizeof(struct udphdr));
	if (!*marker)
		goto other;

	this_cpu_inc(es->stats->esp);
	if (skb_unclone(skb, GFP_ATOMIC))
		goto drop;
	/* IPv4-mapped traffic reaches IPv6 sockets too: go by the packet. */
	if (ip_hdr(skb)->version == 4) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tot_len = htons(ntohs(iph->tot_len) - sizeof(struct udphdr));
		__skb_pull(skb, sizeof(struct udphdr));
		skb_reset_transport_header(skb);
		return xfrm4_rcv_encap(skb, IPPROTO_ESP, 0, UDP_ENCAP_ESPINUDP);
	}
	ipv6_hdr(skb)->payload_len =
		htons(ntohs(ipv6_hdr(skb)->payload_len) - sizeof(struct udphdr));
	__skb_pull(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	return xfrm6_rcv_encap(skb, IPPROTO_ESP, 0, UDP_ENCAP_ESPINUDP);

other:
	this_cpu_inc(es->stats->other);
	if (!es->kernel)
		return 1;
	/* Nobody reads a socket veil opened: what is not ESP ends here. */
drop:
	kfree_skb(skb);
	return 0;
}

/* Stop taking packets from @sk; readers of sk_user_data finish under RCU. */
static void veil_encap_unhook(struct sock *sk)
{
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	rcu_assign_sk_user_data(sk, NULL);
}

/*
 * The socket is being destroyed: for one a process handed over, it closed
 * it. Process context. A socket veil opened was taken off the list by
 * veil_encap_close() already.
 */
static void veil_encap_destroy(struct sock *sk)
{
	struct veil_encap_sock *es;
	struct veil_net *vn;

	rcu_read_lock();
	es = rcu_dereference_sk_user_data(sk);
	rcu_read_unlock();
	if (!es || es->kernel)
		return;
	vn = es->vn;
	mutex_lock(&vn->conf_lock);
	list_del_rcu(&es->node);
	mutex_unlock(&vn->conf_lock);
	veil_encap_unhook(sk);
	call_rcu(&es->rcu, veil_encap_free_rcu);
	/*
	 * Taken when the socket was handed over: module code must stay
	 * while a process's socket can call into it. What runs after this
	 * is the return; veil's exit waits for RCU before it goes.
	 */
	module_put(THIS_MODULE);
}

static struct veil_encap_sock *veil_encap_find(struct veil_net *vn, u16 family, u16 port)
{
	struct veil_encap_sock *es;

	list_for_each_entry(es, &vn->encap_socks, node)
		if (es->family == family && es->port == port)
			return es;
	return NULL;
}

/*
 * Take ESP off @sock from now on. Under conf_lock; @kernel says who owns
 * the socket.
 */
static int veil_encap_attach(struct veil_net *vn, struct socket *sock, bool kernel,
			     struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;
	struct udp_tunnel_sock_cfg cfg = {
		.encap_type = UDP_ENCAP_ESPINUDP,
		.encap_rcv = veil_encap_rcv,
		.encap_destroy = veil_encap_destroy,
	};
	struct veil_encap_sock *es;
	int ret = 0;

	lockdep_assert_held(&vn->conf_lock);
	es = kzalloc(sizeof(*es), GFP_KERNEL);
	if (!es)
		goto nomem;
	es->stats = alloc_percpu(struct veil_encap_stats);
	if (!es->stats) {
		kfree(es);
		goto nomem;
	}
	es->vn = vn;
	es->sock = sock;
	es->kernel = kernel;
	cfg.sk_user_data = es;

	lock_sock(sk);
	es->family = sk->sk_family;
	es->port = inet_sk(sk)->inet_num;
	if (es->family == AF_INET) {
		es->local.ip4 = inet_sk(sk)->inet_rcv_saddr;
		es->has_local = es->local.ip4 != htonl(INADDR_ANY);
#if IS_ENABLED(CONFIG_IPV6)
	} else {
		es->local.ip6 = sk->sk_v6_rcv_saddr;
		es->has_local = !ipv6_addr_any(&es->local.ip6);
#endif
	}
	if (!es->port) {
		NL_SET_ERR_MSG(extack, "the socket is not bound to a port; bind it first");
		ret = -EINVAL;
	} else if (READ_ONCE(udp_sk(sk)->encap_type) || rcu_access_pointer(sk->sk_user_data)) {
		NL_SET_ERR_MSG(extack,
			       "the socket already carries UDP encapsulation (UDP_ENCAP or a tunnel)");
		ret = -EBUSY;
	} else if (veil_encap_find(vn, es->family, es->port)) {
		NL_SET_ERR_MSG(extack, "veil already takes ESP on a socket of this family and port");
		ret = -EEXIST;
	} else if (!kernel && !try_module_get(THIS_MODULE)) {
		NL_SET_ERR_MSG(extack, "veil is being unloaded");
		ret = -ENODEV;
	} else {
		setup_udp_tunnel_sock(sock_net(sk), sock, &cfg);
		list_add_tail_rcu(&es->node, &vn->encap_socks);
	}
	release_sock(sk);
	if (ret) {
		free_percpu(es->stats);
		kfree(es);
	}
	return ret;

nomem:
	NL_SET_ERR_MSG(extack, "out of memory for the encapsulating socket");
	return -ENOMEM;
}

/**
 * veil_encap_adopt() - take ESP off a process's UDP socket
 * @vn: the namespace, whose conf_lock the caller holds
 * @sock: the socket, from the caller's file table, of @vn's namespace
 * @extack: for the reason of a refusal
 *
 * Return: 0, or an error with a message in @extack.
 */
int veil_encap_adopt(struct veil_net *vn, struct socket *sock, struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;

	if (!sk || sk->sk_type != SOCK_DGRAM || sk->sk_protocol != IPPROTO_UDP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "fd is not a UDP socket");
		return -EINVAL;
	}
	if (!net_eq(sock_net(sk), vn->net)) {
		NL_SET_ERR_MSG(extack, "the socket belongs to another network namespace");
		return -EINVAL;
	}
	return veil_encap_attach(vn, sock, false, extack);
}

/**
 * veil_encap_open() - open a UDP socket and take ESP off it
 * @vn: the namespace, whose conf_lock the caller holds
 * @family: AF_INET or AF_INET6
 * @port: the port, host order
 * @local: the address to bind to; NULL for any
 * @extack: for the reason of a refusal
 *
 * Return: 0, or an error with a message in @extack.
 */
int veil_encap_open(struct veil_net *vn, u16 family, u16 port, const union veil_addr *local,
		    struct netlink_ext_ack *extack)
{
	struct udp_port_cfg cfg = {
		.family = family,
		.local_udp_port = htons(port),
		/* An IPv4 and an IPv6 socket on the same port, side by side. */
		.ipv6_v6only = 1,
	};
	struct socket *sock;
	int ret;

	if (veil_encap_find(vn, family, port)) {
		NL_SET_ERR_MSG(extack, "veil already takes ESP on a socket of this family and port");
		return -EEXIST;
	}
	if (local && family == AF_INET)
		cfg.local_ip.s_addr = local->ip4;
#if IS_ENABLED(CONFIG_IPV6)
	else if (local)
		cfg.local_ip6 = local->ip6;
#endif
	ret = udp_sock_create(vn->net, &cfg, &sock);
	if (ret == -EADDRINUSE) {
		NL_SET_ERR_MSG(extack, "the UDP port is in use in this namespace");
		return ret;
	}
	if (ret == -EADDRNOTAVAIL) {
		NL_SET_ERR_MSG(extack, "local is not an address of this namespace");
		return ret;
	}
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot open the UDP socket");
		return ret;
	}
	ret = veil_encap_attach(vn, sock, true, extack);
	if (ret)
		udp_tunnel_sock_release(sock);
	return ret;
}

/*
 * Close a socket veil opened. Under conf_lock: its encap_destroy does not
 * take the lock for a socket of veil's own.
 */
static void veil_encap_close(struct veil_encap_sock *es)
{
	list_del_rcu(&es->node);
	veil_encap_unhook(es->sock->sk);
	udp_tunnel_sock_release(es->sock);
	call_rcu(&es->rcu, veil_encap_free_rcu);
}

/**
 * veil_encap_del() - close the socket veil opened for @family and @port
 * @vn: the namespace, whose conf_lock the caller holds
 * @family: AF_INET or AF_INET6
 * @port: host order
 * @extack: for the reason of a refusal
 *
 * Return: 0, -ENOENT, or -EBUSY for a socket a process handed over.
 */
int veil_encap_del(struct veil_net *vn, u16 family, u16 port, struct netlink_ext_ack *extack)
{
	struct veil_encap_sock *es = veil_encap_find(vn, family, port);

	if (!es) {
		NL_SET_ERR_MSG(extack, "veil has no socket of this family on this port");
		return -ENOENT;
	}
	if (!es->kernel) {
		NL_SET_ERR_MSG(extack,
			       "the socket belongs to a process; veil lets go of it when the process closes it");
		return -EBUSY;
	}
	veil_encap_close(es);
	return 0;
}

/**
 * veil_encap_stats_read() - sum a socket's per-CPU counters
 * @es: the socket
 * @sum: filled in
 */
void veil_encap_stats_read(const struct veil_encap_sock *es, struct veil_encap_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct veil_encap_stats *s = per_cpu_ptr(es->stats, cpu);

		sum->esp += READ_ONCE(s->esp);
		sum->other += READ_ONCE(s->other);
	}
}

void veil_encap_net_init(struct veil_net *vn)
{
	INIT_LIST_HEAD(&vn->encap_socks);
}

/*
 * The namespace is going: close veil's own sockets. A process's socket
 * holds the namespace, so none of those can be left.
 */
void veil_encap_net_exit(struct veil_net *vn)
{
	struct veil_encap_sock *es, *tmp;

	mutex_lock(&vn->conf_lock);
	list_for_each_entry_safe(es, tmp, &vn->encap_socks, node)
		if (!WARN_ON_ONCE(!es->kernel))
			veil_encap_close(es);
	mutex_unlock(&vn->conf_lock);
}

/**
 * veil_encap_port_held() - does veil take ESP on this local UDP port?
 * @vn: the namespace
 * @family: AF_INET or AF_INET6
 * @port: host order
 *
 * Under rcu_read_lock(), as netfilter hooks run.
 */
bool veil_encap_port_held(struct veil_net *vn, u16 family, u16 port)
{
	struct veil_encap_sock *es;

	list_for_each_entry_rcu(es, &vn->encap_socks, node)
		if (es->family == family && es->port == port)
			return true;
	return false;
}

/**
 * veil_encap_sk_is_ike() - does @sk send IKE on a NAT-T port?
 * @sk: the sending socket of an outbound packet, or NULL
 *
 * A socket with RFC 3948 encapsulation, veil's or XFRM's, is an IKE
 * daemon's: its IKE messages and keepalives must leave in clear whatever
 * policy covers them, as charon's per-socket bypass policies make them do
 * with XFRM.
 */
bool veil_encap_sk_is_ike(const struct sock *sk)
{
	return sk && sk_fullsock(sk) && sk->sk_protocol == IPPROTO_UDP &&
	       READ_ONCE(udp_sk(sk)->encap_type) == UDP_ENCAP_ESPINUDP;
}

/**
 * veil_encap_udp_strip() - make an ESP-in-UDP packet a plain ESP one
 * @skb: skb->data at the ESP header, the UDP header just before it (as
 *	xfrm4_rcv_encap() and xfrm6_rcv_encap() pass packets on)
 * @family: the IP version
 *
 * Moves the IP header over the UDP header and has it say ESP, so the rest
 * of the input treats the packet like one that came without UDP.
 *
 * Return: 0, or an error when the packet cannot be written.
 */
int veil_encap_udp_strip(struct sk_buff *skb, u16 family)
{
	int iplen = skb->data - sizeof(struct udphdr) - skb_network_header(skb);
	u8 *nh;

	if (iplen < (family == AF_INET ? (int)sizeof(struct iphdr) : (int)sizeof(struct ipv6hdr)))
		return -EINVAL;
	if (skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	nh = skb_network_header(skb);
	memmove(nh + sizeof(struct udphdr), nh, iplen);
	skb_set_network_header(skb, -iplen);
	if (family == AF_INET) {
		ip_hdr(skb)->protocol = IPPROTO_ESP;
		ip_send_check(ip_hdr(skb));
	} else {
		skb_network_header(skb)[IP6CB(skb)->nhoff] = IPPROTO_ESP;
	}
	return 0;
}

/**
 * veil_encap_udp_finish() - the UDP header's length and checksum
 * @skb: an ESP-in-UDP packet of @sa, finished but for these, its
 *	transport header at the UDP header
 * @sa: the SA
 *
 * RFC 3948 section 2.1: no checksum over IPv4; IPv6 requires one.
 */
void veil_encap_udp_finish(struct sk_buff *skb, const struct veil_sa *sa)
{
	struct udphdr *uh = udp_hdr(skb);
	unsigned int len = skb->len - skb_transport_offset(skb);
	__wsum csum;

	uh->len = htons(len);
	uh->check = 0;
	if (sa->key.family == AF_INET)
		return;
	csum = skb_checksum(skb, skb_transport_offset(skb), len, 0);
	uh->check = csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr, len,
				    IPPROTO_UDP, csum);
	if (!uh->check)
		uh->check = CSUM_MANGLED_0;
}

/**
 * veil_encap_csum_fixed() - transport mode through NAT: the inner checksum
 * @skb: the decrypted packet, skb->data at its IP header, the transport
 *	header at what follows
 * @sa: its SA, transport mode with UDP encapsulation
 * @nexthdr: the protocol after the IP header
 *
 * The peer's TCP, UDP or ICMPv6 checksum covers a pseudo-header with the
 * addresses it knew; a NAT on the way changed the source. With the
 * peer's original address (the SA's OADDR, IKE's NAT-OA), the checksum is
 * brought to the received addresses incrementally (RFC 3948 section
 * 3.1.2, first option) and verified as usual. Without one, ESP's ICV
 * already vouches for the payload and the checksum is not looked at
 * (the third option, and what XFRM does).
 *
 * Return: true when the checksum is to be verified as usual.
 */
bool veil_encap_csum_fixed(struct sk_buff *skb, const struct veil_sa *sa, u8 nexthdr)
{
	unsigned int off = skb_transport_offset(skb), at;
	__sum16 *check;

	if (!sa->encap.has_oaddr)
		return false;
	switch (nexthdr) {
	case IPPROTO_TCP:
		at = offsetof(struct tcphdr, check);
		break;
	case IPPROTO_UDP:
		at = offsetof(struct udphdr, check);
		break;
	case IPPROTO_ICMPV6:
		at = offsetof(struct icmp6hdr, icmp6_cksum);
		break;
	default:
		return true;	/* no pseudo-header, nothing NAT broke */
	}
	if (sa->key.family == AF_INET && ip_is_fragment(ip_hdr(skb)))
		return false;	/* only reassembly can see the whole datagram */
	if (skb_ensure_writable(skb, off + at + sizeof(*check)))
		return false;
	check = (__sum16 *)(skb->data + off + at);
	/* A UDP datagram over IPv4 may come without a checksum. */
	if (nexthdr == IPPROTO_UDP && !*check)
		return true;
	if (sa->key.family == AF_INET)
		inet_proto_csum_replace4(check, skb, sa->encap.oaddr.ip4, ip_hdr(skb)->saddr,
					 true);
	else
		inet_proto_csum_replace16(check, skb, sa->encap.oaddr.ip6.s6_addr32,
					  ipv6_hdr(skb)->saddr.s6_addr32, true);
	if (nexthdr == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	return true;
}
