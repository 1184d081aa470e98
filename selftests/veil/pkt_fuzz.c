// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The veil authors. All Rights Reserved.
 *
 * pkt_fuzz: malformed ESP (transport and tunnel mode), AH, UDP-encapsulated
 * ESP over IPv4 and IPv6 and TLS records at veil, for pkt_fuzz.sh.
 *
 *   ip netns exec RX pkt_fuzz --tx-netns /run/netns/TX --dev eth0 \
 *	--dmac MAC --src ADDR [ --other SA ]... \
 *	--sa SA [ --seq BASE ] --classes CLASS[,CLASS]... [ --sa ... ]
 *
 * It starts in the receiving namespace, where it opens the UDP port the
 * crafted packets' payload is addressed to (and, for TLS, a listening TCP
 * socket) and the counters it reads there (/proc/net, veil's generic
 * netlink family), then moves to the sending one, where it writes whole
 * Ethernet frames on a packet socket: every byte of the IP header is its
 * own.
 *
 * Each packet of a class starts out as a valid one of the SA (gcm:
 * rfc4106(gcm(aes)), cbc: cbc(aes) with hmac(sha256) truncated to 128
 * bits, ah: AH with that hmac, udp: gcm in UDP port 4500, ah6: AH over
 * IPv6, esp6: gcm over IPv6, udp6: gcm in UDP port 4500 over IPv6, both
 * UDP checksums right; tun: gcm in tunnel mode over IPv4, the datagram
 * inside an inner IPv4 packet from --inner-src to --inner-dst; esn- in
 * front for an SA with extended sequence numbers), its payload a UDP
 * datagram to that port naming its index; then it is mutated (for tun,
 * the inner class mutates the inner packet and seals it right). A
 * datagram that arrives is a packet veil let through: a failure unless
 * the mutation was one that leaves a valid packet (a field no ICV
 * covers), which the class knows. Around each class the receiver's
 * drop counters are read: they must have grown by what was sent, less
 * what arrived. One KTAP line per class.
 *
 * Same --seed, same arguments, same packets: pkt_fuzz.sh prints its seed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/veil.h>

#include "tls_util.h"

#define PF_MAGIC	0x7665696c	/* "veil" */
#define PF_SPORT	7000
#define PF_DPORT	7001		/* where a packet veil let through lands */
#define PF_NATT		4500
#define PF_ICV		16
#define PF_LEN		2048		/* largest packet built */

enum pf_kind { K_GCM, K_CBC, K_AH, K_UDP, K_AH6, K_ESP6, K_TUN, K_UDP6 };

struct pf_sa {
	enum pf_kind kind;
	bool esn;
	uint32_t spi;
	struct in_addr dst;
	struct in6_addr dst6;	/* ah6, esp6, udp6 */
	uint8_t ekey[36];
	size_t eklen;
	uint8_t akey[64];
	size_t aklen;
	uint32_t seqhi;		/* ESN: the high half sealed in */
};

/* What a valid packet is made of, before mutation. */
struct pf_tweak {
	int padmode;		/* 0 good; 1 wrong pad bytes; 2 pad length too long */
	int padlen;		/* padmode 2: the pad length byte */
	int extra_pad;		/* more padding than needed (well formed) */
	int nexthdr;		/* -1: UDP */
	bool badicv;		/* tag or ICV garbled */
	bool empty;		/* no payload at all: only padding and trailer */
};

static const struct pf_tweak pf_plain = { .nexthdr = -1 };

/* One packet as sent, for the report. */
struct pf_class {
	const char *name;
	unsigned int sent;
	unsigned int benign;	/* mutations that leave a valid packet */
	unsigned int delivered;
	unsigned int unexpected;
	unsigned int frags;	/* packets the IP layer takes for fragments */
	unsigned int xfrm;	/* packets for SPIs veil does not own: XFRM's */
	unsigned int xfrm_unknown;	/* packets whose fate pkt_fuzz does not model */
	unsigned int tls_badmsg;
	unsigned int tls_eof;
	unsigned int failures;
	bool *ok;		/* per index: may arrive */
	unsigned int *got;
	unsigned int n;
};

static struct {
	int pkt_fd, udp_fd, udp6_fd, tcp_fd;
	int ifindex;
	uint8_t smac[6], dmac[6];
	struct in_addr src;
	struct in6_addr src6;
	struct pf_sa sa;
	struct pf_sa others[8];
	unsigned int nothers;
	uint64_t rng;
	uint64_t seq;		/* the next valid packet's number, ESN's 64 bits */
	uint32_t nonce;
	unsigned int count;
	uint16_t ipid;
	struct in_addr inner_src, inner_dst;	/* tun: the inner packet's */
	struct in6_addr inner_dst6;	/* tun: an inner IPv6 packet's (from --src6) */
	struct in_addr alien[4];	/* tun: inner sources its SA must not carry */
	unsigned int naliens;
	struct in_addr tls_dst;
	uint16_t tls_port;
	unsigned int window;
	bool sparse;		/* flip: one bit a byte and the byte, not all 8 */
} pf = { .window = 64, .count = 1000, .tls_port = 7443 };

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from --seed, nothing more. */
	pf.rng ^= pf.rng >> 12;
	pf.rng ^= pf.rng << 25;
	pf.rng ^= pf.rng >> 27;
	return pf.rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

