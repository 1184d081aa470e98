/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1's numbers: ISAKMP (RFC 2408), the IPsec DOI (RFC 2407), IKE
 * (RFC 2409) and the extensions spoken with them, NAT traversal (RFC 3947)
 * and Dead Peer Detection (RFC 3706). What is on the wire, nothing else.
 * The names are the RFCs', prefixed IKEV1_ and shortened where the RFC
 * repeats itself; IANA's "Internet Security Association and Key Management
 * Protocol (ISAKMP) Identifiers" and "IPSEC" registries hold the values
 * later RFCs added.
 */
#ifndef VEIL_IKED_ISAKMP_H
#define VEIL_IKED_ISAKMP_H

#define IKEV1_VERSION		0x10	/* major 1, minor 0 (RFC 2408 §3.1) */
#define IKEV1_HDR_LEN		28
#define IKEV1_PAYLOAD_HDR_LEN	4
#define IKEV1_COOKIE_LEN	8
/* The ISAKMP SA's SPI is its cookie pair (RFC 2408 §3.5). */
#define IKEV1_ISAKMP_SPI_LEN	(2 * IKEV1_COOKIE_LEN)

/* Exchange types (RFC 2408 §3.1, RFC 2409 §5, §9) */
enum ikev1_exchange {
	IKEV1_EXCH_NONE			= 0,
	IKEV1_EXCH_BASE			= 1,
	IKEV1_EXCH_IDENTITY_PROT	= 2,	/* IKE's Main Mode */
	IKEV1_EXCH_AUTH_ONLY		= 3,
	IKEV1_EXCH_AGGRESSIVE		= 4,	/* IKE's Aggressive Mode */
	IKEV1_EXCH_INFORMATIONAL	= 5,
	/* draft-dukes-ike-mode-cfg: Mode-Config and XAUTH; recognised only */
	IKEV1_EXCH_TRANSACTION		= 6,
	IKEV1_EXCH_QUICK		= 32,	/* RFC 2409 §5.5 */
	IKEV1_EXCH_NEW_GROUP		= 33,	/* RFC 2409 §5.6 */
};

/* Header flags (RFC 2408 §3.1) */
#define IKEV1_FLAG_ENCRYPTION	0x01	/* all after the header is encrypted */
#define IKEV1_FLAG_COMMIT	0x02
#define IKEV1_FLAG_AUTH_ONLY	0x04

/* Payload types, the Next Payload field (RFC 2408 §3.1) */
enum ikev1_payload {
	IKEV1_PL_NONE		= 0,
	IKEV1_PL_SA		= 1,
	IKEV1_PL_PROPOSAL	= 2,	/* only inside SA */
	IKEV1_PL_TRANSFORM	= 3,	/* only inside a proposal */
	IKEV1_PL_KE		= 4,
	IKEV1_PL_ID		= 5,
	IKEV1_PL_CERT		= 6,
	IKEV1_PL_CR		= 7,
	IKEV1_PL_HASH		= 8,
	IKEV1_PL_SIG		= 9,
	IKEV1_PL_NONCE		= 10,
	IKEV1_PL_N		= 11,
	IKEV1_PL_D		= 12,
	IKEV1_PL_VID		= 13,
	IKEV1_PL_ATTR		= 14,	/* draft-dukes-ike-mode-cfg */
	IKEV1_PL_NAT_D		= 20,	/* RFC 3947 */
	IKEV1_PL_NAT_OA		= 21,	/* RFC 3947 */
	/* The private numbers of draft-ietf-ipsec-nat-t-ike-02 and -03 */
	IKEV1_PL_NAT_D_DRAFT	= 130,
	IKEV1_PL_NAT_OA_DRAFT	= 131,
	IKEV1_PL_FRAGMENT	= 132,	/* Cisco's IKE fragmentation */
};

