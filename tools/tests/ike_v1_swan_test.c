// SPDX-License-Identifier: GPL-2.0
/*
 * veil-iked's IKEv1 codec (iked/v1msg.c) and crypto (iked/v1crypto.c)
 * against strongSwan: a Main Mode with a pre-shared key and a Quick Mode
 * with PFS between two of strongSwan's charons, recorded in the test VM by
 * tests/ike_v1_swan_record.sh into tests/ike_v1_swan.txt. The other tests
 * of these units check them against our own second implementation; this
 * one against the octets another IKEv1 stack really sent and the keys it
 * really derived, so that a misreading of RFC 2409 shared by both of ours
 * shows up here.
 *
 * From the datagrams, the PSK and the g^xy the charons logged (no private
 * DH value is recorded, so g^xy cannot be recomputed), it parses all nine
 * messages, rebuilds the plaintext ones octet for octet, checks NAT-D,
 * derives the Phase 1 keys, decrypts messages 5 and 6 and the Quick Mode
 * along the IV chains, verifies HASH_I, HASH_R and HASH(1..3), and derives
 * both ESP SAs' KEYMAT; every derived value is compared with what the
 * charons logged, the ESP keys also with what they put in the kernel.
 *
 * Usage: ike_v1_swan_test [FIXTURE] (tests/ike_v1_swan.txt by default,
 * relative to tools/ where make runs it). KTAP output; the exit status is
 * non-zero when any check fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "isakmp.h"
#include "v1crypto.h"
#include "v1msg.h"

#include "ktap.h"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------
 * The fixture
 *
 * "psk HEX", "msg i2r|r2i SRC:PORT DST:PORT HEX" for each datagram in
 * capture order, "i.KEY HEX" and "r.KEY HEX" for what the initiator's and
 * the responder's charon logged (a key may repeat: "iv.M" after each
 * message of exchange M), "xfrm i|r SRC DST SPI ENC AUTH" for the kernel's
 * SAs. '#' starts a comment line.
 */

#define FX_MSGS_MAX	16
#define FX_VALS_MAX	96
#define FX_XFRM_MAX	8
#define FX_LEN_MAX	2048

struct fx_bytes {
	size_t len;
	uint8_t b[FX_LEN_MAX];
};

struct fx_msg {
	bool i2r;
	struct sockaddr_storage src, dst;
	struct fx_bytes d;
};

struct fx_val {
	char key[48];
	struct fx_bytes v;
};

struct fx_xfrm {
	char side;
	struct sockaddr_storage src, dst;
	struct fx_bytes spi, enc, auth;
};

static struct {
	struct fx_bytes psk;
	size_t n_msgs, n_vals, n_xfrm;
	struct fx_msg msg[FX_MSGS_MAX];
	struct fx_val val[FX_VALS_MAX];
	struct fx_xfrm xfrm[FX_XFRM_MAX];
} fx;

static bool unhex(struct fx_bytes *o, const char *hex)
{
	long n = ktap_unhex_try(hex, o->b, sizeof(o->b));

	o->len = n < 0 ? 0 : (size_t)n;
	return n >= 0;
}

/* "a.b.c.d" or "a.b.c.d:port" into a sockaddr_in */
static bool sa4(struct sockaddr_storage *ss, const char *text)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char a[64], *colon;

	if (strlen(text) >= sizeof(a))
		return false;
	strcpy(a, text);
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	colon = strchr(a, ':');
	if (colon) {
		*colon = 0;
		sin->sin_port = htons((uint16_t)atoi(colon + 1));
	}
	return inet_pton(AF_INET, a, &sin->sin_addr) == 1;
}

static bool fx_line(char *line)
{
	static char f[7][FX_LEN_MAX * 2 + 1];
	int n;

	line[strcspn(line, "\r\n")] = 0;
	if (!*line || *line == '#')
		return true;
	n = sscanf(line, "%4096s %4096s %4096s %4096s %4096s %4096s %4096s", f[0], f[1], f[2],
		   f[3], f[4], f[5], f[6]);
	if (n == 2 && !strcmp(f[0], "psk"))
		return unhex(&fx.psk, f[1]);
	if (n == 5 && !strcmp(f[0], "msg") && fx.n_msgs < FX_MSGS_MAX) {
		struct fx_msg *m = &fx.msg[fx.n_msgs++];

		m->i2r = !strcmp(f[1], "i2r");
		return (m->i2r || !strcmp(f[1], "r2i")) && sa4(&m->src, f[2]) &&
		       sa4(&m->dst, f[3]) && unhex(&m->d, f[4]);
	}
	if (n == 7 && !strcmp(f[0], "xfrm") && fx.n_xfrm < FX_XFRM_MAX) {
		struct fx_xfrm *x = &fx.xfrm[fx.n_xfrm++];

		x->side = f[1][0];
		return sa4(&x->src, f[2]) && sa4(&x->dst, f[3]) && unhex(&x->spi, f[4]) &&
		       x->spi.len == 4 && unhex(&x->enc, f[5]) && unhex(&x->auth, f[6]);
	}
	if (n == 2 && (f[0][0] == 'i' || f[0][0] == 'r') && f[0][1] == '.' &&
	    strlen(f[0]) < sizeof(fx.val[0].key) && fx.n_vals < FX_VALS_MAX) {
		struct fx_val *v = &fx.val[fx.n_vals++];

		strcpy(v->key, f[0]);
		return unhex(&v->v, f[1]);
	}
	return false;
}

