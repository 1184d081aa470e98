// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for veil-iked's configuration (config.c): the input is
 * a configuration file's text, then optionally a NUL byte and a secrets
 * file's text.
 *
 * Both go through the loaders the daemon uses, then through what the
 * daemon checks at load (iked_config_read() in reload.c): every IKE, ESP
 * and AH proposal must parse, and the credentials of a "pubkey" side are
 * read. The files those name are looked up under /nonexistent, which
 * never exists, so no file is ever opened (the loader itself reads no
 * @include from a string). What loads must keep the promises the daemon
 * relies on (counts within their arrays, lifetimes in order, a selector
 * that formats parses back to itself); a refusal must say why in one line
 * and leave nothing to free. Any broken promise calls abort(). The whole
 * configuration is freed each time, so a leak shows too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "ikev2.h"
#include "proposal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 (Debian 12) loses the string it was reading when a syntax
 * error follows it ("a = \"x\" ?"): that leak is libconfig's, and only its
 * own allocations are excused; one of ours that leaks still fails.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

/* As the daemon's own check (reload.c) has room for. */
#define CONF_FUZZ_PROPS		16
/* Where the files a configuration names are looked for: nowhere. */
#define CONF_FUZZ_PATH		"/nonexistent/veil-fuzz/iked.conf"

#define CONF_FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			conf_fuzz_die(__LINE__, #cond);			\
	} while (0)

__attribute__((noreturn))
static void conf_fuzz_die(int line, const char *what)
{
	fprintf(stderr, "fuzz_conf.c:%d: broken promise: %s\n", line, what);
	abort();
}

/* A reason is one non-empty line that fits its buffer. */
static void conf_fuzz_reason(const char *err, size_t len)
{
	CONF_FUZZ_ASSERT(memchr(err, 0, len) != NULL);
	CONF_FUZZ_ASSERT(err[0] && !strchr(err, '\n'));
}

static bool conf_fuzz_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

/* A selector, formatted, parses back to itself. */
static void conf_fuzz_ts(const struct iked_ts *ts)
{
	struct iked_ts back;
	char text[160], err[192];
	int n;

	if (ts->dynamic) {
		CONF_FUZZ_ASSERT(!ts->family);
	} else {
		CONF_FUZZ_ASSERT(ts->family == AF_INET || ts->family == AF_INET6);
		n = iked_ts_addr_len(ts);
		CONF_FUZZ_ASSERT(memcmp(ts->from, ts->to, n) <= 0);
	}
	CONF_FUZZ_ASSERT(ts->from_port <= ts->to_port);
	CONF_FUZZ_ASSERT(!iked_ts_format(ts, text, sizeof(text)));
	if (iked_ts_parse(text, &back, err, sizeof(err))) {
		fprintf(stderr, "\"%s\": %s\n", text, err);
		CONF_FUZZ_ASSERT(!"a formatted selector parses");
	}
	CONF_FUZZ_ASSERT(back.dynamic == ts->dynamic && back.proto == ts->proto &&
			 back.from_port == ts->from_port && back.to_port == ts->to_port);
	if (!ts->dynamic) {
		n = iked_ts_addr_len(ts);
		CONF_FUZZ_ASSERT(back.family == ts->family);
		CONF_FUZZ_ASSERT(!memcmp(back.from, ts->from, n) && !memcmp(back.to, ts->to, n));
	}
}

static void conf_fuzz_id(const struct iked_id *id)
{
	char text[4 * IKED_ID_MAX];

	CONF_FUZZ_ASSERT(id->len <= IKED_ID_MAX);
	/* Only for logs: it need not parse back, but must fit and end. */
	iked_id_format(id, text, sizeof(text));
	CONF_FUZZ_ASSERT(memchr(text, 0, sizeof(text)) != NULL);
}

static void conf_fuzz_auth(const struct iked_auth_cfg *a, bool local)
{
	unsigned int i;

	CONF_FUZZ_ASSERT(a->method == IKED_AUTH_PSK || a->method == IKED_AUTH_PUBKEY);
	CONF_FUZZ_ASSERT(a->n_certs <= IKED_FILES_MAX && a->n_cacerts <= IKED_FILES_MAX);
	if (a->method == IKED_AUTH_PUBKEY)
		CONF_FUZZ_ASSERT(local ? a->n_certs > 0 : a->n_cacerts > 0);
	if (a->has_id)
		conf_fuzz_id(&a->id);
	for (i = 0; i < a->n_certs; i++)
		CONF_FUZZ_ASSERT(memchr(a->certs[i], 0, IKED_PATH_MAX) != NULL);
	for (i = 0; i < a->n_cacerts; i++)
		CONF_FUZZ_ASSERT(memchr(a->cacerts[i], 0, IKED_PATH_MAX) != NULL);
}

