// SPDX-License-Identifier: GPL-2.0
/*
 * IKE identities in strongSwan's syntax:
 *
 *   %any                 any identity (to accept; never sent)
 *   192.0.2.1, 2001:db8::1        ID_IPV4_ADDR, ID_IPV6_ADDR
 *   @gw.example.org, gw.example.org  ID_FQDN
 *   @#0a1b2c             ID_KEY_ID, in hex
 *   alice@example.org    ID_RFC822_ADDR
 *   C=CH, O=Org, CN=gw   ID_DER_ASN1_DN (also "/" between the parts)
 *   fqdn:, email:, rfc822:, ipv4:, ipv6:, keyid:, asn1dn:  force the type
 *
 * A leading "*" in an FQDN or e-mail address to accept matches any name
 * ending in the rest ("*@example.org", "*.example.org").
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/x509.h>

#include "id.h"
#include "ikev2.h"

static int id_err(char *err, size_t errlen, const char *fmt, const char *what)
{
	snprintf(err, errlen, fmt, what);
	return -1;
}

static int id_set(struct iked_id *id, uint8_t type, const void *data, size_t len)
{
	if (len > sizeof(id->data) || (!len && type))
		return -1;
	id->type = type;
	id->len = len;
	memcpy(id->data, data, len);
	return 0;
}

static int id_hex(const char *hex, struct iked_id *id)
{
	size_t n = strlen(hex), i;
	unsigned int b;

	if (!n || n % 2 || n / 2 > sizeof(id->data))
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		id->data[i] = b;
	}
	id->type = IKEV2_ID_KEY_ID;
	id->len = n / 2;
	return 0;
}

/* Names strongSwan users write that OpenSSL spells otherwise. */
static const char *id_dn_key(const char *key)
{
	static const char *const alias[][2] = {
		{ "E", "emailAddress" }, { "Email", "emailAddress" },
		{ "S", "ST" }, { "SN", "serialNumber" }, { "N", "name" },
		{ "G", "GN" }, { "I", "initials" },
	};
	size_t i;

	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(key, alias[i][0]))
			return alias[i][1];
	return key;
}

/* "C=CH, O=Org, CN=gw" or "/C=CH/O=Org/CN=gw"; "\," escapes a separator. */
static int id_dn(const char *text, struct iked_id *id, char *err, size_t errlen)
{
	char buf[1024], *key, *val, *out;
	const char *p = text;
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	char sep = *p == '/' ? '/' : ',';
	int len, ret = -1;

	if (!name)
		return id_err(err, errlen, "%s", "out of memory");
	if (sep == '/')
		p++;
	while (*p) {
		out = buf;
		while (*p && *p != sep && out < buf + sizeof(buf) - 1) {
			if (*p == '\\' && p[1])
				p++;
			*out++ = *p++;
		}
		*out = '\0';
		if (*p == sep)
			p++;
		else if (*p) {
			id_err(err, errlen, "identity \"%s\": a part is too long", text);
			goto out;
		}
		key = buf;
		while (isspace((unsigned char)*key))
			key++;
		val = strchr(key, '=');
		if (!val || val == key) {
			id_err(err, errlen, "identity \"%s\": a DN part is not KEY=VALUE", text);
			goto out;
		}
		*val++ = '\0';
		for (out = val - 2; out > key && isspace((unsigned char)*out); out--)
			*out = '\0';
		while (isspace((unsigned char)*val))
			val++;
		for (out = val + strlen(val); out > val && isspace((unsigned char)out[-1]); )
			*--out = '\0';
		if (!X509_NAME_add_entry_by_txt(name, id_dn_key(key), MBSTRING_UTF8,
						(unsigned char *)val, -1, -1, 0)) {
			snprintf(err, errlen, "identity \"%s\": unknown DN attribute \"%s\"",
				 text, key);
			goto out;
		}
	}
	len = i2d_X509_NAME(name, &der);
	if (len <= 0 || id_set(id, IKEV2_ID_DER_ASN1_DN, der, len)) {
		id_err(err, errlen, "identity \"%s\": too long", text);
		goto out;
	}
	ret = 0;
out:
	OPENSSL_free(der);
	X509_NAME_free(name);
	return ret;
}

/**
 * iked_id_parse - an identity from its text
 * @text: as in the header comment
 * @id: filled in
 * @err: a one-line reason on failure
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set.
 */
