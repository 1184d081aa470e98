// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of veil-iked's configuration: identities, traffic
 * selectors, the configuration file and the secrets file; and of its
 * timer heap. Output is KTAP;
 * the exit status is non-zero when any check fails.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ikev2.h"
#include "timer.h"

#include "ktap.h"


static void id_ok(const char *text, uint8_t type, const char *formatted)
{
	struct iked_id id;
	char err[256], buf[512];

	if (!CHECK(!iked_id_parse(text, &id, err, sizeof(err)))) {
		printf("# \"%s\": %s\n", text, err);
		return;
	}
	CHECK(id.type == type);
	CHECK(!iked_id_format(&id, buf, sizeof(buf)));
	if (!CHECK(!strcmp(buf, formatted)))
		printf("# \"%s\" formats as \"%s\", not \"%s\"\n", text, buf, formatted);
}

static void id_bad(const char *text, const char *msg)
{
	struct iked_id id;
	char err[256] = "";

	CHECK(iked_id_parse(text, &id, err, sizeof(err)));
	if (!CHECK(strstr(err, msg)))
		printf("# \"%s\": \"%s\" lacks \"%s\"\n", text, err, msg);
}

static void test_ids(void)
{
	struct iked_id a, b;
	char err[256];

	id_ok("192.0.2.1", IKEV2_ID_IPV4_ADDR, "192.0.2.1");
	id_ok("2001:db8::1", IKEV2_ID_IPV6_ADDR, "2001:db8::1");
	id_ok("@gw.example.org", IKEV2_ID_FQDN, "gw.example.org");
	id_ok("gw.example.org", IKEV2_ID_FQDN, "gw.example.org");
	id_ok("alice@example.org", IKEV2_ID_RFC822_ADDR, "alice@example.org");
	id_ok("@#0a1B2c", IKEV2_ID_KEY_ID, "@#0a1b2c");
	id_ok("keyid:ff00", IKEV2_ID_KEY_ID, "@#ff00");
	id_ok("fqdn:192.0.2.1", IKEV2_ID_FQDN, "192.0.2.1");
	id_ok("email:x", IKEV2_ID_RFC822_ADDR, "x");
	id_ok("ipv4:10.0.0.1", IKEV2_ID_IPV4_ADDR, "10.0.0.1");
	id_ok("%any", 0, "%any");
	id_ok("C=CH, O=strongSwan Project, CN=moon.strongswan.org", IKEV2_ID_DER_ASN1_DN,
	      "C=CH, O=strongSwan Project, CN=moon.strongswan.org");
	id_ok("/C=CH/O=Org/CN=gw", IKEV2_ID_DER_ASN1_DN, "C=CH, O=Org, CN=gw");
	id_ok("CN=a\\, b", IKEV2_ID_DER_ASN1_DN, "CN=\"a, b\"");
	id_ok("E=x@y.org, CN=gw", IKEV2_ID_DER_ASN1_DN, "emailAddress=x@y.org, CN=gw");

	/* The DER is what a certificate's subject holds, not just any encoding. */
	CHECK(!iked_id_parse("CN=gw", &a, err, sizeof(err)));
	CHECK(a.len == 15);
	CHECK(!memcmp(a.data, "\x30\x0d\x31\x0b\x30\x09\x06\x03\x55\x04\x03\x0c\x02gw", 15));

	id_bad("", "empty");
	id_bad("ipv4:gw", "not an IPv4 address");
	id_bad("ipv6:10.0.0.1", "not an IPv6 address");
	id_bad("@#abc", "not a hex key ID");
	id_bad("@#zz", "not a hex key ID");
	id_bad("C=CH, junk", "not KEY=VALUE");
	id_bad("XYZ=1, CN=gw", "unknown DN attribute \"XYZ\"");
	id_bad("@", "empty");

	CHECK(!iked_id_parse("*.example.org", &a, err, sizeof(err)));
	CHECK(!iked_id_parse("gw.example.org", &b, err, sizeof(err)));
	CHECK(iked_id_match(&a, &b));
	CHECK(!iked_id_parse("gw.example.com", &b, err, sizeof(err)));
	CHECK(!iked_id_match(&a, &b));
	CHECK(!iked_id_parse("%any", &a, err, sizeof(err)));
	CHECK(iked_id_match(&a, &b));
	CHECK(!iked_id_parse("*@example.org", &a, err, sizeof(err)));
	CHECK(!iked_id_parse("bob@example.org", &b, err, sizeof(err)));
	CHECK(iked_id_match(&a, &b));
	/* an FQDN is not an e-mail address, whatever its text */
	CHECK(!iked_id_parse("fqdn:bob@example.org", &b, err, sizeof(err)));
	CHECK(!iked_id_match(&a, &b));
}

