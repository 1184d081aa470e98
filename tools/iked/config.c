// SPDX-License-Identifier: GPL-2.0
/*
 * veil-iked's configuration file, parsed by libconfig; see veil-iked.conf(5).
 *
 * The names are swanctl.conf's, so that a strongSwan user's connection
 * reads the same here:
 *
 *   connections = {
 *     gw = {
 *       remote_addrs = "198.51.100.2";
 *       proposals = "aes256gcm16-prf-sha384-x25519";
 *       local = { auth = "psk"; id = "moon.example.org"; };
 *       remote = { auth = "psk"; id = "sun.example.org"; };
 *       children = {
 *         net = { local_ts = "10.1.0.0/16"; remote_ts = "10.2.0.0/16";
 *                 start_action = "trap"; };
 *       };
 *     };
 *   };
 *
 * Every section has a table of the settings it knows; anything else is an
 * error naming the file and line, so that a misspelt setting never goes
 * unnoticed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libconfig.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "config.h"
#include "ikev2.h"

/* What a setting's handler gets: where to put the value, where to report. */
struct conf_ctx {
	char *err;
	size_t errlen;
	const char *where;	/* "connection gw", "child gw.net", ... */
};

typedef int (*conf_fn)(const config_setting_t *s, void *field, void *count,
		       struct conf_ctx *c);

/**
 * struct conf_key - one setting a section knows
 * @name: its name
 * @fn: parses it into @off (and a count at @count_off, for lists)
 * @off: offset of its field in the section's struct
 * @count_off: offset of the list's count, or 0
 * @size: the field's size (strings), or the list's capacity
 */
struct conf_key {
	const char *name;
	conf_fn fn;
	size_t off;
	size_t count_off;
	size_t size;
};

/**
 * iked_conf_one_line - keep a message that quotes the configuration one line
 * @s: the message; each control character in it becomes '?'
 *
 * A reason may quote the file's text, and a string there may hold a
 * newline ("a\nb" in libconfig) or any other control character.
 */
void iked_conf_one_line(char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s))
			*s = '?';
}

static int conf_fail(struct conf_ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s && config_setting_source_file(s))
		snprintf(c->err, c->errlen, "%s:%u: %s: %s", config_setting_source_file(s),
			 config_setting_source_line(s), c->where, msg);
	else if (s)
		snprintf(c->err, c->errlen, "line %u: %s: %s", config_setting_source_line(s),
			 c->where, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->where, msg);
	iked_conf_one_line(c->err);
	return -1;
}

static const char *conf_string(const config_setting_t *s, struct conf_ctx *c)
{
	const char *v = config_setting_get_string(s);

	if (!v)
		conf_fail(c, s, "%s must be a string", config_setting_name(s));
	return v;
}

/* A string of the field's size. */
static int conf_str(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	const char *v = conf_string(s, c);
	size_t size = (size_t)(uintptr_t)count;

	if (!v)
		return -1;
	if (strlen(v) >= size)
		return conf_fail(c, s, "%s is longer than %zu characters", config_setting_name(s),
				 size - 1);
	strcpy(field, v);
	return 0;
}

/* yes/no, true/false, as a boolean or a string */
static int conf_bool(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	const char *v;

	(void)count;
	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		*(bool *)field = config_setting_get_bool(s);
		return 0;
	}
	v = config_setting_get_string(s);
	if (v && (!strcmp(v, "yes") || !strcmp(v, "true"))) {
		*(bool *)field = true;
		return 0;
	}
	if (v && (!strcmp(v, "no") || !strcmp(v, "false"))) {
		*(bool *)field = false;
		return 0;
	}
	return conf_fail(c, s, "%s must be yes or no", config_setting_name(s));
}

/* A number with an optional suffix: k, M, G (bytes, packets). */
static int conf_num(const config_setting_t *s, uint64_t max, uint64_t *v, struct conf_ctx *c)
{
	const char *str;
	char *end;

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		long long n = config_setting_get_int64(s);

		if (n < 0 || (uint64_t)n > max)
			goto bad;
		*v = n;
		return 0;
	}
	str = config_setting_get_string(s);
	if (!str || !isdigit((unsigned char)*str))
		goto bad;
	errno = 0;
	*v = strtoull(str, &end, 0);
	if (errno)
		goto bad;
	switch (*end) {
	case 'k': case 'K': *v <<= 10; end++; break;
	case 'M': *v <<= 20; end++; break;
	case 'G': *v <<= 30; end++; break;
	}
	if (*end || *v > max)
		goto bad;
	return 0;
bad:
	return conf_fail(c, s, "%s must be a number from 0 to %llu", config_setting_name(s),
			 (unsigned long long)max);
}

static int conf_u32(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	uint64_t v;

	(void)count;
	if (conf_num(s, UINT32_MAX, &v, c))
		return -1;
	*(uint32_t *)field = v;
	return 0;
}

static int conf_u64(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	(void)count;
	return conf_num(s, UINT64_MAX, field, c);
}

static int conf_port(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	uint64_t v = 0;

	(void)count;
	if (conf_num(s, 65535, &v, c) || !v)
		return conf_fail(c, s, "%s must be a port from 1 to 65535", config_setting_name(s));
	*(uint16_t *)field = v;
	return 0;
}