int iked_id_parse(const char *text, struct iked_id *id, char *err, size_t errlen)
{
	static const struct { const char *prefix; uint8_t type; } forced[] = {
		{ "fqdn:", IKEV2_ID_FQDN }, { "email:", IKEV2_ID_RFC822_ADDR },
		{ "rfc822:", IKEV2_ID_RFC822_ADDR }, { "ipv4:", IKEV2_ID_IPV4_ADDR },
		{ "ipv6:", IKEV2_ID_IPV6_ADDR }, { "keyid:", IKEV2_ID_KEY_ID },
		{ "asn1dn:", IKEV2_ID_DER_ASN1_DN },
	};
	uint8_t addr[16];
	size_t i, n;

	memset(id, 0, sizeof(*id));
	if (!*text)
		return id_err(err, errlen, "%s", "an empty identity");
	if (!strcmp(text, "%any"))
		return 0;
	for (i = 0; i < sizeof(forced) / sizeof(forced[0]); i++) {
		n = strlen(forced[i].prefix);
		if (strncmp(text, forced[i].prefix, n))
			continue;
		text += n;
		switch (forced[i].type) {
		case IKEV2_ID_IPV4_ADDR:
			if (inet_pton(AF_INET, text, addr) != 1)
				return id_err(err, errlen, "identity \"%s\": not an IPv4 address",
					      text);
			return id_set(id, IKEV2_ID_IPV4_ADDR, addr, 4);
		case IKEV2_ID_IPV6_ADDR:
			if (inet_pton(AF_INET6, text, addr) != 1)
				return id_err(err, errlen, "identity \"%s\": not an IPv6 address",
					      text);
			return id_set(id, IKEV2_ID_IPV6_ADDR, addr, 16);
		case IKEV2_ID_KEY_ID:
			if (id_hex(text, id))
				return id_err(err, errlen, "identity \"%s\": not a hex key ID",
					      text);
			return 0;
		case IKEV2_ID_DER_ASN1_DN:
			return id_dn(text, id, err, errlen);
		default:
			if (id_set(id, forced[i].type, text, strlen(text)))
				return id_err(err, errlen, "identity \"%s\": empty or too long",
					      text);
			return 0;
		}
	}
	if (inet_pton(AF_INET, text, addr) == 1)
		return id_set(id, IKEV2_ID_IPV4_ADDR, addr, 4);
	if (inet_pton(AF_INET6, text, addr) == 1)
		return id_set(id, IKEV2_ID_IPV6_ADDR, addr, 16);
	if (!strncmp(text, "@#", 2)) {
		if (id_hex(text + 2, id))
			return id_err(err, errlen, "identity \"%s\": not a hex key ID", text);
		return 0;
	}
	if (text[0] == '@') {
		if (id_set(id, IKEV2_ID_FQDN, text + 1, strlen(text + 1)))
			return id_err(err, errlen, "identity \"%s\": empty or too long", text);
		return 0;
	}
	if (strchr(text, '='))
		return id_dn(text, id, err, errlen);
	if (id_set(id, strchr(text, '@') ? IKEV2_ID_RFC822_ADDR : IKEV2_ID_FQDN, text,
		   strlen(text)))
		return id_err(err, errlen, "identity \"%s\": too long", text);
	return 0;
}

/**
 * iked_id_format - an identity as text, for logs and `veil ike list`
 * @id: the identity
 * @buf: filled with a NUL-terminated string
 * @len: its size
 *
 * Return: 0, or -1 when @buf is too small (it then holds a truncation).
 */
int iked_id_format(const struct iked_id *id, char *buf, size_t len)
{
	const unsigned char *p = id->data;
	X509_NAME *name;
	BUF_MEM *mem;
	size_t i, off;
	BIO *bio;
	int n;

	switch (id->type) {
	case 0:
		n = snprintf(buf, len, "%%any");
		break;
	case IKEV2_ID_IPV4_ADDR:
	case IKEV2_ID_IPV6_ADDR:
		if (!inet_ntop(id->type == IKEV2_ID_IPV4_ADDR ? AF_INET : AF_INET6, id->data,
			       buf, len))
			return -1;
		return 0;
	case IKEV2_ID_FQDN:
	case IKEV2_ID_RFC822_ADDR:
		n = snprintf(buf, len, "%.*s", id->len, (const char *)id->data);
		/* What a peer sent may hold bytes a log must not show raw. */
		for (i = 0; i < (size_t)n && i < len; i++)
			if (!isprint((unsigned char)buf[i]))
				buf[i] = '?';
		break;
	case IKEV2_ID_DER_ASN1_DN:
		name = d2i_X509_NAME(NULL, &p, id->len);
		bio = BIO_new(BIO_s_mem());
		n = -1;
		if (name && bio &&
		    X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ) >= 0) {
			BIO_get_mem_ptr(bio, &mem);
			n = snprintf(buf, len, "%.*s", (int)mem->length, mem->data);
		}
		X509_NAME_free(name);
		BIO_free(bio);
		if (n < 0)
			goto hex;
		break;
	default:
hex:
		off = snprintf(buf, len, "%s", id->type == IKEV2_ID_KEY_ID ? "@#" : "?#");
		for (i = 0; i < id->len && off < len; i++)
			off += snprintf(buf + off, len - off, "%02x", id->data[i]);
		n = off;
		break;
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

bool iked_id_equal(const struct iked_id *a, const struct iked_id *b)
{
	return a->type == b->type && a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/**
 * iked_id_match - whether a peer's identity is one a connection accepts
 * @want: the configured identity: %any, exact, or "*suffix"
 * @got: what the peer sent
 */
bool iked_id_match(const struct iked_id *want, const struct iked_id *got)
{
	size_t n;

	if (!want->type)
		return true;
	if (want->type != got->type)
		return false;
	if ((want->type == IKEV2_ID_FQDN || want->type == IKEV2_ID_RFC822_ADDR) &&
	    want->len && want->data[0] == '*') {
		n = want->len - 1;
		return got->len >= n && !memcmp(got->data + got->len - n, want->data + 1, n);
	}
	return iked_id_equal(want, got);
}
