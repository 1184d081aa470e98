/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/veil.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_VEIL_H
#define _UAPI_LINUX_VEIL_H

#define VEIL_FAMILY_NAME	"veil"
#define VEIL_FAMILY_VERSION	1

#define VEIL_VERSION_LEN	32
#define VEIL_ALG_NAME_LEN	128
#define VEIL_KEY_MAX_LEN	256
#define VEIL_REPLAY_WINDOW_MAX	4096
#define VEIL_SPI_MIN		256

/**
 * enum veil_proto - IPsec protocol, by its IP protocol number.
 * @VEIL_PROTO_ESP: Encapsulating Security Payload (RFC 4303).
 * @VEIL_PROTO_AH: Authentication Header (RFC 4302).
 */
enum veil_proto {
	VEIL_PROTO_ESP = 50,
	VEIL_PROTO_AH,
};

/**
 * enum veil_mode - IPsec mode, numbered as XFRM numbers it.
 * @VEIL_MODE_TRANSPORT: Protects the payload of the packet between the two SA
 *   endpoints.
 * @VEIL_MODE_TUNNEL: Wraps the whole packet in a new outer IP header.
 */
enum veil_mode {
	VEIL_MODE_TRANSPORT,
	VEIL_MODE_TUNNEL,
};

/**
 * enum veil_sa_flags - Boolean properties of an SA.
 * @VEIL_SA_FLAGS_ESN: 64-bit extended sequence numbers (RFC 4303 section
 *   2.2.1).
 * @VEIL_SA_FLAGS_ALIGN4: IPv4 AH only: pad the AH header to 4 bytes, as RFC
 *   4302 asks and strongSwan sends (XFRM's align4), not 8 as ah4 does by
 *   default.
 */
enum veil_sa_flags {
	VEIL_SA_FLAGS_ESN = 1,
	VEIL_SA_FLAGS_ALIGN4 = 2,
};

/**
 * enum veil_encap_type - UDP encapsulation of ESP, numbered as the UDP_ENCAP_*
 *   socket options.
 * @VEIL_ENCAP_TYPE_ESPINUDP_NONIKE: draft-ietf-ipsec-udp-encaps-00 (non-IKE
 *   marker); legacy.
 * @VEIL_ENCAP_TYPE_ESPINUDP: RFC 3948 UDP encapsulation of ESP (NAT
 *   traversal).
 */
enum veil_encap_type {
	VEIL_ENCAP_TYPE_ESPINUDP_NONIKE = 1,
	VEIL_ENCAP_TYPE_ESPINUDP,
};

/**
 * enum veil_dir - Policy direction, numbered as XFRM numbers it.
 * @VEIL_DIR_IN: Packets addressed to this host.
 * @VEIL_DIR_OUT: Packets this host sends.
 * @VEIL_DIR_FWD: Packets this host forwards.
 */
enum veil_dir {
	VEIL_DIR_IN,
	VEIL_DIR_OUT,
	VEIL_DIR_FWD,
};

/**
 * enum veil_action - What a policy does with matching packets.
 * @VEIL_ACTION_ALLOW: Let them through, applying the policy's templates.
 * @VEIL_ACTION_BLOCK: Drop them.
 */
enum veil_action {
	VEIL_ACTION_ALLOW,
	VEIL_ACTION_BLOCK,
};

/**
 * enum veil_level - How strictly a template must be applied.
 * @VEIL_LEVEL_REQUIRED: Packets must be protected by an SA matching the
 *   template.
 * @VEIL_LEVEL_USE: Use a matching SA when one exists, else pass unprotected.
 */
enum veil_level {
	VEIL_LEVEL_REQUIRED,
	VEIL_LEVEL_USE,
};

/**
 * enum veil_alg_type - Which kernel crypto API interface an algorithm is
 *   reached through.
 * @VEIL_ALG_TYPE_AEAD: Authenticated encryption with associated data
 *   (crypto_aead).
 * @VEIL_ALG_TYPE_CIPHER: A symmetric cipher without integrity
 *   (crypto_skcipher).
 * @VEIL_ALG_TYPE_AUTH: A keyed hash used for integrity (crypto_ahash).
 */
enum veil_alg_type {
	VEIL_ALG_TYPE_AEAD = 1,
	VEIL_ALG_TYPE_CIPHER,
	VEIL_ALG_TYPE_AUTH,
};