static void ts_ok(const char *text, const char *formatted)
{
	struct iked_ts ts;
	char err[256], buf[128];

	if (!CHECK(!iked_ts_parse(text, &ts, err, sizeof(err)))) {
		printf("# \"%s\": %s\n", text, err);
		return;
	}
	CHECK(!iked_ts_format(&ts, buf, sizeof(buf)));
	if (!CHECK(!strcmp(buf, formatted)))
		printf("# \"%s\" formats as \"%s\", not \"%s\"\n", text, buf, formatted);
}

static void ts_bad(const char *text, const char *msg)
{
	struct iked_ts ts;
	char err[256] = "";

	CHECK(iked_ts_parse(text, &ts, err, sizeof(err)));
	if (!CHECK(strstr(err, msg)))
		printf("# \"%s\": \"%s\" lacks \"%s\"\n", text, err, msg);
}

static struct iked_ts ts_of(const char *text)
{
	struct iked_ts ts;
	char err[256];

	if (!CHECK(!iked_ts_parse(text, &ts, err, sizeof(err))))
		printf("# %s\n", err);
	return ts;
}

static void test_ts(void)
{
	struct iked_ts a, b, r;
	char buf[128];
	int plen;

	ts_ok("10.1.0.0/16", "10.1.0.0/16");
	ts_ok("10.1.2.3/16", "10.1.0.0/16");
	ts_ok("10.1.0.5", "10.1.0.5/32");
	ts_ok("10.1.0.5-10.1.0.9", "10.1.0.5-10.1.0.9");
	ts_ok("10.1.0.0-10.1.0.255", "10.1.0.0/24");
	ts_ok("0.0.0.0/0", "0.0.0.0/0");
	ts_ok("::/0", "::/0");
	ts_ok("2001:db8::/32[tcp/443]", "2001:db8::/32[tcp/443]");
	ts_ok("10.0.0.0/8[udp/1024-2047]", "10.0.0.0/8[udp/1024-2047]");
	ts_ok("10.0.0.0/8[17/%any]", "10.0.0.0/8[udp]");
	ts_ok("10.0.0.0/8[icmp/8]", "10.0.0.0/8[icmp/8]");
	ts_ok("dynamic", "dynamic");
	ts_ok("dynamic[tcp/22]", "dynamic[tcp/22]");
	ts_ok("10.0.0.0/8[99]", "10.0.0.0/8[99]");

	ts_bad("10.0.0.0/33", "not ADDRESS/PREFIX");
	ts_bad("10.0.0.9-10.0.0.1", "first address is after its last");
	ts_bad("10.0.0.1-2001:db8::1", "not FIRST-LAST of one family");
	ts_bad("gw.example.org", "not an address");
	ts_bad("10.0.0.0/8[tcp/99999]", "ports are not");
	ts_bad("10.0.0.0/8[tcp/9-1]", "ports are not");
	ts_bad("10.0.0.0/8[bogus]", "unknown IP protocol");
	ts_bad("10.0.0.0/8[gre/5]", "ports need");
	ts_bad("10.0.0.0/8[tcp", "without \"]\"");

	a = ts_of("10.0.0.0/8");
	b = ts_of("10.1.0.0/16[tcp/80]");
	CHECK(iked_ts_intersect(&a, &b, &r));
	CHECK(!iked_ts_format(&r, buf, sizeof(buf)) && !strcmp(buf, "10.1.0.0/16[tcp/80]"));
	CHECK(iked_ts_contains(&a, &b));
	CHECK(!iked_ts_contains(&b, &a));
	a = ts_of("10.0.0.5-10.0.0.20");
	b = ts_of("10.0.0.16/28");
	CHECK(iked_ts_intersect(&a, &b, &r));
	CHECK(!iked_ts_format(&r, buf, sizeof(buf)) && !strcmp(buf, "10.0.0.16-10.0.0.20"));
	b = ts_of("10.0.1.0/24");
	CHECK(!iked_ts_intersect(&a, &b, &r));
	b = ts_of("::/0");
	CHECK(!iked_ts_intersect(&a, &b, &r));
	a = ts_of("0.0.0.0/0[udp]");
	b = ts_of("0.0.0.0/0[tcp]");
	CHECK(!iked_ts_intersect(&a, &b, &r));
	a = ts_of("0.0.0.0/0[tcp/1-100]");
	b = ts_of("0.0.0.0/0[tcp/200-300]");
	CHECK(!iked_ts_intersect(&a, &b, &r));
	a = ts_of("dynamic");
	CHECK(!iked_ts_intersect(&a, &b, &r));

	a = ts_of("192.0.2.0/25");
	CHECK(iked_ts_to_prefix(&a, &plen) && plen == 25);
	a = ts_of("192.0.2.1-192.0.2.2");
	CHECK(!iked_ts_to_prefix(&a, &plen));
	a = ts_of("192.0.2.2-192.0.2.3");
	CHECK(iked_ts_to_prefix(&a, &plen) && plen == 31);
}

