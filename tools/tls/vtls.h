/* SPDX-License-Identifier: GPL-2.0 */
/*
 * veil-tls: TLS handshakes in OpenSSL, records in veil.ko.
 *
 * The handshake runs in libssl on the TCP socket itself. When it is done,
 * the traffic keys and the next record sequence numbers go to the kernel
 * with the veil family's tls-key-new command, and from then on the socket
 * carries plaintext for this program and records on the wire.
 */
#ifndef VEIL_TLS_VTLS_H
#define VEIL_TLS_VTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/ssl.h>

#define VTLS_EXIT_OK		0
#define VTLS_EXIT_FAIL		1
#define VTLS_EXIT_USAGE		2

#define VTLS_MAX_SECRET		48	/* SHA-384 */
#define VTLS_MAX_CERTS		2	/* one RSA and one ECDSA pair */
/* A handshake not finished by then is dropped by serve and proxy. */
#define VTLS_HANDSHAKE_TIMEOUT	10
/* A read buffer that holds any record's plaintext. */
#define VTLS_RECV_MIN		16384

/**
 * struct vtls_opts - the command line, shared by every command
 * @min_version: lowest TLS version allowed (TLS1_2_VERSION or TLS1_3_VERSION)
 * @max_version: highest TLS version allowed
 * @ciphers: TLS 1.2 cipher list, OpenSSL syntax, or NULL for the default
 * @ciphersuites: TLS 1.3 suites, OpenSSL syntax, or NULL for the default
 * @groups: key exchange groups, OpenSSL syntax, or NULL for the default
 * @fallback: carry on in userspace when the kernel cannot take the records
 * @cert: certificate chain files
 * @key: private key files, one per @cert
 * @ncert: how many pairs were given
 * @ca: client: trust anchors instead of the system store
 * @client_ca: server: require client certificates from these CAs
 * @servername: client: SNI and the name to verify
 * @sess_in: client: session to resume
 * @sess_out: client: where to save the session
 * @insecure: client: do not verify the server
 * @listen: server: address to listen on
 * @backend: proxy: plaintext backend address
 * @root: serve: document root
 * @idle_timeout: serve, proxy: seconds an open connection may be idle
 *	before it is closed; 0 never; -1 the command's default
 * @target: connect: HOST:PORT
 */
struct vtls_opts {
	int min_version;
	int max_version;
	const char *ciphers;
	const char *ciphersuites;
	const char *groups;
	bool fallback;
	const char *cert[VTLS_MAX_CERTS];
	const char *key[VTLS_MAX_CERTS];
	int ncert;
	const char *ca;
	const char *client_ca;
	const char *servername;
	const char *sess_in;
	const char *sess_out;
	bool insecure;
	const char *listen;
	const char *backend;
	const char *root;
	int idle_timeout;
	const char *target;
};

/**
 * struct vtls_suite - a record protection veil.ko can carry
 * @cipher: VEIL_TLS_CIPHER_* (the TLS_CIPHER_* numbers of <linux/tls.h>)
 * @nid: the OpenSSL cipher NID a negotiated suite reports
 * @aead: the EVP_CIPHER name, to seal records for OpenSSL
 * @key_len: traffic key length
 * @salt_len: implicit nonce bytes given as "salt" (0 for ChaCha20-Poly1305)
 */
struct vtls_suite {
	uint16_t cipher;
	int nid;
	const char *aead;
	unsigned int key_len;
	unsigned int salt_len;
};

/**
 * struct vtls_key - one direction's record protection
 * @key: traffic key
 * @iv: the 12-byte nonce base (salt || iv of <linux/tls.h>)
 * @seq: sequence number of the next record
 * @secret: TLS 1.3: the application traffic secret these came from
 */
struct vtls_key {
	uint8_t key[32];
	uint8_t iv[12];
	uint64_t seq;
	uint8_t secret[VTLS_MAX_SECRET];
};