/**
 * enum veil_alg_use - Which veil transforms an algorithm can serve.
 * @VEIL_ALG_USE_ESP: IPsec Encapsulating Security Payload (RFC 4303).
 * @VEIL_ALG_USE_AH: IPsec Authentication Header (RFC 4302).
 * @VEIL_ALG_USE_TLS: The TLS 1.2 / 1.3 record layer (RFC 5246, RFC 8446).
 */
enum veil_alg_use {
	VEIL_ALG_USE_ESP = 1,
	VEIL_ALG_USE_AH = 2,
	VEIL_ALG_USE_TLS = 4,
};

/**
 * enum veil_tls_dir - Which half of a TLS connection a key protects.
 * @VEIL_TLS_DIR_TX: Records this host sends (setsockopt TLS_TX).
 * @VEIL_TLS_DIR_RX: Records this host receives (setsockopt TLS_RX).
 */
enum veil_tls_dir {
	VEIL_TLS_DIR_TX = 1,
	VEIL_TLS_DIR_RX,
};

/**
 * enum veil_tls_version - TLS protocol version, numbered as on the wire and in
 *   <linux/tls.h>.
 * @VEIL_TLS_VERSION_TLS12: TLS 1.2 (RFC 5246), 0x0303.
 * @VEIL_TLS_VERSION_TLS13: TLS 1.3 (RFC 8446), 0x0304.
 */
enum veil_tls_version {
	VEIL_TLS_VERSION_TLS12 = 771,
	VEIL_TLS_VERSION_TLS13,
};

/**
 * enum veil_tls_cipher - Record protection, numbered as the TLS_CIPHER_*
 *   constants of <linux/tls.h>; key, IV and salt lengths are those of the
 *   matching tls12_crypto_info_* structure.
 * @VEIL_TLS_CIPHER_AES_GCM_128: AES-128-GCM; key 16, IV 8, salt 4 bytes.
 * @VEIL_TLS_CIPHER_AES_GCM_256: AES-256-GCM; key 32, IV 8, salt 4 bytes.
 * @VEIL_TLS_CIPHER_AES_CCM_128: AES-128-CCM with a 16-byte tag; key 16, IV 8,
 *   salt 4 bytes.
 * @VEIL_TLS_CIPHER_CHACHA20_POLY1305: ChaCha20-Poly1305 (RFC 7905); key 32, IV
 *   12, no salt.
 */
enum veil_tls_cipher {
	VEIL_TLS_CIPHER_AES_GCM_128 = 51,
	VEIL_TLS_CIPHER_AES_GCM_256,
	VEIL_TLS_CIPHER_AES_CCM_128,
	VEIL_TLS_CIPHER_CHACHA20_POLY1305,
};

enum {
	VEIL_A_ALG_NAME = 1,
	VEIL_A_ALG_TYPE,
	VEIL_A_ALG_USES,
	VEIL_A_ALG_AVAILABLE,

	__VEIL_A_ALG_MAX,
	VEIL_A_ALG_MAX = (__VEIL_A_ALG_MAX - 1)
};

enum {
	VEIL_A_INFO_VERSION = 1,
	VEIL_A_INFO_ALG,

	__VEIL_A_INFO_MAX,
	VEIL_A_INFO_MAX = (__VEIL_A_INFO_MAX - 1)
};

enum {
	VEIL_A_KEY_ALG_NAME = 1,
	VEIL_A_KEY_ALG_KEY,
	VEIL_A_KEY_ALG_ICV_LEN,
	VEIL_A_KEY_ALG_TRUNC_LEN,

	__VEIL_A_KEY_ALG_MAX,
	VEIL_A_KEY_ALG_MAX = (__VEIL_A_KEY_ALG_MAX - 1)
};

enum {
	VEIL_A_SELECTOR_FAMILY = 1,
	VEIL_A_SELECTOR_SRC,
	VEIL_A_SELECTOR_DST,
	VEIL_A_SELECTOR_SRC_PREFIX_LEN,
	VEIL_A_SELECTOR_DST_PREFIX_LEN,
	VEIL_A_SELECTOR_PROTO,
	VEIL_A_SELECTOR_SPORT,
	VEIL_A_SELECTOR_DPORT,

	__VEIL_A_SELECTOR_MAX,
	VEIL_A_SELECTOR_MAX = (__VEIL_A_SELECTOR_MAX - 1)
};

enum {
	VEIL_A_LIFETIME_SOFT_BYTES = 1,
	VEIL_A_LIFETIME_HARD_BYTES,
	VEIL_A_LIFETIME_SOFT_PACKETS,
	VEIL_A_LIFETIME_HARD_PACKETS,
	VEIL_A_LIFETIME_SOFT_ADD_SECONDS,
	VEIL_A_LIFETIME_HARD_ADD_SECONDS,
	VEIL_A_LIFETIME_SOFT_USE_SECONDS,
	VEIL_A_LIFETIME_HARD_USE_SECONDS,