static void die(const char *what)
{
	fprintf(stderr, "pkt_fuzz: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}


/* The ones'-complement sum of @p folded into @s (RFC 1071), not inverted. */
static uint16_t csum_add(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (len & 1)
		s += p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The Internet checksum of @p: 0 over a header whose checksum is right. */
static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	return ~csum_add(0, p, len);
}

/* The IPv4 header's checksum over @ihl bytes, when they are there. */
static void ip_fix_csum(uint8_t *ip, size_t len)
{
	size_t ihl = (ip[0] & 15) * 4;

	if (ihl < 20 || ihl > len)
		ihl = 20;
	put16(ip + 10, 0);
	put16(ip + 10, ip_csum(ip, ihl));
}

static void ip_header(uint8_t *ip, size_t len, uint8_t proto, struct in_addr dst)
{
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, len);
	/* Every packet its own id: a mutation that makes it a fragment
	 * leaves it alone in its reassembly queue.
	 */
	put16(ip + 4, ++pf.ipid);
	put16(ip + 6, 0x4000);	/* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &pf.src, 4);
	memcpy(ip + 16, &dst, 4);
	ip_fix_csum(ip, len);
}

/* An IPv6 header with no payload length yet, from --src6 to @dst. */
static void ip6_header(uint8_t *ip, const struct in6_addr *dst, uint8_t nexthdr)
{
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[6] = nexthdr;
	ip[7] = 64;
	memcpy(ip + 8, &pf.src6, 16);
	memcpy(ip + 24, dst, 16);
}

/*
 * The checksum of the UDP datagram @udp, @len bytes, under the IPv6
 * header @ip6's addresses, which IPv6 requires (0 goes out as 0xffff).
 */
static void udp6_seal(const uint8_t *ip6, uint8_t *udp, size_t len)
{
	uint8_t pseudo[40];
	uint16_t ck;

	memcpy(pseudo, ip6 + 8, 32);
	put32(pseudo + 32, len);
	put32(pseudo + 36, IPPROTO_UDP);
	put16(udp + 6, 0);
	ck = ~csum_add(csum_add(0, pseudo, 40), udp, len);
	put16(udp + 6, ck ? ck : 0xffff);
}

static bool is_v6(const struct pf_sa *sa)
{
	return sa->kind == K_AH6 || sa->kind == K_ESP6 || sa->kind == K_UDP6;
}

/* The outer IP header's length (ah6's and esp6's options aside). */
static size_t l3_len(void)
{
	return is_v6(&pf.sa) ? 40 : 20;
}

/* The outer length field: IPv4's total length, IPv6's payload length. */
static void set_len(uint8_t *ip, size_t len)
{
	if (is_v6(&pf.sa))
		put16(ip + 4, len - 40);
	else
		put16(ip + 2, len);
}

/*
 * After a mutation: the checksum that would otherwise catch it first, so
 * that the packet gets to what is being tested. IPv4's header checksum;
 * over IPv6, UDP's, over as much as the UDP length says there is (or,
 * when it says more, as the IPv6 payload length has: that is dropped as
 * short before any checksum).
 */
static void fix(uint8_t *ip, size_t len)
{
	size_t avail, ulen;

	if (!is_v6(&pf.sa)) {
		ip_fix_csum(ip, len);
		return;
	}
	if (pf.sa.kind != K_UDP6 || len < 48)
		return;
	avail = ip[4] << 8 | ip[5];
	if (avail > len - 40)
		avail = len - 40;
	ulen = ip[44] << 8 | ip[45];
	if (avail >= 8)
		udp6_seal(ip, ip + 40, ulen >= 8 && ulen <= avail ? ulen : avail);
}

/* The datagram a packet carries: class, index and this run's nonce. */
static size_t payload(uint8_t *p, uint32_t cls, uint32_t idx)
{
	put16(p, PF_SPORT);
	put16(p + 2, PF_DPORT);
	put16(p + 4, 8 + 16);
	put16(p + 6, 0);	/* IPv4 allows none; the ICV covers it anyway */
	put32(p + 8, PF_MAGIC);
	put32(p + 12, pf.nonce);
	put32(p + 16, cls);
	put32(p + 20, idx);
	return 24;
}

static int aead_gcm(const uint8_t *key, size_t klen, const uint8_t *nonce, const uint8_t *aad,
		    size_t alen, uint8_t *buf, size_t len, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *ciph = klen == 16 ? EVP_aes_128_gcm() :
				 klen == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
	int n, ok;

	ok = c && EVP_EncryptInit_ex(c, ciph, NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) &&
	     EVP_EncryptUpdate(c, NULL, &n, aad, alen) &&
	     EVP_EncryptUpdate(c, buf, &n, buf, len) &&
	     EVP_EncryptFinal_ex(c, buf + n, &n) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, PF_ICV, tag);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int cbc_encrypt(const uint8_t *key, size_t klen, const uint8_t *iv, uint8_t *buf, size_t len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *ciph = klen == 16 ? EVP_aes_128_cbc() :
				 klen == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
	int n, ok;

	ok = c && EVP_EncryptInit_ex(c, ciph, NULL, key, iv) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     EVP_EncryptUpdate(c, buf, &n, buf, len);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* HMAC-SHA256 of @a then @b, truncated to 128 bits. */
static int hmac16(const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
		  const uint8_t *b, size_t blen, uint8_t *out)
{
	uint8_t buf[PF_LEN + 8], md[32];
	size_t mdlen;

	if (alen + blen > sizeof(buf))
		return -1;
	memcpy(buf, a, alen);
	memcpy(buf + alen, b, blen);
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, klen, buf, alen + blen,
		       md, sizeof(md), &mdlen))
		return -1;
	memcpy(out, md, PF_ICV);
	return 0;
}

/*
 * ESP (RFC 4303) after the IP header: header, IV, encrypted payload (in
 * tunnel mode an IP packet), padding, pad length, next header, ICV.
 */
static size_t esp_build(const struct pf_sa *sa, uint32_t seq, const uint8_t *pl, size_t pllen,
			const struct pf_tweak *tw, uint8_t *out)
{
	bool gcm = sa->kind != K_CBC;
	size_t ivlen = gcm ? 8 : 16, blk = gcm ? 4 : 16, plen, padlen, i;
	uint8_t *iv = out + 8, *ct = out + 8 + ivlen, nonce[12], aad[12], hi[4];

	put32(out, sa->spi);
	put32(out + 4, seq);
	rnd_bytes(iv, ivlen);
	if (tw->empty)
		pllen = 0;
	memcpy(ct, pl, pllen);
	padlen = (blk - (pllen + 2) % blk) % blk + tw->extra_pad * blk;
	for (i = 0; i < padlen; i++)
		ct[pllen + i] = i + 1;
	if (tw->padmode == 1) {
		/* Padding present, but not 1, 2, 3...: at least one byte wrong. */
		if (!padlen) {
			padlen = blk;
			for (i = 0; i < padlen; i++)
				ct[pllen + i] = i + 1;
		}
		ct[pllen + rnd_below(padlen)] ^= 1 + rnd_below(255);
	}
	plen = pllen + padlen + 2;
	/*
	 * A wrong pad length: not the right one, and not 0, which makes the
	 * padding part of the payload (UDP ignores bytes past its length),
	 * a valid packet. Any other, with padding 1, 2, ... before the
	 * trailer, is caught.
	 */
	ct[plen - 2] = tw->padmode != 2 ? padlen :
		       (size_t)tw->padlen == padlen || !tw->padlen ? padlen + 1 :
		       (size_t)tw->padlen;
	ct[plen - 1] = tw->nexthdr >= 0 ? tw->nexthdr :
		       sa->kind == K_TUN ? IPPROTO_IPIP : IPPROTO_UDP;
	put32(hi, sa->seqhi);
	if (gcm) {
		memcpy(nonce, sa->ekey + sa->eklen - 4, 4);
		memcpy(nonce + 4, iv, 8);
		/* The AAD: SPI, with ESN the high half, the sequence number. */
		memcpy(aad, out, 4);
		if (sa->esn) {
			memcpy(aad + 4, hi, 4);
			memcpy(aad + 8, out + 4, 4);
		} else {
			memcpy(aad + 4, out + 4, 4);
		}
		if (aead_gcm(sa->ekey, sa->eklen - 4, nonce, aad, sa->esn ? 12 : 8, ct, plen,
			     ct + plen))
			return 0;
	} else {
		if (cbc_encrypt(sa->ekey, sa->eklen, iv, ct, plen))
			return 0;
		/* ESN: the high half is hashed after the packet (RFC 4303 2.2.1). */
		if (hmac16(sa->akey, sa->aklen, out, 8 + ivlen + plen, hi, sa->esn ? 4 : 0,
			   ct + plen))
			return 0;
	}
	if (tw->badicv)
		ct[plen + rnd_below(PF_ICV)] ^= 1 << rnd_below(8);
	return 8 + ivlen + plen + PF_ICV;
}

/*
 * AH (RFC 4302) in transport mode over the whole IPv4 packet @ip, whose
 * header is filled in: ICV over it with TOS, flags and fragment offset,
 * TTL and checksum as zero, 4 bytes of padding after the 16-byte ICV.
 */
static size_t ah_build(const struct pf_sa *sa, uint32_t seq, const uint8_t *pl, size_t pllen,
		       const struct pf_tweak *tw, uint8_t *ip)
{
	uint8_t *ah = ip + 20, copy[PF_LEN], hi[4];
	size_t len = 20 + 32 + pllen;

	ah[0] = tw->nexthdr >= 0 ? tw->nexthdr : IPPROTO_UDP;
	ah[1] = 32 / 4 - 2;
	put16(ah + 2, 0);
	put32(ah + 4, sa->spi);
	put32(ah + 8, seq);
	memset(ah + 12, 0, 20);
	memcpy(ah + 32, pl, pllen);
	put16(ip + 2, len);
	memcpy(copy, ip, len);
	copy[1] = 0;
	put16(copy + 6, 0);
	copy[8] = 0;
	put16(copy + 10, 0);
	put32(hi, sa->seqhi);
	if (hmac16(sa->akey, sa->aklen, copy, len, hi, sa->esn ? 4 : 0, ah + 12))
		return 0;
	if (tw->badicv)
		ah[12 + rnd_below(PF_ICV)] ^= 1 << rnd_below(8);
	return len;
}

/*
 * The datagram of a tunnel-mode SA: in an IPv4 packet of its own, from
 * --inner-src to --inner-dst. Into @in; its length.
 */
static size_t inner_build(uint8_t *in, uint32_t cls, uint32_t idx)
{
	size_t len = 20 + payload(in + 20, cls, idx);

	ip_header(in, len, IPPROTO_UDP, pf.inner_dst);
	memcpy(in + 12, &pf.inner_src, 4);
	ip_fix_csum(in, len);
	return len;
}

/*
 * A whole packet of @sa around @pl (a datagram, or for tunnel mode an
 * inner packet) into @ip; its length, 0 on failure.
 */
static size_t seal(const struct pf_sa *sa, uint32_t seq, const uint8_t *pl, size_t pllen,
		   const struct pf_tweak *tw, uint8_t *ip)
{
	uint8_t dgram[64];
	size_t len;

	switch (sa->kind) {
	case K_AH:
		/* The ICV covers the identification: the header comes first. */
		ip_header(ip, 20 + 32 + pllen, IPPROTO_AH, sa->dst);
		len = ah_build(sa, seq, pl, pllen, tw, ip);
		if (len)
			ip_fix_csum(ip, len);
		return len;
	case K_UDP:
		len = esp_build(sa, seq, pl, pllen, tw, ip + 28);
		if (!len)
			return 0;
		put16(ip + 20, PF_NATT);
		put16(ip + 22, PF_NATT);
		put16(ip + 24, 8 + len);
		put16(ip + 26, 0);	/* RFC 3948 2.1: no checksum over IPv4 */
		len += 28;
		break;
	case K_UDP6:
		/* Both UDP headers checksummed, under the outer addresses. */
		ip6_header(ip, &sa->dst6, IPPROTO_UDP);
		if (pllen > sizeof(dgram))
			return 0;
		memcpy(dgram, pl, pllen);
		udp6_seal(ip, dgram, pllen);
		len = esp_build(sa, seq, dgram, pllen, tw, ip + 48);
		if (!len)
			return 0;
		put16(ip + 40, PF_NATT);
		put16(ip + 42, PF_NATT);
		put16(ip + 44, 8 + len);
		put16(ip + 4, 8 + len);
		udp6_seal(ip, ip + 40, 8 + len);
		return 48 + len;
	default:
		len = esp_build(sa, seq, pl, pllen, tw, ip + 20);
		if (len)
			len += 20;
	}
	if (!len)
		return 0;
	ip_header(ip, len, sa->kind == K_AH ? IPPROTO_AH :
		  sa->kind == K_UDP ? IPPROTO_UDP : IPPROTO_ESP, sa->dst);
	return len;
}

/* A whole valid packet of @sa into @ip; its length, 0 on failure. */
static size_t build(const struct pf_sa *sa, uint32_t seq, uint32_t cls, uint32_t idx,
		    const struct pf_tweak *tw, uint8_t *ip)
{
	uint8_t pl[64];
	size_t pllen = sa->kind == K_TUN ? inner_build(pl, cls, idx) : payload(pl, cls, idx);

	return seal(sa, seq, pl, pllen, tw, ip);
}

/* Where the ESP (or AH) header starts. */
static size_t ipsec_off(const struct pf_sa *sa)
{
	return sa->kind == K_UDP ? 28 : sa->kind == K_UDP6 ? 48 : 20;
}

static void drain(struct pf_class *c, int wait_ms)
{
	uint8_t buf[256];
	struct pollfd p[2] = { { .fd = pf.udp_fd, .events = POLLIN },
			       { .fd = pf.udp6_fd, .events = POLLIN } };

	while (poll(p, 2, wait_ms) > 0) {
		ssize_t n = recv(p[0].revents ? pf.udp_fd : pf.udp6_fd, buf, sizeof(buf),
				 MSG_DONTWAIT);
		uint32_t idx;

		if (n < 16 || get32(buf) != PF_MAGIC || get32(buf + 4) != pf.nonce)
			continue;
		idx = get32(buf + 12);
		if (idx >= c->n) {
			c->unexpected++;
			continue;
		}
		c->got[idx]++;
	}
}

/* Is a frame @ip (IPv4 header bytes 0-19) a fragment now? */
static bool is_frag(const uint8_t *ip)
{
	return (ip[6] << 8 | ip[7]) & 0x3fff;
}

/*
 * Is (@dst, @spi) one of veil's SAs, AH (@ah) or ESP? With @any, is @dst
 * one of their addresses: the receiver's own, the others not.
 */
static bool veil_owns(const uint8_t *dst, bool ah, uint32_t spi, bool any)
{
	unsigned int i;

	for (i = 0; i <= pf.nothers; i++) {
		const struct pf_sa *sa = i < pf.nothers ? &pf.others[i] : &pf.sa;

		if (!is_v6(sa) && !memcmp(&sa->dst, dst, 4) &&
		    (any || (sa->spi == spi && (sa->kind == K_AH) == ah)))
			return true;
	}
	return false;
}

/*
 * Where the IP layer, UDP and veil send a packet with an SPI veil does
 * not own: to XFRM (esp4, ah4), which counts it in xfrm_stat, where the
 * kernel has CONFIG_XFRM_STATISTICS. Return 1 for such a packet, 0 for
 * any other, -1 for one whose IPv4 header (version, length, checksum)
 * this does not follow.
 */
static int to_xfrm(const uint8_t *ip, size_t len)
{
	const uint8_t *p = ip + 20;
	size_t tot, l, ulen;

	if (len < 20 || ip[0] != 0x45 || ip_csum(ip, 20))
		return -1;
	tot = ip[2] << 8 | ip[3];
	if (is_frag(ip) || tot < 20 || tot > len || !veil_owns(ip + 16, false, 0, true))
		return 0;
	l = tot - 20;
	switch (ip[9]) {
	case IPPROTO_ESP:
		return l < 8 || !veil_owns(ip + 16, false, get32(p), false);
	case IPPROTO_AH:
		return l < 12 || !veil_owns(ip + 16, true, get32(p + 4), false);
	case IPPROTO_UDP:
		if (l < 8)
			return 0;
		ulen = p[4] << 8 | p[5];
		/* Short, a checksum (never right here), not NAT-T, not ESP. */
		if (ulen < 8 || ulen > l || (p[2] << 8 | p[3]) != PF_NATT || p[6] || p[7] ||
		    ulen <= 16 || !get32(p + 8))
			return 0;
		return !veil_owns(ip + 16, false, get32(p + 8), false);
	}
	return 0;
}

/* The same for IPv6 and ESP-in-UDP SAs (udp6, esp6): @dst, and @spi. */
static bool veil_owns6(const uint8_t *dst, uint32_t spi, bool any)
{
	unsigned int i;

	for (i = 0; i <= pf.nothers; i++) {
		const struct pf_sa *sa = i < pf.nothers ? &pf.others[i] : &pf.sa;

		if (is_v6(sa) && sa->kind != K_AH6 && !memcmp(&sa->dst6, dst, 16) &&
		    (any || sa->spi == spi))
			return true;
	}
	return false;
}

/*
 * to_xfrm() for udp6: ESP in UDP over IPv6 (no extension headers), whose
 * checksum must be right (IPv6 UDP has no "none") before veil's encap
 * socket hands the packet to xfrm6_rcv_encap(); a zero checksum is, for
 * a socket that allows it (udp_tunnel's do: no_check6_rx), none.
 */
static int to_xfrm6(const uint8_t *ip, size_t len)
{
	const uint8_t *u = ip + 40;
	uint8_t pseudo[40];
	size_t pl, ulen;

	if (len < 40 || ip[0] >> 4 != 6)
		return -1;
	pl = ip[4] << 8 | ip[5];
	if (ip[6] != IPPROTO_UDP || pl > len - 40 || pl < 8 || !veil_owns6(ip + 24, 0, true))
		return 0;
	ulen = u[4] << 8 | u[5];
	if (ulen < 8 || ulen > pl || (u[2] << 8 | u[3]) != PF_NATT || ulen <= 16 || !get32(u + 8))
		return 0;
	memcpy(pseudo, ip + 8, 32);
	put32(pseudo + 32, ulen);
	put32(pseudo + 36, IPPROTO_UDP);
	if ((u[6] || u[7]) && csum_add(csum_add(0, pseudo, 40), u, ulen) != 0xffff)
		return 0;
	return !veil_owns6(ip + 24, get32(u + 8), false);
}

static void send_ip(struct pf_class *c, const uint8_t *ip, size_t len, bool ok)
{
	/* IPv6: ah6 and esp6 count XFRM's share in their classes. */
	bool v6 = is_v6(&pf.sa);
	int x = !v6 ? to_xfrm(ip, len) : pf.sa.kind == K_UDP6 ? to_xfrm6(ip, len) : 0;

	uint8_t frame[ETH_HLEN + PF_LEN + 64];
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = pf.ifindex,
		.sll_halen = 6,
	};

	memcpy(frame, pf.dmac, 6);
	memcpy(frame + 6, pf.smac, 6);
	/* By the SA, not the version field: a flip there stays IPv4's. */
	put16(frame + 12, v6 ? ETH_P_IPV6 : ETH_P_IP);
	memcpy(frame + ETH_HLEN, ip, len);
	memcpy(ll.sll_addr, pf.dmac, 6);
	if (c->sent < c->n)
		c->ok[c->sent] = ok;
	c->benign += ok;
	c->sent++;
	if (x < 0)
		c->xfrm_unknown++;
	else
		c->xfrm += x;
	while (sendto(pf.pkt_fd, frame, ETH_HLEN + len, 0, (struct sockaddr *)&ll,
		      sizeof(ll)) < 0) {
		if (errno != ENOBUFS && errno != EAGAIN)
			die("sendto");
		usleep(1000);
	}
	/* Keep the receiving socket's queue short, and the backlog too. */
	if (!(c->sent & 63))
		drain(c, 0);
}

