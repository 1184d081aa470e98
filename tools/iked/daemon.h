/* SPDX-License-Identifier: GPL-2.0 */
/*
 * veil-iked's state: the daemon, its IKE SAs and their Child SAs.
 *
 * Everything runs in one thread, driven by one epoll set and the timer
 * heap, so nothing here is locked. An IKE SA is found by the SPI this end
 * chose (hashed); a Child SA by its reqid or inbound SPI, through its IKE SA.
 */
#ifndef VEIL_IKED_DAEMON_H
#define VEIL_IKED_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "crypto.h"
#include "ctl.h"
#include "kernel.h"
#include "msg.h"
#include "net.h"
#include "proposal.h"
#include "timer.h"

#define IKED_SA_HASH		1024
#define IKED_BYPASS_PRIO	100	/* IKE's own bypass: ahead of every child (1000+) */
#define IKED_HALF_OPEN_MS	30000	/* a responder forgets an unfinished SA */
#define IKED_MAX_PROPS		16
#define IKED_CHILD_TS		IKED_TS_MAX

enum ike_sa_state {
	IKE_SA_INIT_SENT,	/* initiator: waiting for IKE_SA_INIT's response */
	IKE_SA_INIT_DONE,	/* responder: keys made, waiting for IKE_AUTH */
	IKE_SA_AUTH_SENT,	/* initiator: waiting for IKE_AUTH's response */
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING,	/* our Delete is out */
	IKE_SA_DEAD,		/* to be freed */
};

/**
 * struct ike_child - a Child SA: a pair of kernel SAs and their policies
 * @next: the IKE SA's next child
 * @cfg: its configuration
 * @reqid: ties its SAs to its policies (one per child configuration, so
 *	that a trap policy and the SAs it brings up share it)
 * @proto: VEIL_PROTO_ESP or VEIL_PROTO_AH
 * @mode: VEIL_MODE_TUNNEL or VEIL_MODE_TRANSPORT
 * @spi_in: the SPI this end chose, host order
 * @spi_out: the peer's
 * @chosen: the negotiated proposal
 * @esn: extended sequence numbers
 * @encap: UDP-encapsulated (a NAT between the ends)
 * @ts_local: negotiated local traffic selectors
 * @n_local: how many
 * @ts_remote: negotiated remote ones
 * @n_remote: how many
 * @installed: its SAs and policies are in veil.ko
 * @initiated: this end initiated the exchange that made it (its keys are
 *	first in KEYMAT, RFC 7296 §2.17)
 * @rekeying: our CREATE_CHILD_SA rekeying it is out
 * @rekeyed: it has a successor (ours or the peer's); it only waits for
 *	its Delete
 * @lo_nonce: the lowest nonce of the exchange that made it, for
 *	simultaneous rekeys (§2.8.1)
 * @lo_len: its length
 * @peer_successor: the inbound SPI of the child the peer's rekey of this
 *	one made, while ours is in flight too (a collision), else 0
 * @successor: the inbound SPI of the child the peer's rekey made, whose
 *	outbound SA waits for this one to go, else 0
 * @defer_out: its outbound SA waits for its predecessor to go
 * @peer: where its outbound SA goes (veil.ko knows it by this address),
 *	unset until it is installed
 * @keymat: its KEYMAT, kept while it is installed: for the deferred
 *	outbound SA, and for sa-update when the peer's NAT port changes
 *	(wiped when the child is uninstalled or freed)
 * @keymat_len: its length
 * @installed_at: when its SAs went into veil.ko (seconds since the epoch)
 * @rekey_at: when the first of them reaches its soft lifetime (0: never)
 * @expire_at: when they reach their hard lifetime (0: never)
 * @has_oaddr: @oaddr is known
 * @oaddr: transport mode through a NAT in front of the peer: the peer's
 *	own address (IKEv1's NAT-OA, RFC 3947 §5.2), with which veil.ko
 *	mends the TCP and UDP checksums the NAT broke
 */
