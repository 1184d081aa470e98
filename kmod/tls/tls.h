/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * The TLS record layer: a TCP upper-layer protocol ("veil") that frames,
 * encrypts and decrypts TLS 1.2 and 1.3 records in the kernel, configured
 * with the kTLS socket API (<linux/tls.h>) or over the veil family.
 *
 * Files: ulp.c (attaching to a socket, socket options, teardown), record.c
 * (ciphers, nonces, AAD, the AEAD calls), tx.c (sending), rx.c (receiving)
 * and netlink.c (tls-key-new).
 */

#ifndef _VEIL_TLS_H
#define _VEIL_TLS_H

#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/tls.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/tcp.h>

struct crypto_aead;
struct aead_request;
struct netlink_ext_ack;

/* Content types (RFC 8446 B.1). */
#define VEIL_TLS_TYPE_CCS	20
#define VEIL_TLS_TYPE_ALERT	21
#define VEIL_TLS_TYPE_HANDSHAKE	22
#define VEIL_TLS_TYPE_DATA	23

#define VEIL_TLS_HEADER_LEN	5
#define VEIL_TLS_TAG_LEN	16
#define VEIL_TLS_NONCE_LEN	12
/* RFC 8446 5.1 and RFC 5246 6.2.1: at most 2^14 bytes of plaintext. */
#define VEIL_TLS_MAX_PLAIN	16384
/* RFC 8446 5.2: TLSCiphertext.length is at most 2^14 + 256. */
#define VEIL_TLS13_MAX_CIPHER	(VEIL_TLS_MAX_PLAIN + 256)
/* Header, explicit nonce, plaintext, inner type, tag: the largest record. */
#define VEIL_TLS_MAX_RECORD	(VEIL_TLS_HEADER_LEN + 8 + VEIL_TLS_MAX_PLAIN + 1 + \
				 VEIL_TLS_TAG_LEN)
/* Page fragments one record may span before it is closed early. */
#define VEIL_TLS_REC_SG		16

/**
 * union veil_tls_crypto_info - what setsockopt(SOL_TLS, TLS_TX/TLS_RX) takes
 * @info: version and cipher, common to all
 * @gcm128: TLS_CIPHER_AES_GCM_128
 * @gcm256: TLS_CIPHER_AES_GCM_256
 * @ccm128: TLS_CIPHER_AES_CCM_128
 * @chacha: TLS_CIPHER_CHACHA20_POLY1305
 */
union veil_tls_crypto_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
	struct tls12_crypto_info_aes_ccm_128 ccm128;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

/**
 * struct veil_tls_cipher_desc - one record protection, as <linux/tls.h> lays it out
 * @type: TLS_CIPHER_*
 * @alg: the kernel crypto API AEAD
 * @info_len: size of its tls12_crypto_info_* structure
 * @key_len: key bytes
 * @iv_len: bytes of the structure's iv field
 * @salt_len: bytes of its salt field
 * @iv_off: offset of iv in the structure
 * @key_off: offset of key
 * @salt_off: offset of salt
 * @seq_off: offset of rec_seq
 * @explicit_len: TLS 1.2 explicit nonce bytes on the wire (8 for AES-GCM
 *	and AES-CCM, RFC 5288/6655; 0 for ChaCha20-Poly1305, RFC 7905)
 * @ccm: the AEAD takes a 16-byte CCM IV (flags byte, nonce, counter)
 */
struct veil_tls_cipher_desc {
	u16 type;
	const char *alg;
	u8 info_len;
	u8 key_len;
	u8 iv_len;
	u8 salt_len;
	u8 iv_off;
	u8 key_off;
	u8 salt_off;
	u8 seq_off;
	u8 explicit_len;
	bool ccm;
};

/**
 * struct veil_tls_crypt - one direction's key and record counter
 * @aead: the transform, keyed
 * @req: its request; a direction runs one operation at a time, under the
 *	socket lock
 * @info: the configuration as last set, for getsockopt (key included, as
 *	kTLS returns it); wiped when freed
 * @base: the 12-byte nonce base: salt || iv for AES, iv for ChaCha20
 * @seq: sequence number of the next record
 * @explicit_nonce: TLS 1.2 AES: the next explicit nonce sent, or the
 *	last received plus one
 * @explicit: TLS 1.2 AES, whose records carry an explicit nonce
 * @tx: the sending direction
 * @used_up: the record numbered 2^64 - 1 has been used; no record may
 *	follow under this key
 * @aad: additional data of the record in hand
 * @iv: the AEAD IV of the record in hand
 * @sg: scatterlist of the record in hand, AAD first
 */