/* The next number; with ESN the SA's high half follows it. */
static uint32_t next_seq(void)
{
	uint64_t s = pf.seq++;

	pf.sa.seqhi = s >> 32;
	return s;
}

/* --- the classes --- */

/* Valid packets, all to arrive: the crafting itself is right. */
static void cls_valid(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN];
	unsigned int i, n = pf.count < 100 ? pf.count : 100;
	size_t len;

	for (i = 0; i < n; i++) {
		len = build(&pf.sa, next_seq(), id, c->sent, &pf_plain, ip);
		send_ip(c, ip, len, true);
	}
}

/* Truncated at every length of the IP payload; the IP length agrees. */
static void cls_trunc(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN];
	size_t len, l, full, hl = l3_len();

	full = build(&pf.sa, 1, id, 0, &pf_plain, ip);
	for (l = hl; l < full; l++) {
		len = build(&pf.sa, next_seq(), id, c->sent, &pf_plain, ip);
		set_len(ip, l);
		/* UDP encapsulation: the UDP length agrees too, where there is one. */
		if ((pf.sa.kind == K_UDP || pf.sa.kind == K_UDP6) && l >= hl + 8)
			put16(ip + hl + 4, l - hl);
		fix(ip, l);
		send_ip(c, ip, l < len ? l : len, false);
	}
}

/*
 * Lengths that lie: the IP total length, and for UDP encapsulation the
 * UDP length, each set to values around and far from the truth while the
 * frame keeps every byte.
 */
static void cls_lengths(struct pf_class *c, uint32_t id)
{
	static const int delta[] = { -1000, -64, -17, -16, -9, -8, -4, -3, -2, -1, 1, 2, 3, 4, 8,
				     16, 64, 1000 };
	static const int abs_len[] = { 0, 1, 7, 8, 19, 20, 21, 27, 28, 36, 0xffff };
	uint8_t ip[PF_LEN];
	bool udp = pf.sa.kind == K_UDP || pf.sa.kind == K_UDP6, v6 = is_v6(&pf.sa);
	unsigned int i, field, fields = udp ? 2 : 1;
	size_t len, hl = l3_len(), at;
	long v, truth;

	for (field = 0; field < fields; field++) {
		for (i = 0; i < sizeof(delta) / sizeof(delta[0]) +
			    sizeof(abs_len) / sizeof(abs_len[0]); i++) {
			len = build(&pf.sa, next_seq(), id, c->sent, &pf_plain, ip);
			/* The UDP length, IPv6's payload length, IPv4's total length. */
			truth = field || v6 ? len - hl : len;
			at = field ? hl + 4 : v6 ? 4 : 2;
			if (i < sizeof(delta) / sizeof(delta[0]))
				v = truth + delta[i];
			else
				v = abs_len[i - sizeof(delta) / sizeof(delta[0])];
			if (v < 0 || v > 0xffff || v == truth)
				continue;
			put16(ip + at, v);
			fix(ip, len);
			/*
			 * A UDP length of 0 over IPv6 is a jumbogram's: UDP
			 * takes the payload length instead (udpv6_rcv()), and
			 * the packet is valid.
			 */
			send_ip(c, ip, len, field && v6 && !v);
		}
	}
}

/*
 * Another of veil's SAs of the same IP version as the fuzzed one, at
 * random; NULL when there is none. Not the fuzzed SA itself: its own SPI
 * would make a valid packet.
 */
static const struct pf_sa *other_sa(void)
{
	unsigned int i, at = rnd_below(pf.nothers);

	for (i = 0; i < pf.nothers; i++) {
		const struct pf_sa *o = &pf.others[(at + i) % pf.nothers];

		if (is_v6(o) != is_v6(&pf.sa) ||
		    (o->spi == pf.sa.spi && o->dst.s_addr == pf.sa.dst.s_addr &&
		     !memcmp(&o->dst6, &pf.sa.dst6, 16)))
			continue;
		return o;
	}
	return NULL;
}

/*
 * SPIs: random ones veil does not know (XFRM's, which has none either),
 * SPI 0, and those of veil's other SAs at their own addresses.
 */
static void cls_spi(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN];
	unsigned int i, n = pf.count < c->n ? pf.count : c->n;
	size_t len, off = ipsec_off(&pf.sa) + (pf.sa.kind == K_AH ? 4 : 0);
	struct pf_sa sa = pf.sa;

	for (i = 0; i < n; i++) {
		const struct pf_sa *o = NULL;
		uint32_t spi;

		sa = pf.sa;
		if (pf.nothers && i % 4 == 1)
			o = other_sa();
		if (i == 0) {
			spi = 0;
		} else if (o) {
			spi = o->spi;
			sa.dst = o->dst;
			sa.dst6 = o->dst6;
		} else {
			do
				spi = rnd();
			while (spi == pf.sa.spi || spi < 256);
		}
		len = build(&sa, next_seq(), id, c->sent, &pf_plain, ip);
		put32(ip + off, spi);
		fix(ip, len);
		send_ip(c, ip, len, false);
	}
}

/*
 * Sequence numbers: a valid packet, then copies of it (replays), valid
 * packets far below the window, number 0, and random numbers under a bad
 * ICV (checked against the window first, then failing integrity). With
 * ESN: valid low halves that put the packet in the next or the previous
 * 2^32 subspace, sealed with the high half the window does not infer.
 */
static void cls_seq(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN], first[PF_LEN];
	unsigned int i, n = pf.count < c->n ? pf.count : c->n;
	struct pf_tweak bad = pf_plain;
	uint32_t top;
	size_t len, flen;

	struct pf_sa sa;

	bad.badicv = true;
	/* Far enough on that the numbers below are out of the window. */
	pf.seq += 4 * pf.window;
	top = next_seq();
	flen = build(&pf.sa, top, id, c->sent, &pf_plain, first);
	send_ip(c, first, flen, true);
	for (i = 1; i < n; i++) {
		switch (i % 5) {
		case 0:		/* the same packet again */
			memcpy(ip, first, flen);
			len = flen;
			/* IPv4: an identification of its own, as every packet has. */
			if (!is_v6(&pf.sa)) {
				put16(ip + 4, ++pf.ipid);
				ip_fix_csum(ip, len);
			}
			break;
		case 1:		/* valid, but older than the window */
			len = build(&pf.sa, top - pf.window - rnd_below(top - pf.window),
				    id, c->sent, &pf_plain, ip);
			break;
		case 2:		/* number 0, valid otherwise */
			len = build(&pf.sa, 0, id, c->sent, &pf_plain, ip);
			break;
		case 3:
			if (pf.sa.esn) {
				/* a valid low half, the wrong high half sealed in */
				sa = pf.sa;
				sa.seqhi += rnd() & 1 ? 1 : -1;
				len = build(&sa, rnd(), id, c->sent, &pf_plain, ip);
				break;
			}
			/* fall through */
		default:	/* any number, a bad ICV */
			len = build(&pf.sa, rnd(), id, c->sent, &bad, ip);
		}
		send_ip(c, ip, len, false);
	}
}

/*
 * For an SA that carries real traffic: packets that must leave it alone.
 * Random numbers (old, in the window or ahead of it) under a bad ICV, and
 * number 0; none may move the window, so the traffic goes on.
 */
static void cls_forged(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN];
	unsigned int i, n = pf.count < c->n ? pf.count : c->n;
	struct pf_tweak bad = pf_plain;
	size_t len;

	bad.badicv = true;
	for (i = 0; i < n; i++) {
		len = build(&pf.sa, i % 8 ? (uint32_t)rnd() >> rnd_below(32) : 0, id, c->sent,
			    &bad, ip);
		send_ip(c, ip, len, false);
	}
}

/*
 * Flips in the IPsec part (from the ESP or AH header, or the UDP header
 * for encapsulation, to the end): every bit, then every byte inverted.
 * A fresh packet each time, so a flip that breaks nothing would arrive.
 * UDP encapsulation: the source port is the peer's to choose (a NAT does);
 * a flip there leaves a valid packet. Over IPv6 the UDP checksum is made
 * right again (but for flips in it), so the flip reaches veil; and a
 * packet with none (0) goes too, which veil's own encap socket takes as
 * udp_tunnel sockets do (no_check6_rx), the ICV vouching for it.
 */
static void cls_flip(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN];
	bool udp = pf.sa.kind == K_UDP || pf.sa.kind == K_UDP6;
	size_t len, full, b, hl = l3_len();
	unsigned int bit;

	full = build(&pf.sa, 1, id, 0, &pf_plain, ip);
	for (b = hl; b < full; b++) {
		unsigned int one = rnd_below(8);

		for (bit = 0; bit <= 8; bit++) {
			bool ok = udp && b < hl + 2;

			if (pf.sparse && bit != one && bit != 8)
				continue;

			len = build(&pf.sa, next_seq(), id, c->sent, &pf_plain, ip);
			ip[b] ^= bit < 8 ? 1 << bit : 0xff;
			if (b != hl + 6 && b != hl + 7)
				fix(ip, len);
			/*
			 * AH: the padding after the ICV is covered as sent;
			 * a flip there fails it like any other.
			 */
			send_ip(c, ip, len, ok);
		}
	}
	if (pf.sa.kind == K_UDP6) {
		len = build(&pf.sa, next_seq(), id, c->sent, &pf_plain, ip);
		put16(ip + hl + 6, 0);
		send_ip(c, ip, len, true);
	}
}

/*
 * Flips in the IPv4 header, its checksum made right again (but for flips
 * in the checksum itself), so the IP layer passes on what it can. TOS,
 * the identification (ESP), the DF and reserved flags and TTL are no
 * ICV's business: those packets stay valid, and in tunnel mode the
 * source too. A flag or offset that makes a
 * fragment leaves it to reassembly, which gives up on it after
 * ipfrag_time.
 */