struct ike_child {
	struct ike_child *next;
	const struct iked_child_cfg *cfg;
	uint32_t reqid;
	uint8_t proto;
	uint8_t mode;
	uint32_t spi_in;
	uint32_t spi_out;
	struct ike_prop chosen;
	bool esn;
	bool encap;
	struct iked_ts ts_local[IKED_CHILD_TS];
	unsigned int n_local;
	struct iked_ts ts_remote[IKED_CHILD_TS];
	unsigned int n_remote;
	bool installed;
	bool initiated;
	bool rekeying;
	bool rekeyed;
	uint8_t lo_nonce[IKE_CRYPTO_NONCE_MAX];
	size_t lo_len;
	uint32_t peer_successor;
	uint32_t successor;
	bool defer_out;
	struct sockaddr_storage peer;
	uint8_t *keymat;
	size_t keymat_len;
	uint64_t installed_at;
	uint64_t rekey_at;
	uint64_t expire_at;
	bool has_oaddr;
	uint8_t oaddr[16];
};

/**
 * struct ike_child_parts - a child's payloads in a message
 * @sa: the SA payload
 * @has_sa: present
 * @tsi: TSi
 * @has_tsi: present
 * @tsr: TSr
 * @has_tsr: present
 * @nonce: the Nonce (CREATE_CHILD_SA)
 * @has_nonce: present
 * @ke: the KE (PFS)
 * @has_ke: present
 * @transport: USE_TRANSPORT_MODE
 * @rekey: REKEY_SA: the child it replaces
 * @rekey_proto: its protocol
 * @rekey_spi: its SPI (the sender's inbound), host order
 * @error: the first error notification, 0 for none
 * @error_data: its data
 * @error_len: its length
 */
struct ike_child_parts {
	struct ike_sa_payload sa;
	bool has_sa;
	struct ike_ts_payload tsi;
	bool has_tsi;
	struct ike_ts_payload tsr;
	bool has_tsr;
	struct ike_blob nonce;
	bool has_nonce;
	struct ike_ke ke;
	bool has_ke;
	bool transport;
	bool rekey;
	uint8_t rekey_proto;
	uint32_t rekey_spi;
	uint16_t error;
	const uint8_t *error_data;
	size_t error_len;
};

/* What an IKE SA has to send when its window is free. */
enum ike_op_type {
	IKE_OP_REKEY_CHILD = 1,
	IKE_OP_DELETE_CHILD,
	IKE_OP_NEW_CHILD,
};

#define IKE_SA_OPS	16

/**
 * struct ike_op - one queued request
 * @type: enum ike_op_type
 * @spi_in: the child's inbound SPI (children are found again by it: one
 *	may be gone by the time the op runs)
 * @cfg: IKE_OP_NEW_CHILD: the child configuration to bring up
 */
struct ike_op {
	uint8_t type;
	uint32_t spi_in;
	const struct iked_child_cfg *cfg;
};

/**
 * struct ike_rekey - our CREATE_CHILD_SA in flight
 * @cfg: the child's configuration
 * @old_spi: the inbound SPI of the child it replaces
 * @spi: the new child's inbound SPI
 * @ni: our nonce
 * @ni_len: its length
 * @dh: our key exchange (PFS), or NULL
 * @group_retry: a group the peer asked for was tried already
 */
struct ike_rekey {
	const struct iked_child_cfg *cfg;
	uint32_t old_spi;
	uint32_t spi;
	uint8_t ni[IKE_CRYPTO_NONCE_MAX];
	size_t ni_len;
	struct ike_dh *dh;
	bool group_retry;
};

#define IKE_FRAG_MAX	32	/* fragments of one message, sent or taken */

/**
 * struct ike_frags - a fragmented message being collected (RFC 7383)
 * @msg_id: its message ID
 * @total: its fragments (0: none being collected)
 * @have: how many are in
 * @bytes: their plaintext, in all
 * @inner_first: the first inner payload's type (fragment 1 names it)
 * @part: each fragment's plaintext, by number - 1
 * @part_len: its length
 * @whole: the last reassembled message's plaintext, while it is handled
 * @whole_len: its length
 */
