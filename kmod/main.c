// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * Module entry points and per-network-namespace life cycle.
 */

#include <linux/module.h>
#include <linux/init.h>
#include <net/genetlink.h>

#include "ah.h"
#include "esp.h"
#include "main.h"
#include "netlink.h"
#include "input.h"
#include "output.h"
#include "policy.h"
#include "sa.h"
#include "tls/tls.h"
#include "dev.h"
#include "encap.h"
#include "version.h"
#include "uapi/linux/veil.h"

unsigned int veil_net_id __read_mostly;

static int __net_init veil_net_init(struct net *net)
{
	struct veil_net *vn = veil_net(net);
	int ret;

	vn->net = net;
	mutex_init(&vn->conf_lock);
	veil_encap_net_init(vn);
	veil_dev_net_init(vn);
	vn->stats = alloc_percpu(struct veil_net_stats);
	if (!vn->stats)
		return -ENOMEM;
	ret = veil_sa_net_init(vn);
	if (ret)
		goto err_stats;
	ret = veil_policy_net_init(vn);
	if (ret)
		goto err_sa;
	ret = veil_input_net_init(vn);
	if (ret)
		goto err_policy;
	ret = veil_output_net_init(vn);
	if (ret)
		goto err_input;
	return 0;

err_input:
	veil_input_net_exit(vn);
err_policy:
	veil_policy_net_exit(vn);
err_sa:
	veil_sa_net_exit(vn);
err_stats:
	free_percpu(vn->stats);
	return ret;
}

/* Interfaces first, with RTNL, before the tables they use go (exit). */
static void __net_exit veil_net_pre_exit(struct net *net)
{
	veil_dev_net_pre_exit(veil_net(net));
}

static void __net_exit veil_net_exit(struct net *net)
{
	struct veil_net *vn = veil_net(net);

	veil_encap_net_exit(vn);
	veil_output_net_exit(vn);
	veil_input_net_exit(vn);
	veil_policy_net_exit(vn);
	veil_sa_net_exit(vn);
	free_percpu(vn->stats);
	WARN_ON_ONCE(!xa_empty(&vn->devs));
	xa_destroy(&vn->devs);
	mutex_destroy(&vn->conf_lock);
}

static struct pernet_operations veil_net_ops = {
	.init = veil_net_init,
	.pre_exit = veil_net_pre_exit,
	.exit = veil_net_exit,
	.id = &veil_net_id,
	.size = sizeof(struct veil_net),
};

static int __init veil_mod_init(void)
{
	int ret;

	/*
	 * Namespace state first: once the family is registered a request can
	 * arrive from any namespace, and it must find its veil_net there.
	 */
	ret = veil_sa_init();
	if (ret)
		return ret;
	veil_input_init();

	ret = register_pernet_subsys(&veil_net_ops);
	if (ret)
		goto err_sa;

	ret = veil_esp_input_init();
	if (ret)
		goto err_pernet;
	ret = veil_ah_input_init();
	if (ret)
		goto err_esp_input;

	ret = veil_dev_init();
	if (ret)
		goto err_esp;
	ret = veil_tls_init();
	if (ret)
		goto err_dev;
	ret = veil_genl_init();
	if (ret)
		goto err_tls;

	pr_info("veil %s loaded: IPsec ESP/AH and TLS record layer\n",
		VEIL_MOD_VERSION);
	return 0;

err_tls:
	veil_tls_uninit();
err_dev:
	veil_dev_uninit();
err_esp:
	veil_ah_input_uninit();
err_esp_input:
	veil_esp_input_uninit();
err_pernet:
	unregister_pernet_subsys(&veil_net_ops);
err_sa:
	veil_sa_uninit();
	return ret;
}

static void __exit veil_mod_exit(void)
{
	/* Reverse order: no request can be in flight once the family is gone. */
	veil_genl_uninit();
	/* No socket can use the ULP: each held a module reference. */
	veil_tls_uninit();
	/* Every veil interface is deleted, and with it its traffic. */
	veil_dev_uninit();
	/* No packet reaches veil, or is still being decrypted, after this. */
	veil_ah_input_uninit();
	veil_esp_input_uninit();
	unregister_pernet_subsys(&veil_net_ops);
	/*
	 * The wait above covered packets being decrypted. Until the
	 * namespaces' output hooks went just now, outbound packets kept
	 * entering the crypto API: an asynchronous one (cryptd behind
	 * AES-NI when the FPU is busy) completes them later, in module
	 * code, and each holds an SA of veil_sa_cache.
	 */
	veil_esp_inflight_wait();
	/* Encapsulation sockets are freed by RCU callbacks, module code. */
	rcu_barrier();
	veil_sa_uninit();
}

module_init(veil_mod_init);
module_exit(veil_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IPsec ESP/AH and TLS record layer on the kernel crypto API");
MODULE_AUTHOR("The veil authors");
MODULE_VERSION(VEIL_MOD_VERSION);
/* Lets a first `veil` request load the module on demand, as with wireguard. */
MODULE_ALIAS_GENL_FAMILY(VEIL_FAMILY_NAME);