static void cls_ipflip(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN];
	size_t len, b;
	unsigned int bit;

	for (b = 0; b < 20; b++) {
		for (bit = 0; bit <= 8; bit++) {
			uint8_t mask = bit < 8 ? 1 << bit : 0xff;
			bool ok;

			len = build(&pf.sa, next_seq(), id, c->sent, &pf_plain, ip);
			ip[b] ^= mask;
			if (b != 10 && b != 11)
				ip_fix_csum(ip, len);
			switch (b) {
			case 1:
			case 8:
				ok = true;
				break;
			case 4:
			case 5:
				ok = pf.sa.kind != K_AH;
				break;
			case 6:
				/* reserved (0x80) and DF (0x40) alone */
				ok = !(mask & 0x3f);
				break;
			case 12:
			case 13:
			case 14:
			case 15:
				/*
				 * Tunnel mode: the outer source is no one's
				 * business but routing's (a NAT may change
				 * it); the SA is found by destination and
				 * SPI, the policy checked on the inner packet.
				 */
				ok = pf.sa.kind == K_TUN;
				break;
			default:
				ok = false;
			}
			c->frags += is_frag(ip) && b != 10 && b != 11 && (ip[0] & 15) == 5 &&
				    ip[0] >> 4 == 4;
			send_ip(c, ip, len, ok);
		}
	}
}

/*
 * Trailers that are wrong under a valid ICV, so that only veil's checks
 * after decryption see them: pad bytes that are not 1, 2, 3..., a pad
 * length longer than what is there, and next headers nobody takes. Plus
 * well-formed ones, which arrive: more padding than needed (RFC 4303
 * 2.4 allows up to 255 bytes).
 */
static void cls_pad(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN];
	unsigned int i, n = pf.count < c->n ? pf.count : c->n;
	size_t len;

	for (i = 0; i < n; i++) {
		struct pf_tweak tw = pf_plain;
		bool ok = false;

		switch (i % 6) {
		case 0:
			tw.padmode = 1;
			break;
		case 1:
			tw.padmode = 1;
			tw.extra_pad = 1 + rnd_below(pf.sa.kind == K_CBC ? 14 : 60);
			break;
		case 2:	/* a pad length longer than the payload and padding */
			tw.padmode = 2;
			tw.padlen = 40 + rnd_below(216);
			break;
		case 3:	/* no payload; the pad length byte claims it all and more */
			tw.padmode = 2;
			tw.empty = true;
			tw.padlen = 3 + rnd_below(253);
			break;
		case 4:	/* a next header no one takes (unassigned numbers) */
			tw.nexthdr = 143 + rnd_below(110);
			break;
		default:
			tw.extra_pad = rnd_below(pf.sa.kind == K_CBC ? 15 : 62);
			ok = true;
		}
		len = build(&pf.sa, next_seq(), id, c->sent, &tw, ip);
		send_ip(c, ip, len, ok);
	}
}

/*
 * AH's own length fields: the payload length byte at every value but the
 * right one, with the ICV computed over the lie (so only the length check
 * can catch it), and the same with the packet cut to fit the claim.
 */
static void cls_ahlen(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN], copy[PF_LEN], md[32];
	unsigned int v, cut;
	size_t len, mdlen, l;

	for (cut = 0; cut < 2; cut++) {
		for (v = 0; v < 256; v++) {
			if (v == 6 || (pf.sparse && v % 16 && (v < 4 || v > 8)))
				continue;
			len = build(&pf.sa, next_seq(), id, c->sent, &pf_plain, ip);
			ip[21] = v;
			l = len;
			if (cut && (v + 2) * 4 + 20 < len)
				l = 20 + (v + 2) * 4;
			put16(ip + 2, l);
			memcpy(copy, ip, l);
			copy[1] = 0;
			put16(copy + 6, 0);
			copy[8] = 0;
			put16(copy + 10, 0);
			memset(copy + 32, 0, 16);
			if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, pf.sa.akey, pf.sa.aklen,
				      copy, l, md, sizeof(md), &mdlen))
				memcpy(ip + 32, md, l >= 48 ? 16 : 0);
			ip_fix_csum(ip, l);
			send_ip(c, ip, l, false);
		}
	}
}

/*
 * AH over IPv6 (transport mode) with hop-by-hop and destination options
 * before it, which veil's ICV check has to walk: options whose type has
 * the 0x20 bit may change en route and count as zero (RFC 4302 appendix
 * A2). Valid packets; their mutable option data changed (still valid), or
 * the traffic class, flow label and hop limit; immutable option data
 * changed (an integrity failure); an option length that overruns its
 * header (the IPv6 layer's InHdrErrors); random bytes of the options.
 */

/* Where ah6_build() put the options' type bytes. */
static size_t opt_at[8];
static unsigned int nopt;

/* One packet into @ip; in @mask, 1 for each byte of mutable option data
 * and 2 for the other option bytes. Its length.
 */
static size_t ah6_build(uint32_t seq, uint32_t id, uint32_t idx, uint8_t *ip, uint8_t *mask)
{
	uint8_t copy[PF_LEN], *nh = ip + 6, pl[64], md[32];
	size_t off = 40, len, mdlen, i;
	unsigned int e, next = rnd_below(4);

	ip6_header(ip, &pf.sa.dst6, 0);
	memset(mask, 0, PF_LEN);
	nopt = 0;
	/* Bit 0: a hop-by-hop header, bit 1: a destination options header. */
	for (e = 0; e < 2; e++) {
		uint8_t *h = ip + off;
		size_t o = 2, hl;
		unsigned int k;

		if (!(next & (1 << e)))
			continue;
		*nh = e ? IPPROTO_DSTOPTS : IPPROTO_HOPOPTS;
		nh = h;
		for (k = 1 + rnd_below(3); k; k--) {
			unsigned int dl = rnd_below(13);
			bool mut = rnd() & 1;

			h[o] = mut ? 0x3e : 0x1e;	/* unknown, skip; mutable or not */
			opt_at[nopt++] = off + o;
			h[o + 1] = dl;
			rnd_bytes(h + o + 2, dl);
			memset(mask + off + o, 2, 2 + dl);
			if (mut)
				memset(mask + off + o + 2, 1, dl);
			o += 2 + dl;
		}
		hl = (o + 7) / 8 * 8;
		if (hl - o == 1) {
			h[o] = 0;		/* Pad1 */
		} else if (hl > o) {
			h[o] = 1;		/* PadN */
			h[o + 1] = hl - o - 2;
			memset(h + o + 2, 0, hl - o - 2);
		}
		h[1] = hl / 8 - 1;
		off += hl;
	}
	*nh = IPPROTO_AH;
	ip[off] = IPPROTO_UDP;
	ip[off + 1] = 32 / 4 - 2;
	put16(ip + off + 2, 0);
	put32(ip + off + 4, pf.sa.spi);
	put32(ip + off + 8, seq);
	memset(ip + off + 12, 0, 20);
	payload(pl, id, idx);
	memcpy(ip + off + 32, pl, 24);
	len = off + 32 + 24;
	put16(ip + 4, len - 40);
	/* The UDP checksum, which IPv6 requires. */
	udp6_seal(ip, ip + off + 32, 24);
	/* The ICV: mutable fields and option data as zero. */
	memcpy(copy, ip, len);
	copy[1] = 0;
	copy[2] = 0;
	copy[3] = 0;
	copy[7] = 0;
	for (i = 0; i < len; i++)
		if (mask[i] == 1)
			copy[i] = 0;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, pf.sa.akey, pf.sa.aklen, copy, len,
		       md, sizeof(md), &mdlen))
		return 0;
	memcpy(ip + off + 12, md, PF_ICV);
	return len;
}

/* A random byte of @mask's kind @want (0: any option byte), or -1. */
static long pick(const uint8_t *mask, size_t len, int want)
{
	size_t i, n = 0, k;

	for (i = 0; i < len; i++)
		n += want ? mask[i] == want : mask[i] != 0;
	if (!n)
		return -1;
	k = rnd_below(n);
	for (i = 0; i < len; i++)
		if ((want ? mask[i] == want : mask[i] != 0) && !k--)
			return i;
	return -1;
}

static void cls_ext6(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN], mask[PF_LEN];
	unsigned int i, n = pf.count < c->n ? pf.count : c->n;
	size_t len;
	long at;

	for (i = 0; i < n; i++) {
		bool ok = false;

		len = ah6_build(next_seq(), id, c->sent, ip, mask);
		switch (i % 6) {
		case 0:
			ok = true;
			break;
		case 1:		/* mutable option data: no ICV covers it */
			at = pick(mask, len, 1);
			if (at >= 0) {
				ip[at] ^= 1 + rnd_below(255);
				ok = true;
				break;
			}
			/* fall through */
		case 3:		/* traffic class, flow label, hop limit */
			ip[1 + rnd_below(3)] ^= 1 + rnd_below(255);
			ip[7] = rnd();
			ok = true;
			break;
		case 2:		/* an option's type, length or immutable data, or the payload */
			at = pick(mask, len, 2);
			ip[at >= 0 ? at : (long)len - 1] ^= 1 + rnd_below(255);
			break;
		case 4:		/* an option that overruns its header */
			if (nopt)
				ip[opt_at[rnd_below(nopt)] + 1] = 0xff;
			else
				ip[len - 1] ^= 0x80;
			break;
		default:	/* any option byte */
			at = pick(mask, len, 0);
			if (at < 0) {
				ip[len - 1] ^= 0x80;
				break;
			}
			ip[at] ^= 1 + rnd_below(255);
			ok = mask[at] == 1;
		}
		send_ip(c, ip, len, ok);
	}
}

/*
 * ESP (gcm) over IPv6, sometimes behind a destination options header:
 * valid packets; cut short, the payload length agreeing; the payload
 * length lying; a flipped bit of the ESP part; an option overrunning its
 * header (Ip6 InHdrErrors); a random number under a bad ICV. XFRM's share
 * (esp6: fewer than 8 bytes of ESP, a flipped SPI) is counted here, as
 * to_xfrm() does for IPv4.
 */
static size_t esp6_build(uint32_t seq, uint32_t id, uint32_t idx, const struct pf_tweak *tw,
			 uint8_t *ip, size_t *esp_off, size_t *opt)
{
	uint8_t pl[64];
	size_t off = 40, len;

	ip6_header(ip, &pf.sa.dst6, IPPROTO_ESP);
	*opt = 0;
	if (rnd() & 1) {
		uint8_t *h = ip + 40;
		unsigned int dl = rnd_below(6);
		size_t o = 4 + dl, hl = (o + 7) / 8 * 8;

		ip[6] = IPPROTO_DSTOPTS;
		h[0] = IPPROTO_ESP;
		h[2] = 0x1e;
		h[3] = dl;
		rnd_bytes(h + 4, dl);
		if (hl - o == 1) {
			h[o] = 0;
		} else if (hl > o) {
			h[o] = 1;
			h[o + 1] = hl - o - 2;
			memset(h + o + 2, 0, hl - o - 2);
		}
		h[1] = hl / 8 - 1;
		*opt = 42;
		off += hl;
	}
	payload(pl, id, idx);
	udp6_seal(ip, pl, 24);
	len = esp_build(&pf.sa, seq, pl, 24, tw, ip + off);
	*esp_off = off;
	put16(ip + 4, off + len - 40);
	return off + len;
}