static const char conf_full[] =
	"iked = { half_open_limit = 20; log = { ike = 2; knl = 0; };\n"
	"         retransmit_tries = 2; retransmit_timeout = 0.5; retransmit_base = 1.5;\n"
	"         fragment_size = 1400; };\n"
	"connections = {\n"
	"  gw = {\n"
	"    local_addrs = \"192.0.2.1\";\n"
	"    remote_addrs = \"198.51.100.2, 198.51.100.0/24\";\n"
	"    proposals = \"aes256gcm16-prf-sha384-x25519\";\n"
	"    rekey_time = \"2h\";\n"
	"    dpd_delay = 30;\n"
	"    fragmentation = \"no\";\n"
	"    version = 1;\n"
	"    local = { auth = \"psk\"; id = \"moon.example.org\"; };\n"
	"    remote = { auth = \"psk\"; id = \"sun.example.org\"; };\n"
	"    children = {\n"
	"      net = { local_ts = [\"10.1.0.0/16\", \"2001:db8:1::/48\"];\n"
	"              remote_ts = \"10.2.0.0/16, 2001:db8:2::/48\";\n"
	"              esp_proposals = \"aes128gcm16-x25519\";\n"
	"              start_action = \"trap\"; dpd_action = \"restart\";\n"
	"              rekey_time = \"30m\"; life_bytes = \"1G\"; rekey_bytes = \"512M\";\n"
	"              if_id_in = 7; };\n"
	"      host = { mode = \"transport\"; ah_proposals = \"sha256\"; };\n"
	"    };\n"
	"  };\n"
	"  certs = {\n"
	"    local = { auth = \"pubkey\"; certs = \"gw.pem\"; key = \"gw.key\"; };\n"
	"    remote = { auth = \"pubkey\"; cacerts = (\"ca.pem\", \"ca2.pem\"); id = \"*.example.org\"; };\n"
	"  };\n"
	"};\n";