	__VEIL_A_LIFETIME_MAX,
	VEIL_A_LIFETIME_MAX = (__VEIL_A_LIFETIME_MAX - 1)
};

enum {
	VEIL_A_STATS_PACKETS = 1,
	VEIL_A_STATS_BYTES,
	VEIL_A_STATS_REPLAY_DROPS,
	VEIL_A_STATS_INTEGRITY_FAILURES,
	VEIL_A_STATS_OTHER_DROPS,
	VEIL_A_STATS_ADD_TIME,
	VEIL_A_STATS_USE_TIME,
	VEIL_A_STATS_BAD_PADDING,
	VEIL_A_STATS_POLICY_DROPS,

	__VEIL_A_STATS_MAX,
	VEIL_A_STATS_MAX = (__VEIL_A_STATS_MAX - 1)
};

enum {
	VEIL_A_ENCAP_TYPE = 1,
	VEIL_A_ENCAP_SPORT,
	VEIL_A_ENCAP_DPORT,
	VEIL_A_ENCAP_OADDR,

	__VEIL_A_ENCAP_MAX,
	VEIL_A_ENCAP_MAX = (__VEIL_A_ENCAP_MAX - 1)
};

enum {
	VEIL_A_SA_FAMILY = 1,
	VEIL_A_SA_SRC,
	VEIL_A_SA_DST,
	VEIL_A_SA_PROTO,
	VEIL_A_SA_SPI,
	VEIL_A_SA_MODE,
	VEIL_A_SA_REQID,
	VEIL_A_SA_IF_ID,
	VEIL_A_SA_AEAD,
	VEIL_A_SA_ENC,
	VEIL_A_SA_AUTH,
	VEIL_A_SA_REPLAY_WINDOW,
	VEIL_A_SA_FLAGS,
	VEIL_A_SA_REPLAY_SEQ,
	VEIL_A_SA_REPLAY_OSEQ,
	VEIL_A_SA_REPLAY_SEQ_HI,
	VEIL_A_SA_REPLAY_OSEQ_HI,
	VEIL_A_SA_LIFETIME,
	VEIL_A_SA_ENCAP,
	VEIL_A_SA_SELECTOR,
	VEIL_A_SA_STATS,
	VEIL_A_SA_KEYS,
	VEIL_A_SA_HARD,

	__VEIL_A_SA_MAX,
	VEIL_A_SA_MAX = (__VEIL_A_SA_MAX - 1)
};

enum {
	VEIL_A_TMPL_FAMILY = 1,
	VEIL_A_TMPL_SRC,
	VEIL_A_TMPL_DST,
	VEIL_A_TMPL_PROTO,
	VEIL_A_TMPL_SPI,
	VEIL_A_TMPL_MODE,
	VEIL_A_TMPL_REQID,
	VEIL_A_TMPL_LEVEL,

	__VEIL_A_TMPL_MAX,
	VEIL_A_TMPL_MAX = (__VEIL_A_TMPL_MAX - 1)
};

enum {
	VEIL_A_POLICY_SELECTOR = 1,
	VEIL_A_POLICY_DIR,
	VEIL_A_POLICY_ACTION,
	VEIL_A_POLICY_PRIORITY,
	VEIL_A_POLICY_IF_ID,
	VEIL_A_POLICY_INDEX,
	VEIL_A_POLICY_TMPL,
	VEIL_A_POLICY_FLOW,
	VEIL_A_POLICY_TMPL_INDEX,

	__VEIL_A_POLICY_MAX,
	VEIL_A_POLICY_MAX = (__VEIL_A_POLICY_MAX - 1)
};

enum {
	VEIL_A_COUNTS_SA_COUNT = 1,
	VEIL_A_COUNTS_SA_LIMIT,
	VEIL_A_COUNTS_POLICY_IN,
	VEIL_A_COUNTS_POLICY_OUT,
	VEIL_A_COUNTS_POLICY_FWD,

	__VEIL_A_COUNTS_MAX,
	VEIL_A_COUNTS_MAX = (__VEIL_A_COUNTS_MAX - 1)
};

