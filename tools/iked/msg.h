/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKEv2 message codec: turns datagrams into headers, payload chains and
 * payload structs, and structs back into datagrams. No sockets, no crypto:
 * the SK payload's IV, ciphertext and ICV are opaque bytes here.
 *
 * Parsing never copies and never allocates: every pointer a parser hands
 * back points into the caller's buffer and is valid as long as it is.
 * Building writes into a buffer the caller sizes and refuses, rather than
 * overflows, when it is too small.
 *
 * Every function that can fail returns 0 or a negative enum ike_msg_code and,
 * when given a struct ike_msg_err, fills it with a one-line reason to log.
 */
#ifndef VEIL_IKED_MSG_H
#define VEIL_IKED_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikev2.h"

/* Fixed maxima: a message beyond them is refused with IKE_MSG_E_TOO_MANY. */
#define IKE_MSG_MAX_PAYLOADS	64
#define IKE_MSG_MAX_PROPOSALS	16
#define IKE_MSG_MAX_TRANSFORMS	32
#define IKE_MSG_MAX_TS		16
#define IKE_MSG_MAX_CP_ATTRS	32

/* RFC 7296 §3.9: a nonce is 16 to 256 octets. */
#define IKE_MSG_NONCE_MIN	16
#define IKE_MSG_NONCE_MAX	256

/* A payload's length field is 16 bits and counts its 4-octet header. */
#define IKE_MSG_BODY_MAX	(0xffff - IKEV2_PAYLOAD_HDR_LEN)

/**
 * enum ike_msg_code - why parsing or building failed
 * @IKE_MSG_E_TRUNCATED: fewer octets than a fixed-size header or field needs
 * @IKE_MSG_E_MSG_LEN: the IKE header's Length is not the datagram's length
 * @IKE_MSG_E_MAJOR: major version above 2; the header was parsed, so the
 *	caller can answer INVALID_MAJOR_VERSION (RFC 7296 §2.5)
 * @IKE_MSG_E_OLD_MAJOR: major version below 2 (IKEv1 or noise): drop it
 * @IKE_MSG_E_NOT_IKE: on port 4500, an ESP packet or a NAT-keepalive
 * @IKE_MSG_E_BAD_LEN: a length (payload, substructure, field) that is too
 *	small or wrong for what it holds
 * @IKE_MSG_E_OVERRUN: a length that runs past its enclosing structure
 * @IKE_MSG_E_CHAIN: the payload chain does not end where the data ends
 *	(octets after the last payload, a payload announced after it, SK or SKF
 *	not last, SK inside SK)
 * @IKE_MSG_E_TOO_MANY: more items than the fixed maxima above
 * @IKE_MSG_E_BAD_VALUE: a field holds a value the RFCs forbid
 * @IKE_MSG_E_NOSPACE: building: the output buffer is full
 * @IKE_MSG_E_INVAL: building: the struct to encode is not valid
 *
 * In an authenticated message, everything from @IKE_MSG_E_BAD_LEN to
 * @IKE_MSG_E_BAD_VALUE deserves an INVALID_SYNTAX notification.
 */
enum ike_msg_code {
	IKE_MSG_OK		= 0,
	IKE_MSG_E_TRUNCATED	= -1,
	IKE_MSG_E_MSG_LEN	= -2,
	IKE_MSG_E_MAJOR		= -3,
	IKE_MSG_E_OLD_MAJOR	= -4,
	IKE_MSG_E_NOT_IKE	= -5,
	IKE_MSG_E_BAD_LEN	= -6,
	IKE_MSG_E_OVERRUN	= -7,
	IKE_MSG_E_CHAIN		= -8,
	IKE_MSG_E_TOO_MANY	= -9,
	IKE_MSG_E_BAD_VALUE	= -10,
	IKE_MSG_E_NOSPACE	= -11,
	IKE_MSG_E_INVAL		= -12,
};

/**
 * struct ike_msg_err - the first failure, for the log
 * @code: an enum ike_msg_code, 0 when nothing failed
 * @reason: one line, e.g. "payload 3 (Nonce): length 2 shorter than its
 *	4-octet header"
 */
struct ike_msg_err {
	int code;
	char reason[128];
};

/**
 * struct ike_hdr - the 28-octet IKE header
 * @spi_i: the initiator's SPI, as on the wire
 * @spi_r: the responder's SPI, as on the wire (zero in a first IKE_SA_INIT)
 * @next: type of the first payload
 * @major: major version (2)
 * @minor: minor version (0; ignored on receipt)
 * @exchange: enum ikev2_exchange
 * @flags: IKEV2_FLAG_* octet, unknown bits kept
 * @msg_id: message ID
 * @length: length of the whole message, header included
 */
