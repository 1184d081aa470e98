// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Route-based IPsec interfaces: rtnetlink link kind "veil", as XFRM's
 * "xfrm" interfaces. An interface has an id (if_id); policies and SAs
 * carry one too (0 for none).
 *
 *  - A packet routed into the interface is looked up among the out
 *    policies with the interface's id, and protected by the tunnel-mode
 *    SA(s) their templates name, which must have that id as well. So
 *    routes and firewall rules choose what goes into the tunnel, and the
 *    policies may be as wide as 0.0.0.0/0.
 *  - A packet decrypted by a tunnel-mode SA with an id is received on the
 *    interface with that id, and checked against the in (or fwd)
 *    policies with that id.
 *
 * The interface lives on in the namespace it was created in (its link
 * namespace): its policies and SAs are that namespace's, and its ESP
 * leaves and arrives there, while the interface itself can be moved to
 * another namespace (ip link set ... netns), as WireGuard's can. The ids
 * are unique per link namespace. Counters are the interface's own
 * (ip -s link) besides the SAs' and the namespace's.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>

#include "dev.h"
#include "main.h"
#include "output.h"
#include "uapi/linux/veil.h"

/*
 * Room for ESP in tunnel mode with an IPv6 outer header and UDP
 * encapsulation: 40 + 8 + 8 (ESP) + 16 (IV) + 3 + 2 (padding, trailer)
 * + 16 (ICV) = 93; AES-GCM and ChaCha20-Poly1305 take 85. A 1500-byte
 * underlay then carries whole packets; the MTU can be set to suit.
 */
#define VEIL_DEV_MTU 1400

static void veil_dev_stats_add(struct net_device *dev, bool rx, unsigned int packets,
			       unsigned int len)
{
	struct pcpu_sw_netstats *s = this_cpu_ptr(dev->tstats);

	u64_stats_update_begin(&s->syncp);
	if (rx) {
		u64_stats_add(&s->rx_packets, packets);
		u64_stats_add(&s->rx_bytes, len);
	} else {
		u64_stats_add(&s->tx_packets, packets);
		u64_stats_add(&s->tx_bytes, len);
	}
	u64_stats_update_end(&s->syncp);
}

static netdev_tx_t veil_dev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct veil_dev *vd = netdev_priv(dev);
	unsigned int len = skb->len;
	/* A GSO packet leaves as its segments, each an ESP packet. */
	unsigned int packets = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;

	/* Out of the interface's namespace into its link namespace. */
	if (!net_eq(dev_net(dev), vd->vn->net))
		skb_scrub_packet(skb, true);
	memset(skb->cb, 0, sizeof(skb->cb));
	if (veil_output_if(vd->vn, skb, vd->if_id)) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	veil_dev_stats_add(dev, false, packets, len);
	return NETDEV_TX_OK;
}

static int veil_dev_ndo_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

/* Under RTNL: the id is free again once the interface is unregistered. */
static void veil_dev_ndo_uninit(struct net_device *dev)
{
	struct veil_dev *vd = netdev_priv(dev);

	xa_cmpxchg(&vd->vn->devs, vd->if_id, vd, NULL, GFP_KERNEL);
}

static const struct net_device_ops veil_netdev_ops = {
	.ndo_init = veil_dev_ndo_init,
	.ndo_uninit = veil_dev_ndo_uninit,
	.ndo_start_xmit = veil_dev_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void veil_dev_destruct(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static void veil_dev_setup(struct net_device *dev)
{
	/* Segments and checksums are done before ESP (esp_output.c). */
	const netdev_features_t features = NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_FRAGLIST |
					   NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA;

	dev->netdev_ops = &veil_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = VEIL_DEV_MTU;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - sizeof(struct ipv6hdr) - 128;
	dev->features |= features;
	dev->hw_features |= features;
	veil_netdev_set_lltx(dev);
	dev->needs_free_netdev = true;
	dev->priv_destructor = veil_dev_destruct;
	/* The route stays with the packet, for ICMP "too big" answers. */
	netif_keep_dst(dev);
}

static const struct nla_policy veil_dev_policy[IFLA_VEIL_MAX + 1] = {
	[IFLA_VEIL_IF_ID] = { .type = NLA_U32 },
};

static int veil_dev_validate(struct nlattr *tb[], struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	if (data && data[IFLA_VEIL_IF_ID] && !nla_get_u32(data[IFLA_VEIL_IF_ID])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_VEIL_IF_ID],
				    "if_id must not be 0: 0 is for policies and SAs of no interface");
		return -EINVAL;
	}
	return 0;
}