static bool fx_load(const char *path)
{
	char line[FX_LEN_MAX * 2 + 256];
	unsigned int no = 0;
	bool ok = true;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		no++;
		if (!fx_line(line)) {
			printf("# %s:%u: not understood\n", path, no);
			ok = false;
		}
	}
	fclose(f);
	return ok;
}

/* The @nth (from 0) value logged under @key, NULL when there is none. */
static const struct fx_bytes *fx_get(const char *key, size_t nth)
{
	size_t i;

	for (i = 0; i < fx.n_vals; i++)
		if (!strcmp(fx.val[i].key, key) && !nth--)
			return &fx.val[i].v;
	return NULL;
}

static void hexdump(const char *what, const uint8_t *b, size_t len)
{
	size_t i;

	printf("#   %s (%zu):", what, len);
	for (i = 0; i < len; i++)
		printf("%s%02x", i % 32 ? "" : "\n#     ", b[i]);
	printf("\n");
}

static size_t n_matched;	/* comparisons with strongSwan's octets that matched */

static bool bytes_eq(const char *what, const uint8_t *want, size_t want_len, const uint8_t *got,
		     size_t got_len)
{
	if (want_len == got_len && !memcmp(want, got, got_len)) {
		n_matched++;
		return true;
	}
	printf("# %s differs:\n", what);
	hexdump("strongSwan's", want, want_len);
	hexdump("ours", got, got_len);
	return false;
}

/* @got equals the @nth value both charons logged under @key. */
static bool logged_eq(const char *key, size_t nth, const uint8_t *got, size_t len)
{
	const char *side[] = { "i.", "r." };
	const struct fx_bytes *want;
	char name[64];
	size_t i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(side); i++) {
		snprintf(name, sizeof(name), "%s%s", side[i], key);
		want = fx_get(name, nth);
		if (!want) {
			printf("# %s #%zu: not in the fixture\n", name, nth);
			ok = false;
			continue;
		}
		ok &= bytes_eq(name, want->b, want->len, got, len);
	}
	return ok;
}

#define CHECK_LOGGED(key, nth, got, len) CHECK(logged_eq(key, nth, got, len))

/* ------------------------------------------------------------------
 * What the tests work out in turn, each from the ones before
 */

enum { MM1, MM2, MM3, MM4, MM5, MM6, QM1, QM2, QM3, N_MSGS };

static const char *const msg_name[N_MSGS] = {
	"MM1", "MM2", "MM3", "MM4", "MM5", "MM6", "QM1", "QM2", "QM3",
};

static struct {
	bool loaded;
	struct ike_v1_msg m[N_MSGS];
	bool parsed[N_MSGS];
	/* the payloads: the message's own chain, or its decrypted body's */
	struct ike_v1_chain ch[N_MSGS];
	bool have_chain[N_MSGS];
	uint8_t plain[N_MSGS][FX_LEN_MAX];
	/* the Phase 1 SA's choice */
	uint16_t hash_alg, encr_alg, encr_keylen;
	struct ike_v1_phase1 p1;
	const uint8_t *sai_b;
	size_t sai_len;
	struct ike_v1_keys *k;
	uint32_t qm_msgid;
	uint8_t spi_i[4], spi_r[4];
	uint16_t esp_keylen;
	bool have_spis;
	struct ike_blob qm_ni, qm_nr;
} S;

static struct ike_v1_sa sa;	/* about 21 KB: not on the stack */

/* The body of the @nth payload of @type in message @m's chain, or NULL. */
static const struct ike_v1_payload *payload(int m, uint8_t type, size_t nth)
{
	int i = -1;

	if (!S.have_chain[m])
		return NULL;
	do {
		i = ike_v1_chain_find(&S.ch[m], type, (size_t)(i + 1));
	} while (i >= 0 && nth--);
	return i < 0 ? NULL : &S.ch[m].pl[i];
}

static bool chain_is(int m, const uint8_t *types, size_t n)
{
	size_t i;

	if (!S.have_chain[m] || S.ch[m].n != n)
		return false;
	for (i = 0; i < n; i++)
		if (S.ch[m].pl[i].type != types[i])
			return false;
	return true;
}

static bool attr_is(const struct ike_v1_transform *t, uint16_t type, uint64_t value)
{
	struct ike_v1_attr a;

	return ike_v1_transform_attr(t, type, &a) && a.value == value;
}

static const uint8_t *sin_addr(const struct sockaddr_storage *ss)
{
	return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
}

/* ------------------------------------------------------------------ */

static const char *fx_path = "tests/ike_v1_swan.txt";

/*
 * The recording: nine datagrams, alternating from the initiator, and the
 * values both charons logged, which must agree with each other (else the
 * recording, not our code, is wrong).
 */