/**
 * iked_conf_time - a duration as strongSwan writes them: 90, 90s, 30m, 4h, 1d
 * @text: the text
 * @secs: the duration in seconds
 *
 * Return: 0, or -1 when @text is not one.
 */
int iked_conf_time(const char *text, uint32_t *secs)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'd': v *= 86400; end++; break;
	case 'h': v *= 3600; end++; break;
	case 'm': v *= 60; end++; break;
	case 's': end++; break;
	}
	if (*end || v > UINT32_MAX)
		return -1;
	*secs = v;
	return 0;
}

static int conf_time(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	const char *v;

	(void)count;
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64)
		return conf_u32(s, field, NULL, c);
	v = config_setting_get_string(s);
	if (!v || iked_conf_time(v, field))
		return conf_fail(c, s, "%s must be a duration: 90, 90s, 30m, 4h or 1d",
				 config_setting_name(s));
	return 0;
}

/*
 * A list: a string with comma-separated items, or a libconfig list or
 * array of strings. Calls @item for each, with its index.
 */
static int conf_each(const config_setting_t *s, size_t max, struct conf_ctx *c,
		     int (*item)(const char *text, size_t i, void *field, struct conf_ctx *c,
				 const config_setting_t *s),
		     void *field, unsigned int *n)
{
	char buf[1024], *p, *tok, *save;
	const char *v;
	int i, len;

	*n = 0;
	if (config_setting_is_array(s) || config_setting_is_list(s)) {
		len = config_setting_length(s);
		for (i = 0; i < len; i++) {
			v = config_setting_get_string_elem(s, i);
			if (!v)
				return conf_fail(c, s, "%s must list strings",
						 config_setting_name(s));
			if (*n == max)
				return conf_fail(c, s, "%s: more than %zu items",
						 config_setting_name(s), max);
			if (item(v, (*n)++, field, c, s))
				return -1;
		}
		return 0;
	}
	v = conf_string(s, c);
	if (!v)
		return -1;
	if (strlen(v) >= sizeof(buf))
		return conf_fail(c, s, "%s is too long", config_setting_name(s));
	strcpy(buf, v);
	for (p = buf; (tok = strtok_r(p, ",", &save)); p = NULL) {
		while (isspace((unsigned char)*tok))
			tok++;
		for (i = strlen(tok); i > 0 && isspace((unsigned char)tok[i - 1]); i--)
			tok[i - 1] = '\0';
		if (!*tok)
			continue;
		if (*n == max)
			return conf_fail(c, s, "%s: more than %zu items", config_setting_name(s),
					 max);
		if (item(tok, (*n)++, field, c, s))
			return -1;
	}
	return 0;
}

static int conf_ts_item(const char *text, size_t i, void *field, struct conf_ctx *c,
			const config_setting_t *s)
{
	struct iked_ts *ts = field;
	char why[192];

	if (iked_ts_parse(text, &ts[i], why, sizeof(why)))
		return conf_fail(c, s, "%s", why);
	return 0;
}

static int conf_ts(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	return conf_each(s, IKED_TS_MAX, c, conf_ts_item, field, count);
}

/* Addresses: like selectors, but without protocols, ports or "dynamic". */
static int conf_addr_item(const char *text, size_t i, void *field, struct conf_ctx *c,
			  const config_setting_t *s)
{
	struct iked_ts *ts = field;
	char why[192];

	if (!strcmp(text, "%any") || !strcmp(text, "%any4") || !strcmp(text, "%any6")) {
		memset(&ts[i], 0, sizeof(ts[i]));
		ts[i].family = text[4] == '6' ? AF_INET6 : AF_INET;
		memset(ts[i].to, 0xff, sizeof(ts[i].to));
		ts[i].to_port = 0xffff;
		if (!text[4]) {
			/* %any: both families, which needs a second entry */
			return conf_fail(c, s, "write %%any4 or %%any6, or leave %s out",
					 config_setting_name(s));
		}
		return 0;
	}
	if (iked_ts_parse(text, &ts[i], why, sizeof(why)) || ts[i].dynamic || ts[i].proto)
		return conf_fail(c, s, "\"%s\" is not an address, ADDRESS/PREFIX or FIRST-LAST",
				 text);
	return 0;
}

static int conf_addrs(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	return conf_each(s, IKED_ADDRS_MAX, c, conf_addr_item, field, count);
}

static int conf_file_item(const char *text, size_t i, void *field, struct conf_ctx *c,
			  const config_setting_t *s)
{
	char (*files)[IKED_PATH_MAX] = field;

	if (strlen(text) >= IKED_PATH_MAX)
		return conf_fail(c, s, "file name \"%s\" is too long", text);
	strcpy(files[i], text);
	return 0;
}

static int conf_files(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	return conf_each(s, IKED_FILES_MAX, c, conf_file_item, field, count);
}

static int conf_id(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	const char *v = conf_string(s, c);
	char why[192];

	if (!v)
		return -1;
	if (iked_id_parse(v, field, why, sizeof(why)))
		return conf_fail(c, s, "%s", why);
	/* struct iked_auth_cfg: has_id follows id */
	*(bool *)count = true;
	return 0;
}

/* One word of a fixed set, mapped to an enum value. */
struct conf_word {
	const char *word;
	int value;
};