static void conf_fuzz_child(const struct iked_child_cfg *ch)
{
	unsigned int i;

	CONF_FUZZ_ASSERT(ch->name[0] && memchr(ch->name, 0, IKED_NAME_MAX) != NULL);
	CONF_FUZZ_ASSERT(ch->n_local_ts >= 1 && ch->n_local_ts <= IKED_TS_MAX);
	CONF_FUZZ_ASSERT(ch->n_remote_ts >= 1 && ch->n_remote_ts <= IKED_TS_MAX);
	for (i = 0; i < ch->n_local_ts; i++)
		conf_fuzz_ts(&ch->local_ts[i]);
	for (i = 0; i < ch->n_remote_ts; i++)
		conf_fuzz_ts(&ch->remote_ts[i]);
	CONF_FUZZ_ASSERT(!*ch->esp_proposals != !*ch->ah_proposals);
	if (ch->rekey_time) {
		CONF_FUZZ_ASSERT(ch->life_time > ch->rekey_time);
		CONF_FUZZ_ASSERT(ch->rand_time < ch->rekey_time);
	}
	CONF_FUZZ_ASSERT(!ch->life_bytes || ch->rekey_bytes < ch->life_bytes);
	CONF_FUZZ_ASSERT(!ch->life_packets || ch->rekey_packets < ch->life_packets);
}

static void conf_fuzz_conn(const struct iked_conn_cfg *c)
{
	unsigned int i;

	CONF_FUZZ_ASSERT(c->name[0] && memchr(c->name, 0, IKED_NAME_MAX) != NULL);
	CONF_FUZZ_ASSERT(c->version == 1 || c->version == 2);
	CONF_FUZZ_ASSERT(c->local_port && c->remote_port && *c->proposals);
	CONF_FUZZ_ASSERT(c->n_local_addrs <= IKED_ADDRS_MAX &&
			 c->n_remote_addrs <= IKED_ADDRS_MAX);
	for (i = 0; i < c->n_local_addrs; i++) {
		CONF_FUZZ_ASSERT(!c->local_addrs[i].dynamic);
		conf_fuzz_ts(&c->local_addrs[i]);
	}
	for (i = 0; i < c->n_remote_addrs; i++) {
		CONF_FUZZ_ASSERT(!c->remote_addrs[i].dynamic);
		conf_fuzz_ts(&c->remote_addrs[i]);
	}
	CONF_FUZZ_ASSERT(!c->rekey_time || c->rand_time < c->rekey_time);
	conf_fuzz_auth(&c->local, true);
	conf_fuzz_auth(&c->remote, false);
	if (c->version == 1)
		CONF_FUZZ_ASSERT(c->local.method == c->remote.method);
	CONF_FUZZ_ASSERT(c->children != NULL);
	for (i = 0; i < c->n_children; i++)
		conf_fuzz_child(&c->children[i]);
}

/* One proposal list, as reload.c checks it; a refusal says why. */
static void conf_fuzz_props(const char *text, enum ikev2_proto proto)
{
	struct ike_prop props[CONF_FUZZ_PROPS];
	char why[256];
	int n;

	why[0] = '\0';
	n = ike_prop_parse(text, proto, props, CONF_FUZZ_PROPS, why, sizeof(why));
	CONF_FUZZ_ASSERT(n <= CONF_FUZZ_PROPS);
	if (n < 0)
		conf_fuzz_reason(why, sizeof(why));
}

/*
 * A file a pubkey side names, made relative, so that iked_creds_load()
 * looks for it under CONF_FUZZ_PATH's directory: "../x" too, since the
 * walk stops at /nonexistent before any "..".
 */
static void conf_fuzz_nowhere(char *path)
{
	size_t skip = strspn(path, "/");

	memmove(path, path + skip, strlen(path + skip) + 1);
}