static void t_fixture(void)
{
	const char *need[] = {
		"gxy", "skeyid", "skeyid_d", "skeyid_a", "skeyid_e", "enc_key", "p1_iv",
		"hash_i", "hash_r", "qm_hash1", "qm_hash2", "qm_hash3", "qm_gxy",
		"esp_enc_i", "esp_enc_r", "esp_integ_i", "esp_integ_r",
	};
	char name[64];
	size_t i, j, nth;

	if (!CHECK(fx_load(fx_path)))
		return;
	printf("# %s: %zu datagrams, %zu logged values, %zu XFRM SAs\n", fx_path, fx.n_msgs,
	       fx.n_vals, fx.n_xfrm);
	CHECK(fx.n_msgs == N_MSGS);
	CHECK(fx.psk.len > 0);
	CHECK(fx.n_xfrm == 4);
	for (i = 0; i < fx.n_msgs && i < N_MSGS; i++)
		CHECK(fx.msg[i].i2r == !(i % 2));
	for (i = 0; i < ARRAY_SIZE(need); i++) {
		snprintf(name, sizeof(name), "i.%s", need[i]);
		if (!fx_get(name, 0))
			printf("# %s missing\n", name);
		CHECK(fx_get(name, 0));
	}
	/* the responder's value of each key the initiator logged, in order */
	for (i = 0; i < fx.n_vals; i++) {
		const struct fx_bytes *r;

		if (fx.val[i].key[0] != 'i')
			continue;
		for (j = nth = 0; j < i; j++)
			nth += !strcmp(fx.val[j].key, fx.val[i].key);
		snprintf(name, sizeof(name), "r%s", fx.val[i].key + 1);
		r = fx_get(name, nth);
		if (!r || r->len != fx.val[i].v.len || memcmp(r->b, fx.val[i].v.b, r->len))
			printf("# %s #%zu: the charons disagree\n", name, nth);
		CHECK(r && r->len == fx.val[i].v.len && !memcmp(r->b, fx.val[i].v.b, r->len));
	}
	S.loaded = fx.n_msgs == N_MSGS;
}

/* Main Mode's plaintext messages: header, SA, KE, Nonce, NAT-D, VIDs. */
static void t_parse_mm(void)
{
	static const uint8_t zero[IKEV1_COOKIE_LEN];
	const struct ike_v1_transform *t;
	const struct ike_v1_payload *pl;
	struct ike_msg_err err;
	struct ike_blob b;
	struct ike_v1_attr a;
	int m, rc;

	if (!CHECK(S.loaded))
		return;
	for (m = 0; m < N_MSGS; m++) {
		const struct ike_v1_hdr *h = &S.m[m].hdr;
		bool qm = m >= QM1, enc = m >= MM5;

		rc = ike_v1_msg_parse(fx.msg[m].d.b, fx.msg[m].d.len, &S.m[m], &err);
		if (rc)
			printf("# %s: %s\n", msg_name[m], err.reason);
		if (!CHECK(rc == 0))
			continue;
		S.parsed[m] = true;
		CHECK(h->major == 1 && h->minor == 0);
		CHECK(h->length == fx.msg[m].d.len);
		CHECK(h->exchange == (qm ? IKEV1_EXCH_QUICK : IKEV1_EXCH_IDENTITY_PROT));
		CHECK(!!(h->flags & IKEV1_FLAG_ENCRYPTION) == enc);
		CHECK(qm ? h->msg_id != 0 : h->msg_id == 0);
		CHECK(!memcmp(h->icookie, S.m[MM1].hdr.icookie, IKEV1_COOKIE_LEN));
		CHECK(m == MM1 ? !memcmp(h->rcookie, zero, IKEV1_COOKIE_LEN) :
				 !memcmp(h->rcookie, S.m[MM2].hdr.rcookie, IKEV1_COOKIE_LEN) &&
				 memcmp(h->rcookie, zero, IKEV1_COOKIE_LEN));
		if (!enc) {
			S.ch[m] = S.m[m].chain;
			S.have_chain[m] = true;
		} else {
			CHECK(S.m[m].chain.n == 0);
		}
	}
	S.qm_msgid = S.m[QM1].hdr.msg_id;
	CHECK(S.m[QM2].hdr.msg_id == S.qm_msgid && S.m[QM3].hdr.msg_id == S.qm_msgid);

	/* MM1 and MM2: one ISAKMP proposal of one transform, echoed */
	for (m = MM1; m <= MM2; m++) {
		pl = payload(m, IKEV1_PL_SA, 0);
		if (!CHECK(pl) || !CHECK(ike_v1_msg_parse_sa(pl->body, pl->len, &sa, &err) == 0))
			return;
		CHECK(payload(m, IKEV1_PL_VID, 0));
		CHECK(sa.doi == IKEV1_DOI_IPSEC && sa.situation == IKEV1_SIT_IDENTITY_ONLY);
		if (!CHECK(sa.n_proposals == 1 && sa.prop[0].n_transforms == 1))
			return;
		CHECK(sa.prop[0].proto == IKEV1_PROTO_ISAKMP);
		t = &sa.prop[0].tr[0];
		CHECK(t->id == IKEV1_KEY_IKE);
		/* aes128-sha256-modp2048, PSK: as swanctl.conf said */
		CHECK(attr_is(t, IKEV1_P1_ENCR, IKEV1_ENCR_AES_CBC));
		CHECK(attr_is(t, IKEV1_P1_KEY_LENGTH, 128));
		CHECK(attr_is(t, IKEV1_P1_HASH, IKEV1_HASH_SHA2_256));
		CHECK(attr_is(t, IKEV1_P1_AUTH, IKEV1_AUTH_PSK));
		CHECK(attr_is(t, IKEV1_P1_GROUP, IKEV1_GROUP_MODP2048));
		if (m == MM1) {
			S.sai_b = pl->body;
			S.sai_len = pl->len;
			CHECK(ike_v1_transform_attr(t, IKEV1_P1_ENCR, &a));
			S.encr_alg = (uint16_t)a.value;
			CHECK(ike_v1_transform_attr(t, IKEV1_P1_KEY_LENGTH, &a));
			S.encr_keylen = (uint16_t)a.value;
			CHECK(ike_v1_transform_attr(t, IKEV1_P1_HASH, &a));
			S.hash_alg = (uint16_t)a.value;
		}
	}

	/* MM3 and MM4: KE (MODP2048: 256 octets), Nonce, two NAT-D */
	for (m = MM3; m <= MM4; m++) {
		struct ike_blob ke, nonce;

		pl = payload(m, IKEV1_PL_KE, 0);
		CHECK(pl && ike_v1_msg_parse_ke(pl->body, pl->len, &ke, &err) == 0 &&
		      ke.len == 256);
		pl = payload(m, IKEV1_PL_NONCE, 0);
		CHECK(pl && ike_v1_msg_parse_nonce(pl->body, pl->len, &nonce, &err) == 0);
		for (rc = 0; rc < 2; rc++) {
			pl = payload(m, IKEV1_PL_NAT_D, (size_t)rc);
			CHECK(pl && ike_v1_msg_parse_nat_d(pl->body, pl->len, &b, &err) == 0 &&
			      b.len == ike_v1_hash_len(S.hash_alg));
		}
		if (m == MM3) {
			S.p1.gxi = ke.data, S.p1.gxi_len = ke.len;
			S.p1.ni = nonce.data, S.p1.ni_len = nonce.len;
		} else {
			S.p1.gxr = ke.data, S.p1.gxr_len = ke.len;
			S.p1.nr = nonce.data, S.p1.nr_len = nonce.len;
		}
	}
	S.p1.cky_i = S.m[MM1].hdr.icookie;
	S.p1.cky_r = S.m[MM2].hdr.rcookie;
}