static int conf_words(const config_setting_t *s, int *field, const struct conf_word *w,
		      const char *list, struct conf_ctx *c)
{
	const char *v = conf_string(s, c);

	if (!v)
		return -1;
	for (; w->word; w++) {
		if (!strcmp(v, w->word)) {
			*field = w->value;
			return 0;
		}
	}
	return conf_fail(c, s, "%s \"%s\": expected %s", config_setting_name(s), v, list);
}

static int conf_auth(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	static const struct conf_word w[] = {
		{ "psk", IKED_AUTH_PSK }, { "pubkey", IKED_AUTH_PUBKEY }, { NULL, 0 },
	};
	int v;

	(void)count;
	if (conf_words(s, &v, w, "psk or pubkey", c))
		return -1;
	*(enum iked_auth_method *)field = v;
	return 0;
}

static int conf_mode(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	static const struct conf_word w[] = {
		{ "tunnel", IKED_MODE_TUNNEL }, { "transport", IKED_MODE_TRANSPORT },
		{ NULL, 0 },
	};
	int v;

	(void)count;
	if (conf_words(s, &v, w, "tunnel or transport", c))
		return -1;
	*(enum iked_mode *)field = v;
	return 0;
}

static int conf_start(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	static const struct conf_word w[] = {
		{ "none", IKED_ACTION_NONE }, { "trap", IKED_ACTION_TRAP },
		{ "start", IKED_ACTION_START }, { NULL, 0 },
	};
	int v;

	(void)count;
	if (conf_words(s, &v, w, "none, trap or start", c))
		return -1;
	*(enum iked_action *)field = v;
	return 0;
}

static int conf_dpd(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	static const struct conf_word w[] = {
		{ "clear", IKED_ACTION_CLEAR }, { "trap", IKED_ACTION_TRAP },
		{ "restart", IKED_ACTION_RESTART }, { "start", IKED_ACTION_RESTART },
		{ "none", IKED_ACTION_CLEAR }, { NULL, 0 },
	};
	int v;

	(void)count;
	if (conf_words(s, &v, w, "clear, trap or restart", c))
		return -1;
	*(enum iked_action *)field = v;
	return 0;
}

static int conf_close(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	static const struct conf_word w[] = {
		{ "none", IKED_ACTION_NONE }, { "trap", IKED_ACTION_TRAP },
		{ "start", IKED_ACTION_RESTART }, { "restart", IKED_ACTION_RESTART },
		{ NULL, 0 },
	};
	int v;

	(void)count;
	if (conf_words(s, &v, w, "none, trap or start", c))
		return -1;
	*(enum iked_action *)field = v;
	return 0;
}

/* IKE's version: 1 (RFC 2409) or 2 (RFC 7296) */
static int conf_version(const config_setting_t *s, void *field, void *count,
			struct conf_ctx *c)
{
	uint64_t v;

	(void)count;
	if (conf_num(s, 255, &v, c))
		return -1;
	if (v != 1 && v != 2)
		return conf_fail(c, s, "version must be 1 (IKEv1) or 2 (IKEv2)");
	*(uint8_t *)field = (uint8_t)v;
	return 0;
}

#define KEY(st, n, f, fn) { #n, fn, offsetof(st, f), 0, 0 }
#define KEYS(st, n, f, fn) { #n, fn, offsetof(st, f), 0, sizeof(((st *)0)->f) }
#define KEYN(st, n, f, cnt, fn) { #n, fn, offsetof(st, f), offsetof(st, cnt), 0 }

static const struct conf_key conf_child_keys[] = {
	KEYN(struct iked_child_cfg, local_ts, local_ts, n_local_ts, conf_ts),
	KEYN(struct iked_child_cfg, remote_ts, remote_ts, n_remote_ts, conf_ts),
	KEYS(struct iked_child_cfg, esp_proposals, esp_proposals, conf_str),
	KEYS(struct iked_child_cfg, ah_proposals, ah_proposals, conf_str),
	KEY(struct iked_child_cfg, mode, mode, conf_mode),
	KEY(struct iked_child_cfg, start_action, start_action, conf_start),
	KEY(struct iked_child_cfg, dpd_action, dpd_action, conf_dpd),
	KEY(struct iked_child_cfg, close_action, close_action, conf_close),
	KEY(struct iked_child_cfg, rekey_time, rekey_time, conf_time),
	KEY(struct iked_child_cfg, life_time, life_time, conf_time),
	KEY(struct iked_child_cfg, rand_time, rand_time, conf_time),
	KEY(struct iked_child_cfg, rekey_bytes, rekey_bytes, conf_u64),
	KEY(struct iked_child_cfg, life_bytes, life_bytes, conf_u64),
	KEY(struct iked_child_cfg, rekey_packets, rekey_packets, conf_u64),
	KEY(struct iked_child_cfg, life_packets, life_packets, conf_u64),
	KEY(struct iked_child_cfg, replay_window, replay_window, conf_u32),
	KEY(struct iked_child_cfg, if_id_in, if_id_in, conf_u32),
	KEY(struct iked_child_cfg, if_id_out, if_id_out, conf_u32),
	{ NULL, NULL, 0, 0, 0 },
};

static const struct conf_key conf_auth_keys[] = {
	KEY(struct iked_auth_cfg, auth, method, conf_auth),
	KEYN(struct iked_auth_cfg, id, id, has_id, conf_id),
	KEYN(struct iked_auth_cfg, certs, certs, n_certs, conf_files),
	KEYS(struct iked_auth_cfg, key, key, conf_str),
	KEYN(struct iked_auth_cfg, cacerts, cacerts, n_cacerts, conf_files),
	{ NULL, NULL, 0, 0, 0 },
};