static void cls_esp6(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN];
	unsigned int i, n = pf.count < c->n ? pf.count : c->n;
	size_t len, eo, opt, b;
	long v;

	for (i = 0; i < n; i++) {
		struct pf_tweak tw = pf_plain;
		bool ok = false;

		tw.badicv = i % 6 == 5;
		len = esp6_build(i % 6 == 5 ? (uint32_t)rnd() : next_seq(), id, c->sent, &tw, ip,
				 &eo, &opt);
		switch (i % 6) {
		case 0:
			ok = true;
			break;
		case 1:		/* cut short, the payload length agreeing */
			len = eo + rnd_below(len - eo);
			put16(ip + 4, len - 40);
			c->xfrm += len - eo < 8;
			break;
		case 2:		/* the payload length lying, the options whole */
			v = eo - 40 + rnd_below(len - eo + 100);
			if (v == (long)len - 40)
				v++;
			put16(ip + 4, v);
			c->xfrm += v + 40 <= (long)len && v + 40 - (long)eo < 8;
			break;
		case 3:		/* a bit of the ESP part */
			b = eo + rnd_below(len - eo);
			ip[b] ^= 1 << rnd_below(8);
			c->xfrm += b < eo + 4;
			break;
		case 4:		/* an option that overruns its header */
			if (opt)
				ip[opt + 1] = 0xff;
			else
				ip[len - 1] ^= 0x80;
			break;
		}
		send_ip(c, ip, len, ok);
	}
}

/*
 * Tunnel mode: packets sealed right (a valid ICV, the next sequence
 * number) around an inner packet that is not, so that only veil's
 * decapsulation and the IP layer it hands the inner packet to can stop
 * them: veil checks that the next header (4 or 41) names the version the
 * inner header has and that there is a header at all; the IP layer the
 * inner header's own fields; veil's inbound policy check that the inner
 * addresses are ones this SA may carry.
 */

/* An inner IPv6 datagram, --src6 to --inner-dst6, into @in; its length. */
static size_t inner6_build(uint8_t *in, uint32_t cls, uint32_t idx)
{
	ip6_header(in, &pf.inner_dst6, IPPROTO_UDP);
	put16(in + 4, payload(in + 40, cls, idx));
	udp6_seal(in, in + 40, 24);
	return 40 + 24;
}

/* The inner packet's mutations, each sent in every variant once a round. */
enum {
	IN_VALID,	/* the crafting is right: it arrives */
	IN_VERSION,	/* version 0, 5, 6, 7 or 15 under next header 4 */
	IN_IHL_SHORT,	/* a header length under 5 words */
	IN_IHL_LONG,	/* a header longer than the packet: 48 to 60 bytes of 44 */
	IN_TOT_LONG,	/* a total length over what is there */
	IN_TOT_SHORT,	/* a total length under the header's */
	IN_TOT_CUT,	/* a total length that cuts into the datagram */
	IN_CSUM,	/* a wrong header checksum */
	IN_PROTO,	/* a protocol no one takes (unassigned numbers) */
	IN_OUTSIDE,	/* addresses the SA must not carry: see inner_outside() */
	IN_EMPTY,	/* next header 4, and nothing before the trailer */
	IN_CUT,		/* cut short of an IPv4 header: 1 to 19 bytes */
	IN_NEXTHDR,	/* IPv4 under 41, IPv6 under 4, IPv6 under 41 */
	IN_FRAG,	/* a first, a middle or a last fragment, alone in its queue */
	IN_N
};

static unsigned int inner_variants(unsigned int m)
{
	switch (m) {
	case IN_VERSION:
		return 5;
	case IN_OUTSIDE:
		return 3 + pf.naliens;
	case IN_NEXTHDR:
	case IN_FRAG:
		return 3;
	}
	return 1;
}

/*
 * Addresses the SA must not carry, by @v: the outer source (no policy
 * has it), the outer destination (ours, but no policy's), a destination
 * not this host's (with nowhere to forward it to), then each of
 * --inner-alien as the source (another SA's policy's, or one the policy
 * allows but the SA's selector does not).
 */
static void inner_outside(uint8_t *in, unsigned int v)
{
	switch (v) {
	case 0:
		memcpy(in + 12, &pf.src, 4);
		break;
	case 1:
		memcpy(in + 16, &pf.sa.dst, 4);
		break;
	case 2:
		memcpy(in + 16, &pf.src, 4);
		break;
	default:
		memcpy(in + 12, &pf.alien[v - 3], 4);
	}
}

/* Mutation @m, variant @v, of the inner packet @in; its new length. */
static size_t inner_mutate(struct pf_class *c, uint32_t id, unsigned int m, unsigned int v,
			   uint8_t *in, size_t inlen, struct pf_tweak *tw)
{
	static const uint8_t version[] = { 0, 5, 6, 7, 15 };

	switch (m) {
	case IN_VERSION:
		in[0] = version[v] << 4 | 5;
		break;
	case IN_IHL_SHORT:
		in[0] = 0x40 | rnd_below(5);
		break;
	case IN_IHL_LONG:
		in[0] = 0x40 | (12 + rnd_below(4));
		break;
	case IN_TOT_LONG:
		put16(in + 2, inlen + 1 + rnd_below(0xffff - inlen));
		break;
	case IN_TOT_SHORT:
		put16(in + 2, rnd_below(20));
		break;
	case IN_TOT_CUT:
		put16(in + 2, 20 + rnd_below(inlen - 20));
		break;
	case IN_PROTO:
		in[9] = 143 + rnd_below(110);
		break;
	case IN_OUTSIDE:
		inner_outside(in, v);
		break;
	case IN_EMPTY:
		tw->empty = true;
		break;
	case IN_CUT:
		return 1 + rnd_below(19);
	case IN_NEXTHDR:
		if (v != 1)
			tw->nexthdr = IPPROTO_IPV6;
		if (v)
			return inner6_build(in, id, c->sent);
		break;
	case IN_FRAG:
		/* MF; MF and an offset; an offset (in 8-byte units) */
		put16(in + 6, (v < 2 ? 0x2000 : 0) | (v ? 1 + rnd_below(1000) : 0));
		c->frags++;
		break;
	}
	return inlen;
}

static void cls_inner(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN], in[PF_LEN];
	unsigned int i = 0, n = pf.count < c->n ? pf.count : c->n, m, v;
	size_t len, inlen;

	while (i < n) {
		for (m = 0; m < IN_N && i < n; m++) {
			for (v = 0; v < inner_variants(m) && i < n; v++, i++) {
				struct pf_tweak tw = pf_plain;

				inlen = inner_build(in, id, c->sent);
				inlen = inner_mutate(c, id, m, v, in, inlen, &tw);
				if (in[0] >> 4 == 4)
					ip_fix_csum(in, inlen);
				if (m == IN_CSUM)
					in[10 + rnd_below(2)] ^= 1 << rnd_below(8);
				len = seal(&pf.sa, next_seq(), in, inlen, &tw, ip);
				send_ip(c, ip, len, m == IN_VALID);
			}
		}
	}
}

/*
 * Whether @ip, of @len bytes, differs from @orig only where ESP in UDP
 * does not care: the source port (NAT-T follows a new one, as XFRM does)
 * and, over IPv6, the checksum that fix() recomputed. Over IPv4 the
 * checksum is sent as 0; any other value fails it.
 */
static bool udp_same(const uint8_t *ip, const uint8_t *orig, size_t len)
{
	size_t hl = l3_len();

	if (pf.sa.kind != K_UDP && pf.sa.kind != K_UDP6)
		return false;
	if (!is_v6(&pf.sa) && memcmp(ip + hl + 6, orig + hl + 6, 2))
		return false;
	return !memcmp(ip + hl + 2, orig + hl + 2, 4) &&
	       !memcmp(ip + hl + 8, orig + hl + 8, len - hl - 8);
}

/*
 * Any number of the above at once, at random: a truncation, a lying
 * length, flipped bytes anywhere after the IP header, a replayed number.
 */
static void cls_random(struct pf_class *c, uint32_t id)
{
	uint8_t ip[PF_LEN], orig[PF_LEN];
	unsigned int i, j, n = pf.count;
	size_t len, full, hl = l3_len();

	for (i = 0; i < n; i++) {
		struct pf_tweak tw = pf_plain;
		unsigned int what = rnd();
		uint16_t tot;

		/* AH has no padding: there bit 0 is no mutation. */
		if (what & 1 && pf.sa.kind != K_AH) {
			tw.padmode = 1 + rnd_below(2);
			tw.padlen = rnd_below(256);
		} else {
			what &= ~1u;
		}
		tw.badicv = what & 2;
		len = build(&pf.sa, what & 4 ? (uint32_t)rnd() : next_seq(), id, c->sent, &tw, ip);
		full = len;
		memcpy(orig, ip, len);
		if (what & 8) {
			/* flips after the IP header, some in the IPsec header */
			for (j = 1 + rnd_below(4); j; j--)
				ip[hl + rnd_below(len - hl)] ^= 1 + rnd_below(255);
			if (!memcmp(ip, orig, len))	/* two that undid each other */
				ip[len - 1] ^= 0x80;
		}
		/* Lengths one time in four and eight: most should reach veil. */
		if (!(what & 0x300))
			what |= 16;
		else
			what &= ~16u;
		if (!(what & 0x1c00))
			what |= 32;
		else
			what &= ~32u;
		if (what & 16)
			len = hl + rnd_below(len - hl);
		tot = len;
		if (what & 32)
			while ((tot = rnd_below(0x10000)) == full ||
			       (is_v6(&pf.sa) && tot < hl))
				;
		set_len(ip, tot);
		fix(ip, len);
		/*
		 * A packet none of this touched but its own number is valid;
		 * one flipped bit makes sure nothing is left valid. Flips only
		 * in UDP's source port are not one either (a NAT may change
		 * it), nor over IPv6 in its checksum, which fix() made right.
		 */
		if (!(what & (1 | 2 | 16 | 32)) && (!(what & 8) || udp_same(ip, orig, len))) {
			ip[len - 1] ^= 0x80;
			fix(ip, len);
		}
		send_ip(c, ip, len, false);
	}
}

/* --- TLS --- */