struct ike_frags {
	uint32_t msg_id;
	uint16_t total;
	uint16_t have;
	size_t bytes;
	uint8_t inner_first;
	uint8_t *part[IKE_FRAG_MAX];
	size_t part_len[IKE_FRAG_MAX];
	uint8_t *whole;
	size_t whole_len;
};

/**
 * struct ike_wire - a message as it goes out: one datagram, or fragments
 * @buf: the datagrams, back to back
 * @len: their length in all
 * @ends: where each datagram ends in @buf
 * @n: how many (1 when not fragmented)
 */
struct ike_wire {
	uint8_t *buf;
	size_t len;
	size_t ends[IKE_FRAG_MAX];
	unsigned int n;
};

struct ike_sa;
struct iked;

/* What to do with the response to the request an IKE SA has out. */
typedef void (*ike_sa_reply_fn)(struct ike_sa *sa, const struct ike_msg *msg,
				const struct ike_chain *inner);

/**
 * struct ike_sa - an IKE SA
 * @hnext: next in its hash bucket
 * @d: the daemon
 * @conn: its connection
 * @initiator: this end was the original initiator (picks SK_ei or SK_er...)
 * @spi_i: the initiator's SPI
 * @spi_r: the responder's SPI (zero until IKE_SA_INIT's response)
 * @state: enum ike_sa_state
 * @local: the address and port messages leave from
 * @remote: the peer's
 * @natt: messages go over the NAT-T port (a NAT was found, or encap asked)
 * @nat_local: this end is behind a NAT (send keepalives)
 * @nat_remote: the peer is
 * @frag_ok: the peer supports RFC 7383 fragmentation
 * @peer_hashes: the signature hashes the peer announced (RFC 7427), 0 if
 *	it announced none
 * @chosen: the IKE proposal
 * @sk: its keys
 * @dh: our key exchange, until the shared secret is made
 * @ni: the initiator's nonce
 * @ni_len: its length
 * @nr: the responder's
 * @nr_len: its length
 * @init_req: IKE_SA_INIT's request as sent (AUTH signs it)
 * @init_req_len: its length
 * @init_resp: its response
 * @init_resp_len: its length
 * @cookie: a responder's COOKIE to send back, when it asked for one
 * @cookie_len: its length (0 for none)
 * @peer_id: the peer's authenticated identity
 * @msgid_next: the message ID of our next request
 * @msgid_peer: the message ID we expect of the peer's next request
 * @req: our request in flight (kept for retransmission); its buf is NULL
 *	when there is none
 * @req_tries: times it was sent
 * @on_reply: what handles its response
 * @resp: our last response (sent again when the request comes again)
 * @frags: fragmented messages being collected: a request, a response
 * @retransmit: retransmission timer of @req
 * @expire: half-open expiry, and the IKE SA's hard lifetime
 * @rekey: the IKE SA's rekey (soft lifetime)
 * @dpd: liveness check
 * @keepalive: NAT keepalives
 * @last_rx: when the peer last sent something (monotonic ms)
 * @established_at: when it was (seconds since the epoch)
 * @children: its Child SAs
 * @pending: the child configuration the initiator brings up in IKE_AUTH
 * @pending_ts: with a trap's packet: the flow the first selector narrows to
 * @pending_ts_dst: its destination
 * @has_pending_ts: @pending_ts is set
 * @pending_spi: the inbound SPI offered for @pending
 * @rx: the datagram being handled, as it came (valid during the handling)
 * @rx_len: its length
 * @ops: requests waiting for the window
 * @n_ops: how many
 * @rekey_ctx: our CREATE_CHILD_SA in flight
 * @retry: runs the queue again after a TEMPORARY_FAILURE
 * @delete_spi: the child our Delete in flight is for
 * @rekey_new: the new IKE SA our rekey of this one is making
 * @bypass: it installed (or shares) the bypass policies for IKE on port 500
 * @close_pending: to be deleted once the request in flight is answered
 * @keying_try: which attempt at the connection this is, from 0 (keyingtries)
 * @version: 1 for an IKEv1 (ISAKMP) SA, 0 or 2 for IKEv2
 * @v1: what an IKEv1 SA has beyond this (v1.c)
 */