static const struct conf_key conf_conn_keys[] = {
	KEYN(struct iked_conn_cfg, local_addrs, local_addrs, n_local_addrs, conf_addrs),
	KEYN(struct iked_conn_cfg, remote_addrs, remote_addrs, n_remote_addrs, conf_addrs),
	KEY(struct iked_conn_cfg, local_port, local_port, conf_port),
	KEY(struct iked_conn_cfg, remote_port, remote_port, conf_port),
	KEYS(struct iked_conn_cfg, proposals, proposals, conf_str),
	KEY(struct iked_conn_cfg, version, version, conf_version),
	KEY(struct iked_conn_cfg, aggressive, aggressive, conf_bool),
	KEY(struct iked_conn_cfg, fragmentation, fragmentation, conf_bool),
	KEY(struct iked_conn_cfg, encap, encap, conf_bool),
	KEY(struct iked_conn_cfg, dpd_delay, dpd_delay, conf_time),
	KEY(struct iked_conn_cfg, rekey_time, rekey_time, conf_time),
	KEY(struct iked_conn_cfg, over_time, over_time, conf_time),
	KEY(struct iked_conn_cfg, rand_time, rand_time, conf_time),
	KEY(struct iked_conn_cfg, keyingtries, keyingtries, conf_u32),
	KEY(struct iked_conn_cfg, if_id_in, if_id_in, conf_u32),
	KEY(struct iked_conn_cfg, if_id_out, if_id_out, conf_u32),
	{ NULL, NULL, 0, 0, 0 },
};

/* Seconds, with decimals allowed: "0.5" or 0.5 or 4 */
static int conf_ms(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	double v;

	(void)count;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else
		v = -1;
	if (v < 0.01 || v > 3600)
		return conf_fail(c, s, "%s must be seconds from 0.01 to 3600",
				 config_setting_name(s));
	*(uint32_t *)field = (uint32_t)(v * 1000 + 0.5);
	return 0;
}

static int conf_base(const config_setting_t *s, void *field, void *count, struct conf_ctx *c)
{
	double v = config_setting_type(s) == CONFIG_TYPE_FLOAT ? config_setting_get_float(s) :
		   config_setting_type(s) == CONFIG_TYPE_INT ? config_setting_get_int(s) : 0;

	(void)count;
	if (v < 1 || v > 10)
		return conf_fail(c, s, "%s must be a number from 1 to 10", config_setting_name(s));
	*(double *)field = v;
	return 0;
}

/* The largest IP datagram an IKE fragment may make (RFC 7383 §2.5.1). */
static int conf_fragsize(const config_setting_t *s, void *field, void *count,
			 struct conf_ctx *c)
{
	uint64_t v;

	(void)count;
	if (conf_num(s, 65535, &v, c))
		return -1;
	if (v < 576)
		return conf_fail(c, s, "fragment_size must be from 576 to 65535 bytes");
	*(uint32_t *)field = v;
	return 0;
}

static const struct conf_key conf_iked_keys[] = {
	KEY(struct iked_config, fragment_size, fragment_size, conf_fragsize),
	KEY(struct iked_config, half_open_limit, half_open_limit, conf_u32),
	KEY(struct iked_config, retransmit_tries, retransmit_tries, conf_u32),
	KEY(struct iked_config, retransmit_timeout, retransmit_timeout_ms, conf_ms),
	KEY(struct iked_config, retransmit_base, retransmit_base, conf_base),
	KEY(struct iked_config, port, ike_port, conf_port),
	KEY(struct iked_config, port_nat_t, natt_port, conf_port),
	KEYS(struct iked_config, ctl_socket, ctl_socket, conf_str),
	{ NULL, NULL, 0, 0, 0 },
};

static const char *const conf_log_names[] = { "cfg", "ike", "net", "enc", "knl", "ctl" };

/*
 * The settings of group @s into @obj by @keys; a member named in @skip
 * (sub-sections the caller handles) is left alone.
 */
static int conf_section(const config_setting_t *s, const struct conf_key *keys, void *obj,
			const char *const *skip, struct conf_ctx *c)
{
	const struct conf_key *k;
	config_setting_t *m;
	const char *const *sk;
	int i, n;

	if (!config_setting_is_group(s))
		return conf_fail(c, s, "%s must be a group: %s = { ... };",
				 config_setting_name(s) ?: "section", config_setting_name(s) ?: "NAME");
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(s, i);
		for (sk = skip; sk && *sk; sk++)
			if (!strcmp(*sk, config_setting_name(m)))
				break;
		if (sk && *sk)
			continue;
		for (k = keys; k->name; k++)
			if (!strcmp(k->name, config_setting_name(m)))
				break;
		if (!k->name)
			return conf_fail(c, m, "unknown setting \"%s\"", config_setting_name(m));
		if (k->fn(m, (char *)obj + k->off,
			  k->size ? (void *)(uintptr_t)k->size :
			  k->count_off ? (char *)obj + k->count_off : NULL, c))
			return -1;
	}
	return 0;
}

