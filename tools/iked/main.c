// SPDX-License-Identifier: GPL-2.0
/*
 * veil-iked: an IKEv2 daemon that installs the Child SAs it negotiates in
 * veil.ko. One thread, one epoll set: the IKE sockets, veil.ko's events,
 * signals; and the timer heap for everything that waits.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <linux/veil.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "daemon.h"
#include "log.h"

#ifndef VEIL_VERSION
#define VEIL_VERSION "unknown"
#endif

/* epoll data: what is ready */
enum { EV_SIGNAL = -1, EV_KERNEL = -2 };

static void usage(FILE *f)
{
	fputs("Usage: veil-iked [ OPTIONS ]\n"
	      "  -f, --config FILE    configuration (default " IKED_CONF_PATH ")\n"
	      "  -s, --secrets FILE   pre-shared keys (default " IKED_SECRETS_PATH ")\n"
	      "  -c, --ctl PATH       control socket (default: the configuration's\n"
	      "                       ctl_socket, else " IKED_CTL_PATH ")\n"
	      "  -F, --foreground     stay in the foreground and log to stderr\n"
	      "  -d, --debug          log details (level 2) for every subsystem\n"
	      "  -t, --check          check the configuration and exit\n"
	      "  -V, --version        print the version and exit\n", f);
}

static int load(struct iked *d, const char *conf, const char *secrets)
{
	char err[512];
	unsigned int i, j;

	if (iked_config_read(&d->cfg, conf, secrets, err, sizeof(err))) {
		fprintf(stderr, "veil-iked: %s\n", err);
		return -1;
	}
	d->next_reqid = 1;
	for (i = 0; i < d->cfg.n_conns; i++)
		for (j = 0; j < d->cfg.conns[i].n_children; j++)
			d->cfg.conns[i].children[j].reqid = d->next_reqid++;
	return 0;
}

