/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IKEv1 (ISAKMP) message codec: turns datagrams into headers, payload
 * chains and payload structs, and structs back into datagrams. No sockets,
 * no crypto: an encrypted message's body is opaque octets here, and the
 * caller decrypts it before handing it back as a chain.
 *
 * It follows the IKEv2 codec (msg.h) and shares its error reporting:
 * parsing never copies and never allocates, every pointer a parser hands
 * back points into the caller's buffer; building writes into a buffer the
 * caller sizes and refuses, rather than overflows, when it is too small.
 * Every function that can fail returns 0 or a negative enum ike_msg_code
 * and, when given a struct ike_msg_err, fills it with a one-line reason.
 *
 * The codes mean here what they mean for IKEv2, with two differences:
 * IKE_MSG_E_MAJOR is a major version above 1 (an IKEv2 message, which the
 * daemon hands to ike_msg_parse(), or a later one) and IKE_MSG_E_OLD_MAJOR
 * a major version 0. RFC 2408 §5 names the notification that answers each
 * refusal from IKE_MSG_E_BAD_LEN to IKE_MSG_E_BAD_VALUE (PAYLOAD-MALFORMED,
 * BAD-PROPOSAL-SYNTAX, ...); the structs are filled as far as parsing got,
 * so that the caller can tell which (DOI-NOT-SUPPORTED for an SA's DOI, ...).
 */
#ifndef VEIL_IKED_V1MSG_H
#define VEIL_IKED_V1MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isakmp.h"
#include "msg.h"

/* Fixed maxima: a message beyond them is refused with IKE_MSG_E_TOO_MANY. */
#define IKE_V1_MSG_MAX_PAYLOADS		64
#define IKE_V1_MSG_MAX_PROPOSALS	16
#define IKE_V1_MSG_MAX_TRANSFORMS	32	/* per proposal */
#define IKE_V1_MSG_MAX_ATTRS		32	/* per transform */

/* RFC 2409 §5: a nonce is 8 to 256 octets. */
#define IKE_V1_MSG_NONCE_MIN		8
#define IKE_V1_MSG_NONCE_MAX		256

/* A payload's length field is 16 bits and counts its 4-octet header. */
#define IKE_V1_MSG_BODY_MAX		(0xffff - IKEV1_PAYLOAD_HDR_LEN)

/*
 * The largest SPI any protocol here has: ISAKMP's cookie pair. SPIs of
 * unknown protocols are held to it too.
 */
#define IKE_V1_MSG_SPI_MAX		IKEV1_ISAKMP_SPI_LEN

/**
 * struct ike_v1_hdr - the 28-octet ISAKMP header (RFC 2408 §3.1)
 * @icookie: the initiator's cookie, as on the wire
 * @rcookie: the responder's cookie (zero in a first message)
 * @next: type of the first payload; with IKEV1_FLAG_ENCRYPTION, of the
 *	first payload inside the encrypted body
 * @major: major version (1)
 * @minor: minor version (0)
 * @exchange: enum ikev1_exchange
 * @flags: IKEV1_FLAG_* octet, unknown bits kept
 * @msg_id: message ID
 * @length: length of the whole message, header and padding included
 */
struct ike_v1_hdr {
	uint8_t icookie[IKEV1_COOKIE_LEN];
	uint8_t rcookie[IKEV1_COOKIE_LEN];
	uint8_t next;
	uint8_t major;
	uint8_t minor;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

/**
 * struct ike_v1_payload - one payload of a chain, pointing into the message
 * @type: enum ikev1_payload, or any unknown value as received
 * @body: what follows the generic payload header
 * @len: octets of @body
 */
struct ike_v1_payload {
	uint8_t type;
	const uint8_t *body;
	size_t len;
};

/**
 * struct ike_v1_chain - the payloads of a message, or of its decrypted body
 * @n: payloads in @pl
 * @pl: the payloads in wire order
 * @start: where the first payload's generic header is
 * @len: octets the payloads cover, from @start
 * @pad: octets after the last payload: the CBC padding of a decrypted
 *	body (RFC 2409 §5.3); always 0 for a chain parsed as plaintext
 */
struct ike_v1_chain {
	size_t n;
	struct ike_v1_payload pl[IKE_V1_MSG_MAX_PAYLOADS];
	const uint8_t *start;
	size_t len;
	size_t pad;
};

/**
 * struct ike_v1_msg - a parsed datagram
 * @hdr: its header
 * @body: what follows the header: ciphertext when @hdr.flags has
 *	IKEV1_FLAG_ENCRYPTION, the payloads otherwise
 * @body_len: octets of @body
 * @chain: the payloads of an unencrypted message; empty for an encrypted
 *	one, whose caller decrypts @body and calls ike_v1_msg_parse_chain()
 */
struct ike_v1_msg {
	struct ike_v1_hdr hdr;
	const uint8_t *body;
	size_t body_len;
	struct ike_v1_chain chain;
};

/**
 * struct ike_v1_attr - one data attribute of a transform (RFC 2408 §3.3)
 * @type: attribute type, 15 bits (enum ikev1_p1_attr or ikev1_p2_attr)
 * @tv: TV form (AF bit set): the value is 2 octets in place of a length.
 *	Building: asks for TV form for a variable attribute whose value
 *	fits 2 octets, as RFC 2409 Appendix A allows; basic ones are TV
 *	anyway
 * @value: the value as a number, when @len is at most 8 (TV: always);
 *	0 otherwise
 * @data: parsing: the value's octets (TV: the 2 octets of the value).
 *	Building: when not NULL, the octets to write as they are (2 of them
 *	in TV form); when NULL, @value is written: TV for basic attributes,
 *	TLV of 4 octets (8 above 32 bits) for variable ones
 * @len: octets at @data
 */
struct ike_v1_attr {
	uint16_t type;
	bool tv;
	uint64_t value;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_v1_transform - one Transform payload (RFC 2408 §3.6)
 * @num: transform number
 * @id: transform ID (IKEV1_KEY_IKE, enum ikev1_esp, ...)
 * @n_attrs: attributes it has (parsing), or in @attr (building)
 * @attr: building: @n_attrs attributes to encode; when NULL, @raw is
 *	written as it is. Parsing leaves it NULL
 * @raw: the attribute octets; parsing: checked and counted, to be read
 *	with struct ike_v1_attr_iter
 * @raw_len: octets at @raw
 *
 * A parsed transform is rebuilt octet for octet: what a responder echoes.
 */
struct ike_v1_transform {
	uint8_t num;
	uint8_t id;
	size_t n_attrs;
	const struct ike_v1_attr *attr;
	const uint8_t *raw;
	size_t raw_len;
};

/**
 * struct ike_v1_proposal - one Proposal payload (RFC 2408 §3.5)
 * @num: proposal number: proposals of one number are a bundle (AND), of
 *	increasing numbers alternatives (OR)
 * @proto: enum ikev1_proto
 * @spi_size: 0 to 16 for ISAKMP (ignored on receipt), 4 for AH and ESP,
 *	2 or 4 (the CPI) for IPCOMP
 * @spi: @spi_size octets, as on the wire
 * @n_transforms: transforms in @tr, as the proposal announces them
 * @tr: the transforms in wire order
 */
struct ike_v1_proposal {
	uint8_t num;
	uint8_t proto;
	uint8_t spi_size;
	const uint8_t *spi;
	size_t n_transforms;
	struct ike_v1_transform tr[IKE_V1_MSG_MAX_TRANSFORMS];
};

/**
 * struct ike_v1_sa - the SA payload (RFC 2408 §3.4, RFC 2407 §4.6.1)
 * @doi: IKEV1_DOI_IPSEC; another is refused (DOI-NOT-SUPPORTED)
 * @situation: IKEV1_SIT_IDENTITY_ONLY; secrecy and integrity situations
 *	add labels nobody sends and are refused (SITUATION-NOT-SUPPORTED)
 * @n_proposals: proposals in @prop
 * @prop: the proposals in wire order
 *
 * About 21 KB: callers keep it static or on a roomy stack.
 */
struct ike_v1_sa {
	uint32_t doi;
	uint32_t situation;
	size_t n_proposals;
	struct ike_v1_proposal prop[IKE_V1_MSG_MAX_PROPOSALS];
};

/**
 * struct ike_v1_attr_iter - reads a transform's attributes in order
 * @t: the transform
 * @i: attributes read so far
 * @off: where the next one is in @t->raw
 */
struct ike_v1_attr_iter {
	const struct ike_v1_transform *t;
	size_t i;
	size_t off;
};

/**
 * struct ike_v1_id - the ID payload in the IPsec DOI's form (RFC 2407 §4.6.2)
 * @type: enum ikev1_id
 * @proto: IP protocol ID, 0 for any
 * @port: port, 0 for any
 * @data: the identification data: 4 octets for IPV4_ADDR, 8 for an IPv4
 *	subnet or range, 16 for IPV6_ADDR, 32 for an IPv6 subnet or range
 * @len: its length
 *
 * HASH_I and HASH_R cover the whole body (IDii_b), which the caller has as
 * struct ike_v1_payload's body.
 */
struct ike_v1_id {
	uint8_t type;
	uint8_t proto;
	uint16_t port;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_v1_cert - the CERT or CR payload (RFC 2408 §3.9, §3.10)
 * @encoding: enum ikev1_cert
 * @data: the certificate; for CR, the certificate authority (a DER name
 *	for X.509), possibly empty for any
 * @len: its length
 */
struct ike_v1_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_v1_notify - the Notification payload (RFC 2408 §3.14)
 * @doi: IKEV1_DOI_ISAKMP or IKEV1_DOI_IPSEC
 * @proto: enum ikev1_proto
 * @spi_size: as for proposals; 0 is also allowed for AH, ESP and IPCOMP
 * @type: enum ikev1_notify_error or enum ikev1_notify_status
 * @spi: @spi_size octets, as on the wire (the cookies for DPD)
 * @data: the notification data
 * @len: its length
 */
struct ike_v1_notify {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t len;
};

/**
 * struct ike_v1_delete - the Delete payload (RFC 2408 §3.15)
 * @doi: IKEV1_DOI_ISAKMP or IKEV1_DOI_IPSEC
 * @proto: ISAKMP (16-octet SPIs: the cookies), AH or ESP (4), IPCOMP (2
 *	or 4)
 * @spi_size: the size of each SPI
 * @n_spis: how many, at least one
 * @spis: @n_spis SPIs of @spi_size octets each, as on the wire
 */
struct ike_v1_delete {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spis;
	const uint8_t *spis;
};

/**
 * struct ike_v1_nat_oa - the NAT-OA payload (RFC 3947 §5.2)
 * @id_type: IKEV1_ID_IPV4_ADDR or IKEV1_ID_IPV6_ADDR
 * @addr: the original address: 4 or 16 octets
 * @len: its length
 */
struct ike_v1_nat_oa {
	uint8_t id_type;
	const uint8_t *addr;
	size_t len;
};

/**
 * struct ike_v1_builder - an ISAKMP message or payload chain being written
 * @core: the fields below as the builder core shared with IKEv2 (wire.c)
 *	takes them; they are one and the same storage
 * @buf: the caller's buffer
 * @cap: its size
 * @len: octets written so far
 * @n: payloads written so far, at most IKE_V1_MSG_MAX_PAYLOADS
 * @first: type of the first payload added (0 while none)
 * @has_hdr: a 28-octet ISAKMP header starts @buf
 * @sealed: padding was added: no payload may follow
 * @next_off: where the Next Payload octet for the next payload is, or
 *	SIZE_MAX when it has none (first payload of a bare chain)
 * @err: the first failure; once set, every later call fails with it
 * @chain_end: where the payloads end and padding, if any, begins
 * @off: where each payload's generic header is, for the span helpers
 *
 * The union is the kernel's struct_group() by hand: the named fields keep
 * their names for callers, and @core is a struct ike_builder for the code
 * both versions share. They must stay struct ike_builder's, in its order.
 */
struct ike_v1_builder {
	union {
		struct ike_builder core;
		struct {
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
	};
	size_t chain_end;
	size_t off[IKE_V1_MSG_MAX_PAYLOADS];
};

/* Names for logs; "unknown" for values not in the tables. */
const char *ike_v1_msg_payload_name(unsigned int type);
const char *ike_v1_msg_exchange_name(unsigned int exchange);
const char *ike_v1_msg_notify_name(unsigned int type);

/* Parsing */

int ike_v1_msg_parse_hdr(const uint8_t *buf, size_t len, struct ike_v1_hdr *hdr,
			 struct ike_msg_err *err);
int ike_v1_msg_parse(const uint8_t *buf, size_t len, struct ike_v1_msg *msg,
		     struct ike_msg_err *err);
int ike_v1_msg_parse_chain(uint8_t first, const uint8_t *buf, size_t len, bool decrypted,
			   struct ike_v1_chain *chain, struct ike_msg_err *err);
int ike_v1_chain_find(const struct ike_v1_chain *chain, uint8_t type, size_t from);
void ike_v1_chain_after(const struct ike_v1_chain *chain, size_t i, struct ike_blob *after);

int ike_v1_msg_parse_sa(const uint8_t *body, size_t len, struct ike_v1_sa *sa,
			struct ike_msg_err *err);
void ike_v1_attr_iter_init(struct ike_v1_attr_iter *it, const struct ike_v1_transform *t);
bool ike_v1_attr_next(struct ike_v1_attr_iter *it, struct ike_v1_attr *attr);
bool ike_v1_transform_attr(const struct ike_v1_transform *t, uint16_t type,
			   struct ike_v1_attr *attr);

int ike_v1_msg_parse_ke(const uint8_t *body, size_t len, struct ike_blob *ke,
			struct ike_msg_err *err);
int ike_v1_msg_parse_nonce(const uint8_t *body, size_t len, struct ike_blob *nonce,
			   struct ike_msg_err *err);
int ike_v1_msg_parse_hash(const uint8_t *body, size_t len, struct ike_blob *hash,
			  struct ike_msg_err *err);
int ike_v1_msg_parse_sig(const uint8_t *body, size_t len, struct ike_blob *sig,
			 struct ike_msg_err *err);
int ike_v1_msg_parse_vendor(const uint8_t *body, size_t len, struct ike_blob *vid,
			    struct ike_msg_err *err);
int ike_v1_msg_parse_nat_d(const uint8_t *body, size_t len, struct ike_blob *nat_d,
			   struct ike_msg_err *err);
int ike_v1_msg_parse_id(const uint8_t *body, size_t len, struct ike_v1_id *id,
			struct ike_msg_err *err);
int ike_v1_msg_parse_cert(const uint8_t *body, size_t len, struct ike_v1_cert *cert,
			  struct ike_msg_err *err);
int ike_v1_msg_parse_cr(const uint8_t *body, size_t len, struct ike_v1_cert *cr,
			struct ike_msg_err *err);
int ike_v1_msg_parse_notify(const uint8_t *body, size_t len, struct ike_v1_notify *n,
			    struct ike_msg_err *err);
int ike_v1_msg_parse_delete(const uint8_t *body, size_t len, struct ike_v1_delete *del,
			    struct ike_msg_err *err);
int ike_v1_msg_parse_nat_oa(const uint8_t *body, size_t len, struct ike_v1_nat_oa *oa,
			    struct ike_msg_err *err);

const uint8_t *ike_v1_delete_spi(const struct ike_v1_delete *del, size_t i);

/* Building */

int ike_v1_msg_build_init(struct ike_v1_builder *b, uint8_t *buf, size_t cap,
			  const struct ike_v1_hdr *hdr);
void ike_v1_msg_chain_init(struct ike_v1_builder *b, uint8_t *buf, size_t cap);
int ike_v1_msg_build_end(struct ike_v1_builder *b, size_t *len);

int ike_v1_msg_add_raw(struct ike_v1_builder *b, uint8_t type, const uint8_t *body, size_t len);
int ike_v1_msg_add_sa(struct ike_v1_builder *b, const struct ike_v1_sa *sa);
int ike_v1_msg_add_ke(struct ike_v1_builder *b, const uint8_t *ke, size_t len);
int ike_v1_msg_add_nonce(struct ike_v1_builder *b, const uint8_t *nonce, size_t len);
int ike_v1_msg_add_hash(struct ike_v1_builder *b, const uint8_t *hash, size_t len);
int ike_v1_msg_add_sig(struct ike_v1_builder *b, const uint8_t *sig, size_t len);
int ike_v1_msg_add_vendor(struct ike_v1_builder *b, const uint8_t *vid, size_t len);
int ike_v1_msg_add_nat_d(struct ike_v1_builder *b, uint8_t type, const uint8_t *hash,
			 size_t len);
int ike_v1_msg_add_id(struct ike_v1_builder *b, const struct ike_v1_id *id);
int ike_v1_msg_add_cert(struct ike_v1_builder *b, const struct ike_v1_cert *cert);
int ike_v1_msg_add_cr(struct ike_v1_builder *b, const struct ike_v1_cert *cr);
int ike_v1_msg_add_notify(struct ike_v1_builder *b, const struct ike_v1_notify *n);
int ike_v1_msg_add_delete(struct ike_v1_builder *b, const struct ike_v1_delete *del);
int ike_v1_msg_add_nat_oa(struct ike_v1_builder *b, uint8_t type, const struct ike_v1_nat_oa *oa);
int ike_v1_msg_add_pad(struct ike_v1_builder *b, size_t len, uint8_t **pad);

/* Where the octets that HASH payloads and encryption cover are */

int ike_v1_msg_span_body(const struct ike_v1_builder *b, size_t i, size_t *off, size_t *len);
int ike_v1_msg_span_after(const struct ike_v1_builder *b, size_t i, size_t *off, size_t *len);
int ike_v1_msg_span_encrypted(const struct ike_v1_builder *b, size_t *off, size_t *len);

#endif /* VEIL_IKED_V1MSG_H */