static int conf_name(const config_setting_t *s, char *name, struct conf_ctx *c)
{
	if (strlen(config_setting_name(s)) >= IKED_NAME_MAX)
		return conf_fail(c, s, "the name \"%s\" is longer than %d characters",
				 config_setting_name(s), IKED_NAME_MAX - 1);
	strcpy(name, config_setting_name(s));
	return 0;
}

static void conf_child_defaults(struct iked_child_cfg *ch, const struct iked_conn_cfg *conn)
{
	ch->mode = IKED_MODE_TUNNEL;
	ch->start_action = IKED_ACTION_NONE;
	ch->dpd_action = IKED_ACTION_CLEAR;
	ch->close_action = IKED_ACTION_NONE;
	ch->rekey_time = 3600;
	ch->replay_window = 32;
	ch->if_id_in = conn->if_id_in;
	ch->if_id_out = conn->if_id_out;
}

/* Defaults that follow from what was set, and settings that conflict. */
static int conf_child_check(const config_setting_t *s, struct iked_child_cfg *ch,
			    struct conf_ctx *c)
{
	if (!ch->n_local_ts) {
		ch->local_ts[0] = (struct iked_ts){ .dynamic = true, .to_port = 0xffff };
		ch->n_local_ts = 1;
	}
	if (!ch->n_remote_ts) {
		ch->remote_ts[0] = (struct iked_ts){ .dynamic = true, .to_port = 0xffff };
		ch->n_remote_ts = 1;
	}
	if (*ch->esp_proposals && *ch->ah_proposals)
		return conf_fail(c, s, "esp_proposals and ah_proposals together: choose one");
	if (!*ch->esp_proposals && !*ch->ah_proposals)
		strcpy(ch->esp_proposals, "default");
	if (!ch->life_time)
		ch->life_time = ch->rekey_time + ch->rekey_time / 10;
	if (!ch->rand_time)
		ch->rand_time = ch->life_time - ch->rekey_time;
	if (ch->rekey_time && ch->life_time <= ch->rekey_time)
		return conf_fail(c, s, "life_time (%u s) must be longer than rekey_time (%u s)",
				 ch->life_time, ch->rekey_time);
	if (ch->rand_time >= ch->rekey_time && ch->rekey_time)
		return conf_fail(c, s, "rand_time (%u s) must be shorter than rekey_time (%u s)",
				 ch->rand_time, ch->rekey_time);
	if (ch->life_bytes && ch->rekey_bytes >= ch->life_bytes)
		return conf_fail(c, s, "life_bytes must be more than rekey_bytes");
	if (ch->life_packets && ch->rekey_packets >= ch->life_packets)
		return conf_fail(c, s, "life_packets must be more than rekey_packets");
	return 0;
}

static int conf_auth_check(const config_setting_t *s, struct iked_auth_cfg *a, bool local,
			   struct conf_ctx *c)
{
	if (!a->method)
		a->method = IKED_AUTH_PUBKEY;
	if (local && a->method == IKED_AUTH_PUBKEY && !a->n_certs)
		return conf_fail(c, s, "local auth = \"pubkey\" needs certs");
	if (!local && a->method == IKED_AUTH_PUBKEY && !a->n_cacerts)
		return conf_fail(c, s, "remote auth = \"pubkey\" needs cacerts to check the "
				 "peer's certificate against");
	if (local && a->method == IKED_AUTH_PSK && (a->n_certs || *a->key))
		return conf_fail(c, s, "local auth = \"psk\" takes no certs or key");
	return 0;
}