static int tls_server_conn(int *srv)
{
	int cl = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(pf.tls_port),
				   .sin_addr = pf.tls_dst };
	struct linger lg = { 1, 0 };
	struct timeval tv = { .tv_sec = 5 };

	if (cl < 0)
		die("socket");
	/* A reset rather than TIME_WAIT: thousands of connections follow. */
	setsockopt(cl, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	setsockopt(cl, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(cl, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect to the TLS listener");
	*srv = accept(pf.tcp_fd, NULL, NULL);
	if (*srv < 0)
		die("accept");
	setsockopt(*srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return cl;
}

static bool write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/*
 * One connection: veil's TLS RX on the accepting end, a valid record
 * first (it must arrive), then one malformed record, which must not: the
 * read fails with EBADMSG (counted in tls-decrypt-errors), or, for a
 * record cut short by the end of the stream, sees nothing.
 */
static void tls_one(struct pf_class *c, uint16_t version, unsigned int kind)
{
	static uint8_t rec[TLS_REC_ROOM + 64], data[TLS_MAX_PLAIN + 512], got[TLS_MAX_PLAIN + 64];
	struct tls_keys k = { .suite = tls_suite(TLS_CIPHER_AES_GCM_128), .version = version };
	union tls_info u;
	struct tls_forge fg = { 0 };
	bool tls13 = version == TLS_1_3_VERSION, eof = false;
	size_t len, hello;
	ssize_t n;
	int cl, srv, e;

	rnd_bytes(k.key, 16);
	rnd_bytes(k.iv, 12);
	cl = tls_server_conn(&srv);
	if (setsockopt(srv, IPPROTO_TCP, TCP_ULP, "veil", 4) ||
	    setsockopt(srv, SOL_TLS, TLS_RX, &u, tls_info_put(&u, &k)))
		die("TCP_ULP veil, TLS_RX");
	memcpy(data, "veil-fuzz-hello", 15);
	hello = tls_seal(&k, TLS_TYPE_DATA, data, 15, NULL, rec);
	if (!write_all(cl, rec, hello) || recv(srv, got, sizeof(got), 0) != 15 ||
	    memcmp(got, "veil-fuzz-hello", 15)) {
		printf("# %s: the valid record before the malformed one did not arrive\n",
		       c->name);
		c->failures++;
		goto out;
	}
	rnd_bytes(data, 64);
	len = tls_seal(&k, TLS_TYPE_DATA, data, 64, NULL, rec);
	switch (kind % 9) {
	case 0:	/* a content type that does not exist, or not in 1.3's header */
		fg.outer_type = tls13 ? 20 + rnd_below(3) : rnd_below(2) ? rnd_below(20) :
			24 + rnd_below(232);
		k.seq--;
		/* tls_seal() takes 0 for "the real type": type 0 goes in after. */
		len = tls_seal(&k, TLS_TYPE_DATA, data, 64, fg.outer_type ? &fg : NULL, rec);
		if (!fg.outer_type)
			rec[0] = 0;
		break;
	case 1:	/* a valid type, but not the one sealed (1.2's AAD) or 1.3's inner zeros */
		k.seq--;
		if (tls13) {
			len = tls_seal(&k, 0, data, 0, NULL, rec);
		} else {
			len = tls_seal(&k, TLS_TYPE_DATA, data, 64, NULL, rec);
			rec[0] = TLS_TYPE_HANDSHAKE - rnd_below(2);
		}
		break;
	case 2:	/* a length that lies, within the limits */
		put16(rec + 3, (rec[3] << 8 | rec[4]) + (rnd_below(2) ? (int)(1 + rnd_below(40)) :
				 -(int)(1 + rnd_below(40))));
		break;
	case 3:	/* a length over the limit: 2^14 + 256 and more */
		put16(rec + 3, 16384 + 256 + 1 + rnd_below(49151 - 256));
		break;
	case 4:	/* a record that is too long, sealed as sent */
		k.seq--;
		rnd_bytes(data, TLS_MAX_PLAIN + 256);
		len = tls_seal(&k, TLS_TYPE_DATA, data, TLS_MAX_PLAIN + 1 + rnd_below(255), NULL,
			       rec);
		break;
	case 5:	/* truncated, then the end of the stream */
		len = 1 + rnd_below(len - 1);
		eof = true;
		break;
	case 6:	/* a bit flipped in the tag, the body or the explicit nonce */
		rec[5 + rnd_below(len - 5)] ^= 1 << rnd_below(8);
		break;
	case 7:	/* the wrong sequence number */
		if (rnd_below(2))
			k.seq += 1 + rnd_below(1000);
		else
			k.seq -= 2;
		len = tls_seal(&k, TLS_TYPE_DATA, data, 64, NULL, rec);
		break;
	default:	/* the wrong version */
		rec[1 + rnd_below(2)] ^= 1 << rnd_below(8);
	}
	if (!write_all(cl, rec, len))
		goto out;
	if (eof || kind % 9 == 2)
		shutdown(cl, SHUT_WR);
	n = recv(srv, got, sizeof(got), 0);
	e = errno;
	if (n > 0) {
		printf("# %s: malformed record %u (kind %u) delivered %zd bytes\n", c->name,
		       c->sent, kind % 9, n);
		c->unexpected++;
	} else if (n < 0 && e == EBADMSG) {
		c->tls_badmsg++;
	} else if (n == 0) {
		c->tls_eof++;
	} else {
		printf("# %s: kind %u: recv: %s\n", c->name, kind % 9, strerror(e));
		c->failures++;
	}
out:
	c->sent++;
	close(cl);
	close(srv);
}

static volatile sig_atomic_t pf_stop;

static void on_term(int sig)
{
	(void)sig;
	pf_stop = 1;
}

/*
 * A valid TLS 1.3 connection beside the fuzzing: a record every 100 ms,
 * up to --count of them or until SIGTERM; every one must arrive intact
 * and in order.
 */
static void cls_tls_stream(struct pf_class *c)
{
	static uint8_t rec[TLS_REC_ROOM], data[1024], got[1024];
	struct tls_keys k = { .suite = tls_suite(TLS_CIPHER_AES_GCM_128),
			      .version = TLS_1_3_VERSION };
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	union tls_info u;
	int cl, srv;
	ssize_t len, n, at;

	signal(SIGTERM, on_term);
	rnd_bytes(k.key, 16);
	rnd_bytes(k.iv, 12);
	cl = tls_server_conn(&srv);
	if (setsockopt(srv, IPPROTO_TCP, TCP_ULP, "veil", 4) ||
	    setsockopt(srv, SOL_TLS, TLS_RX, &u, tls_info_put(&u, &k)))
		die("TCP_ULP veil, TLS_RX");
	/* Ready: pkt_fuzz.sh starts fuzzing now. */
	printf("# tls stream up\n");
	fflush(stdout);
	while (!pf_stop && c->sent < pf.count) {
		size_t dl = 1 + rnd_below(sizeof(data) - 1);

		rnd_bytes(data, dl);
		memcpy(got, data, dl);
		len = tls_seal(&k, TLS_TYPE_DATA, data, dl, NULL, rec);
		if (!write_all(cl, rec, len))
			die("the TLS stream's write");
		c->sent++;
		for (at = 0; at < (ssize_t)dl; at += n) {
			n = recv(srv, data + at, dl - at, 0);
			if (n <= 0) {
				printf("# record %u of the TLS stream: %s\n", c->sent,
				       n ? strerror(errno) : "end of stream");
				c->failures++;
				goto out;
			}
		}
		if (memcmp(got, data, dl)) {
			printf("# record %u of the TLS stream came out changed\n", c->sent);
			c->failures++;
			goto out;
		}
		c->delivered++;
		nanosleep(&ts, NULL);
	}
out:
	close(cl);
	close(srv);
}

static void cls_tls(struct pf_class *c, uint16_t version)
{
	unsigned int i;

	for (i = 0; i < pf.count; i++)
		tls_one(c, version, i);
}

/* --- the receiving namespace's counters --- */

#define PF_NCTR 1024

struct pf_ctrs {
	unsigned int n;
	char name[PF_NCTR][40];
	long long v[PF_NCTR];
};

/* Opened in the receiving namespace: they stay its. */
static int snmp_fd, netstat_fd, snmp6_fd, xfrm_fd, rxdrop_fd, rtstat_fd, nl_fd;
static uint16_t nl_family;

static void ctr_add(struct pf_ctrs *c, const char *name, long long v)
{
	if (c->n == PF_NCTR)
		return;
	snprintf(c->name[c->n], sizeof(c->name[0]), "%s", name);
	c->v[c->n++] = v;
}

static long long ctr_get(const struct pf_ctrs *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return c->v[i];
	return 0;
}

static ssize_t read_at0(int fd, char *buf, size_t len)
{
	ssize_t n, got = 0;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((size_t)got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	return got;
}

/* /proc/net/snmp and netstat: a line of names, then one of values. */
static void read_snmp(int fd, struct pf_ctrs *c)
{
	static char buf[65536];
	char *line, *next, *save1, *save2, *k, *v, name[40];

	if (read_at0(fd, buf, sizeof(buf)) <= 0)
		return;
	for (line = buf; line && *line; line = next) {
		char *vals = strchr(line, '\n');

		if (!vals)
			break;
		*vals++ = 0;
		next = strchr(vals, '\n');
		if (next)
			*next++ = 0;
		k = strtok_r(line, " ", &save1);
		v = strtok_r(vals, " ", &save2);
		/* "Ip:" in front of both: the group's name */
		k[strlen(k) - 1] = 0;
		{
			char group[16];

			snprintf(group, sizeof(group), "%s", k);
			while ((k = strtok_r(NULL, " ", &save1)) &&
			       (v = strtok_r(NULL, " ", &save2))) {
				snprintf(name, sizeof(name), "%s%s", group, k);
				ctr_add(c, name, strtoll(v, NULL, 10));
			}
		}
	}
}

static void read_pairs(int fd, struct pf_ctrs *c)
{
	static char buf[4096];
	char *save, *k, *v;

	if (read_at0(fd, buf, sizeof(buf)) <= 0)
		return;
	for (k = strtok_r(buf, " \t\n", &save); k && (v = strtok_r(NULL, " \t\n", &save));
	     k = strtok_r(NULL, " \t\n", &save))
		ctr_add(c, k, strtoll(v, NULL, 10));
}

/*
 * The route cache statistics, one line per CPU in hex: the martian
 * sources and destinations, which the IP layer drops without an SNMP
 * counter (a source flipped to the subnet's broadcast address). They are
 * the whole machine's, which is this test's alone while it runs.
 */
static void read_rtstat(int fd, struct pf_ctrs *c)
{
	static char buf[16384];
	char *line, *save, *save2, *f;
	long long dst = 0, src = 0;
	int col, cdst = -1, csrc = -1;

	if (read_at0(fd, buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (col = 0, f = strtok_r(line, " ", &save2); f;
		     f = strtok_r(NULL, " ", &save2), col++) {
			if (!strcmp(f, "in_martian_dst"))
				cdst = col;
			else if (!strcmp(f, "in_martian_src"))
				csrc = col;
			else if (col == cdst)
				dst += strtoll(f, NULL, 16);
			else if (col == csrc)
				src += strtoll(f, NULL, 16);
		}
	}
	ctr_add(c, "RtInMartianDst", dst);
	ctr_add(c, "RtInMartianSrc", src);
}

/* One generic netlink request; @cb sees every attribute of every reply. */
static int genl_req(uint16_t type, uint8_t cmd, uint16_t flags, const void *attr, size_t alen,
		    void (*cb)(const struct nlattr *, void *), void *arg)
{
	static uint8_t buf[32768];
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
		uint8_t a[64];
	} req = {
		.h = { .nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + alen, .nlmsg_type = type,
		       .nlmsg_flags = NLM_F_REQUEST | flags, .nlmsg_seq = 1 },
		.g = { .cmd = cmd, .version = 1 },
	};
	bool done = false;

	memcpy(req.a, attr, alen);
	if (send(nl_fd, &req, req.h.nlmsg_len, 0) < 0)
		return -1;
	while (!done) {
		ssize_t n = recv(nl_fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			struct nlattr *a;
			int left;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				return errno ? -1 : 0;
			}
			a = (struct nlattr *)((uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN);
			left = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
			while (left >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
			       a->nla_len <= left) {
				cb(a, arg);
				left -= NLA_ALIGN(a->nla_len);
				a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len));
			}
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				done = true;
		}
	}
	return 0;
}

static void family_cb(const struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
		memcpy(arg, a + 1, 2);
}

static uint64_t nla_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, a + 1, sizeof(v));
	return v;
}

static const struct {
	int attr;
	const char *name;
} veil_ctrs[] = {
	{ VEIL_A_NET_STATS_IN_PACKETS, "veil-in-packets" },
	{ VEIL_A_NET_STATS_REPLAY_DROPS, "veil-replay-drops" },
	{ VEIL_A_NET_STATS_INTEGRITY_FAILURES, "veil-integrity-failures" },
	{ VEIL_A_NET_STATS_BAD_PADDING, "veil-bad-padding" },
	{ VEIL_A_NET_STATS_POLICY_DROPS, "veil-policy-drops" },
	{ VEIL_A_NET_STATS_CLEARTEXT_DROPS, "veil-cleartext-drops" },
	{ VEIL_A_NET_STATS_NO_SA, "veil-no-sa" },
	{ VEIL_A_NET_STATS_BLOCKED, "veil-blocked" },
	{ VEIL_A_NET_STATS_TOO_BIG, "veil-too-big" },
	{ VEIL_A_NET_STATS_EXPIRED, "veil-expired" },
	{ VEIL_A_NET_STATS_OTHER_DROPS, "veil-other-drops" },
	{ VEIL_A_NET_STATS_TLS_DECRYPT_ERRORS, "veil-tls-decrypt-errors" },
};