static void conf_fuzz_files(struct iked_auth_cfg *a)
{
	unsigned int i;

	for (i = 0; i < a->n_certs; i++)
		conf_fuzz_nowhere(a->certs[i]);
	for (i = 0; i < a->n_cacerts; i++)
		conf_fuzz_nowhere(a->cacerts[i]);
	if (*a->key)
		conf_fuzz_nowhere(a->key);
}

static void conf_fuzz_loaded(struct iked_config *cfg)
{
	unsigned int i, j;
	char err[512];

	CONF_FUZZ_ASSERT(cfg->n_conns == 0 || cfg->conns != NULL);
	CONF_FUZZ_ASSERT(cfg->retransmit_base >= 1 && cfg->retransmit_base <= 10);
	CONF_FUZZ_ASSERT(cfg->fragment_size >= 576 && cfg->fragment_size <= 65535);
	CONF_FUZZ_ASSERT(memchr(cfg->ctl_socket, 0, sizeof(cfg->ctl_socket)) != NULL);
	for (i = 0; i < sizeof(cfg->log_levels) / sizeof(cfg->log_levels[0]); i++)
		CONF_FUZZ_ASSERT(cfg->log_levels[i] >= -1 && cfg->log_levels[i] <= 4);
	for (i = 0; i < cfg->n_conns; i++) {
		struct iked_conn_cfg *c = &cfg->conns[i];

		conf_fuzz_conn(c);
		conf_fuzz_props(c->proposals, IKEV2_PROTO_IKE);
		for (j = 0; j < c->n_children; j++) {
			const struct iked_child_cfg *ch = &c->children[j];

			if (*ch->ah_proposals)
				conf_fuzz_props(ch->ah_proposals, IKEV2_PROTO_AH);
			else
				conf_fuzz_props(ch->esp_proposals, IKEV2_PROTO_ESP);
		}
		conf_fuzz_files(&c->local);
		conf_fuzz_files(&c->remote);
	}
	err[0] = '\0';
	if (iked_creds_load(cfg, CONF_FUZZ_PATH, err, sizeof(err)))
		conf_fuzz_reason(err, sizeof(err));
	else
		/* Every pubkey side fails to find its files. */
		for (i = 0; i < cfg->n_conns; i++)
			CONF_FUZZ_ASSERT(cfg->conns[i].local.method != IKED_AUTH_PUBKEY &&
					 cfg->conns[i].remote.method != IKED_AUTH_PUBKEY);
}

static void conf_fuzz_secrets(struct iked_config *cfg, const char *text)
{
	const struct iked_secret *found;
	struct iked_id any = { 0 };
	unsigned int i, j;
	char err[512];

	err[0] = '\0';
	if (iked_secrets_load_string(cfg, text, err, sizeof(err)))
		conf_fuzz_reason(err, sizeof(err));
	CONF_FUZZ_ASSERT(cfg->n_secrets == 0 || cfg->secrets != NULL);
	for (i = 0; i < cfg->n_secrets; i++) {
		const struct iked_secret *s = &cfg->secrets[i];

		CONF_FUZZ_ASSERT(s->len >= 1 && s->len <= sizeof(s->key));
		CONF_FUZZ_ASSERT(s->n_ids <= IKED_ADDRS_MAX);
		for (j = 0; j < s->n_ids; j++) {
			conf_fuzz_id(&s->ids[j]);
			/* A secret named for an identity is found for it. */
			if (s->ids[j].type) {
				found = iked_secret_find(cfg, &s->ids[j], &any);
				CONF_FUZZ_ASSERT(found != NULL);
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iked_config cfg;
	const char *secrets;
	char *text, err[512];

	/* The configuration, then the secrets after the first NUL, if any. */
	text = malloc(size + 2);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	secrets = memchr(text, '\0', size) ? text + strlen(text) + 1 : NULL;

	err[0] = '\0';
	if (iked_conf_load_string(&cfg, text, err, sizeof(err))) {
		conf_fuzz_reason(err, sizeof(err));
		CONF_FUZZ_ASSERT(conf_fuzz_zero(&cfg, sizeof(cfg)));
	} else {
		conf_fuzz_loaded(&cfg);
	}
	/* On whatever loaded, or on nothing: the secrets file stands alone. */
	if (secrets)
		conf_fuzz_secrets(&cfg, secrets);
	iked_conf_free(&cfg);
	free(text);
	return 0;
}