static int conf_conn(const config_setting_t *s, struct iked_conn_cfg *conn, struct conf_ctx *c)
{
	static const char *const skip[] = { "local", "remote", "children", NULL };
	char where[2 * IKED_NAME_MAX + 16];
	config_setting_t *sub, *ch;
	const char *saved = c->where;
	unsigned int i, j;
	bool initiates = false;

	if (conf_name(s, conn->name, c))
		return -1;
	conn->local_port = IKEV2_PORT;
	conn->remote_port = IKEV2_PORT;
	conn->version = 2;
	conn->fragmentation = true;
	conn->rekey_time = 4 * 3600;
	conn->keyingtries = 1;
	snprintf(where, sizeof(where), "connection %s", conn->name);
	c->where = where;
	if (conf_section(s, conf_conn_keys, conn, skip, c))
		return -1;
	/* IKEv1: an ISAKMP SA lasts 24 h unless told, as on Cisco IOS */
	if (conn->version == 1 && !config_setting_get_member(s, "rekey_time"))
		conn->rekey_time = 24 * 3600;
	if (!*conn->proposals)
		strcpy(conn->proposals, "default");
	if (!conn->over_time)
		conn->over_time = conn->rekey_time / 10;
	if (!conn->rand_time)
		conn->rand_time = conn->over_time;
	if (conn->rand_time >= conn->rekey_time && conn->rekey_time)
		return conf_fail(c, s, "rand_time (%u s) must be shorter than rekey_time (%u s)",
				 conn->rand_time, conn->rekey_time);

	sub = config_setting_get_member(s, "local");
	if (!sub)
		return conf_fail(c, s, "no local = { auth = ...; } section");
	snprintf(where, sizeof(where), "connection %s, local", conn->name);
	if (conf_section(sub, conf_auth_keys, &conn->local, NULL, c) ||
	    conf_auth_check(sub, &conn->local, true, c))
		return -1;
	sub = config_setting_get_member(s, "remote");
	snprintf(where, sizeof(where), "connection %s", conn->name);
	if (!sub)
		return conf_fail(c, s, "no remote = { auth = ...; } section");
	snprintf(where, sizeof(where), "connection %s, remote", conn->name);
	if (conf_section(sub, conf_auth_keys, &conn->remote, NULL, c) ||
	    conf_auth_check(sub, &conn->remote, false, c))
		return -1;

	snprintf(where, sizeof(where), "connection %s", conn->name);
	/* IKEv1 has one method for both ends (RFC 2409 §5), and signatures
	 * in Main Mode only (veil-iked.conf(5)) */
	if (conn->version == 1 && conn->local.method != conn->remote.method)
		return conf_fail(c, s, "IKEv1 authenticates both ends alike: local and remote "
				 "auth must both be psk or both pubkey");
	if (conn->version == 1 && conn->aggressive && conn->local.method == IKED_AUTH_PUBKEY)
		return conf_fail(c, s, "IKEv1 Aggressive Mode is for pre-shared keys only: "
				 "use Main Mode (aggressive = no) with certificates");
	sub = config_setting_get_member(s, "children");
	if (sub && !config_setting_is_group(sub))
		return conf_fail(c, sub, "children must be a group: children = { NAME = { ... }; };");
	conn->n_children = sub ? config_setting_length(sub) : 0;
	conn->children = calloc(conn->n_children ?: 1, sizeof(*conn->children));
	if (!conn->children)
		return conf_fail(c, s, "out of memory");
	for (i = 0; i < conn->n_children; i++) {
		struct iked_child_cfg *cc = &conn->children[i];

		ch = config_setting_get_elem(sub, i);
		if (conf_name(ch, cc->name, c))
			return -1;
		snprintf(where, sizeof(where), "child %s.%s", conn->name, cc->name);
		conf_child_defaults(cc, conn);
		if (conf_section(ch, conf_child_keys, cc, NULL, c) || conf_child_check(ch, cc, c))
			return -1;
		if (cc->start_action != IKED_ACTION_NONE)
			initiates = true;
	}
	snprintf(where, sizeof(where), "connection %s", conn->name);
	/* An initiator needs one address to send to. */
	if (initiates) {
		for (j = 0; j < conn->n_remote_addrs; j++)
			if (iked_ts_is_host(&conn->remote_addrs[j]))
				break;
		if (j == conn->n_remote_addrs)
			return conf_fail(c, s, "start_action trap or start needs a single address "
					 "in remote_addrs to send to");
	}
	c->where = saved;
	return 0;
}

static int conf_global(const config_setting_t *root, struct iked_config *cfg, struct conf_ctx *c)
{
	static const char *const skip[] = { "log", NULL };
	config_setting_t *s, *log, *m;
	int i, n;
	size_t k;

	cfg->half_open_limit = 50;
	cfg->retransmit_tries = 5;
	cfg->retransmit_timeout_ms = 4000;
	cfg->retransmit_base = 1.8;
	cfg->fragment_size = 1280;
	cfg->ike_port = IKEV2_PORT;
	cfg->natt_port = IKEV2_NATT_PORT;
	for (k = 0; k < sizeof(cfg->log_levels) / sizeof(cfg->log_levels[0]); k++)
		cfg->log_levels[k] = 1;
	s = config_setting_get_member(root, "iked");
	if (!s)
		return 0;
	c->where = "iked";
	if (conf_section(s, conf_iked_keys, cfg, skip, c))
		return -1;
	log = config_setting_get_member(s, "log");
	if (!log)
		return 0;
	c->where = "iked.log";
	if (!config_setting_is_group(log))
		return conf_fail(c, log, "log must be a group: log = { ike = 2; };");
	n = config_setting_length(log);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(log, i);
		for (k = 0; k < sizeof(conf_log_names) / sizeof(conf_log_names[0]); k++)
			if (!strcmp(conf_log_names[k], config_setting_name(m)))
				break;
		if (k == sizeof(conf_log_names) / sizeof(conf_log_names[0]))
			return conf_fail(c, m, "unknown subsystem \"%s\": cfg, ike, net, enc, knl "
					 "or ctl", config_setting_name(m));
		if (config_setting_type(m) != CONFIG_TYPE_INT || config_setting_get_int(m) < -1 ||
		    config_setting_get_int(m) > 4)
			return conf_fail(c, m, "a log level is a number from -1 to 4");
		cfg->log_levels[k] = config_setting_get_int(m);
	}
	return 0;
}

static int conf_root(config_t *lc, struct iked_config *cfg, struct conf_ctx *c)
{
	config_setting_t *root = config_root_setting(lc), *conns, *m;
	int i, n;

	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(root, i);
		if (strcmp(config_setting_name(m), "connections") &&
		    strcmp(config_setting_name(m), "iked")) {
			c->where = "top level";
			return conf_fail(c, m, "unknown section \"%s\": connections or iked",
					 config_setting_name(m));
		}
	}
	if (conf_global(root, cfg, c))
		return -1;
	c->where = "connections";
	conns = config_setting_get_member(root, "connections");
	if (!conns)
		return 0;
	if (!config_setting_is_group(conns))
		return conf_fail(c, conns, "connections must be a group: connections = { NAME = "
				 "{ ... }; };");
	cfg->n_conns = config_setting_length(conns);
	cfg->conns = calloc(cfg->n_conns ?: 1, sizeof(*cfg->conns));
	if (!cfg->conns)
		return conf_fail(c, conns, "out of memory");
	for (i = 0; i < (int)cfg->n_conns; i++)
		if (conf_conn(config_setting_get_elem(conns, i), &cfg->conns[i], c))
			return -1;
	return 0;
}