/* Proposal and transform substructures: their Next Payload (RFC 2408 §3.5, §3.6) */
#define IKEV1_LAST		0
#define IKEV1_MORE_PROPOSALS	IKEV1_PL_PROPOSAL
#define IKEV1_MORE_TRANSFORMS	IKEV1_PL_TRANSFORM

/* Domains of interpretation (RFC 2408 §3.4, RFC 2407 §4.2) */
#define IKEV1_DOI_ISAKMP	0
#define IKEV1_DOI_IPSEC		1

/* IPsec DOI situations, a bitmask (RFC 2407 §4.2) */
#define IKEV1_SIT_IDENTITY_ONLY	0x01
#define IKEV1_SIT_SECRECY	0x02
#define IKEV1_SIT_INTEGRITY	0x04

/* Security protocol identifiers (RFC 2407 §4.4.1) */
enum ikev1_proto {
	IKEV1_PROTO_NONE	= 0,
	IKEV1_PROTO_ISAKMP	= 1,
	IKEV1_PROTO_AH		= 2,
	IKEV1_PROTO_ESP		= 3,
	IKEV1_PROTO_IPCOMP	= 4,
};

/* Transform IDs for ISAKMP (RFC 2407 §4.4.2) */
#define IKEV1_KEY_IKE		1

/* Transform IDs for AH (RFC 2407 §4.4.3, RFC 4868) */
enum ikev1_ah {
	IKEV1_AH_MD5		= 2,
	IKEV1_AH_SHA		= 3,
	IKEV1_AH_DES		= 4,
	IKEV1_AH_SHA2_256	= 5,
	IKEV1_AH_SHA2_384	= 6,
	IKEV1_AH_SHA2_512	= 7,
};

/* Transform IDs for ESP (RFC 2407 §4.4.4 and the RFCs noted) */
enum ikev1_esp {
	IKEV1_ESP_DES			= 2,
	IKEV1_ESP_3DES			= 3,
	IKEV1_ESP_NULL			= 11,
	IKEV1_ESP_AES			= 12,	/* AES-CBC, RFC 3602 */
	IKEV1_ESP_AES_CTR		= 13,	/* RFC 3686 */
	IKEV1_ESP_AES_CCM_8		= 14,	/* RFC 4309 */
	IKEV1_ESP_AES_CCM_12		= 15,
	IKEV1_ESP_AES_CCM_16		= 16,
	IKEV1_ESP_AES_GCM_8		= 18,	/* RFC 4106 */
	IKEV1_ESP_AES_GCM_12		= 19,
	IKEV1_ESP_AES_GCM_16		= 20,
	IKEV1_ESP_SEED_CBC		= 21,	/* RFC 4196 */
	IKEV1_ESP_CAMELLIA		= 22,	/* RFC 4312 */
	IKEV1_ESP_NULL_AUTH_AES_GMAC	= 23,	/* RFC 4543; IKEv2 numbers it 21 */
};

/* Transform IDs for IPCOMP (RFC 2407 §4.4.5) */
enum ikev1_ipcomp {
	IKEV1_IPCOMP_OUI	= 1,
	IKEV1_IPCOMP_DEFLATE	= 2,
	IKEV1_IPCOMP_LZS	= 3,
};

/*
 * Data attributes: the top bit of the type is the Attribute Format (AF),
 * set for TV (2-octet value in place of the length), clear for TLV
 * (RFC 2408 §3.3).
 */
#define IKEV1_ATTR_AF		0x8000
#define IKEV1_ATTR_TYPE_MASK	0x7fff

/*
 * Phase 1 (ISAKMP SA) attribute types, RFC 2409 Appendix A. B (basic)
 * attributes are always TV; V (variable) ones are TLV, or TV when the value
 * fits two octets.
 */