static void test_conf(void)
{
	struct iked_config cfg;
	const struct iked_conn_cfg *gw, *ce;
	const struct iked_child_cfg *net, *host;
	char err[256], buf[128];

	if (!CHECK(!iked_conf_load_string(&cfg, conf_full, err, sizeof(err)))) {
		printf("# %s\n", err);
		return;
	}
	CHECK(cfg.n_conns == 2);
	CHECK(cfg.half_open_limit == 20);
	CHECK(cfg.retransmit_tries == 2 && cfg.retransmit_timeout_ms == 500);
	CHECK(cfg.retransmit_base > 1.49 && cfg.retransmit_base < 1.51);
	CHECK(cfg.fragment_size == 1400);
	CHECK(cfg.ike_port == 500 && cfg.natt_port == 4500);
	CHECK(cfg.log_levels[1] == 2 && cfg.log_levels[4] == 0 && cfg.log_levels[0] == 1);
	gw = &cfg.conns[0];
	CHECK(!strcmp(gw->name, "gw"));
	CHECK(gw->n_local_addrs == 1 && gw->n_remote_addrs == 2);
	CHECK(!iked_ts_format(&gw->remote_addrs[1], buf, sizeof(buf)) &&
	      !strcmp(buf, "198.51.100.0/24"));
	CHECK(!strcmp(gw->proposals, "aes256gcm16-prf-sha384-x25519"));
	CHECK(gw->rekey_time == 7200 && gw->over_time == 720 && gw->rand_time == 720);
	CHECK(gw->dpd_delay == 30);
	CHECK(!gw->fragmentation);
	CHECK(gw->version == 1);
	CHECK(gw->local_port == 500 && gw->remote_port == 500);
	CHECK(gw->local.method == IKED_AUTH_PSK && gw->local.has_id);
	CHECK(gw->local.id.type == IKEV2_ID_FQDN);
	CHECK(gw->n_children == 2);
	net = &gw->children[0];
	CHECK(!strcmp(net->name, "net"));
	CHECK(net->n_local_ts == 2 && net->n_remote_ts == 2);
	CHECK(net->local_ts[1].family == AF_INET6);
	CHECK(net->start_action == IKED_ACTION_TRAP && net->dpd_action == IKED_ACTION_RESTART);
	CHECK(net->close_action == IKED_ACTION_NONE);
	CHECK(net->rekey_time == 1800 && net->life_time == 1980 && net->rand_time == 180);
	CHECK(net->life_bytes == 1ULL << 30 && net->rekey_bytes == 512ULL << 20);
	CHECK(net->if_id_in == 7 && net->if_id_out == 0);
	CHECK(net->mode == IKED_MODE_TUNNEL && net->replay_window == 32);
	host = &gw->children[1];
	CHECK(host->mode == IKED_MODE_TRANSPORT);
	CHECK(!*host->esp_proposals && !strcmp(host->ah_proposals, "sha256"));
	CHECK(host->n_local_ts == 1 && host->local_ts[0].dynamic);
	CHECK(host->rekey_time == 3600 && host->life_time == 3960);
	ce = &cfg.conns[1];
	CHECK(!strcmp(ce->proposals, "default"));
	CHECK(ce->rekey_time == 14400 && ce->fragmentation && ce->n_children == 0);
	CHECK(ce->version == 2);
	CHECK(ce->local.method == IKED_AUTH_PUBKEY && ce->local.n_certs == 1);
	CHECK(!strcmp(ce->local.certs[0], "gw.pem") && !strcmp(ce->local.key, "gw.key"));
	CHECK(ce->remote.n_cacerts == 2 && !strcmp(ce->remote.cacerts[1], "ca2.pem"));
	CHECK(!ce->local.has_id && ce->remote.has_id);
	iked_conf_free(&cfg);
	CHECK(!cfg.conns && !cfg.n_conns);
}

/* A connection "c" with @body added, and what loading it must say. */
static void conf_bad(const char *body, const char *msg)
{
	struct iked_config cfg;
	char text[2048], err[256] = "";

	snprintf(text, sizeof(text),
		 "connections = {\n  c = {\n    remote_addrs = \"192.0.2.2\";\n%s\n  };\n};\n",
		 body);
	CHECK(iked_conf_load_string(&cfg, text, err, sizeof(err)));
	if (!CHECK(strstr(err, msg)))
		printf("# [%s]: \"%s\" lacks \"%s\"\n", body, err, msg);
}

#define PSK "local = { auth = \"psk\"; }; remote = { auth = \"psk\"; };"

