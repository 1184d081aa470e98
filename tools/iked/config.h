/* SPDX-License-Identifier: GPL-2.0 */
/*
 * veil-iked's configuration: connections and their children, read from
 * one file in libconfig's syntax with swanctl.conf's names, and the
 * pre-shared keys, read from a secrets file only root may read. See
 * veil-iked.conf(5).
 */
#ifndef VEIL_IKED_CONFIG_H
#define VEIL_IKED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "id.h"
#include "ts.h"

#define IKED_NAME_MAX		64
#define IKED_TS_MAX		16
#define IKED_ADDRS_MAX		8
#define IKED_FILES_MAX		8
#define IKED_PROPOSALS_MAX	512	/* the text of a proposal list */
#define IKED_PATH_MAX		256

#define IKED_CONF_PATH		"/etc/veil/iked.conf"
#define IKED_SECRETS_PATH	"/etc/veil/iked.secrets"

enum iked_auth_method {
	IKED_AUTH_PSK = 1,
	IKED_AUTH_PUBKEY,
};

enum iked_mode {
	IKED_MODE_TUNNEL,
	IKED_MODE_TRANSPORT,
};

/* start_action, and what dpd_action / close_action do with a child */
enum iked_action {
	IKED_ACTION_NONE,
	IKED_ACTION_TRAP,
	IKED_ACTION_START,	/* start_action only */
	IKED_ACTION_CLEAR,	/* dpd_action, close_action */
	IKED_ACTION_RESTART,	/* dpd_action, close_action */
};

/**
 * struct iked_auth_cfg - one side's authentication ("local" or "remote")
 * @method: psk or pubkey (certificates; the signature scheme follows the
 *	key: RSA, ECDSA or Ed25519, RFC 7427)
 * @id: the identity sent (local) or accepted (remote); by default the
 *	side's IP address
 * @has_id: @id was configured
 * @certs: local: the certificate (first) and intermediates, PEM files
 * @n_certs: how many
 * @key: local: the private key's PEM file (default: beside the first
 *	certificate, or looked up by the daemon)
 * @cacerts: remote: the CAs its chain must end in, PEM files
 * @n_cacerts: how many
 * @cred: pubkey: what iked_creds_load() (cert.c) read from the files
 *	above; freed with the configuration
 */
struct iked_auth_cfg {
	enum iked_auth_method method;
	struct iked_id id;
	bool has_id;
	char certs[IKED_FILES_MAX][IKED_PATH_MAX];
	unsigned int n_certs;
	char key[IKED_PATH_MAX];
	char cacerts[IKED_FILES_MAX][IKED_PATH_MAX];
	unsigned int n_cacerts;
	struct iked_cred *cred;
};

/**
 * struct iked_child_cfg - a Child SA's configuration (a "children" entry)
 * @name: its name
 * @local_ts: local traffic selectors (default: dynamic)
 * @n_local_ts: how many
 * @remote_ts: remote traffic selectors (default: dynamic)
 * @n_remote_ts: how many
 * @esp_proposals: ESP proposals in strongSwan's syntax; empty with AH
 * @ah_proposals: AH proposals; empty for ESP
 * @mode: tunnel (default) or transport
 * @start_action: none, trap or start
 * @dpd_action: when the peer is found dead: clear, trap or restart
 * @close_action: when the peer deletes the child: none, trap or start
 * @rekey_time: seconds before the child is rekeyed (default 1 h)
 * @life_time: seconds after which it is deleted (default rekey_time + 10%)
 * @rand_time: at most this many seconds are taken off @rekey_time at random
 * @rekey_bytes: bytes before a rekey, 0 for no limit
 * @life_bytes: bytes before the child is deleted, 0 for no limit
 * @rekey_packets: packets before a rekey, 0 for no limit
 * @life_packets: packets before the child is deleted, 0 for no limit
 * @replay_window: anti-replay window in packets (default 32, as XFRM's)
 * @if_id_in: the inbound SA's and policies' interface ID (route-based VPN)
 * @if_id_out: the outbound one's
 * @reqid: set by the daemon: ties the child's policies (and a trap's) to
 *	its SAs
 * @trapped: set by the daemon: its trap policies are installed
 */
struct iked_child_cfg {
	char name[IKED_NAME_MAX];
	struct iked_ts local_ts[IKED_TS_MAX];
	unsigned int n_local_ts;
	struct iked_ts remote_ts[IKED_TS_MAX];
	unsigned int n_remote_ts;
	char esp_proposals[IKED_PROPOSALS_MAX];
	char ah_proposals[IKED_PROPOSALS_MAX];
	enum iked_mode mode;
	enum iked_action start_action;
	enum iked_action dpd_action;
	enum iked_action close_action;
	uint32_t rekey_time;
	uint32_t life_time;
	uint32_t rand_time;
	uint64_t rekey_bytes;
	uint64_t life_bytes;
	uint64_t rekey_packets;
	uint64_t life_packets;
	uint32_t replay_window;
	uint32_t if_id_in;
	uint32_t if_id_out;
	uint32_t reqid;
	bool trapped;
};