static void stats_cb(const struct nlattr *a, void *arg)
{
	struct pf_ctrs *c = arg;
	unsigned int i;

	for (i = 0; i < sizeof(veil_ctrs) / sizeof(veil_ctrs[0]); i++)
		if ((a->nla_type & NLA_TYPE_MASK) == veil_ctrs[i].attr)
			ctr_add(c, veil_ctrs[i].name, nla_u64(a));
}

static void encap_cb(const struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == VEIL_A_ENCAP_SOCK_OTHER_PACKETS)
		*(long long *)arg += nla_u64(a);
}

static void counters_open(void)
{
	struct {
		struct nlattr a;
		char name[8];
	} fam = { { 4 + sizeof(VEIL_FAMILY_NAME), CTRL_ATTR_FAMILY_NAME }, VEIL_FAMILY_NAME };

	snmp_fd = open("/proc/self/net/snmp", O_RDONLY);
	netstat_fd = open("/proc/self/net/netstat", O_RDONLY);
	snmp6_fd = open("/proc/self/net/snmp6", O_RDONLY);
	/* Only with CONFIG_XFRM_STATISTICS (not the debug kernel's). */
	xfrm_fd = open("/proc/self/net/xfrm_stat", O_RDONLY);
	rxdrop_fd = open("/sys/class/net/eth0/statistics/rx_dropped", O_RDONLY);
	rtstat_fd = open("/proc/self/net/stat/rt_cache", O_RDONLY);
	nl_fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (snmp_fd < 0 || netstat_fd < 0 || snmp6_fd < 0 || rxdrop_fd < 0 || rtstat_fd < 0 ||
	    nl_fd < 0)
		die("the receiver's counters (/proc/net, eth0's rx_dropped, netlink)");
	if (genl_req(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, &fam, NLA_ALIGN(fam.a.nla_len),
		     family_cb, &nl_family) || !nl_family)
		die("the veil generic netlink family");
}

static void counters(struct pf_ctrs *c)
{
	char buf[32];
	long long other = 0;

	c->n = 0;
	read_snmp(snmp_fd, c);
	read_snmp(netstat_fd, c);
	read_pairs(snmp6_fd, c);
	if (xfrm_fd >= 0)
		read_pairs(xfrm_fd, c);
	read_rtstat(rtstat_fd, c);
	if (read_at0(rxdrop_fd, buf, sizeof(buf)) > 0)
		ctr_add(c, "Devrx_dropped", strtoll(buf, NULL, 10));
	if (genl_req(nl_family, VEIL_CMD_STATS_GET, 0, NULL, 0, stats_cb, c) ||
	    genl_req(nl_family, VEIL_CMD_ENCAP_GET, NLM_F_DUMP, NULL, 0, encap_cb, &other))
		die("veil's counters");
	ctr_add(c, "encap-other-packets", other);
}

/*
 * Where a dropped packet is counted, each drop once: InCsumErrors (IP,
 * UDP) are left out, as the same packet is in InHdrErrors or InErrors.
 * ReasmReqds counts a packet the IP layer took for a fragment when it
 * arrives; that each was given up on (ReasmFails) is checked at the end,
 * after ipfrag_time.
 */
static bool is_drop(const char *n)
{
	static const char *const names[] = {
		"veil-replay-drops", "veil-integrity-failures", "veil-bad-padding",
		"veil-policy-drops", "veil-cleartext-drops", "veil-no-sa", "veil-blocked",
		"veil-too-big", "veil-expired", "veil-other-drops", "encap-other-packets",
		"IpInHdrErrors", "IpInAddrErrors", "IpInUnknownProtos", "IpInDiscards",
		"IpReasmReqds", "IpExtInTruncatedPkts", "IpExtInNoRoutes", "UdpInErrors",
		"UdpNoPorts", "Devrx_dropped", "RtInMartianDst", "RtInMartianSrc",
		"Ip6InHdrErrors", "Ip6InAddrErrors", "Ip6InUnknownProtos", "Ip6InDiscards",
		"Ip6InTruncatedPkts", "Ip6InNoRoutes", "Ip6ReasmReqds", "Udp6InErrors",
		"Udp6NoPorts",
	};
	unsigned int i;

	if (!strncmp(n, "XfrmIn", 6))
		return true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(n, names[i]))
			return true;
	return false;
}

/* The drop counters that moved from @a to @b, into @out; their sum. */
static long long ctr_delta(const struct pf_ctrs *a, const struct pf_ctrs *b, char *out,
			   size_t len)
{
	long long sum = 0, d;
	unsigned int i;
	size_t at = 0;

	out[0] = 0;
	for (i = 0; i < b->n; i++) {
		if (!is_drop(b->name[i]))
			continue;
		d = b->v[i] - ctr_get(a, b->name[i]);
		if (!d)
			continue;
		sum += d;
		if (at < len)
			at += snprintf(out + at, len - at, " %s %lld", b->name[i], d);
	}
	return sum;
}

/* --- set-up --- */

static int hexval(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = 0;

	if (!strncmp(s, "0x", 2))
		s += 2;
	while (s[0] && s[1] && n < max) {
		unsigned int v;

		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = v;
		s += 2;
	}
	*len = n;
	return *s ? -1 : 0;
}

/* KIND:SPI:DST:KEY[:AKEY], KIND gcm, cbc, ah, udp or tun, esn- in front for ESN. */
static int parse_sa(char *arg, struct pf_sa *sa)
{
	char *f[5] = { 0 }, *save = NULL, *t;
	unsigned int n = 0;

	/* ah6:SPI:AKEY:DST6, esp6:SPI:KEY:DST6 or udp6:...: the address last for its colons. */
	if (!strncmp(arg, "ah6:", 4) || !strncmp(arg, "esp6:", 5) || !strncmp(arg, "udp6:", 5)) {
		bool ah = arg[0] == 'a';

		memset(sa, 0, sizeof(*sa));
		sa->kind = ah ? K_AH6 : arg[0] == 'e' ? K_ESP6 : K_UDP6;
		sa->spi = strtoul(arg + (ah ? 4 : 5), &t, 0);
		if (*t != ':' || !(f[0] = strchr(t + 1, ':')))
			return -1;
		*f[0] = 0;
		if (ah ? hexval(t + 1, sa->akey, sizeof(sa->akey), &sa->aklen) :
		    hexval(t + 1, sa->ekey, sizeof(sa->ekey), &sa->eklen))
			return -1;
		return inet_pton(AF_INET6, f[0] + 1, &sa->dst6) == 1 ? 0 : -1;
	}
	for (t = strtok_r(arg, ":", &save); t && n < 5; t = strtok_r(NULL, ":", &save))
		f[n++] = t;
	if (n < 3)
		return -1;
	memset(sa, 0, sizeof(*sa));
	if (!strncmp(f[0], "esn-", 4)) {
		sa->esn = true;
		f[0] += 4;
	}
	if (!strcmp(f[0], "gcm"))
		sa->kind = K_GCM;
	else if (!strcmp(f[0], "cbc"))
		sa->kind = K_CBC;
	else if (!strcmp(f[0], "ah"))
		sa->kind = K_AH;
	else if (!strcmp(f[0], "udp"))
		sa->kind = K_UDP;
	else if (!strcmp(f[0], "tun"))
		sa->kind = K_TUN;
	else
		return -1;
	sa->spi = strtoul(f[1], NULL, 0);
	if (inet_pton(AF_INET, f[2], &sa->dst) != 1)
		return -1;
	if (sa->kind == K_AH)
		return f[3] && !hexval(f[3], sa->akey, sizeof(sa->akey), &sa->aklen) ? 0 : -1;
	if (f[3] && hexval(f[3], sa->ekey, sizeof(sa->ekey), &sa->eklen))
		return -1;
	if (sa->kind == K_CBC)
		return f[4] && !hexval(f[4], sa->akey, sizeof(sa->akey), &sa->aklen) ? 0 : -1;
	return 0;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pkt_fuzz --tx-netns PATH --dev IF --dmac MAC --src ADDR [ --src6 ADDR6 ]\n"
		"\t[ --other SA ]... [ --tls-dst ADDR ] [ --tls-port PORT ] [ --window N ]\n"
		"\t[ --seed N ] [ --count N ] [ --random N ] [ --sparse ] [ --no-xfrm-stat ]\n"
		"\t[ --inner-src ADDR --inner-dst ADDR --inner-dst6 ADDR6 [ --inner-alien ADDR ]... ]\n"
		"\t{ --sa SA [ --seq BASE ] --classes CLASS[,CLASS]... | --classes TLS }...\n"
		"SA := [ esn- ]{ gcm | cbc | ah | udp | tun }:SPI:DST:KEY[:AKEY] |\n"
		"\tah6:SPI:AKEY:DST6 | esp6:SPI:KEY:DST6 | udp6:SPI:KEY:DST6\n"
		"CLASS := valid | trunc | lengths | spi | seq | forged | flip | ipflip (IPv4) |\n"
		"\t pad | ahlen | random | ext6 (ah6 only) | esp6 (esp6 only) | inner (tun only)\n"
		"TLS := tls12 | tls13 | tlsstream\n");
	exit(2);
}

static const struct {
	const char *name;
	void (*fn)(struct pf_class *c, uint32_t id);
} pf_classes[] = {
	{ "valid", cls_valid }, { "trunc", cls_trunc }, { "lengths", cls_lengths },
	{ "spi", cls_spi }, { "seq", cls_seq }, { "forged", cls_forged },
	{ "flip", cls_flip }, { "ipflip", cls_ipflip }, { "pad", cls_pad },
	{ "ahlen", cls_ahlen }, { "random", cls_random }, { "ext6", cls_ext6 },
	{ "esp6", cls_esp6 }, { "inner", cls_inner },
};

static unsigned int ktap_n;
static unsigned long long total_sent, total_frags;
static bool failed;

static const char *kind_name(const struct pf_sa *sa)
{
	static const char *const names[] = { "gcm", "cbc", "ah", "udp", "ah6", "esp6", "tun",
					     "udp6" };
	static char buf[16];

	snprintf(buf, sizeof(buf), "%s%s", sa->esn ? "esn-" : "", names[sa->kind]);
	return buf;
}

/*
 * One class against the current SA (or TLS): sends it, waits for what is
 * in flight, and holds the counters to account. One KTAP line.
 */