static int ep_add(int ep, int fd, int64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void on_kernel_event(const struct iked_kernel_event *ev, void *arg)
{
	struct iked *d = arg;

	if (ev->type == VEIL_CMD_ACQUIRE_NTF)
		ike_child_acquire(d, ev);
	else if (ev->type == VEIL_CMD_SA_EXPIRE_NTF)
		ike_child_expire(d, ev);
}

/* What start_action asks for once the daemon is up. */
static void start_children(struct iked *d)
{
	unsigned int i, j;

	for (i = 0; i < d->cfg.n_conns; i++) {
		struct iked_conn_cfg *c = &d->cfg.conns[i];

		for (j = 0; j < c->n_children; j++)
			if (c->children[j].start_action == IKED_ACTION_TRAP)
				c->children[j].trapped = !ike_child_trap(d, c, &c->children[j], true);
		iked_conn_start(d, c, NULL);
	}
}

/* SIGHUP: as `veil ike reload`, with the outcome in the log only. */
static void reload_signal(struct iked *d)
{
	struct json_object *changes = json_object_new_object();
	char err[512];

	iked_log(IKED_CFG, 1, "SIGHUP: reloading %s", d->conf_path);
	if (changes)
		iked_reload(d, changes, err, sizeof(err));
	json_object_put(changes);
}

/* Whether @sa is the new IKE SA another's rekey is making (create.c). */
static bool stop_is_rekey_new(struct iked *d, const struct ike_sa *sa)
{
	const struct ike_sa *o;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (o = d->sas[b]; o; o = o->hnext)
			if (o->rekey_new == sa)
				return true;
	return false;
}

/*
 * A stop closes every IKE SA: now, or, with a request in flight (a rekey,
 * say), once its answer is in; meanwhile the loop runs, and this runs again
 * each time round, so that an IKE SA a finishing rekey makes is closed too.
 * A rekey's new SA is left to the rekey: closing it half-made would leave
 * it alive at the peer.
 */
static void stop_close(struct iked *d)
{
	struct ike_sa *sa;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			if (!stop_is_rekey_new(d, sa))
				ike_sa_close(sa);
}

/* Whether an IKE SA still has an exchange to finish before the stop. */
static bool stop_waiting(struct iked *d)
{
	struct ike_sa *sa;
	unsigned int b;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			if (sa->state != IKE_SA_DEAD && (sa->req.buf || sa->close_pending))
				return true;
	return false;
}

static void stop_all(struct iked *d)
{
	struct ike_sa *sa;
	unsigned int b, i, j;

	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			ike_sa_delete(sa, true);
	for (i = 0; i < d->cfg.n_conns; i++)
		for (j = 0; j < d->cfg.conns[i].n_children; j++)
			if (d->cfg.conns[i].children[j].trapped) {
				ike_child_trap(d, &d->cfg.conns[i], &d->cfg.conns[i].children[j],
					       false);
				d->cfg.conns[i].children[j].trapped = false;
			}
	for (b = 0; b < IKED_SA_HASH; b++)
		for (sa = d->sas[b]; sa; sa = sa->hnext)
			ike_sa_dead(sa, "veil-iked stops");
	ike_sa_reap(d);
}

static int run(struct iked *d)
{
	static struct iked_dgram dg;
	struct epoll_event evs[16];
	struct signalfd_siginfo si;
	sigset_t mask;
	int ep, sfd, n, i, ret;
	uint64_t stop_by = 0;
	char err[256];

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0 || ep_add(ep, sfd, EV_SIGNAL) ||
	    ep_add(ep, iked_kernel_events_fd(&d->kernel), EV_KERNEL) ||
	    iked_ctl_watch(&d->ctl, ep)) {
		iked_log(IKED_NET, 0, "epoll: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < d->net.n; i++) {
		if (ep_add(ep, d->net.socks[i].fd, i))
			return 1;
		if (d->net.socks[i].natt &&
		    iked_kernel_encap_sock(&d->kernel, d->net.socks[i].fd, err, sizeof(err))) {
			iked_log(IKED_KNL, 0, "%s", err);
			return 1;
		}
	}
	start_children(d);
	iked_log(IKED_CFG, 0, "veil-iked " VEIL_VERSION " running: %u connection%s",
		 d->cfg.n_conns, d->cfg.n_conns == 1 ? "" : "s");
	/* After a stop signal, up to 3 s for exchanges in flight to end. */
	while (!d->stop || !stop_by || (iked_now_ms() < stop_by && stop_waiting(d))) {
		if (d->stop) {
			if (!stop_by) {
				iked_log(IKED_CFG, 0, "veil-iked stopping");
				stop_by = iked_now_ms() + 3000;
			}
			stop_close(d);
		}
		n = epoll_wait(ep, evs, 16, d->stop ? 100 : iked_timers_wait_ms());
		if (n < 0 && errno != EINTR) {
			iked_log(IKED_NET, 0, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			int64_t tag = (int64_t)evs[i].data.u64;

			if (tag == EV_SIGNAL) {
				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo != SIGHUP)
						d->stop = 1;
					else if (!d->stop)
						reload_signal(d);
				}
			} else if (tag == EV_KERNEL) {
				ret = iked_kernel_events(&d->kernel, on_kernel_event, d);
				if (ret == -ENOBUFS)
					iked_log(IKED_KNL, 0, "veil.ko's events overflowed: some "
						 "acquires or expiries were lost");
			} else if (tag < 0) {
				iked_ctl_event(d, tag, evs[i].events);
			} else {
				while ((ret = iked_net_recv(&d->net.socks[tag], &dg)) >= 0)
					if (ret > 0)
						ike_sa_receive(d, &dg);
			}
			ike_sa_reap(d);
		}
		iked_timers_run();
		ike_sa_reap(d);
		if (d->retired)
			iked_reload_gc(d);
	}
	stop_all(d);
	close(ep);
	close(sfd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "secrets", required_argument, NULL, 's' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = IKED_CONF_PATH, *secrets = IKED_SECRETS_PATH, *ctl = NULL;
	bool foreground = false, debug = false, check = false;
	static struct iked d;
	char err[256];
	int c, i, ret;

	while ((c = getopt_long(argc, argv, "f:s:c:FdtVh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': conf = optarg; break;
		case 's': secrets = optarg; break;
		case 'c': ctl = optarg; break;
		case 'F': foreground = true; break;
		case 'd': debug = true; break;
		case 't': check = true; break;
		case 'V':
			puts("veil-iked " VEIL_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	iked_ctl_init(&d.ctl);
	d.conf_path = conf;
	d.secrets_path = secrets;
	d.debug = debug;
	d.started_ms = iked_now_ms();
	if (load(&d, conf, secrets))
		return 1;
	if (check) {
		printf("veil-iked: %s: %u connection%s, %u secret%s: OK\n", conf, d.cfg.n_conns,
		       d.cfg.n_conns == 1 ? "" : "s", d.cfg.n_secrets,
		       d.cfg.n_secrets == 1 ? "" : "s");
		iked_conf_free(&d.cfg);
		return 0;
	}
	if (debug)
		for (i = 0; i < IKED_NSUBSYS; i++)
			d.cfg.log_levels[i] = d.cfg.log_levels[i] > 2 ? d.cfg.log_levels[i] : 2;
	iked_log_init(foreground, d.cfg.log_levels);
	if (iked_kernel_open(&d.kernel, err, sizeof(err)) ||
	    iked_net_open(&d.net, d.cfg.ike_port, d.cfg.natt_port, err, sizeof(err)) ||
	    ike_crypto_cookie_init(&d.cookie) ||
	    iked_ctl_open(&d.ctl, ctl ?: *d.cfg.ctl_socket ? d.cfg.ctl_socket : IKED_CTL_PATH, err,
			  sizeof(err))) {
		fprintf(stderr, "veil-iked: %s\n", err);
		return 1;
	}
	if (!foreground && daemon(0, 0)) {
		fprintf(stderr, "veil-iked: daemon: %s\n", strerror(errno));
		return 1;
	}
	ret = run(&d);
	iked_ctl_close(&d.ctl);
	iked_reload_free(&d);
	iked_net_close(&d.net);
	iked_kernel_close(&d.kernel);
	ike_crypto_cookie_wipe(&d.cookie);
	iked_timers_free();
	iked_conf_free(&d.cfg);
	return ret;
}