enum ikev1_p1_attr {
	IKEV1_P1_ENCR		= 1,	/* B */
	IKEV1_P1_HASH		= 2,	/* B */
	IKEV1_P1_AUTH		= 3,	/* B */
	IKEV1_P1_GROUP		= 4,	/* B: Group Description */
	IKEV1_P1_GROUP_TYPE	= 5,	/* B */
	IKEV1_P1_GROUP_PRIME	= 6,	/* V: Group Prime/Irreducible Polynomial */
	IKEV1_P1_GROUP_GEN_ONE	= 7,	/* V */
	IKEV1_P1_GROUP_GEN_TWO	= 8,	/* V */
	IKEV1_P1_GROUP_CURVE_A	= 9,	/* V */
	IKEV1_P1_GROUP_CURVE_B	= 10,	/* V */
	IKEV1_P1_LIFE_TYPE	= 11,	/* B */
	IKEV1_P1_LIFE_DURATION	= 12,	/* V */
	IKEV1_P1_PRF		= 13,	/* B */
	IKEV1_P1_KEY_LENGTH	= 14,	/* B */
	IKEV1_P1_FIELD_SIZE	= 15,	/* B */
	IKEV1_P1_GROUP_ORDER	= 16,	/* V */
};

/* Phase 1 Encryption Algorithm values (RFC 2409 App. A, RFC 3602) */
enum ikev1_p1_encr {
	IKEV1_ENCR_DES_CBC	= 1,
	IKEV1_ENCR_IDEA_CBC	= 2,
	IKEV1_ENCR_BLOWFISH_CBC	= 3,
	IKEV1_ENCR_RC5_CBC	= 4,
	IKEV1_ENCR_3DES_CBC	= 5,
	IKEV1_ENCR_CAST_CBC	= 6,
	IKEV1_ENCR_AES_CBC	= 7,
};

/* Phase 1 Hash Algorithm values (RFC 2409 App. A, RFC 4868) */
enum ikev1_p1_hash {
	IKEV1_HASH_MD5		= 1,
	IKEV1_HASH_SHA		= 2,
	IKEV1_HASH_TIGER	= 3,
	IKEV1_HASH_SHA2_256	= 4,
	IKEV1_HASH_SHA2_384	= 5,
	IKEV1_HASH_SHA2_512	= 6,
};

/*
 * Phase 1 Authentication Method values (RFC 2409 App. A). The XAUTH ones
 * are draft-beaulieu-ike-xauth-02's private values, given here only so that
 * they can be recognised and refused by name.
 */
enum ikev1_p1_auth {
	IKEV1_AUTH_PSK			= 1,
	IKEV1_AUTH_DSS_SIG		= 2,
	IKEV1_AUTH_RSA_SIG		= 3,
	IKEV1_AUTH_RSA_ENC		= 4,
	IKEV1_AUTH_RSA_REV_ENC		= 5,
	IKEV1_AUTH_XAUTH_INIT_PSK	= 65001,
	IKEV1_AUTH_XAUTH_RESP_PSK	= 65002,
	IKEV1_AUTH_XAUTH_INIT_DSS	= 65003,
	IKEV1_AUTH_XAUTH_RESP_DSS	= 65004,
	IKEV1_AUTH_XAUTH_INIT_RSA	= 65005,
	IKEV1_AUTH_XAUTH_RESP_RSA	= 65006,
	IKEV1_AUTH_XAUTH_INIT_RSA_ENC	= 65007,
	IKEV1_AUTH_XAUTH_RESP_RSA_ENC	= 65008,
	IKEV1_AUTH_XAUTH_INIT_RSA_REV	= 65009,
	IKEV1_AUTH_XAUTH_RESP_RSA_REV	= 65010,
};

/*
 * Group Description values, Phase 1 and Phase 2 alike (RFC 2409 §6,
 * RFC 3526 for MODP 1536 up, RFC 5903 for the ECP groups); IKEv2 uses the
 * same numbers.
 */
