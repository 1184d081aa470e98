// SPDX-License-Identifier: GPL-2.0
/*
 * The OpenSSL context every connection is made from: versions, suites,
 * certificates and verification from the command line, and the two
 * callbacks the handover depends on. The key log gives the TLS 1.3 traffic
 * secrets (and feeds SSLKEYLOGFILE); the message callback counts the
 * records on each side of the Finished messages, which is how the record
 * sequence numbers are known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "kdf.h"
#include "vtls.h"

/* The TLS 1.2 suites veil.ko can carry, ECDHE only: forward secrecy. */
#define VTLS_CIPHERS12	"ECDHE+AESGCM:ECDHE+CHACHA20"

static FILE *vtls_keylog_file;

/**
 * vtls_ssl_error() - OpenSSL's reason for the last failure, as one phrase
 *
 * Return: a static string; the error queue is emptied.
 */
const char *vtls_ssl_error(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error(), next;
	const char *r;

	/* The first error is the root cause; drop what followed from it. */
	while ((next = ERR_get_error()))
		;
	if (!e)
		return "unknown error";
	r = ERR_reason_error_string(e);
	if (r)
		snprintf(buf, sizeof(buf), "%s", r);
	else
		ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}

/*
 * "LABEL <client_random> <secret>": keep the TLS 1.3 application traffic
 * secrets; TLS 1.2 needs nothing from here, its master secret is in the
 * session.
 */
static void vtls_keylog(const SSL *ssl, const char *line)
{
	struct vtls_conn *c = SSL_get_app_data(ssl);
	size_t n;

	if (vtls_keylog_file) {
		fprintf(vtls_keylog_file, "%s\n", line);
		fflush(vtls_keylog_file);
	}
	if (!c)
		return;
	n = vtls_keylog_secret(line, "CLIENT_TRAFFIC_SECRET_0", c->client_secret,
			       VTLS_MAX_SECRET);
	if (n) {
		c->secret_len = n;
		c->secrets |= VTLS_SEEN_CLIENT;
	}
	n = vtls_keylog_secret(line, "SERVER_TRAFFIC_SECRET_0", c->server_secret,
			       VTLS_MAX_SECRET);
	if (n) {
		c->secret_len = n;
		c->secrets |= VTLS_SEEN_SERVER;
	}
}

/*
 * OpenSSL reports each record header it writes or reads, and after it each
 * handshake message the record held. Counting headers from the Finished
 * message on gives how many records each side has protected with the
 * final keys.
 */
static void vtls_msg(int write_p, int version, int type, const void *buf, size_t len,
		     SSL *ssl, void *arg)
{
	struct vtls_conn *c = SSL_get_app_data(ssl);
	long *after;

	(void)version;
	(void)arg;
	if (!c)
		return;
	after = write_p ? &c->tx_after : &c->rx_after;
	if (type == SSL3_RT_HEADER && *after >= 0)
		(*after)++;
	else if (type == SSL3_RT_HANDSHAKE && len && *(const uint8_t *)buf == SSL3_MT_FINISHED)
		*after = 0;
}

static int vtls_ctx_certs(SSL_CTX *ctx, const struct vtls_opts *o, char *why, size_t whylen)
{
	int i;

	for (i = 0; i < o->ncert; i++) {
		if (SSL_CTX_use_certificate_chain_file(ctx, o->cert[i]) != 1) {
			snprintf(why, whylen, "%s: %s", o->cert[i], vtls_ssl_error());
			return -1;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, o->key[i], SSL_FILETYPE_PEM) != 1) {
			snprintf(why, whylen, "%s: %s", o->key[i], vtls_ssl_error());
			return -1;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			snprintf(why, whylen, "%s does not match %s", o->key[i], o->cert[i]);
			return -1;
		}
	}
	return 0;
}

static int vtls_ctx_verify(SSL_CTX *ctx, const struct vtls_opts *o, bool server,
			   char *why, size_t whylen)
{
	const char *ca = server ? o->client_ca : o->ca;
	STACK_OF(X509_NAME) *names;

	if (server && !ca)
		return 0;
	if (!server && o->insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	if (ca ? SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1
	       : SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(why, whylen, "%s: %s", ca ? ca : "system CA store", vtls_ssl_error());
		return -1;
	}
	if (server) {
		names = SSL_load_client_CA_file(ca);
		if (!names) {
			snprintf(why, whylen, "%s: no CA certificate in it", ca);
			return -1;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	return 0;
}

/**
 * vtls_ctx_new() - the context for one command
 * @o: the command line
 * @server: for serve and proxy
 * @why: what was wrong, on failure
 * @whylen: size of @why
 *
 * Return: the context, or NULL.
 */
SSL_CTX *vtls_ctx_new(const struct vtls_opts *o, bool server, char *why, size_t whylen)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	const char *kl = getenv("SSLKEYLOGFILE");

	if (!ctx) {
		snprintf(why, whylen, "OpenSSL: %s", vtls_ssl_error());
		return NULL;
	}
	if (kl && *kl && !vtls_keylog_file) {
		vtls_keylog_file = fopen(kl, "a");
		if (!vtls_keylog_file) {
			snprintf(why, whylen, "SSLKEYLOGFILE %s: %m", kl);
			goto fail;
		}
	}
	SSL_CTX_set_min_proto_version(ctx, o->min_version);
	SSL_CTX_set_max_proto_version(ctx, o->max_version);
	/*
	 * No renegotiation: the kernel holds the keys after the handshake.
	 * Servers choose the suite, in their own order of preference.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
			    (server ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
	if (SSL_CTX_set_cipher_list(ctx, o->ciphers ? o->ciphers : VTLS_CIPHERS12) != 1) {
		snprintf(why, whylen, "--ciphers %s: no usable cipher in it",
			 o->ciphers ? o->ciphers : VTLS_CIPHERS12);
		goto fail;
	}
	if (o->ciphersuites && SSL_CTX_set_ciphersuites(ctx, o->ciphersuites) != 1) {
		snprintf(why, whylen, "--ciphersuites %s: no usable suite in it", o->ciphersuites);
		goto fail;
	}
	if (o->groups && SSL_CTX_set1_groups_list(ctx, o->groups) != 1) {
		snprintf(why, whylen, "--groups %s: no usable group in it", o->groups);
		goto fail;
	}
	if (vtls_ctx_certs(ctx, o, why, whylen) || vtls_ctx_verify(ctx, o, server, why, whylen))
		goto fail;
	SSL_CTX_set_keylog_callback(ctx, vtls_keylog);
	SSL_CTX_set_msg_callback(ctx, vtls_msg);
	if (server)
		SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"veil-tls", 8);
	/* Userspace fallback: non-blocking writes may be partial. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* Nothing read beyond what the handshake needs: it is the kernel's. */
	SSL_CTX_set_read_ahead(ctx, 0);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/**
 * vtls_ctx_start() - what every command does first: make sure veil.ko is
 *   there (unless --fallback) and make the context; failures are logged
 * @o: the command line
 * @server: for serve and proxy
 *
 * Return: the context, or NULL.
 */
SSL_CTX *vtls_ctx_start(const struct vtls_opts *o, bool server)
{
	char why[300];
	SSL_CTX *ctx;

	if (!o->fallback && vtls_kernel_available(why, sizeof(why))) {
		vtls_log("%s; --fallback carries on in userspace", why);
		return NULL;
	}
	ctx = vtls_ctx_new(o, server, why, sizeof(why));
	if (!ctx)
		vtls_log("%s", why);
	return ctx;
}