static int conf_load(struct iked_config *cfg, const char *path, const char *text, char *err,
		     size_t errlen)
{
	struct conf_ctx c = { .err = err, .errlen = errlen, .where = path ?: "configuration" };
	config_t lc;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	config_init(&lc);
	/*
	 * A string has no directory for an @include to be relative to; libconfig
	 * looks every one up under this directory instead (even an absolute
	 * one), and Debian's /nonexistent never exists: a string reads no file.
	 */
	if (!path)
		config_set_include_dir(&lc, "/nonexistent");
	ret = path ? config_read_file(&lc, path) : config_read_string(&lc, text);
	if (ret != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: %s", path, strerror(errno ?: ENOENT));
		else
			snprintf(err, errlen, "%s:%d: %s", config_error_file(&lc) ?: path ?:
				 "configuration", config_error_line(&lc), config_error_text(&lc));
		config_destroy(&lc);
		return -1;
	}
	ret = conf_root(&lc, cfg, &c);
	config_destroy(&lc);
	if (ret)
		iked_conf_free(cfg);
	return ret;
}

/**
 * iked_conf_load - read a configuration file
 * @cfg: filled in; free it with iked_conf_free()
 * @path: the file
 * @err: "FILE:LINE: where: what is wrong" on failure
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set and nothing left to free.
 */
int iked_conf_load(struct iked_config *cfg, const char *path, char *err, size_t errlen)
{
	return conf_load(cfg, path, NULL, err, errlen);
}

/* The same from a string, which may not @include files: for tests. */
int iked_conf_load_string(struct iked_config *cfg, const char *text, char *err, size_t errlen)
{
	return conf_load(cfg, NULL, text, err, errlen);
}

/* "0x..." hex, "0s..." base64 (strongSwan's prefixes), else the text itself. */
static int conf_secret_value(const char *v, struct iked_secret *sec)
{
	size_t n = strlen(v), i;
	unsigned int b;
	int len;

	if (!strncmp(v, "0x", 2)) {
		if (n == 2 || n % 2 || (n - 2) / 2 > sizeof(sec->key))
			return -1;
		for (i = 0; i < (n - 2) / 2; i++) {
			if (!isxdigit((unsigned char)v[2 + 2 * i]) ||
			    !isxdigit((unsigned char)v[3 + 2 * i]) ||
			    sscanf(v + 2 + 2 * i, "%2x", &b) != 1)
				return -1;
			sec->key[i] = b;
		}
		sec->len = (n - 2) / 2;
		return 0;
	}
	if (!strncmp(v, "0s", 2)) {
		uint8_t tmp[sizeof(sec->key) + 3];

		if ((n - 2) % 4 || (n - 2) / 4 * 3 > sizeof(tmp))
			return -1;
		len = EVP_DecodeBlock(tmp, (const unsigned char *)v + 2, n - 2);
		if (len <= 0)
			return -1;
		/* EVP_DecodeBlock counts the padding as zero bytes. */
		if (n > 2 && v[n - 1] == '=')
			len--;
		if (n > 3 && v[n - 2] == '=')
			len--;
		if ((size_t)len > sizeof(sec->key)) {
			OPENSSL_cleanse(tmp, sizeof(tmp));
			return -1;
		}
		memcpy(sec->key, tmp, len);
		sec->len = len;
		OPENSSL_cleanse(tmp, sizeof(tmp));
		return 0;
	}
	if (!n || n > sizeof(sec->key))
		return -1;
	memcpy(sec->key, v, n);
	sec->len = n;
	return 0;
}

static int conf_secret_id(const char *text, size_t i, void *field, struct conf_ctx *c,
			  const config_setting_t *s)
{
	struct iked_id *ids = field;
	char why[192];

	if (iked_id_parse(text, &ids[i], why, sizeof(why)))
		return conf_fail(c, s, "%s", why);
	return 0;
}