/*
 * Adds payload @pl to @b through the builder's own function for its type,
 * from the struct its parser gave: what veil-iked would send to say the
 * same. Types without a parsed form here go in raw.
 */
static int rebuild_one(struct ike_v1_builder *b, const struct ike_v1_payload *pl)
{
	struct ike_msg_err err;
	struct ike_v1_notify n;
	struct ike_v1_id id;
	struct ike_blob x;

	switch (pl->type) {
	case IKEV1_PL_SA:
		if (ike_v1_msg_parse_sa(pl->body, pl->len, &sa, &err))
			return -1;
		return ike_v1_msg_add_sa(b, &sa);
	case IKEV1_PL_KE:
		if (ike_v1_msg_parse_ke(pl->body, pl->len, &x, &err))
			return -1;
		return ike_v1_msg_add_ke(b, x.data, x.len);
	case IKEV1_PL_NONCE:
		if (ike_v1_msg_parse_nonce(pl->body, pl->len, &x, &err))
			return -1;
		return ike_v1_msg_add_nonce(b, x.data, x.len);
	case IKEV1_PL_HASH:
		if (ike_v1_msg_parse_hash(pl->body, pl->len, &x, &err))
			return -1;
		return ike_v1_msg_add_hash(b, x.data, x.len);
	case IKEV1_PL_VID:
		if (ike_v1_msg_parse_vendor(pl->body, pl->len, &x, &err))
			return -1;
		return ike_v1_msg_add_vendor(b, x.data, x.len);
	case IKEV1_PL_NAT_D:
		if (ike_v1_msg_parse_nat_d(pl->body, pl->len, &x, &err))
			return -1;
		return ike_v1_msg_add_nat_d(b, pl->type, x.data, x.len);
	case IKEV1_PL_ID:
		if (ike_v1_msg_parse_id(pl->body, pl->len, &id, &err))
			return -1;
		return ike_v1_msg_add_id(b, &id);
	case IKEV1_PL_N:
		if (ike_v1_msg_parse_notify(pl->body, pl->len, &n, &err))
			return -1;
		return ike_v1_msg_add_notify(b, &n);
	default:
		printf("# payload %u (%s) rebuilt raw\n", pl->type,
		       ike_v1_msg_payload_name(pl->type));
		return ike_v1_msg_add_raw(b, pl->type, pl->body, pl->len);
	}
}

/*
 * Message @m rebuilt from its parsed payloads: the whole datagram for a
 * plaintext message, the payloads without padding for an encrypted one.
 */