enum {
	VEIL_A_ENCAP_SOCK_FD = 1,
	VEIL_A_ENCAP_SOCK_FAMILY,
	VEIL_A_ENCAP_SOCK_PORT,
	VEIL_A_ENCAP_SOCK_LOCAL,
	VEIL_A_ENCAP_SOCK_KERNEL,
	VEIL_A_ENCAP_SOCK_PAD,
	VEIL_A_ENCAP_SOCK_ESP_PACKETS,
	VEIL_A_ENCAP_SOCK_OTHER_PACKETS,

	__VEIL_A_ENCAP_SOCK_MAX,
	VEIL_A_ENCAP_SOCK_MAX = (__VEIL_A_ENCAP_SOCK_MAX - 1)
};

enum {
	IFLA_VEIL_IF_ID = 1,

	__IFLA_VEIL_MAX,
	IFLA_VEIL_MAX = (__IFLA_VEIL_MAX - 1)
};

enum {
	VEIL_A_NET_STATS_PAD = 1,
	VEIL_A_NET_STATS_IN_PACKETS,
	VEIL_A_NET_STATS_IN_BYTES,
	VEIL_A_NET_STATS_OUT_PACKETS,
	VEIL_A_NET_STATS_OUT_BYTES,
	VEIL_A_NET_STATS_REPLAY_DROPS,
	VEIL_A_NET_STATS_INTEGRITY_FAILURES,
	VEIL_A_NET_STATS_BAD_PADDING,
	VEIL_A_NET_STATS_POLICY_DROPS,
	VEIL_A_NET_STATS_CLEARTEXT_DROPS,
	VEIL_A_NET_STATS_NO_SA,
	VEIL_A_NET_STATS_BLOCKED,
	VEIL_A_NET_STATS_TOO_BIG,
	VEIL_A_NET_STATS_EXPIRED,
	VEIL_A_NET_STATS_OTHER_DROPS,
	VEIL_A_NET_STATS_TLS_TX_CURRENT,
	VEIL_A_NET_STATS_TLS_RX_CURRENT,
	VEIL_A_NET_STATS_TLS_TX_TOTAL,
	VEIL_A_NET_STATS_TLS_RX_TOTAL,
	VEIL_A_NET_STATS_TLS_DECRYPT_ERRORS,
	VEIL_A_NET_STATS_TLS_REKEYS,
	VEIL_A_NET_STATS_TLS_TX_LOST,

	__VEIL_A_NET_STATS_MAX,
	VEIL_A_NET_STATS_MAX = (__VEIL_A_NET_STATS_MAX - 1)
};

enum {
	VEIL_A_TLS_KEY_SOCK_FD = 1,
	VEIL_A_TLS_KEY_DIR,
	VEIL_A_TLS_KEY_VERSION,
	VEIL_A_TLS_KEY_CIPHER,
	VEIL_A_TLS_KEY_KEY,
	VEIL_A_TLS_KEY_IV,
	VEIL_A_TLS_KEY_SALT,
	VEIL_A_TLS_KEY_REC_SEQ,
	VEIL_A_TLS_KEY_PAD,

	__VEIL_A_TLS_KEY_MAX,
	VEIL_A_TLS_KEY_MAX = (__VEIL_A_TLS_KEY_MAX - 1)
};

enum {
	VEIL_CMD_INFO = 1,
	VEIL_CMD_SA_NEW,
	VEIL_CMD_SA_UPDATE,
	VEIL_CMD_SA_GET,
	VEIL_CMD_SA_DEL,
	VEIL_CMD_SA_FLUSH,
	VEIL_CMD_POLICY_NEW,
	VEIL_CMD_POLICY_UPDATE,
	VEIL_CMD_POLICY_GET,
	VEIL_CMD_POLICY_DEL,
	VEIL_CMD_POLICY_FLUSH,
	VEIL_CMD_COUNTS,
	VEIL_CMD_SA_NEW_NTF,
	VEIL_CMD_SA_DEL_NTF,
	VEIL_CMD_SA_EXPIRE_NTF,
	VEIL_CMD_POLICY_NEW_NTF,
	VEIL_CMD_POLICY_DEL_NTF,
	VEIL_CMD_POLICY_LOOKUP,
	VEIL_CMD_ACQUIRE_NTF,
	VEIL_CMD_STATS_GET,
	VEIL_CMD_ENCAP_NEW,
	VEIL_CMD_ENCAP_DEL,
	VEIL_CMD_ENCAP_GET,
	VEIL_CMD_TLS_KEY_NEW,

	__VEIL_CMD_MAX,
	VEIL_CMD_MAX = (__VEIL_CMD_MAX - 1)
};

#define VEIL_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_VEIL_H */