static int conf_secrets(config_t *lc, struct iked_config *cfg, struct conf_ctx *c)
{
	config_setting_t *root = config_root_setting(lc), *secs, *e, *m;
	char where[IKED_NAME_MAX + 16];
	struct iked_secret *sec;
	unsigned int n_ids;
	const char *v;
	int i, j, n;

	c->where = "secrets";
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(root, i);
		if (strcmp(config_setting_name(m), "secrets"))
			return conf_fail(c, m, "unknown section \"%s\": only secrets",
					 config_setting_name(m));
	}
	secs = config_setting_get_member(root, "secrets");
	if (!secs)
		return 0;
	if (!config_setting_is_group(secs))
		return conf_fail(c, secs, "secrets must be a group: secrets = { NAME = { ... }; };");
	n = config_setting_length(secs);
	/* Not realloc(): the old copy would stay in freed memory, uncleansed. */
	sec = calloc(cfg->n_secrets + n + 1, sizeof(*sec));
	if (!sec)
		return conf_fail(c, secs, "out of memory");
	if (cfg->secrets) {
		memcpy(sec, cfg->secrets, cfg->n_secrets * sizeof(*sec));
		OPENSSL_cleanse(cfg->secrets, cfg->n_secrets * sizeof(*sec));
		free(cfg->secrets);
	}
	cfg->secrets = sec;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(secs, i);
		sec = &cfg->secrets[cfg->n_secrets];
		memset(sec, 0, sizeof(*sec));
		snprintf(where, sizeof(where), "secret %s", config_setting_name(e));
		c->where = where;
		if (!config_setting_is_group(e))
			return conf_fail(c, e, "must be a group: NAME = { id = ...; secret = ...; };");
		for (j = 0; j < config_setting_length(e); j++) {
			m = config_setting_get_elem(e, j);
			if (!strcmp(config_setting_name(m), "secret")) {
				v = config_setting_get_string(m);
				if (!v || conf_secret_value(v, sec))
					return conf_fail(c, m, "secret must be a string: text, "
							 "0x and hex, or 0s and base64 (at most "
							 "%zu bytes)", sizeof(sec->key));
			} else if (!strncmp(config_setting_name(m), "id", 2)) {
				/* id, or swanctl's id-1, id-2, ... */
				if (conf_each(m, IKED_ADDRS_MAX - sec->n_ids, c, conf_secret_id,
					      sec->ids + sec->n_ids, &n_ids))
					return -1;
				sec->n_ids += n_ids;
			} else {
				return conf_fail(c, m, "unknown setting \"%s\": id or secret",
						 config_setting_name(m));
			}
		}
		if (!sec->len)
			return conf_fail(c, e, "no secret");
		cfg->n_secrets++;
	}
	return 0;
}

static int secrets_load(struct iked_config *cfg, const char *path, const char *text,
			bool check_mode, char *err, size_t errlen)
{
	struct conf_ctx c = { .err = err, .errlen = errlen, .where = "secrets" };
	struct stat st;
	config_t lc;
	FILE *f = NULL;
	int ret;

	config_init(&lc);
	if (path) {
		f = fopen(path, "r");
		if (!f) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			config_destroy(&lc);
			return -1;
		}
		/* Pre-shared keys are worth nothing once others can read them. */
		if (check_mode && (fstat(fileno(f), &st) || (st.st_mode & 077) ||
				   (st.st_uid && st.st_uid != geteuid()))) {
			snprintf(err, errlen, "%s: mode %04o, owner %u: others may read or change "
				 "it; chmod 600 it and chown it to root", path,
				 (unsigned int)st.st_mode & 07777, (unsigned int)st.st_uid);
			fclose(f);
			config_destroy(&lc);
			return -1;
		}
		ret = config_read(&lc, f);
		fclose(f);
	} else {
		ret = config_read_string(&lc, text);
	}
	if (ret != CONFIG_TRUE) {
		snprintf(err, errlen, "%s:%d: %s", path ?: "secrets", config_error_line(&lc),
			 config_error_text(&lc));
		config_destroy(&lc);
		return -1;
	}
	ret = conf_secrets(&lc, cfg, &c);
	config_destroy(&lc);
	return ret;
}

/**
 * iked_secrets_load - read the pre-shared keys into @cfg
 * @cfg: a loaded configuration; the keys are added to its secrets
 * @path: the secrets file
 * @check_mode: refuse a file others may read or change
 * @err: "FILE:LINE: where: what is wrong" on failure
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set (what was read stays in @cfg, to be freed
 * with it).
 */
int iked_secrets_load(struct iked_config *cfg, const char *path, bool check_mode, char *err,
		      size_t errlen)
{
	return secrets_load(cfg, path, NULL, check_mode, err, errlen);
}

int iked_secrets_load_string(struct iked_config *cfg, const char *text, char *err,
			     size_t errlen)
{
	return secrets_load(cfg, NULL, text, false, err, errlen);
}

/**
 * iked_secret_find - the pre-shared key for two identities
 * @cfg: the configuration
 * @a: one end's identity (the local one)
 * @b: the other's
 *
 * As strongSwan does: the secret whose identities match both ends best
 * (both named beats one named beats none).
 *
 * Return: the secret, or NULL.
 */
const struct iked_secret *iked_secret_find(const struct iked_config *cfg,
					   const struct iked_id *a, const struct iked_id *b)
{
	const struct iked_secret *best = NULL;
	int score, best_score = -1;
	unsigned int i, j;
	bool ma, mb;

	for (i = 0; i < cfg->n_secrets; i++) {
		const struct iked_secret *s = &cfg->secrets[i];

		ma = mb = false;
		for (j = 0; j < s->n_ids; j++) {
			ma |= s->ids[j].type && iked_id_equal(&s->ids[j], a);
			mb |= s->ids[j].type && iked_id_equal(&s->ids[j], b);
		}
		if (s->n_ids && !ma && !mb)
			continue;
		score = ma + mb;
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

void iked_conf_free(struct iked_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_conns; i++) {
		free(cfg->conns[i].children);
		iked_cred_free(cfg->conns[i].local.cred);
		iked_cred_free(cfg->conns[i].remote.cred);
	}
	free(cfg->conns);
	if (cfg->secrets)
		OPENSSL_cleanse(cfg->secrets, cfg->n_secrets * sizeof(*cfg->secrets));
	free(cfg->secrets);
	memset(cfg, 0, sizeof(*cfg));
}