/**
 * struct iked_conn_cfg - an IKE connection (a "connections" entry)
 * @name: its name
 * @local_addrs: addresses (or ranges) it may run on locally; none: any
 * @n_local_addrs: how many
 * @remote_addrs: the peer's; the first single address is what an
 *	initiator talks to, and a responder accepts any in the list
 * @n_remote_addrs: how many
 * @local_port: UDP port IKE runs on locally (default 500)
 * @remote_port: the peer's (default 500)
 * @proposals: IKE proposals in strongSwan's syntax (default "default")
 * @version: the IKE version: 2 (default), or 1 for IKEv1 (RFC 2409)
 * @aggressive: IKEv1: Aggressive Mode instead of Main Mode (default no)
 * @fragmentation: RFC 7383 fragmentation offered and used (default yes)
 * @encap: UDP-encapsulate ESP even without a NAT (default no)
 * @dpd_delay: seconds of silence before a liveness check, 0 for none
 * @rekey_time: seconds before the IKE SA is rekeyed (default 4 h; 24 h for
 *	IKEv1, whose ISAKMP SA is renewed by a new Phase 1)
 * @over_time: seconds after @rekey_time that the IKE SA is deleted
 *	(default 10% of @rekey_time)
 * @rand_time: at most this many seconds are taken off @rekey_time
 * @keyingtries: how often to try to establish it, 0 for ever (default 1)
 * @if_id_in: default if_id_in for its children
 * @if_id_out: default if_id_out for its children
 * @local: how this side authenticates
 * @remote: how the peer must
 * @children: its Child SAs
 * @n_children: how many
 */
struct iked_conn_cfg {
	char name[IKED_NAME_MAX];
	struct iked_ts local_addrs[IKED_ADDRS_MAX];
	unsigned int n_local_addrs;
	struct iked_ts remote_addrs[IKED_ADDRS_MAX];
	unsigned int n_remote_addrs;
	uint16_t local_port;
	uint16_t remote_port;
	char proposals[IKED_PROPOSALS_MAX];
	uint8_t version;
	bool aggressive;
	bool fragmentation;
	bool encap;
	uint32_t dpd_delay;
	uint32_t rekey_time;
	uint32_t over_time;
	uint32_t rand_time;
	uint32_t keyingtries;
	uint32_t if_id_in;
	uint32_t if_id_out;
	struct iked_auth_cfg local;
	struct iked_auth_cfg remote;
	struct iked_child_cfg *children;
	unsigned int n_children;
};

/**
 * struct iked_secret - a pre-shared key and the identities it is for
 * @ids: the identities (either end's) it serves; none: any
 * @n_ids: how many
 * @key: the key's bytes
 * @len: its length
 */
struct iked_secret {
	struct iked_id ids[IKED_ADDRS_MAX];
	unsigned int n_ids;
	uint8_t key[256];
	size_t len;
};

/**
 * struct iked_config - everything veil-iked is configured with
 * @conns: the connections
 * @n_conns: how many
 * @secrets: the pre-shared keys
 * @n_secrets: how many
 * @half_open_limit: half-open IKE SAs beyond which a responder demands a
 *	COOKIE (RFC 7296 §2.6) (default 50)
 * @ike_port: the UDP port IKE listens on (default 500)
 * @natt_port: the NAT-T port (default 4500)
 * @log_levels: per subsystem (see iked_log_subsys), -1 to 4
 * @retransmit_tries: retransmissions before a peer is given up (default 5)
 * @retransmit_timeout_ms: the first wait for an answer (default 4 s)
 * @retransmit_base: each wait is this many times the one before (1.8)
 * @fragment_size: the largest IP datagram an IKE fragment may make (1280,
 *	strongSwan's default)
 * @ctl_socket: the control socket's path, empty for the default (veil-iked's
 *	-c option wins over it)
 */
struct iked_config {
	struct iked_conn_cfg *conns;
	unsigned int n_conns;
	struct iked_secret *secrets;
	unsigned int n_secrets;
	uint32_t half_open_limit;
	uint16_t ike_port;
	uint16_t natt_port;
	int log_levels[8];
	uint32_t retransmit_tries;
	uint32_t retransmit_timeout_ms;
	double retransmit_base;
	uint32_t fragment_size;
	char ctl_socket[IKED_PATH_MAX];
};

int iked_conf_load(struct iked_config *cfg, const char *path, char *err, size_t errlen);
int iked_conf_load_string(struct iked_config *cfg, const char *text, char *err,
			  size_t errlen);
int iked_secrets_load(struct iked_config *cfg, const char *path, bool check_mode,
		      char *err, size_t errlen);
int iked_secrets_load_string(struct iked_config *cfg, const char *text, char *err,
			     size_t errlen);
void iked_conf_free(struct iked_config *cfg);
const struct iked_secret *iked_secret_find(const struct iked_config *cfg,
					   const struct iked_id *a, const struct iked_id *b);
int iked_conf_time(const char *text, uint32_t *secs);
void iked_conf_one_line(char *s);

#endif /* VEIL_IKED_CONFIG_H */