enum ikev1_group {
	IKEV1_GROUP_MODP768	= 1,
	IKEV1_GROUP_MODP1024	= 2,
	IKEV1_GROUP_MODP1536	= 5,
	IKEV1_GROUP_MODP2048	= 14,
	IKEV1_GROUP_MODP3072	= 15,
	IKEV1_GROUP_MODP4096	= 16,
	IKEV1_GROUP_MODP6144	= 17,
	IKEV1_GROUP_MODP8192	= 18,
	IKEV1_GROUP_ECP256	= 19,
	IKEV1_GROUP_ECP384	= 20,
	IKEV1_GROUP_ECP521	= 21,
};

/* Group Type values (RFC 2409 App. A) */
enum ikev1_group_type {
	IKEV1_GROUP_TYPE_MODP	= 1,
	IKEV1_GROUP_TYPE_ECP	= 2,
	IKEV1_GROUP_TYPE_EC2N	= 3,
};

/* Life Type values, Phase 1 (RFC 2409 App. A) and Phase 2 (RFC 2407 §4.5) */
enum ikev1_life_type {
	IKEV1_LIFE_SECONDS	= 1,
	IKEV1_LIFE_KILOBYTES	= 2,
};

/* Phase 2 (IPsec SA) attribute types (RFC 2407 §4.5, RFC 3168, RFC 4304) */
enum ikev1_p2_attr {
	IKEV1_P2_LIFE_TYPE	= 1,	/* B */
	IKEV1_P2_LIFE_DURATION	= 2,	/* V */
	IKEV1_P2_GROUP		= 3,	/* B: Group Description, for PFS */
	IKEV1_P2_ENCAP		= 4,	/* B: Encapsulation Mode */
	IKEV1_P2_AUTH		= 5,	/* B: Authentication Algorithm */
	IKEV1_P2_KEY_LENGTH	= 6,	/* B */
	IKEV1_P2_KEY_ROUNDS	= 7,	/* B */
	IKEV1_P2_COMP_DICT_SIZE	= 8,	/* B */
	IKEV1_P2_COMP_PRIV_ALG	= 9,	/* V */
	IKEV1_P2_ECN_TUNNEL	= 10,	/* B, RFC 3168 */
	IKEV1_P2_ESN		= 11,	/* B, RFC 4304 */
};

/*
 * Phase 2 Encapsulation Mode values (RFC 2407 §4.5; UDP ones RFC 3947 §5.1,
 * and the private values of the NAT-T drafts, which peers that sent a draft
 * Vendor ID still use)
 */
enum ikev1_encap {
	IKEV1_ENCAP_TUNNEL		= 1,
	IKEV1_ENCAP_TRANSPORT		= 2,
	IKEV1_ENCAP_UDP_TUNNEL		= 3,
	IKEV1_ENCAP_UDP_TRANSPORT	= 4,
	IKEV1_ENCAP_UDP_TUNNEL_DRAFT	= 61443,
	IKEV1_ENCAP_UDP_TRANSPORT_DRAFT	= 61444,
};

/* Phase 2 Authentication Algorithm values (RFC 2407 §4.5, RFC 4868) */
enum ikev1_p2_auth {
	IKEV1_P2_AUTH_HMAC_MD5		= 1,
	IKEV1_P2_AUTH_HMAC_SHA		= 2,
	IKEV1_P2_AUTH_DES_MAC		= 3,
	IKEV1_P2_AUTH_KPDK		= 4,
	IKEV1_P2_AUTH_HMAC_SHA2_256	= 5,
	IKEV1_P2_AUTH_HMAC_SHA2_384	= 6,
	IKEV1_P2_AUTH_HMAC_SHA2_512	= 7,
};

/* The Extended Sequence Number attribute's one value (RFC 4304) */
#define IKEV1_ESN_64BIT		1