static void test_conf_errors(void)
{
	struct iked_config cfg;
	char err[256] = "";

	conf_bad(PSK " remote_addr = \"x\";", "line 4: connection c: unknown setting \"remote_addr\"");
	conf_bad(PSK " rekey_time = \"4 hours\";", "rekey_time must be a duration");
	conf_bad(PSK " local_port = 0;", "local_port must be a port");
	conf_bad(PSK " local_port = 70000;", "local_port must be a port from 1 to 65535");
	conf_bad(PSK " fragmentation = \"maybe\";", "fragmentation must be yes or no");
	conf_bad(PSK " version = 3;", "version must be 1 (IKEv1) or 2 (IKEv2)");
	/* IKEv1: one method for both ends; certificates in Main Mode only */
	conf_bad("version = 1; local = { auth = \"psk\"; };"
		 " remote = { auth = \"pubkey\"; cacerts = \"ca.pem\"; };",
		 "connection c: IKEv1 authenticates both ends alike");
	conf_bad("version = 1; aggressive = \"yes\";"
		 " local = { auth = \"pubkey\"; certs = \"gw.pem\"; };"
		 " remote = { auth = \"pubkey\"; cacerts = \"ca.pem\"; };",
		 "IKEv1 Aggressive Mode is for pre-shared keys only");
	conf_bad(PSK " local_addrs = \"%any\";", "write %any4 or %any6");
	conf_bad(PSK " local_addrs = \"10.0.0.0/8[tcp]\";", "is not an address");
	conf_bad(PSK " proposals = 5;", "proposals must be a string");
	conf_bad("remote = { auth = \"psk\"; };", "connection c: no local");
	conf_bad("local = { auth = \"psk\"; };", "connection c: no remote");
	conf_bad("local = { auth = \"cert\"; }; remote = { auth = \"psk\"; };",
		 "connection c, local: auth \"cert\": expected psk or pubkey");
	conf_bad("local = { auth = \"pubkey\"; }; remote = { auth = \"psk\"; };",
		 "local auth = \"pubkey\" needs certs");
	conf_bad("local = { auth = \"psk\"; }; remote = { auth = \"pubkey\"; };",
		 "remote auth = \"pubkey\" needs cacerts");
	conf_bad("local = { auth = \"psk\"; id = \"ipv4:x\"; }; remote = { auth = \"psk\"; };",
		 "not an IPv4 address");
	conf_bad(PSK " children = { n = { local_ts = \"10.0.0.0/40\"; }; };",
		 "child c.n: traffic selector \"10.0.0.0/40\"");
	conf_bad(PSK " children = { n = { mode = \"beet\"; }; };",
		 "child c.n: mode \"beet\": expected tunnel or transport");
	conf_bad(PSK " children = { n = { esp_proposals = \"aes\"; ah_proposals = \"sha1\"; }; };",
		 "esp_proposals and ah_proposals together");
	conf_bad(PSK " children = { n = { rekey_time = 100; life_time = 90; }; };",
		 "life_time (90 s) must be longer than rekey_time (100 s)");
	conf_bad(PSK " children = { n = { rekey_bytes = 10; life_bytes = 5; }; };",
		 "life_bytes must be more than rekey_bytes");
	conf_bad(PSK " children = { n = { start_action = \"up\"; }; };",
		 "expected none, trap or start");
	conf_bad(PSK " children = 1;", "children must be a group");
	conf_bad(PSK " children = { n = { bogus = 1; }; };", "child c.n: unknown setting \"bogus\"");
	conf_bad(PSK " rekey_time = 100; rand_time = 100;", "rand_time (100 s) must be shorter");

	/* An initiator needs somewhere to send to. */
	CHECK(iked_conf_load_string(&cfg, "connections = { c = { remote_addrs = \"10.0.0.0/8\"; "
				    PSK " children = { n = { start_action = \"start\"; }; }; }; };",
				    err, sizeof(err)));
	CHECK(strstr(err, "needs a single address in remote_addrs"));
	CHECK(iked_conf_load_string(&cfg, "connections = { c = { " PSK
				    " children = { n = { start_action = \"trap\"; }; }; }; };",
				    err, sizeof(err)));
	CHECK(strstr(err, "needs a single address in remote_addrs"));
	/* libconfig's own syntax errors keep their line */
	CHECK(iked_conf_load_string(&cfg, "connections = {\n c = {\n", err, sizeof(err)));
	CHECK(strstr(err, "configuration:3: syntax error"));
	CHECK(iked_conf_load_string(&cfg, "connection = { };", err, sizeof(err)));
	CHECK(strstr(err, "unknown section \"connection\""));
	CHECK(iked_conf_load_string(&cfg, "iked = { retransmit_base = 0.5; };", err, sizeof(err)));
	CHECK(strstr(err, "retransmit_base must be a number from 1 to 10"));
	iked_conf_free(&cfg);
	CHECK(iked_conf_load_string(&cfg, "iked = { fragment_size = 500; };", err, sizeof(err)));
	CHECK(strstr(err, "fragment_size must be from 576 to 65535 bytes"));
	CHECK(iked_conf_load_string(&cfg, "iked = { retransmit_timeout = \"4s\"; };", err,
				    sizeof(err)));
	CHECK(strstr(err, "retransmit_timeout must be seconds"));
	CHECK(iked_conf_load_string(&cfg, "iked = { log = { foo = 1; }; };", err, sizeof(err)));
	CHECK(strstr(err, "unknown subsystem \"foo\""));
	CHECK(iked_conf_load(&cfg, "/nonexistent/iked.conf", err, sizeof(err)));
	CHECK(strstr(err, "/nonexistent/iked.conf: No such file"));
}