struct ike_hdr {
	uint8_t spi_i[IKEV2_SPI_LEN];
	uint8_t spi_r[IKEV2_SPI_LEN];
	uint8_t next;
	uint8_t major;
	uint8_t minor;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

/**
 * struct ike_payload - one payload of a chain, pointing into the message
 * @type: enum ikev2_payload, or any unknown value as received
 * @critical: the critical bit; unknown + critical means the caller answers
 *	UNSUPPORTED_CRITICAL_PAYLOAD
 * @body: what follows the generic payload header
 * @len: octets of @body
 */
struct ike_payload {
	uint8_t type;
	bool critical;
	const uint8_t *body;
	size_t len;
};

/**
 * struct ike_chain - the payloads of a message or of a decrypted SK payload
 * @n: payloads in @pl
 * @pl: the payloads in wire order
 * @inner_first: when the last payload is SK or SKF, its Next Payload field:
 *	the type of the first payload inside (0 in SKF fragments after the
 *	first); 0 otherwise
 */
struct ike_chain {
	size_t n;
	struct ike_payload pl[IKE_MSG_MAX_PAYLOADS];
	uint8_t inner_first;
};

/**
 * struct ike_msg - a parsed datagram
 * @hdr: its header
 * @chain: its unencrypted payloads; SK or SKF, if present, is last
 */
struct ike_msg {
	struct ike_hdr hdr;
	struct ike_chain chain;
};

/**
 * struct ike_blob - opaque octets: Nonce, Vendor ID, SK body
 * @data: the octets
 * @len: how many
 */
struct ike_blob {
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_transform - one transform substructure
 * @type: enum ikev2_transform_type
 * @id: transform ID (enum ikev2_encr, ikev2_prf, ...)
 * @key_len: the Key Length attribute in bits, 0 when absent
 * @unknown_attrs: the transform carries attributes other than Key Length;
 *	RFC 7296 §3.3.6 has such a transform not be chosen. The builder
 *	never emits them.
 */
struct ike_transform {
	uint8_t type;
	uint16_t id;
	uint16_t key_len;
	bool unknown_attrs;
};

/**
 * struct ike_proposal - one proposal substructure
 * @num: proposal number
 * @proto: enum ikev2_proto
 * @spi_size: 0, 4 or 8
 * @spi: the SPI, @spi_size octets as on the wire
 * @n_transforms: transforms in @tr
 * @tr: the transforms in wire order
 */
struct ike_proposal {
	uint8_t num;
	uint8_t proto;
	uint8_t spi_size;
	uint8_t spi[8];
	size_t n_transforms;
	struct ike_transform tr[IKE_MSG_MAX_TRANSFORMS];
};

/**
 * struct ike_sa_payload - the SA payload
 * @n_proposals: proposals in @prop
 * @prop: the proposals in wire order
 */
struct ike_sa_payload {
	size_t n_proposals;
	struct ike_proposal prop[IKE_MSG_MAX_PROPOSALS];
};

/**
 * struct ike_ke - the Key Exchange payload
 * @group: enum ikev2_dh
 * @data: the key exchange data
 * @len: its length
 */
struct ike_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_notify - the Notify payload
 * @proto: enum ikev2_proto, 0 when there is no SPI
 * @spi_size: 0, 4 or 8
 * @spi: the SPI, @spi_size octets as on the wire
 * @type: notify message type (enum ikev2_notify_error, ..._status)
 * @data: the notification data
 * @len: its length
 */
struct ike_notify {
	uint8_t proto;
	uint8_t spi_size;
	uint8_t spi[8];
	uint16_t type;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_id - the IDi or IDr payload
 * @type: enum ikev2_id
 * @data: the identification data
 * @len: its length (4 for IPv4, 16 for IPv6 addresses)
 *
 * AUTH is computed over the whole body (RestOfIDPayload), which the
 * caller has as struct ike_payload's body.
 */
struct ike_id {
	uint8_t type;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_auth - the Authentication payload
 * @method: enum ikev2_auth
 * @data: the authentication data
 * @len: its length
 */
struct ike_auth {
	uint8_t method;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_cert - the CERT or CERTREQ payload
 * @encoding: enum ikev2_cert
 * @data: the certificate data, or for CERTREQ the certification authority
 *	(for X.509, concatenated 20-octet SHA-1 hashes of CA public keys)
 * @len: its length
 */
struct ike_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_delete - the Delete payload
 * @proto: IKEV2_PROTO_IKE (no SPI) or IKEV2_PROTO_AH/ESP (4-octet SPIs)
 * @spi_size: 0 for IKE, 4 for AH and ESP
 * @n_spis: how many SPIs; 0 for IKE
 * @spis: @n_spis SPIs of @spi_size octets each, as on the wire
 */
struct ike_delete {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spis;
	const uint8_t *spis;
};

/**
 * struct ike_ts - one traffic selector
 * @type: enum ikev2_ts, or an unknown type as received
 * @ip_proto: IP protocol ID, 0 for any (for unknown types: the second octet)
 * @start_port: first port (RFC 4301's OPAQUE is start 65535, end 0)
 * @end_port: last port
 * @start_addr: first address; IPv4 uses the first 4 octets
 * @end_addr: last address
 * @data: unknown types only: what follows the 4-octet type and length
 * @len: octets of @data
 *
 * RFC 7296 §3.13.1 defines only types 7 (IPv4) and 8 (IPv6) and says
 * nothing of others; later types (RFC 9478's security label) keep only the
 * type and Selector Length octets, and RFC 9478 expects a peer that does not
 * know a type to skip it. So unknown types are not errors: they are kept
 * raw and the caller narrows them away or answers TS_UNACCEPTABLE.
 */
struct ike_ts {
	uint8_t type;
	uint8_t ip_proto;
	uint16_t start_port;
	uint16_t end_port;
	uint8_t start_addr[16];
	uint8_t end_addr[16];
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_ts_payload - the TSi or TSr payload
 * @n_ts: selectors in @ts
 * @ts: the selectors in wire order
 */
struct ike_ts_payload {
	size_t n_ts;
	struct ike_ts ts[IKE_MSG_MAX_TS];
};

/**
 * struct ike_cp_attr - one configuration attribute
 * @type: attribute type (15 bits)
 * @value: its value
 * @len: its length, 0 in a request for any value
 */
struct ike_cp_attr {
	uint16_t type;
	const uint8_t *value;
	size_t len;
};

/**
 * struct ike_cp - the Configuration payload
 * @type: enum ikev2_cfg
 * @n_attrs: attributes in @attr
 * @attr: the attributes in wire order
 */
struct ike_cp {
	uint8_t type;
	size_t n_attrs;
	struct ike_cp_attr attr[IKE_MSG_MAX_CP_ATTRS];
};

/**
 * struct ike_skf - the Encrypted Fragment payload (RFC 7383 §2.5)
 * @number: fragment number, 1 to @total
 * @total: total fragments
 * @data: IV, ciphertext and ICV, opaque here
 * @len: octets of @data
 */
struct ike_skf {
	uint16_t number;
	uint16_t total;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_builder - an IKE message or payload chain being written
 * @buf: the caller's buffer
 * @cap: its size
 * @len: octets written so far
 * @n: payloads written so far, at most IKE_MSG_MAX_PAYLOADS as a parser
 *	would refuse more
 * @first: type of the first payload added (0 while none)
 * @has_hdr: a 28-octet IKE header starts @buf
 * @sealed: SK or SKF was added: nothing may follow
 * @next_off: where the Next Payload octet for the next payload is, or
 *	SIZE_MAX when it has none (first payload of a bare chain)
 * @err: the first failure; once set, every later call fails with it
 */
struct ike_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t n;
	uint8_t first;
	bool has_hdr;
	bool sealed;
	size_t next_off;
	struct ike_msg_err err;
};

/* Names for logs; "unknown" for values not in the tables. */
const char *ike_msg_payload_name(unsigned int type);
const char *ike_msg_exchange_name(unsigned int exchange);
const char *ike_msg_notify_name(unsigned int type);
const char *ike_msg_strerror(int code);

/* Receiving on port 4500 (RFC 3948 §2.2, RFC 7296 §2.23) */

/**
 * enum ike_msg_natt_kind - what arrived on the NAT-T port
 * @IKE_MSG_NATT_IKE: an IKE message after a 4-octet zero non-ESP marker
 * @IKE_MSG_NATT_ESP: an ESP packet: its first 4 octets, the SPI, are not 0
 * @IKE_MSG_NATT_KEEPALIVE: a single 0xff octet
 * @IKE_MSG_NATT_RUNT: none of these: too short
 */
enum ike_msg_natt_kind {
	IKE_MSG_NATT_IKE,
	IKE_MSG_NATT_ESP,
	IKE_MSG_NATT_KEEPALIVE,
	IKE_MSG_NATT_RUNT,
};

enum ike_msg_natt_kind ike_msg_natt_kind(const uint8_t *buf, size_t len);
int ike_msg_natt_strip(const uint8_t *buf, size_t len, const uint8_t **ike, size_t *ike_len,
		       struct ike_msg_err *err);

/* Parsing */

int ike_msg_parse_hdr(const uint8_t *buf, size_t len, struct ike_hdr *hdr,
		      struct ike_msg_err *err);
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *msg, struct ike_msg_err *err);
int ike_msg_parse_inner(uint8_t first, const uint8_t *buf, size_t len, struct ike_chain *chain,
			struct ike_msg_err *err);
int ike_msg_chain_find(const struct ike_chain *chain, uint8_t type, size_t from);
const struct ike_payload *ike_msg_chain_sk(const struct ike_chain *chain);

int ike_msg_parse_sa(const uint8_t *body, size_t len, bool response, struct ike_sa_payload *sa,
		     struct ike_msg_err *err);
int ike_msg_parse_ke(const uint8_t *body, size_t len, struct ike_ke *ke, struct ike_msg_err *err);
int ike_msg_parse_nonce(const uint8_t *body, size_t len, struct ike_blob *nonce,
			struct ike_msg_err *err);
int ike_msg_parse_notify(const uint8_t *body, size_t len, struct ike_notify *n,
			 struct ike_msg_err *err);
int ike_msg_parse_id(const uint8_t *body, size_t len, struct ike_id *id, struct ike_msg_err *err);
int ike_msg_parse_auth(const uint8_t *body, size_t len, struct ike_auth *auth,
		       struct ike_msg_err *err);
int ike_msg_parse_cert(const uint8_t *body, size_t len, struct ike_cert *cert,
		       struct ike_msg_err *err);
int ike_msg_parse_certreq(const uint8_t *body, size_t len, struct ike_cert *req,
			  struct ike_msg_err *err);
int ike_msg_parse_delete(const uint8_t *body, size_t len, struct ike_delete *del,
			 struct ike_msg_err *err);
int ike_msg_parse_vendor(const uint8_t *body, size_t len, struct ike_blob *vid,
			 struct ike_msg_err *err);
int ike_msg_parse_ts(const uint8_t *body, size_t len, struct ike_ts_payload *ts,
		     struct ike_msg_err *err);
int ike_msg_parse_cp(const uint8_t *body, size_t len, struct ike_cp *cp, struct ike_msg_err *err);
int ike_msg_parse_sk(const uint8_t *body, size_t len, struct ike_blob *sk,
		     struct ike_msg_err *err);
int ike_msg_parse_skf(const uint8_t *body, size_t len, struct ike_skf *skf,
		      struct ike_msg_err *err);

uint32_t ike_msg_delete_spi(const struct ike_delete *del, size_t i);

/* Building */

int ike_msg_build_init(struct ike_builder *b, uint8_t *buf, size_t cap,
		       const struct ike_hdr *hdr);
void ike_msg_chain_init(struct ike_builder *b, uint8_t *buf, size_t cap);
int ike_msg_build_end(struct ike_builder *b, size_t *len);

int ike_msg_add_raw(struct ike_builder *b, uint8_t type, bool critical, const uint8_t *body,
		    size_t len);
int ike_msg_add_sa(struct ike_builder *b, const struct ike_sa_payload *sa);
int ike_msg_add_ke(struct ike_builder *b, const struct ike_ke *ke);
int ike_msg_add_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len);
int ike_msg_add_notify(struct ike_builder *b, const struct ike_notify *n);
int ike_msg_add_id(struct ike_builder *b, uint8_t type, const struct ike_id *id);
int ike_msg_add_auth(struct ike_builder *b, const struct ike_auth *auth);
int ike_msg_add_cert(struct ike_builder *b, const struct ike_cert *cert);
int ike_msg_add_certreq(struct ike_builder *b, const struct ike_cert *req);
int ike_msg_add_delete(struct ike_builder *b, const struct ike_delete *del);
int ike_msg_add_vendor(struct ike_builder *b, const uint8_t *vid, size_t len);
int ike_msg_add_ts(struct ike_builder *b, uint8_t type, const struct ike_ts_payload *ts);
int ike_msg_add_cp(struct ike_builder *b, const struct ike_cp *cp);
int ike_msg_add_sk(struct ike_builder *b, uint8_t inner_first, size_t len, uint8_t **body);
int ike_msg_add_skf(struct ike_builder *b, uint8_t inner_first, uint16_t number, uint16_t total,
		    size_t len, uint8_t **body);

#endif /* VEIL_IKED_MSG_H */