static bool rebuild(int m)
{
	static uint8_t out[FX_LEN_MAX];
	const struct ike_v1_chain *ch = &S.ch[m];
	struct ike_v1_builder b;
	bool enc = S.m[m].hdr.flags & IKEV1_FLAG_ENCRYPTION;
	size_t i, len = 0;

	if (enc)
		ike_v1_msg_chain_init(&b, out, sizeof(out));
	else
		ike_v1_msg_build_init(&b, out, sizeof(out), &S.m[m].hdr);
	for (i = 0; i < ch->n; i++)
		if (rebuild_one(&b, &ch->pl[i]))
			break;
	if (i < ch->n || ike_v1_msg_build_end(&b, &len)) {
		printf("# %s: payload %zu: %s\n", msg_name[m], i, b.err.reason);
		return false;
	}
	if (enc && ch->n > 1 && ch->pl[0].type == IKEV1_PL_HASH) {
		struct ike_blob after;
		size_t off, span;

		/*
		 * The spans veil-iked will hash and fill when it sends such a
		 * message: HASH's body, and what HASH(1) and HASH(2) cover.
		 */
		ike_v1_chain_after(ch, 0, &after);
		if (!CHECK(ike_v1_msg_span_after(&b, 0, &off, &span) == 0) ||
		    !CHECK(off == (size_t)(after.data - ch->start) && span == after.len) ||
		    !CHECK(ike_v1_msg_span_body(&b, 0, &off, &span) == 0) ||
		    !CHECK(off == (size_t)(ch->pl[0].body - ch->start) && span == ch->pl[0].len))
			return false;
	}
	if (enc)
		return b.first == S.m[m].hdr.next &&
		       bytes_eq(msg_name[m], ch->start, ch->len, out, len);
	return bytes_eq(msg_name[m], fx.msg[m].d.b, fx.msg[m].d.len, out, len);
}

/* Main Mode's plaintext messages rebuilt octet for octet. */
static void t_rebuild_mm(void)
{
	static struct ike_v1_attr attrs[IKE_V1_MSG_MAX_TRANSFORMS][IKE_V1_MSG_MAX_ATTRS];
	static uint8_t out[FX_LEN_MAX];
	const struct ike_v1_payload *pl;
	struct ike_v1_attr_iter it;
	struct ike_v1_builder b;
	struct ike_msg_err err;
	size_t t, n, len = 0;
	int m;

	for (m = MM1; m <= MM4; m++)
		CHECK(S.have_chain[m] && rebuild(m));

	/*
	 * MM1's SA once more, its attributes this time encoded from their
	 * values rather than copied: RFC 2409 Appendix A's TV and TLV forms
	 * as veil-iked writes them for a proposal of its own.
	 */
	pl = payload(MM1, IKEV1_PL_SA, 0);
	if (!CHECK(pl) || !CHECK(ike_v1_msg_parse_sa(pl->body, pl->len, &sa, &err) == 0))
		return;
	for (t = 0; t < sa.prop[0].n_transforms; t++) {
		struct ike_v1_transform *tr = &sa.prop[0].tr[t];

		ike_v1_attr_iter_init(&it, tr);
		for (n = 0; n < IKE_V1_MSG_MAX_ATTRS && ike_v1_attr_next(&it, &attrs[t][n]); n++)
			if (attrs[t][n].len <= 8)
				attrs[t][n].data = NULL;	/* from .value */
		CHECK(n == tr->n_attrs);
		tr->attr = attrs[t];
		tr->n_attrs = n;
	}
	ike_v1_msg_chain_init(&b, out, sizeof(out));
	ike_v1_msg_add_sa(&b, &sa);
	if (!CHECK(ike_v1_msg_build_end(&b, &len) == 0) || !CHECK(len >= IKEV1_PAYLOAD_HDR_LEN))
		return;
	CHECK(bytes_eq("MM1's SA from values", pl->body, pl->len, out + IKEV1_PAYLOAD_HDR_LEN,
		       len - IKEV1_PAYLOAD_HDR_LEN));
}

/*
 * RFC 3947 section 3.2: the first NAT-D is the hash of the datagram's
 * destination, the second of its source; no NAT between the charons, so
 * they are the addresses the datagram had.
 */
static void t_natd(void)
{
	uint8_t h[IKE_V1_HASH_MAX];
	const struct ike_v1_payload *pl;
	size_t hl = ike_v1_hash_len(S.hash_alg);
	int m, i;

	if (!CHECK(S.p1.cky_r && hl))
		return;
	for (m = MM3; m <= MM4; m++) {
		for (i = 0; i < 2; i++) {
			pl = payload(m, IKEV1_PL_NAT_D, (size_t)i);
			if (!CHECK(pl))
				continue;
			CHECK(ike_v1_natd(S.hash_alg, S.p1.cky_i, S.p1.cky_r,
					  i ? &fx.msg[m].src : &fx.msg[m].dst, h) == 0);
			CHECK(bytes_eq(i ? "NAT-D (source)" : "NAT-D (destination)", pl->body,
				       pl->len, h, hl));
		}
	}
}

/* SKEYID and its children, the encryption key and the first IV. */
static void t_keys(void)
{
	const struct fx_bytes *gxy = fx_get("i.gxy", 0);
	uint8_t iv[IKE_V1_BLOCK_MAX];
	struct ike_v1_keys *k;

	if (!CHECK(gxy && S.p1.gxi && S.p1.gxr && S.p1.ni && S.p1.nr && S.p1.cky_r))
		return;
	S.p1.gxy = gxy->b;
	S.p1.gxy_len = gxy->len;
	if (!CHECK(ike_v1_keys_new(S.hash_alg, S.encr_alg, S.encr_keylen, &k) == 0))
		return;
	CHECK(k->hash_len == 32 && k->key_len == 16 && k->block_len == 16);
	if (!CHECK(ike_v1_keys_derive(k, &S.p1, fx.psk.b, fx.psk.len) == 0)) {
		ike_v1_keys_free(k);
		return;
	}
	S.k = k;
	CHECK_LOGGED("skeyid", 0, k->skeyid, k->hash_len);
	CHECK_LOGGED("skeyid_d", 0, k->skeyid_d, k->hash_len);
	CHECK_LOGGED("skeyid_a", 0, k->skeyid_a, k->hash_len);
	CHECK_LOGGED("skeyid_e", 0, k->skeyid_e, k->hash_len);
	CHECK_LOGGED("enc_key", 0, k->enc_key, k->key_len);
	CHECK(ike_v1_iv_get(k, 0, iv) == 0);
	CHECK_LOGGED("p1_iv", 0, iv, k->block_len);
}