static void test_secrets(void)
{
	static const char text[] =
		"secrets = {\n"
		"  gw = { id = \"moon.example.org\"; id-2 = \"sun.example.org\"; secret = \"0x0102ff\"; };\n"
		"  sun = { id = \"sun.example.org\"; secret = \"0sYWJjZA==\"; };\n"
		"  any = { secret = \"a plain one\"; };\n"
		"};\n";
	struct iked_config cfg = { 0 };
	const struct iked_secret *s;
	struct iked_id moon, sun, other;
	char err[256] = "", path[] = "/tmp/ike_conf_test.XXXXXX";
	FILE *f;
	int fd;

	if (!CHECK(!iked_secrets_load_string(&cfg, text, err, sizeof(err)))) {
		printf("# %s\n", err);
		return;
	}
	CHECK(cfg.n_secrets == 3);
	CHECK(cfg.secrets[0].len == 3 && !memcmp(cfg.secrets[0].key, "\x01\x02\xff", 3));
	CHECK(cfg.secrets[0].n_ids == 2);
	CHECK(cfg.secrets[1].len == 4 && !memcmp(cfg.secrets[1].key, "abcd", 4));
	CHECK(cfg.secrets[2].len == 11 && !memcmp(cfg.secrets[2].key, "a plain one", 11));
	CHECK(!iked_id_parse("moon.example.org", &moon, err, sizeof(err)));
	CHECK(!iked_id_parse("sun.example.org", &sun, err, sizeof(err)));
	CHECK(!iked_id_parse("venus.example.org", &other, err, sizeof(err)));
	/* both ends named beats one, which beats none */
	s = iked_secret_find(&cfg, &moon, &sun);
	CHECK(s == &cfg.secrets[0]);
	s = iked_secret_find(&cfg, &other, &sun);
	CHECK(s == &cfg.secrets[0] || s == &cfg.secrets[1]);
	CHECK(s && s->n_ids);
	s = iked_secret_find(&cfg, &other, &other);
	CHECK(s == &cfg.secrets[2]);
	iked_conf_free(&cfg);

	CHECK(iked_secrets_load_string(&cfg, "secrets = { a = { secret = \"0xabc\"; }; };", err,
				       sizeof(err)));
	CHECK(strstr(err, "secret a: secret must be a string"));
	iked_conf_free(&cfg);
	CHECK(iked_secrets_load_string(&cfg, "secrets = { a = { id = \"x\"; }; };", err,
				       sizeof(err)));
	CHECK(strstr(err, "secret a: no secret"));
	iked_conf_free(&cfg);
	CHECK(iked_secrets_load_string(&cfg, "secrets = { a = { key = \"x\"; }; };", err,
				       sizeof(err)));
	CHECK(strstr(err, "unknown setting \"key\""));
	iked_conf_free(&cfg);

	/* A file others may read is refused, and accepted once it is 0600. */
	fd = mkstemp(path);
	if (!CHECK(fd >= 0))
		return;
	f = fdopen(fd, "w");
	fputs(text, f);
	fflush(f);
	CHECK(!fchmod(fd, 0644));
	CHECK(iked_secrets_load(&cfg, path, true, err, sizeof(err)));
	CHECK(strstr(err, "mode 0644") && strstr(err, "chmod 600"));
	CHECK(!fchmod(fd, 0600));
	CHECK(!iked_secrets_load(&cfg, path, true, err, sizeof(err)));
	CHECK(cfg.n_secrets == 3);
	iked_conf_free(&cfg);
	fclose(f);
	unlink(path);
}