struct veil_tls_crypt {
	struct crypto_aead *aead;
	struct aead_request *req;
	union veil_tls_crypto_info info;
	u8 base[VEIL_TLS_NONCE_LEN];
	u64 seq;
	u64 explicit_nonce;
	bool explicit;
	bool tx;
	bool used_up;
	u8 aad[13];
	u8 iv[16];
	struct scatterlist sg[MAX_SKB_FRAGS + VEIL_TLS_REC_SG + 2];
};

/**
 * struct veil_tls_rec - the record being sent
 * @sg: its page fragments, header first
 * @nsg: entries used in @sg
 * @len: bytes in the record so far (header and explicit nonce included)
 * @sealed: encrypted and being handed to TCP; nothing may be added
 * @sealing: being closed: the entries kept for its tail may be used
 * @type: content type
 * @sent_sg: once sealed, the entry TCP takes next
 * @sent_off: and how much of it TCP already has
 *
 * One record at a time: it fills (MSG_MORE, corking) until it is full or
 * the caller is done, is sealed, and must be wholly with TCP before the
 * next one starts.
 */
struct veil_tls_rec {
	struct scatterlist sg[VEIL_TLS_REC_SG];
	unsigned int nsg;
	unsigned int len;
	bool sealed;
	bool sealing;
	u8 type;
	unsigned int sent_sg;
	unsigned int sent_off;
};

/**
 * struct veil_tls_tx - the sending half
 * @c: key and counters
 * @sk: the socket, for @work
 * @rec: the record being filled or sent
 * @work: pushes a sealed record TCP could not take at once, when TCP has
 *	room again (from @c's socket's write_space)
 * @closing: the socket is closing; @work must do nothing more
 * @pushing: a push is under way in process context; write_space must not
 *	schedule @work for it
 * @sk_write_space: the socket's write_space before veil's
 */
struct veil_tls_tx {
	struct veil_tls_crypt c;
	struct sock *sk;
	struct veil_tls_rec rec;
	struct work_struct work;
	bool closing;
	bool pushing;
	void (*sk_write_space)(struct sock *sk);
};

/**
 * struct veil_tls_rx - the receiving half
 * @c: key and counters
 * @rec: the decrypted record being read, or NULL
 * @rec_type: its content type
 * @rec_off: where its unread plaintext starts in @rec
 * @rec_left: how much plaintext is unread
 * @part: the next record, as much of it as has left TCP's queue, or NULL
 * @part_len: how much of @part is in
 * @ready: a read would not wait: @part is whole, or the socket failed;
 *	written under the socket lock (process or softirq side), read
 *	locklessly by poll
 * @err: the socket failed (a record did not authenticate or was
 *	malformed): every read returns it from now on
 * @key_expired: a TLS 1.3 KeyUpdate was read; reads fail with
 *	EKEYEXPIRED until the next key is installed
 * @sk_data_ready: the socket's data_ready before veil's
 */
struct veil_tls_rx {
	struct veil_tls_crypt c;
	struct sk_buff *rec;
	u8 rec_type;
	unsigned int rec_off;
	unsigned int rec_left;
	struct sk_buff *part;
	unsigned int part_len;
	u8 hdr[VEIL_TLS_HEADER_LEN];
	u8 hdr_len;
	bool ready;
	int err;
	bool key_expired;
	void (*sk_data_ready)(struct sock *sk);
};

/**
 * struct veil_tls_ctx - veil's state on one TCP socket
 * @sk: the socket
 * @sk_proto: the socket's proto before veil's (tcp_prot or tcpv6_prot)
 * @version: TLS_1_2_VERSION or TLS_1_3_VERSION once a key is set, else 0
 * @cipher: the cipher both directions use, once a key is set
 * @tx: the sending half, once TLS_TX is set
 * @rx: the receiving half, once TLS_RX is set
 * @zerocopy_ro: TLS_TX_ZEROCOPY_RO as set (veil always copies, so the
 *	promise is only remembered)
 * @rx_no_pad: TLS_RX_EXPECT_NO_PAD as set (padding is removed either way)
 * @rcu: frees the context after readers in softirq are done
 *
 * Reached through inet_csk(sk)->icsk_ulp_data. Every field is written
 * under the socket lock; data_ready and write_space read it from softirq
 * under the socket's spinlock, which the owner's writes exclude.
 */