struct ike_sa {
	struct ike_sa *hnext;
	struct iked *d;
	const struct iked_conn_cfg *conn;
	bool initiator;
	uint8_t spi_i[IKEV2_SPI_LEN];
	uint8_t spi_r[IKEV2_SPI_LEN];
	enum ike_sa_state state;
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	bool natt;
	bool nat_local;
	bool nat_remote;
	bool frag_ok;
	ike_hash_mask peer_hashes;
	struct ike_prop chosen;
	struct ike_sk *sk;
	struct ike_dh *dh;
	uint8_t ni[IKE_CRYPTO_NONCE_MAX];
	size_t ni_len;
	uint8_t nr[IKE_CRYPTO_NONCE_MAX];
	size_t nr_len;
	uint8_t *init_req;
	size_t init_req_len;
	uint8_t *init_resp;
	size_t init_resp_len;
	uint8_t cookie[64];
	size_t cookie_len;
	struct iked_id peer_id;
	uint32_t msgid_next;
	uint32_t msgid_peer;
	struct ike_wire req;
	int req_tries;
	ike_sa_reply_fn on_reply;
	struct ike_wire resp;
	struct ike_frags frags[2];
	struct iked_timer retransmit;
	struct iked_timer expire;
	struct iked_timer rekey;
	struct iked_timer dpd;
	struct iked_timer keepalive;
	uint64_t last_rx;
	uint64_t established_at;
	struct ike_child *children;
	const struct iked_child_cfg *pending;
	struct iked_ts pending_ts;
	struct iked_ts pending_ts_dst;
	bool has_pending_ts;
	uint32_t pending_spi;
	const uint8_t *rx;
	size_t rx_len;
	struct ike_op ops[IKE_SA_OPS];
	unsigned int n_ops;
	struct ike_rekey rekey_ctx;
	struct iked_timer retry;
	uint32_t delete_spi;
	struct ike_sa *rekey_new;
	bool bypass;
	bool close_pending;
	unsigned int keying_try;
	uint8_t version;
	struct ike_v1 *v1;
};

#define IKED_BYPASS_MAX		256

/**
 * struct iked_bypass - IKE's bypass between two endpoints, and its holders
 * @local: this end's address and port
 * @remote: the peer's
 * @refs: IKE SAs and transport-mode traps that need it
 */
struct iked_bypass {
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	unsigned int refs;
};

/**
 * struct iked - the daemon
 * @cfg: its configuration
 * @kernel: veil.ko
 * @net: its sockets
 * @cookie: the secret COOKIEs are made with
 * @sas: IKE SAs by the SPI this end chose
 * @n_sas: how many
 * @half_open: responder SAs waiting for IKE_AUTH
 * @bypass: IKE's bypass policies in place, by endpoint pair
 * @n_bypass: how many
 * @stop: a signal asked the daemon to end
 * @ctl: the control socket
 * @conf_path: the configuration file, read again by a reload
 * @secrets_path: the secrets file, likewise
 * @debug: -d: every subsystem logs at level 2 at least, reloads or not
 * @started_ms: when the daemon started (monotonic ms), for its uptime
 * @next_reqid: the reqid the next new child configuration gets
 * @retired: configurations a reload replaced that SAs still point into
 */
struct iked {
	struct iked_config cfg;
	struct iked_kernel kernel;
	struct iked_net net;
	struct ike_crypto_cookie cookie;
	struct ike_sa *sas[IKED_SA_HASH];
	unsigned int n_sas;
	unsigned int half_open;
	struct iked_bypass bypass[IKED_BYPASS_MAX];
	unsigned int n_bypass;
	volatile int stop;
	struct iked_ctl ctl;
	const char *conf_path;
	const char *secrets_path;
	bool debug;
	uint64_t started_ms;
	uint32_t next_reqid;
	struct iked_retired *retired;
};

/**
 * struct iked_retired - a configuration a reload replaced, kept while an
 *	IKE SA on its way out (or a child, or a request) still points into it
 * @next: the next one
 * @cfg: the configuration
 */