/* Identification types of the IPsec DOI (RFC 2407 §4.6.2.1) */
enum ikev1_id {
	IKEV1_ID_IPV4_ADDR		= 1,
	IKEV1_ID_FQDN			= 2,
	IKEV1_ID_USER_FQDN		= 3,
	IKEV1_ID_IPV4_ADDR_SUBNET	= 4,	/* address, then mask */
	IKEV1_ID_IPV6_ADDR		= 5,
	IKEV1_ID_IPV6_ADDR_SUBNET	= 6,
	IKEV1_ID_IPV4_ADDR_RANGE	= 7,	/* first, then last address */
	IKEV1_ID_IPV6_ADDR_RANGE	= 8,
	IKEV1_ID_DER_ASN1_DN		= 9,
	IKEV1_ID_DER_ASN1_GN		= 10,
	IKEV1_ID_KEY_ID			= 11,
};

/* Certificate encodings (CERT, CR: RFC 2408 §3.9) */
enum ikev1_cert {
	IKEV1_CERT_NONE		= 0,
	IKEV1_CERT_PKCS7	= 1,
	IKEV1_CERT_PGP		= 2,
	IKEV1_CERT_DNS_KEY	= 3,
	IKEV1_CERT_X509_SIG	= 4,
	IKEV1_CERT_X509_KE	= 5,
	IKEV1_CERT_KERBEROS	= 6,
	IKEV1_CERT_CRL		= 7,
	IKEV1_CERT_ARL		= 8,
	IKEV1_CERT_SPKI		= 9,
	IKEV1_CERT_X509_ATTR	= 10,
};

/* Notify message types: errors (RFC 2408 §3.14.1) */
enum ikev1_notify_error {
	IKEV1_N_INVALID_PAYLOAD_TYPE		= 1,
	IKEV1_N_DOI_NOT_SUPPORTED		= 2,
	IKEV1_N_SITUATION_NOT_SUPPORTED		= 3,
	IKEV1_N_INVALID_COOKIE			= 4,
	IKEV1_N_INVALID_MAJOR_VERSION		= 5,
	IKEV1_N_INVALID_MINOR_VERSION		= 6,
	IKEV1_N_INVALID_EXCHANGE_TYPE		= 7,
	IKEV1_N_INVALID_FLAGS			= 8,
	IKEV1_N_INVALID_MESSAGE_ID		= 9,
	IKEV1_N_INVALID_PROTOCOL_ID		= 10,
	IKEV1_N_INVALID_SPI			= 11,
	IKEV1_N_INVALID_TRANSFORM_ID		= 12,
	IKEV1_N_ATTRIBUTES_NOT_SUPPORTED	= 13,
	IKEV1_N_NO_PROPOSAL_CHOSEN		= 14,
	IKEV1_N_BAD_PROPOSAL_SYNTAX		= 15,
	IKEV1_N_PAYLOAD_MALFORMED		= 16,
	IKEV1_N_INVALID_KEY_INFORMATION		= 17,
	IKEV1_N_INVALID_ID_INFORMATION		= 18,
	IKEV1_N_INVALID_CERT_ENCODING		= 19,
	IKEV1_N_INVALID_CERTIFICATE		= 20,
	IKEV1_N_CERT_TYPE_UNSUPPORTED		= 21,
	IKEV1_N_INVALID_CERT_AUTHORITY		= 22,
	IKEV1_N_INVALID_HASH_INFORMATION	= 23,
	IKEV1_N_AUTHENTICATION_FAILED		= 24,
	IKEV1_N_INVALID_SIGNATURE		= 25,
	IKEV1_N_ADDRESS_NOTIFICATION		= 26,
	IKEV1_N_NOTIFY_SA_LIFETIME		= 27,
	IKEV1_N_CERTIFICATE_UNAVAILABLE		= 28,
	IKEV1_N_UNSUPPORTED_EXCHANGE_TYPE	= 29,
	IKEV1_N_UNEQUAL_PAYLOAD_LENGTHS		= 30,
};