static int veil_dev_newlink(struct net *src_net, struct net_device *dev, struct nlattr *tb[],
			    struct nlattr *data[], struct netlink_ext_ack *extack)
{
	struct veil_dev *vd = netdev_priv(dev);
	struct veil_net *vn = veil_net(src_net);
	u32 if_id = 0;
	int ret;

	vd->dev = dev;
	vd->vn = vn;
	if (data && data[IFLA_VEIL_IF_ID]) {
		if_id = nla_get_u32(data[IFLA_VEIL_IF_ID]);
		ret = xa_insert(&vn->devs, if_id, vd, GFP_KERNEL);
		if (ret == -EBUSY) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_VEIL_IF_ID],
					    "another veil interface of this namespace has this if_id");
			return -EEXIST;
		}
	} else {
		ret = xa_alloc(&vn->devs, &if_id, vd, XA_LIMIT(1, U32_MAX), GFP_KERNEL);
	}
	if (ret)
		return ret;
	vd->if_id = if_id;
	ret = register_netdevice(dev);
	if (ret)
		xa_cmpxchg(&vn->devs, if_id, vd, NULL, GFP_KERNEL);
	return ret;
}

static size_t veil_dev_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u32));	/* IFLA_VEIL_IF_ID */
}

static int veil_dev_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct veil_dev *vd = netdev_priv(dev);

	return nla_put_u32(skb, IFLA_VEIL_IF_ID, vd->if_id) ? -EMSGSIZE : 0;
}

static struct net *veil_dev_get_link_net(const struct net_device *dev)
{
	const struct veil_dev *vd = netdev_priv(dev);

	return vd->vn->net;
}

static struct rtnl_link_ops veil_link_ops __read_mostly = {
	.kind = KBUILD_MODNAME,
	.priv_size = sizeof(struct veil_dev),
	.maxtype = IFLA_VEIL_MAX,
	.policy = veil_dev_policy,
	.setup = veil_dev_setup,
	.validate = veil_dev_validate,
	.newlink = veil_dev_newlink,
	.get_size = veil_dev_get_size,
	.fill_info = veil_dev_fill_info,
	.get_link_net = veil_dev_get_link_net,
};

/**
 * veil_dev_if_id() - the interface id of @dev, if it is a veil interface
 * @dev: any device, or NULL
 *
 * Return: the id, or 0 for any other device.
 */
u32 veil_dev_if_id(const struct net_device *dev)
{
	if (!dev || dev->rtnl_link_ops != &veil_link_ops)
		return 0;
	return ((const struct veil_dev *)netdev_priv(dev))->if_id;
}

/**
 * veil_dev_lookup() - the interface of @vn with id @if_id
 * @vn: its link namespace
 * @if_id: the id
 *
 * Under rcu_read_lock(); the device is not held.
 *
 * Return: the interface, or NULL.
 */
struct net_device *veil_dev_lookup(struct veil_net *vn, u32 if_id)
{
	struct veil_dev *vd = xa_load(&vn->devs, if_id);

	return vd ? vd->dev : NULL;
}

/**
 * veil_dev_receive() - hand a decrypted tunnel packet to its interface
 * @skb: the inner packet
 * @dev: the interface (veil_dev_lookup())
 *
 * Counts it; the caller queues it with netif_rx(). A packet that goes on
 * to the interface's namespace is scrubbed of what belonged to the link
 * namespace.
 */
void veil_dev_receive(struct sk_buff *skb, struct net_device *dev)
{
	struct veil_dev *vd = netdev_priv(dev);

	if (!net_eq(dev_net(dev), vd->vn->net))
		skb_scrub_packet(skb, true);
	skb->dev = dev;
	veil_dev_stats_add(dev, true, 1, skb->len);
}

void veil_dev_net_init(struct veil_net *vn)
{
	xa_init_flags(&vn->devs, XA_FLAGS_ALLOC1);
}

/*
 * The link namespace is going: its interfaces go too, wherever they are
 * (those in it would be deleted with it anyway).
 */
void veil_dev_net_pre_exit(struct veil_net *vn)
{
	struct veil_dev *vd;
	unsigned long id;
	LIST_HEAD(list);

	rtnl_lock();
	xa_for_each(&vn->devs, id, vd)
		unregister_netdevice_queue(vd->dev, &list);
	unregister_netdevice_many(&list);
	rtnl_unlock();
}

int __init veil_dev_init(void)
{
	return rtnl_link_register(&veil_link_ops);
}

/* Deletes every veil interface of every namespace. */
void veil_dev_uninit(void)
{
	rtnl_link_unregister(&veil_link_ops);
}

/* `ip link add NAME type veil` loads the module. */
MODULE_ALIAS_RTNL_LINK("veil");