/*
 * Decrypts message @m along its exchange's IV chain and walks its
 * payloads; the IV it was decrypted with must be the one charon logged as
 * the next after the message before (@iv_nth - 1, or p1_iv).
 */
static bool decrypt(int m, const char *iv_key, size_t iv_nth)
{
	static struct ike_v1_keys k2;
	static uint8_t ct[FX_LEN_MAX];
	const struct ike_v1_msg *msg = &S.m[m];
	uint32_t msgid = msg->hdr.msg_id;
	uint8_t iv[IKE_V1_BLOCK_MAX];
	struct ike_msg_err err;
	size_t ct_len = 0, bl;
	int rc;

	if (!S.k || !S.parsed[m] || msg->body_len > sizeof(S.plain[m]))
		return false;
	if (!CHECK(ike_v1_iv_get(S.k, msgid, iv) == 0) ||
	    !CHECK_LOGGED(iv_key, iv_nth, iv, S.k->block_len))
		return false;
	k2 = *S.k;	/* the keys as they are now, to encrypt the message again */
	if (!CHECK(ike_v1_decrypt(S.k, msgid, msg->body, msg->body_len, S.plain[m]) == 0))
		return false;
	rc = ike_v1_msg_parse_chain(msg->hdr.next, S.plain[m], msg->body_len, true, &S.ch[m],
				    &err);
	if (rc) {
		printf("# %s decrypted: %s\n", msg_name[m], err.reason);
		return false;
	}
	S.have_chain[m] = true;
	/* RFC 2409 section 5.3: always some padding, at most a block */
	printf("# %s: %zu octets of payloads, %zu of padding\n", msg_name[m], S.ch[m].len,
	       S.ch[m].pad);
	CHECK(S.ch[m].pad >= 1 && S.ch[m].pad <= S.k->block_len);

	/*
	 * Encrypted again by ike_v1_encrypt(), the payloads come out as
	 * charon sent them but for the last block: charon pads with zeros
	 * (Appendix B), we end the padding with its length (section 5.3).
	 * Both are allowed and the receiver ignores what follows the last
	 * payload; the length, and so the header's Length, is the same.
	 */
	bl = S.k->block_len;
	CHECK(ike_v1_encrypt(&k2, msgid, S.ch[m].start, S.ch[m].len, ct, sizeof(ct),
			     &ct_len) == 0);
	CHECK(ct_len == msg->body_len);
	CHECK(ct_len >= bl && bytes_eq("re-encrypted", msg->body, ct_len - bl, ct, ct_len - bl));
	memset(&k2, 0, sizeof(k2));
	return true;
}

/*
 * Message @m's HASH payload is @want, which charon logged as @key; then the
 * message is accepted and its exchange's IV moves on to the one charon
 * logged as the @iv_nth after a message of it.
 */
static void hash_ok(int m, const char *key, const uint8_t *want, size_t iv_nth)
{
	const struct ike_v1_payload *pl = payload(m, IKEV1_PL_HASH, 0);
	uint8_t iv[IKE_V1_BLOCK_MAX];
	char iv_key[32];

	snprintf(iv_key, sizeof(iv_key), "iv.%u", (unsigned int)S.m[m].hdr.msg_id);
	if (!CHECK(pl))
		return;
	CHECK_LOGGED(key, 0, want, S.k->hash_len);
	CHECK(bytes_eq(msg_name[m], pl->body, pl->len, want, S.k->hash_len));
	CHECK(ike_v1_hash_check(S.k, want, pl->body, pl->len) == 0);
	/* Appendix B: the next IV is this message's last ciphertext block */
	CHECK(ike_v1_iv_confirm(S.k, S.m[m].hdr.msg_id) == 0);
	CHECK(ike_v1_iv_get(S.k, S.m[m].hdr.msg_id, iv) == 0);
	CHECK_LOGGED(iv_key, iv_nth, iv, S.k->block_len);
	CHECK(!memcmp(iv, S.m[m].body + S.m[m].body_len - S.k->block_len, S.k->block_len));
}