struct veil_tls_ctx {
	struct sock *sk;
	struct proto *sk_proto;
	u16 version;
	const struct veil_tls_cipher_desc *cipher;
	struct veil_tls_tx *tx;
	struct veil_tls_rx *rx;
	bool zerocopy_ro;
	bool rx_no_pad;
	struct rcu_head rcu;
};

static inline struct veil_tls_ctx *veil_tls_ctx(const struct sock *sk)
{
	/* The socket's owner or its softirq side: the pointer is stable. */
	return (__force struct veil_tls_ctx *)inet_csk(sk)->icsk_ulp_data;
}

/* ulp.c */
int veil_tls_init(void);
void veil_tls_uninit(void);
int veil_tls_attach(struct socket *sock, struct netlink_ext_ack *extack);
int veil_tls_set_key(struct sock *sk, bool tx, const union veil_tls_crypto_info *ci,
		     unsigned int len, struct netlink_ext_ack *extack);
const struct proto_ops *veil_tls_base_ops(const struct sock *sk);

/* record.c */
const struct veil_tls_cipher_desc *veil_tls_cipher_find(u16 type);
int veil_tls_crypt_key(struct veil_tls_crypt *c, const struct veil_tls_cipher_desc *cs,
		       const union veil_tls_crypto_info *ci, bool tx);
void veil_tls_crypt_free(struct veil_tls_crypt *c);
void veil_tls_crypt_info(const struct veil_tls_crypt *c, const struct veil_tls_cipher_desc *cs,
			 union veil_tls_crypto_info *out);
unsigned int veil_tls_overhead(const struct veil_tls_ctx *ctx);
unsigned int veil_tls_prefix(const struct veil_tls_ctx *ctx);
void veil_tls_record_params(struct veil_tls_ctx *ctx, struct veil_tls_crypt *c,
			    u8 type, unsigned int plain_len, const u8 *explicit_nonce);
int veil_tls_crypt_run(struct veil_tls_crypt *c, bool encrypt, unsigned int aad_len,
		       unsigned int crypt_len);
void veil_tls_seq_advance(struct veil_tls_crypt *c, const u8 *explicit_nonce);

/* tx.c */
int veil_tls_tx_init(struct sock *sk, struct veil_tls_ctx *ctx);
int veil_tls_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
void veil_tls_splice_eof(struct socket *sock);
int veil_tls_shutdown(struct socket *sock, int how);
#ifdef VEIL_HAVE_SENDPAGE
int veil_tls_sendpage(struct sock *sk, struct page *page, int offset, size_t size, int flags);
#endif
int veil_tls_tx_flush(struct sock *sk, struct veil_tls_ctx *ctx, int flags);
void veil_tls_tx_start(struct sock *sk, struct veil_tls_ctx *ctx);
int veil_tls_tx_seal_open(struct sock *sk, struct veil_tls_ctx *ctx);
void veil_tls_tx_stop(struct sock *sk, struct veil_tls_ctx *ctx);
void veil_tls_tx_free(struct veil_tls_tx *tx);

/* rx.c */
int veil_tls_rx_init(struct sock *sk, struct veil_tls_ctx *ctx);
void veil_tls_rx_start(struct sock *sk, struct veil_tls_ctx *ctx);
void veil_tls_rx_rekeyed(struct sock *sk, struct veil_tls_ctx *ctx);
void veil_tls_rx_stop(struct sock *sk, struct veil_tls_ctx *ctx);
int veil_tls_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		     int *addr_len);
ssize_t veil_tls_splice_read(struct socket *sock, loff_t *ppos,
			     struct pipe_inode_info *pipe, size_t len, unsigned int flags);
__poll_t veil_tls_poll(struct file *file, struct socket *sock, struct poll_table_struct *wait);
void veil_tls_rx_free(struct veil_tls_rx *rx);

#endif /* _VEIL_TLS_H */