/**
 * struct vtls_conn - one TLS connection, from handshake to close
 * @fd: the TCP socket
 * @ssl: OpenSSL's side; after the handover only reads what this program feeds
 * @server: this end accepted the connection
 * @kernel: records go through veil.ko (else through @ssl, in userspace)
 * @version: negotiated TLS version (TLS1_2_VERSION or TLS1_3_VERSION)
 * @suite: the negotiated record protection, if veil.ko can carry it
 * @md: the suite's hash, for key derivation
 * @secret_len: length of the TLS 1.3 traffic secrets
 * @client_secret: TLS 1.3 client_application_traffic_secret_0, from the key log
 * @server_secret: TLS 1.3 server_application_traffic_secret_0
 * @secrets: which of those the key log has given (VTLS_SEEN_*)
 * @tx_after: records written after this end's Finished (-1 before it)
 * @rx_after: records read after the peer's Finished (-1 before it)
 * @tx: send key, after the handover
 * @rx: receive key, after the handover
 * @feed: TLS 1.3: OpenSSL's own receive key and sequence, to hand it
 *        NewSessionTicket messages the kernel decrypted
 * @hs: post-handshake messages not yet complete
 * @hs_len: bytes in @hs
 * @peer_closed: close_notify (or EOF) came from the peer
 * @clean_close: the peer's end was a close_notify
 * @sent_close: this end sent close_notify
 * @nowait: never wait for room in the socket (an event loop's connection)
 * @ku_owed: the peer asked for a KeyUpdate that could not be sent yet;
 *        vtls_conn_flush() sends it when the socket has room
 * @err: what went wrong, for the one-line report
 */
struct vtls_conn {
	int fd;
	SSL *ssl;
	bool server;
	bool kernel;
	int version;
	const struct vtls_suite *suite;
	const char *md;
	size_t secret_len;
	uint8_t client_secret[VTLS_MAX_SECRET];
	uint8_t server_secret[VTLS_MAX_SECRET];
	unsigned int secrets;
	long tx_after;
	long rx_after;
	struct vtls_key tx;
	struct vtls_key rx;
	struct vtls_key feed;
	uint8_t hs[4 + 16384];
	size_t hs_len;
	bool peer_closed;
	bool clean_close;
	bool sent_close;
	bool nowait;
	bool ku_owed;
	char err[256];
};

#define VTLS_SEEN_CLIENT	1
#define VTLS_SEEN_SERVER	2

/* main.c */
void vtls_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* opts.c */
int vtls_parse_opts(int argc, char **argv, struct vtls_opts *o, const char *cmd);
int vtls_resolve(const char *spec, bool passive, struct sockaddr_storage *ss,
		 socklen_t *len, char *why, size_t whylen);
void vtls_addr_str(const struct sockaddr *sa, char *buf, size_t len);

/* ctx.c */
SSL_CTX *vtls_ctx_new(const struct vtls_opts *o, bool server, char *why, size_t whylen);
SSL_CTX *vtls_ctx_start(const struct vtls_opts *o, bool server);
const char *vtls_ssl_error(void);

/* keys.c */
const struct vtls_suite *vtls_suite_of(const SSL_CIPHER *c);
int vtls_derive(struct vtls_conn *c);
int vtls_next_secret(const struct vtls_conn *c, struct vtls_key *k);
ssize_t vtls_seal13(const struct vtls_conn *c, struct vtls_key *k, uint8_t type,
		    const uint8_t *data, size_t len, uint8_t *out, size_t room);
void vtls_wipe(void *p, size_t len);

/* kernel.c */
int vtls_kernel_available(char *why, size_t whylen);
int vtls_kernel_key(struct vtls_conn *c, bool tx, char *why, size_t whylen);

/* conn.c */
struct vtls_conn *vtls_conn_new(SSL_CTX *ctx, int fd, bool server);
void vtls_conn_free(struct vtls_conn *c);
int vtls_conn_handshake(struct vtls_conn *c);
int vtls_conn_offload(struct vtls_conn *c, bool fallback);
ssize_t vtls_conn_recv(struct vtls_conn *c, void *buf, size_t len, bool nonblock);
ssize_t vtls_conn_control(struct vtls_conn *c);
int vtls_conn_flush(struct vtls_conn *c);
ssize_t vtls_conn_send(struct vtls_conn *c, const void *buf, size_t len, bool nonblock);
int vtls_conn_close_notify(struct vtls_conn *c, bool wait);
const char *vtls_conn_cipher(const struct vtls_conn *c);

/* connect.c, serve.c, proxy.c */
int vtls_cmd_connect(const struct vtls_opts *o);
int vtls_cmd_serve(const struct vtls_opts *o);
int vtls_cmd_proxy(const struct vtls_opts *o);

#endif