static void test_time(void)
{
	uint32_t t;

	CHECK(!iked_conf_time("90", &t) && t == 90);
	CHECK(!iked_conf_time("90s", &t) && t == 90);
	CHECK(!iked_conf_time("30m", &t) && t == 1800);
	CHECK(!iked_conf_time("4h", &t) && t == 14400);
	CHECK(!iked_conf_time("1d", &t) && t == 86400);
	CHECK(iked_conf_time("1w", &t));
	CHECK(iked_conf_time("h", &t));
	CHECK(iked_conf_time("-1", &t));
	CHECK(iked_conf_time("99999999999", &t));
}

struct tick {
	struct iked_timer t;
	int order;
};

static int tick_seq;

static void tick_fn(struct iked_timer *t)
{
	iked_container_of(t, struct tick, t)->order = ++tick_seq;
}

static void test_timers(void)
{
	static struct tick ticks[200];
	int i, n = sizeof(ticks) / sizeof(ticks[0]);

	/* Armed out of order; some cancelled, some set again: the rest fire by time. */
	for (i = 0; i < n; i++) {
		iked_timer_init(&ticks[i].t, tick_fn);
		CHECK(!iked_timer_set(&ticks[i].t, (i * 7919) % n + 1));
	}
	for (i = 0; i < n; i += 3)
		iked_timer_cancel(&ticks[i].t);
	for (i = 1; i < n; i += 5)
		CHECK(!iked_timer_set(&ticks[i].t, 0));
	CHECK(iked_timers_wait_ms() == 0);
	iked_timers_run();
	for (i = 1; i < n; i += 5)
		CHECK(ticks[i].order > 0 && !iked_timer_armed(&ticks[i].t));
	/* The rest, in order of their deadlines, once they are due. */
	while (iked_timers_wait_ms() >= 0) {
		struct timespec ts = { 0, 2000000 };

		nanosleep(&ts, NULL);
		iked_timers_run();
	}
	for (i = 0; i < n; i++) {
		if (i % 3 == 0 && i % 5 != 1)
			CHECK(!ticks[i].order);
		else
			CHECK(ticks[i].order > 0);
	}
	for (i = 0; i < n; i++) {
		int j;

		if (!ticks[i].order || i % 5 == 1)
			continue;
		for (j = 0; j < n; j++)
			if (ticks[j].order && j % 5 != 1 &&
			    (j * 7919) % n < (i * 7919) % n)
				CHECK(ticks[j].order < ticks[i].order);
	}
	iked_timers_free();
}

static const struct ktap_test tests[] = {
	{ "identities", test_ids },
	{ "traffic selectors", test_ts },
	{ "durations", test_time },
	{ "a full configuration and its defaults", test_conf },
	{ "configuration errors name file, line and setting", test_conf_errors },
	{ "secrets", test_secrets },
	{ "timers fire in order, cancelled ones never", test_timers },
};

int main(void)
{
	return ktap_run(tests, sizeof(tests) / sizeof(tests[0]));
}