/* Main Mode 5 and 6: IDii, HASH_I, INITIAL-CONTACT; IDir, HASH_R. */
static void t_mm56(void)
{
	static const uint8_t mm5_types[] = { IKEV1_PL_ID, IKEV1_PL_HASH, IKEV1_PL_N };
	static const uint8_t mm6_types[] = { IKEV1_PL_ID, IKEV1_PL_HASH };
	const struct ike_v1_payload *pl, *idp;
	uint8_t h[IKE_V1_HASH_MAX];
	struct ike_msg_err err;
	struct ike_v1_notify n;
	struct ike_v1_id id;
	int m;

	if (!CHECK(S.k && S.sai_b))
		return;
	for (m = MM5; m <= MM6; m++) {
		/* the Phase 1 chain: p1_iv, then iv.0 after MM5 */
		if (!CHECK(decrypt(m, m == MM5 ? "p1_iv" : "iv.0", 0)))
			return;
		CHECK(m == MM5 ? chain_is(m, mm5_types, ARRAY_SIZE(mm5_types)) :
				 chain_is(m, mm6_types, ARRAY_SIZE(mm6_types)));
		/* the IDs are the addresses, as swanctl.conf said */
		idp = payload(m, IKEV1_PL_ID, 0);
		if (!CHECK(idp) || !CHECK(ike_v1_msg_parse_id(idp->body, idp->len, &id, &err) == 0))
			return;
		CHECK(id.type == IKEV1_ID_IPV4_ADDR && id.len == 4 &&
		      !memcmp(id.data, sin_addr(&fx.msg[m].src), 4));
		if (m == MM5) {
			pl = payload(m, IKEV1_PL_N, 0);
			CHECK(pl && ike_v1_msg_parse_notify(pl->body, pl->len, &n, &err) == 0 &&
			      n.type == IKEV1_N_INITIAL_CONTACT);
			CHECK(ike_v1_hash_i(S.k, &S.p1, S.sai_b, S.sai_len, idp->body, idp->len,
					    h) == 0);
			hash_ok(m, "hash_i", h, 0);
		} else {
			CHECK(ike_v1_hash_r(S.k, &S.p1, S.sai_b, S.sai_len, idp->body, idp->len,
					    h) == 0);
			hash_ok(m, "hash_r", h, 1);
		}
		CHECK(rebuild(m));
	}
}

/* A Quick Mode SA: ESP, aes128-sha256-modp2048 in tunnel mode; its SPI. */
static bool qm_sa(int m, uint8_t spi[4])
{
	const struct ike_v1_payload *pl = payload(m, IKEV1_PL_SA, 0);
	const struct ike_v1_transform *t;
	struct ike_msg_err err;

	if (!CHECK(pl) || !CHECK(ike_v1_msg_parse_sa(pl->body, pl->len, &sa, &err) == 0) ||
	    !CHECK(sa.n_proposals == 1 && sa.prop[0].n_transforms == 1))
		return false;
	CHECK(sa.prop[0].proto == IKEV1_PROTO_ESP);
	if (!CHECK(sa.prop[0].spi_size == 4))
		return false;
	memcpy(spi, sa.prop[0].spi, 4);
	t = &sa.prop[0].tr[0];
	CHECK(t->id == IKEV1_ESP_AES);
	CHECK(attr_is(t, IKEV1_P2_KEY_LENGTH, 128));
	CHECK(attr_is(t, IKEV1_P2_AUTH, IKEV1_P2_AUTH_HMAC_SHA2_256));
	CHECK(attr_is(t, IKEV1_P2_GROUP, IKEV1_GROUP_MODP2048));
	CHECK(attr_is(t, IKEV1_P2_ENCAP, IKEV1_ENCAP_TUNNEL));
	S.esp_keylen = 128;
	return true;
}

/* QM1 and QM2's IDci and IDcr: the two loopback subnets. */
static void qm_ids(int m)
{
	static const uint8_t net_i[8] = { 10, 97, 1, 0, 255, 255, 255, 0 };
	static const uint8_t net_r[8] = { 10, 97, 2, 0, 255, 255, 255, 0 };
	const struct ike_v1_payload *pl;
	struct ike_msg_err err;
	struct ike_v1_id id;
	int i;

	for (i = 0; i < 2; i++) {
		pl = payload(m, IKEV1_PL_ID, (size_t)i);
		if (!CHECK(pl) || !CHECK(ike_v1_msg_parse_id(pl->body, pl->len, &id, &err) == 0))
			continue;
		CHECK(id.type == IKEV1_ID_IPV4_ADDR_SUBNET && id.len == 8);
		CHECK(!memcmp(id.data, i ? net_r : net_i, 8));
	}
}