/*
 * Notify message types: status. RESPONDER-LIFETIME, REPLAY-STATUS and
 * INITIAL-CONTACT are the IPsec DOI's (RFC 2407 §4.6.3); R-U-THERE and its
 * ACK are Dead Peer Detection's (RFC 3706 §5), with a 4-octet sequence
 * number as data and the cookies as a 16-octet SPI.
 */
enum ikev1_notify_status {
	IKEV1_N_RESPONDER_LIFETIME	= 24576,
	IKEV1_N_REPLAY_STATUS		= 24577,
	IKEV1_N_INITIAL_CONTACT		= 24578,
	IKEV1_N_R_U_THERE		= 36136,
	IKEV1_N_R_U_THERE_ACK		= 36137,
};

/* NAT-OA payload (RFC 3947 §5.2): an ID type, 3 reserved octets, an address */
#define IKEV1_NAT_OA_HDR_LEN	4

/*
 * Well-known Vendor IDs, as octet initialisers:
 *	static const uint8_t vid[] = IKEV1_VID_DPD;
 * Each comment says where the octets come from; "MD5(x)" ones were
 * checked with `printf 'x' | openssl md5`.
 */

/* NAT traversal, RFC 3947 §3: MD5("RFC 3947") */
#define IKEV1_VID_NATT_RFC3947_LEN	16
#define IKEV1_VID_NATT_RFC3947 {					\
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,			\
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f }

/*
 * draft-ietf-ipsec-nat-t-ike-02 as printed in that draft, trailing newline
 * included: MD5("draft-ietf-ipsec-nat-t-ike-02\n"). strongSwan sends it
 * beside the RFC 3947 one; peers that know only the drafts send it too.
 */
#define IKEV1_VID_NATT_DRAFT_02N_LEN	16
#define IKEV1_VID_NATT_DRAFT_02N {					\
	0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,			\
	0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f }

/* The same draft without the newline: MD5("draft-ietf-ipsec-nat-t-ike-02") */
#define IKEV1_VID_NATT_DRAFT_02_LEN	16
#define IKEV1_VID_NATT_DRAFT_02 {					\
	0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,			\
	0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 }

/* MD5("draft-ietf-ipsec-nat-t-ike-03"); received, not sent, by strongSwan */
#define IKEV1_VID_NATT_DRAFT_03_LEN	16
#define IKEV1_VID_NATT_DRAFT_03 {					\
	0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,			\
	0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 }

/*
 * Dead Peer Detection, RFC 3706 §5: fourteen fixed octets, then major
 * version 1 and minor version 0. Not a hash; the RFC gives the octets.
 */
#define IKEV1_VID_DPD_LEN		16
#define IKEV1_VID_DPD {							\
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,			\
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 }

/*
 * XAUTH (draft-beaulieu-ike-xauth-02): the first 8 octets of
 * MD5("draft-ietf-ipsra-isakmp-xauth-06.txt"). strongSwan sends it in
 * every Main Mode first message, so a parser of its messages meets it.
 */
#define IKEV1_VID_XAUTH_LEN		8
#define IKEV1_VID_XAUTH {						\
	0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12 }

/*
 * Cisco's IKE fragmentation: MD5("FRAGMENTATION"), then 4 capability
 * octets. 0x80000000 offers fragments of Main and Aggressive Mode
 * messages; that is what strongSwan sends, 20 octets in all. Windows sends
 * the bare 16-octet hash. Compare the first IKEV1_VID_FRAGMENTATION_HASH_LEN
 * octets to recognise both.
 */
#define IKEV1_VID_FRAGMENTATION_HASH_LEN	16
#define IKEV1_VID_FRAGMENTATION_LEN		20
#define IKEV1_VID_FRAGMENTATION {					\
	0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,			\
	0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3,			\
	0x80, 0x00, 0x00, 0x00 }

#endif /* VEIL_IKED_ISAKMP_H */