static void run_class(const char *cls, unsigned int random_count)
{
	static struct pf_ctrs before, after;
	struct pf_class c = { .name = cls };
	bool tls = !strncmp(cls, "tls", 3), ok = true;
	char moved[1024], what[64];
	unsigned int i, count = pf.count;
	long long sum, tlserr;
	uint32_t id = rnd();

	snprintf(what, sizeof(what), "%s %s", tls ? "tls" : kind_name(&pf.sa), cls);
	if (!strcmp(cls, "random"))
		pf.count = random_count;
	c.n = tls ? pf.count + 1 : (pf.count > 16384 ? pf.count : 16384);
	c.ok = calloc(c.n, sizeof(*c.ok));
	c.got = calloc(c.n, sizeof(*c.got));
	if (!c.ok || !c.got)
		die("calloc");
	counters(&before);
	if (!strcmp(cls, "tls12")) {
		cls_tls(&c, TLS_1_2_VERSION);
	} else if (!strcmp(cls, "tls13")) {
		cls_tls(&c, TLS_1_3_VERSION);
	} else if (!strcmp(cls, "tlsstream")) {
		cls_tls_stream(&c);
	} else {
		for (i = 0; i < sizeof(pf_classes) / sizeof(pf_classes[0]); i++)
			if (!strcmp(cls, pf_classes[i].name))
				break;
		if (i == sizeof(pf_classes) / sizeof(pf_classes[0]) ||
		    (!strcmp(cls, "pad") && pf.sa.kind == K_AH) ||
		    (!strcmp(cls, "ahlen") && pf.sa.kind != K_AH) ||
		    (!strcmp(cls, "ext6") != (pf.sa.kind == K_AH6)) ||
		    (!strcmp(cls, "esp6") != (pf.sa.kind == K_ESP6)) ||
		    (!strcmp(cls, "inner") && pf.sa.kind != K_TUN) ||
		    (!strcmp(cls, "ipflip") && is_v6(&pf.sa)))
			usage();
		pf_classes[i].fn(&c, id);
	}
	pf.count = count;
	/*
	 * What is still in flight (asynchronous crypto, the backlog) lands
	 * within moments: until every packet is accounted for, or 3 s.
	 */
	for (i = 0; i < 150; i++) {
		unsigned int j, delivered = 0;

		drain(&c, i ? 20 : 5);
		counters(&after);
		if (tls)
			break;
		for (j = 0; j < c.n && j < c.sent; j++)
			delivered += !!c.got[j];
		sum = ctr_delta(&before, &after, moved, sizeof(moved));
		if (sum + delivered + (xfrm_fd < 0 ? c.xfrm + c.xfrm_unknown : 0) >= c.sent)
			break;
	}
	for (i = 0; !tls && i < c.n && i < c.sent; i++) {
		if (!c.got[i])
			continue;
		c.delivered++;
		if (!c.ok[i] || c.got[i] > 1) {
			c.unexpected++;
			if (c.unexpected <= 10)
				printf("# %s: packet %u arrived%s\n", what, i,
				       c.ok[i] ? " twice" : ", malformed");
		}
	}
	sum = ctr_delta(&before, &after, moved, sizeof(moved));
	tlserr = ctr_get(&after, "veil-tls-decrypt-errors") -
		 ctr_get(&before, "veil-tls-decrypt-errors");
	if (tls) {
		printf("# %s: sent %u, EBADMSG %u, end of stream %u, tls-decrypt-errors %lld\n",
		       what, c.sent, c.tls_badmsg, c.tls_eof, tlserr);
		if (strcmp(cls, "tlsstream") &&
		    (c.tls_badmsg + c.tls_eof != c.sent || tlserr != c.tls_badmsg)) {
			printf("# %s: every record must fail its connection, counted\n", what);
			ok = false;
		}
	} else {
		long long xfrm = 0;

		for (i = 0; i < after.n; i++)
			if (!strncmp(after.name[i], "XfrmIn", 6))
				xfrm += after.v[i] - ctr_get(&before, after.name[i]);
		printf("# %s: sent %u, arrived %u (may %u), dropped%s%s\n", what, c.sent,
		       c.delivered, c.benign, moved, xfrm_fd < 0 ? " (no xfrm_stat)" : "");
		if (xfrm_fd >= 0) {
			/* Every packet once: dropped and counted, or arrived. */
			if (sum + c.delivered != c.sent) {
				printf("# %s: %u sent, %u arrived, %lld counted as dropped\n", what,
				       c.sent, c.delivered, sum);
				ok = false;
			}
			/* And XFRM had those and only those with SPIs veil does not own. */
			if (xfrm < c.xfrm || xfrm > c.xfrm + c.xfrm_unknown) {
				printf("# %s: XFRM counted %lld, for %u (and up to %u more)\n", what,
				       xfrm, c.xfrm, c.xfrm_unknown);
				ok = false;
			}
		} else if (sum + c.delivered + c.xfrm > c.sent ||
			   sum + c.delivered + c.xfrm + c.xfrm_unknown < c.sent) {
			/*
			 * No xfrm_stat: XFRM's share is what pkt_fuzz knows it
			 * sent there, and no more than the unmodelled ones.
			 */
			printf("# %s: %u sent, %u arrived, %lld counted as dropped, %u to XFRM "
			       "(and up to %u more)\n", what, c.sent, c.delivered, sum, c.xfrm,
			       c.xfrm_unknown);
			ok = false;
		}
	}
	if (c.unexpected || c.failures ||
	    ((!strcmp(cls, "valid") || !strcmp(cls, "tlsstream")) && c.delivered != c.sent))
		ok = false;
	if (!strcmp(cls, "tlsstream"))
		printf("# tls stream: %u records\n", c.sent);
	else if (strcmp(cls, "valid"))
		total_sent += c.sent - c.benign;	/* the malformed ones */
	total_frags += c.frags;
	printf("%sok %u %s\n", ok ? "" : "not ", ++ktap_n, what);
	fflush(stdout);
	failed |= !ok;
	free(c.ok);
	free(c.got);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tx-netns", 1, NULL, 'n' }, { "dev", 1, NULL, 'd' },
		{ "dmac", 1, NULL, 'm' }, { "src", 1, NULL, 's' }, { "src6", 1, NULL, '6' },
		{ "sa", 1, NULL, 'a' }, { "other", 1, NULL, 'o' },
		{ "tls-dst", 1, NULL, 't' }, { "tls-port", 1, NULL, 'p' },
		{ "seq", 1, NULL, 'q' }, { "window", 1, NULL, 'w' },
		{ "seed", 1, NULL, 'S' }, { "count", 1, NULL, 'c' },
		{ "random", 1, NULL, 'r' }, { "classes", 1, NULL, 'C' },
		{ "sparse", 0, NULL, 'x' }, { "no-xfrm-stat", 0, NULL, 'X' },
		{ "inner-src", 1, NULL, 'i' }, { "inner-dst", 1, NULL, 'I' },
		{ "inner-dst6", 1, NULL, 'J' }, { "inner-alien", 1, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	const char *netns = NULL, *dev = NULL;
	unsigned long long seed = 1;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct pf_ctrs start, end;
	struct ifreq ifr = { 0 };
	unsigned int random_count = 1000, planned = 0;
	int o, fd, one = 1, big = 4 << 20;
	long long fails, reqds;
	bool tls = false, ipsec = false, no_xfrm_stat = false;
	char *copy;

	/* First pass: the settings, and how many classes for the plan. */
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n': netns = optarg; break;
		case 'd': dev = optarg; break;
		case 'm': if (parse_mac(optarg, pf.dmac)) usage(); break;
		case 's': if (inet_pton(AF_INET, optarg, &pf.src) != 1) usage(); break;
		case '6': if (inet_pton(AF_INET6, optarg, &pf.src6) != 1) usage(); break;
		case 'o':
			if (pf.nothers == 8 || parse_sa(optarg, &pf.others[pf.nothers++]))
				usage();
			break;
		case 't': if (inet_pton(AF_INET, optarg, &pf.tls_dst) != 1) usage(); break;
		case 'p': pf.tls_port = atoi(optarg); break;
		case 'w': pf.window = atoi(optarg); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'c': pf.count = atoi(optarg); break;
		case 'r': random_count = atoi(optarg); break;
		case 'x': pf.sparse = true; break;
		case 'X': no_xfrm_stat = true; break;
		case 'i': if (inet_pton(AF_INET, optarg, &pf.inner_src) != 1) usage(); break;
		case 'I': if (inet_pton(AF_INET, optarg, &pf.inner_dst) != 1) usage(); break;
		case 'J': if (inet_pton(AF_INET6, optarg, &pf.inner_dst6) != 1) usage(); break;
		case 'A':
			if (pf.naliens == 4 ||
			    inet_pton(AF_INET, optarg, &pf.alien[pf.naliens++]) != 1)
				usage();
			break;
		case 'C':
			planned++;
			for (copy = optarg; (copy = strchr(copy, ',')); copy++)
				planned++;
			tls |= !!strstr(optarg, "tls");
			ipsec |= !!strcmp(optarg, "tlsstream") && strncmp(optarg, "tls1", 4);
			break;
		case 'a': case 'q': break;
		default: usage();
		}
	}
	if (!netns || !dev || !planned)
		usage();
	pf.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	pf.nonce = rnd();
	pf.ipid = rnd();

	/* In the receiving namespace: where what veil lets through lands. */
	sin.sin_port = htons(PF_DPORT);
	pf.udp_fd = ipsec ? socket(AF_INET, SOCK_DGRAM, 0) : -1;
	if (ipsec && (pf.udp_fd < 0 || setsockopt(pf.udp_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) ||
	    bind(pf.udp_fd, (struct sockaddr *)&sin, sizeof(sin))))
		die("the UDP port for delivered packets");
	pf.udp6_fd = -1;
	if (ipsec) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(PF_DPORT) };

		pf.udp6_fd = socket(AF_INET6, SOCK_DGRAM, 0);
		if (pf.udp6_fd < 0 ||
		    setsockopt(pf.udp6_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
		    setsockopt(pf.udp6_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) ||
		    bind(pf.udp6_fd, (struct sockaddr *)&sin6, sizeof(sin6)))
			die("the UDP port for delivered IPv6 packets");
	}
	if (tls) {
		sin.sin_port = htons(pf.tls_port);
		pf.tcp_fd = socket(AF_INET, SOCK_STREAM, 0);
		if (pf.tcp_fd < 0 ||
		    setsockopt(pf.tcp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(pf.tcp_fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(pf.tcp_fd, 16))
			die("the TLS listener");
	}
	counters_open();
	/* As on a kernel without CONFIG_XFRM_STATISTICS. */
	if (no_xfrm_stat && xfrm_fd >= 0) {
		close(xfrm_fd);
		xfrm_fd = -1;
	}

	/* Then the sending namespace. */
	fd = open(netns, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(netns);
	close(fd);
	pf.pkt_fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (pf.pkt_fd < 0)
		die("packet socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(pf.pkt_fd, SIOCGIFHWADDR, &ifr))
		die(dev);
	memcpy(pf.smac, ifr.ifr_hwaddr.sa_data, 6);
	pf.ifindex = if_nametoindex(dev);

	printf("TAP version 13\n1..%u\n", planned + 5);
	printf("# seed %llu\n", seed);
	counters(&start);
	/* Second pass: the SAs and their classes, in order. */
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *save = NULL, *cls;

		switch (o) {
		case 'a':
			if (parse_sa(optarg, &pf.sa))
				usage();
			pf.seq = 1;
			break;
		case 'q':
			pf.seq = strtoull(optarg, NULL, 0);
			pf.sa.seqhi = pf.seq >> 32;
			break;
		case 'C':
			copy = strdup(optarg);
			for (cls = strtok_r(copy, ",", &save); cls; cls = strtok_r(NULL, ",", &save))
				run_class(cls, random_count);
			free(copy);
			break;
		}
	}
	/*
	 * The packets taken for fragments: each alone in its queue (an
	 * identification of its own), given up on after ipfrag_time.
	 */
	for (o = 0; o < 50; o++) {
		counters(&end);
		reqds = ctr_get(&end, "IpReasmReqds") - ctr_get(&start, "IpReasmReqds");
		fails = ctr_get(&end, "IpReasmFails") - ctr_get(&start, "IpReasmFails");
		if (fails >= reqds)
			break;
		usleep(100 * 1000);
	}
	printf("# fragments: %llu made by the classes, %lld taken for reassembly, %lld given up, "
	       "%lld reassembled\n", total_frags, reqds, fails,
	       ctr_get(&end, "IpReasmOKs") - ctr_get(&start, "IpReasmOKs"));
	printf("%sok %u every fragment given up on, none reassembled\n",
	       fails == reqds && ctr_get(&end, "IpReasmOKs") == ctr_get(&start, "IpReasmOKs") ?
	       "" : "not ", ++ktap_n);
	failed |= fails != reqds;
	/* Drops no malformed packet has a reason to cause. */
	for (o = 0; o < 4; o++) {
		static const char *const stray[] = { "veil-no-sa", "veil-blocked", "veil-too-big",
						     "veil-expired" };
		long long d = ctr_get(&end, stray[o]) - ctr_get(&start, stray[o]);

		printf("%sok %u %s did not move\n", d ? "not " : "", ++ktap_n, stray[o]);
		failed |= !!d;
	}
	printf("# %llu malformed packets and records (seed %llu)\n", total_sent, seed);
	return failed;
}