/* Quick Mode: HASH(1) SA Ni KE IDci IDcr, HASH(2) SA Nr KE IDci IDcr, HASH(3). */
static void t_qm(void)
{
	static const uint8_t qm12_types[] = {
		IKEV1_PL_HASH, IKEV1_PL_SA, IKEV1_PL_NONCE, IKEV1_PL_KE, IKEV1_PL_ID, IKEV1_PL_ID,
	};
	static const uint8_t qm3_types[] = { IKEV1_PL_HASH };
	const struct ike_v1_payload *pl;
	uint8_t h[IKE_V1_HASH_MAX];
	struct ike_msg_err err;
	struct ike_blob after, ke;
	char iv_key[32];
	int m;

	if (!CHECK(S.k && S.parsed[QM1]))
		return;
	snprintf(iv_key, sizeof(iv_key), "iv.%u", (unsigned int)S.qm_msgid);
	for (m = QM1; m <= QM3; m++) {
		/* iv.M #0 is the exchange's first IV, from Phase 1's last block */
		if (!CHECK(decrypt(m, iv_key, (size_t)(m - QM1))))
			return;
		if (m == QM3) {
			CHECK(chain_is(m, qm3_types, ARRAY_SIZE(qm3_types)));
			CHECK(ike_v1_qm_hash3(S.k, S.qm_msgid, S.qm_ni.data, S.qm_ni.len,
					      S.qm_nr.data, S.qm_nr.len, h) == 0);
			hash_ok(m, "qm_hash3", h, 3);
			CHECK(rebuild(m));
			break;
		}
		if (!CHECK(chain_is(m, qm12_types, ARRAY_SIZE(qm12_types))))
			return;
		if (!qm_sa(m, m == QM1 ? S.spi_i : S.spi_r))
			return;
		pl = payload(m, IKEV1_PL_NONCE, 0);
		CHECK(ike_v1_msg_parse_nonce(pl->body, pl->len, m == QM1 ? &S.qm_ni : &S.qm_nr,
					     &err) == 0);
		pl = payload(m, IKEV1_PL_KE, 0);
		CHECK(ike_v1_msg_parse_ke(pl->body, pl->len, &ke, &err) == 0 && ke.len == 256);
		qm_ids(m);
		/* HASH(1) and HASH(2) cover all after the HASH payload, no padding */
		ike_v1_chain_after(&S.ch[m], 0, &after);
		CHECK(after.data == S.ch[m].pl[1].body - IKEV1_PAYLOAD_HDR_LEN &&
		      after.data + after.len == S.ch[m].start + S.ch[m].len);
		if (m == QM1) {
			CHECK(ike_v1_qm_hash1(S.k, S.qm_msgid, after.data, after.len, h) == 0);
			hash_ok(m, "qm_hash1", h, 1);
		} else {
			CHECK(ike_v1_qm_hash2(S.k, S.qm_msgid, S.qm_ni.data, S.qm_ni.len, after.data,
					      after.len, h) == 0);
			hash_ok(m, "qm_hash2", h, 2);
		}
		CHECK(rebuild(m));
	}
	S.have_spis = true;
}

/*
 * KEYMAT of both ESP SAs with PFS (section 5.5): encryption key, then
 * integrity key, as charon logged them and as the kernel got them; the SA
 * towards the responder is keyed with the SPI the responder chose.
 */
static void t_keymat(void)
{
	const struct fx_bytes *gqm = fx_get("i.qm_gxy", 0);
	size_t enc_len = S.esp_keylen / 8, auth_len = 32, len = enc_len + auth_len, i, seen = 0;
	const struct sockaddr_storage *resp = &fx.msg[MM1].dst;
	uint8_t i2r[IKE_V1_KEYMAT_MAX], r2i[IKE_V1_KEYMAT_MAX];

	if (!CHECK(S.k && S.have_spis && gqm))
		return;
	printf("# PFS: g(qm)^xy of %zu octets from charon's log\n", gqm->len);
	CHECK(ike_v1_keymat_sa_pair(S.k, gqm->b, gqm->len, IKEV1_PROTO_ESP, S.spi_i, S.spi_r,
				    S.qm_ni.data, S.qm_ni.len, S.qm_nr.data, S.qm_nr.len, i2r, r2i,
				    len) == 0);
	CHECK_LOGGED("esp_enc_i", 0, i2r, enc_len);
	CHECK_LOGGED("esp_integ_i", 0, i2r + enc_len, auth_len);
	CHECK_LOGGED("esp_enc_r", 0, r2i, enc_len);
	CHECK_LOGGED("esp_integ_r", 0, r2i + enc_len, auth_len);
	for (i = 0; i < fx.n_xfrm; i++) {
		const struct fx_xfrm *x = &fx.xfrm[i];
		bool to_r = !memcmp(sin_addr(&x->dst), sin_addr(resp), 4);
		const uint8_t *km = to_r ? i2r : r2i;

		CHECK(!memcmp(x->spi.b, to_r ? S.spi_r : S.spi_i, 4));
		CHECK(bytes_eq("XFRM encryption key", x->enc.b, x->enc.len, km, enc_len));
		CHECK(bytes_eq("XFRM integrity key", x->auth.b, x->auth.len, km + enc_len,
			       auth_len));
		seen++;
	}
	CHECK(seen == 4);
}

static const struct ktap_test tests[] = {
	{ "fixture: 9 datagrams, both charons' values agree", t_fixture },
	{ "Main Mode: 9 headers, MM1-4's SA, KE, Nonce, NAT-D parse", t_parse_mm },
	{ "Main Mode 1-4 rebuilt octet for octet, MM1's SA from values", t_rebuild_mm },
	{ "NAT-D of MM3 and MM4 as received", t_natd },
	{ "SKEYID, SKEYID_d/a/e, Ka and the Phase 1 IV as charon's", t_keys },
	{ "MM5 and MM6 decrypted along the IV chain, HASH_I and HASH_R", t_mm56 },
	{ "Quick Mode decrypted, HASH(1), HASH(2), HASH(3)", t_qm },
	{ "KEYMAT with PFS as charon's and the kernel's ESP keys", t_keymat },
};

int main(int argc, char **argv)
{
	int rc;

	if (argc > 1)
		fx_path = argv[1];
	rc = ktap_run(tests, ARRAY_SIZE(tests));
	printf("# %zu comparisons with strongSwan's octets matched\n", n_matched);
	ike_v1_keys_free(S.k);
	return rc;
}