struct iked_retired {
	struct iked_retired *next;
	struct iked_config cfg;
};

/* ike_sa.c */
struct ike_sa *ike_sa_new(struct iked *d, const struct iked_conn_cfg *conn, bool initiator);
void ike_sa_free(struct ike_sa *sa);
struct ike_sa *ike_sa_find(struct iked *d, const uint8_t spi[IKEV2_SPI_LEN]);
const uint8_t *ike_sa_local_spi(const struct ike_sa *sa);
void ike_sa_log(const struct ike_sa *sa, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ike_sa_request(struct ike_sa *sa, uint8_t exchange, struct ike_builder *inner,
		   ike_sa_reply_fn on_reply);
int ike_sa_respond(struct ike_sa *sa, const struct ike_hdr *req, struct ike_builder *inner);
void ike_sa_respond_notify(struct ike_sa *sa, const struct ike_hdr *req, uint16_t type,
			   const uint8_t *data, size_t len);
int ike_sa_send_plain(struct ike_sa *sa, const uint8_t *msg, size_t len);
void ike_sa_receive(struct iked *d, struct iked_dgram *dg);
void ike_sa_established(struct ike_sa *sa);
void ike_sa_float(struct ike_sa *sa);
void ike_sa_bypass(struct ike_sa *sa, bool install);
void ike_sa_follow(struct ike_sa *sa, const struct iked_dgram *dg);
void ike_sa_delete(struct ike_sa *sa, bool tell_peer);
void ike_sa_close(struct ike_sa *sa);
void iked_bypass_hold(struct iked *d, const struct sockaddr_storage *local,
		      const struct sockaddr_storage *remote, bool hold);
void ike_sa_dead(struct ike_sa *sa, const char *why);
void ike_sa_reap(struct iked *d);
uint64_t ike_sa_retransmit_ms(const struct ike_sa *sa, int tries);
void ike_sa_hdr(const struct ike_sa *sa, struct ike_hdr *h, uint8_t exchange, bool response,
		uint32_t msg_id);

/* action.c: after an SA ends other than by our choice */
enum ike_end {
	IKE_END_DEAD_PEER,	/* dpd_action */
	IKE_END_PEER_CLOSED,	/* close_action */
};

void ike_action_sa_end(struct ike_sa *sa, enum ike_end why, const char *text);
void ike_action_child_closed(struct ike_sa *sa, struct ike_child *c);
bool ike_action_retry(struct ike_sa *sa);

/* frag.c */
size_t ike_frag_max(const struct ike_sa *sa);
int ike_frag_seal(struct ike_sa *sa, const struct ike_hdr *h, uint8_t inner_first,
		  const uint8_t *plain, size_t plain_len, size_t max, uint8_t **out,
		  size_t *out_len, size_t *ends, unsigned int *n);
void ike_frag_reset(struct ike_sa *sa);
int ike_frag_in(struct ike_sa *sa, struct iked_dgram *dg, const struct ike_msg *msg,
		const struct ike_payload *skf, uint8_t **plain, size_t *plain_len,
		uint8_t *inner_first);
void ike_wire_free(struct ike_wire *w);
int ike_sa_send_wire(struct ike_sa *sa, const struct ike_wire *w);

/* ike_init.c */
int ike_init_addrs(struct ike_sa *sa, const struct iked_conn_cfg *conn);
const struct iked_conn_cfg *ike_init_find_conn(struct iked *d, const struct iked_dgram *dg);
int ike_init_start(struct iked *d, const struct iked_conn_cfg *conn,
		   const struct iked_child_cfg *child, const struct iked_ts *flow_src,
		   const struct iked_ts *flow_dst);
void ike_init_respond(struct iked *d, struct iked_dgram *dg, const struct ike_msg *msg);

/* ike_auth.c */
int ike_auth_start(struct ike_sa *sa);
void ike_auth_respond(struct ike_sa *sa, const struct ike_msg *msg, const struct ike_chain *in);
int ike_auth_add_certreq(const struct ike_sa *sa, struct ike_builder *b);

/* info.c */
void ike_info_respond(struct ike_sa *sa, const struct ike_msg *msg, const struct ike_chain *in);
int ike_info_dpd(struct ike_sa *sa);
int ike_info_delete_child(struct ike_sa *sa, struct ike_child *c);

/* child.c */
int ike_child_props(const struct iked_child_cfg *cfg, uint32_t spi, bool pfs,
		    struct ike_prop *props, size_t max, char *err, size_t errlen);
uint16_t ike_child_pfs_group(const struct iked_child_cfg *cfg);
int ike_child_add_offer(struct ike_sa *sa, struct ike_builder *b,
			const struct iked_child_cfg *cfg, uint32_t spi, bool pfs,
			const struct ike_child *old,
			int (*between)(struct ike_builder *b, void *arg), void *arg);
int ike_child_parts(const struct ike_chain *in, bool response, struct ike_child_parts *p);
struct ike_child *ike_child_alloc(struct ike_sa *sa, const struct iked_child_cfg *cfg);
void ike_child_release(struct ike_sa *sa, struct ike_child *c);
int ike_child_make(struct ike_sa *sa, struct ike_child *c, const uint8_t *gir, size_t girlen,
		   const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen);
int ike_child_choose(struct ike_sa *sa, const struct ike_child_parts *p,
		     const struct iked_child_cfg *only, bool pfs, struct ike_child *c,
		     uint16_t *notify);
int ike_child_add_answer(struct ike_builder *out, const struct ike_child *c,
			 int (*between)(struct ike_builder *b, void *arg), void *arg);
int ike_child_accept(struct ike_sa *sa, const struct ike_chain *in, struct ike_builder *out,
		     uint16_t *notify);
int ike_child_confirm(struct ike_sa *sa, const struct ike_chain *in,
		      const struct iked_child_cfg *cfg, uint32_t spi, const uint8_t *gir,
		      size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
		      size_t nrlen, struct ike_child **out);
uint32_t ike_child_spi(void);
struct ike_child *ike_child_by_spi_in(struct ike_sa *sa, uint32_t spi);
int ike_child_install(struct ike_sa *sa, struct ike_child *c, const uint8_t *keymat);
void ike_child_follow(struct ike_sa *sa);
const struct sockaddr_storage *ike_child_peer(const struct ike_sa *sa, const struct ike_child *c);
void ike_child_uninstall(struct ike_sa *sa, struct ike_child *c);
void ike_child_drop_out(struct ike_sa *sa, struct ike_child *c);
void ike_child_install_out(struct ike_sa *sa, struct ike_child *c);
void ike_child_free_all(struct ike_sa *sa);
int ike_child_trap(struct iked *d, const struct iked_conn_cfg *conn,
		   const struct iked_child_cfg *cfg, bool install);
void ike_child_acquire(struct iked *d, const struct iked_kernel_event *ev);
void ike_child_expire(struct iked *d, const struct iked_kernel_event *ev);

/* create.c */
int ike_create_rekey(struct ike_sa *sa, struct ike_child *c, uint16_t group);
int ike_create_rekey_ike(struct ike_sa *sa);
int ike_create_child(struct ike_sa *sa, const struct iked_child_cfg *cfg, uint16_t group);
void ike_create_respond(struct ike_sa *sa, const struct ike_msg *msg,
			const struct ike_chain *in);

/* ike_sa.c: the queue */
void ike_sa_queue(struct ike_sa *sa, enum ike_op_type type, uint32_t spi_in);
void ike_sa_kick(struct ike_sa *sa);
void ike_sa_queue_child(struct ike_sa *sa, const struct iked_child_cfg *cfg);
struct ike_sa *ike_sa_of_conn(struct iked *d, const struct iked_conn_cfg *conn);

/* props.c: SA payloads and struct ike_prop */
int ike_props_from_payload(const struct ike_sa_payload *sa, struct ike_prop *props,
			   size_t max, size_t *n);
void ike_props_to_payload(const struct ike_prop *props, size_t n, struct ike_sa_payload *sa);

#endif /* VEIL_IKED_DAEMON_H */
