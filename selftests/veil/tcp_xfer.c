// SPDX-License-Identifier: GPL-2.0
/*
 * One TCP transfer for the ESP and AH tests, either end; C rather than
 * Python because each test starts hundreds of them under TCG, where an
 * interpreter's start-up costs more than a megabyte of traffic.
 *
 *   tcp_xfer serve ADDR PORT READY   accept one connection, print the
 *                                    SHA-256 of what arrives; READY is
 *                                    created once the socket listens
 *   tcp_xfer send ADDR PORT FILE SRC send FILE from address SRC with
 *                                    sendfile()
 *   tcp_xfer sum FILE                print the SHA-256 of FILE
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int resolve(const char *addr, const char *port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;

	if (getaddrinfo(addr, port, &hints, &ai)) {
		fprintf(stderr, "tcp_xfer: bad address %s port %s\n", addr, port);
		exit(1);
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return ss->ss_family;
}

static void set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = 60 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void print_sum(EVP_MD_CTX *md)
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int n, i;

	EVP_DigestFinal_ex(md, sum, &n);
	for (i = 0; i < n; i++)
		printf("%02x", sum[i]);
	putchar('\n');
}

static int sum_fd(int fd, EVP_MD_CTX *md)
{
	static char buf[1 << 16];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(md, buf, n);
	return n < 0 ? -1 : 0;
}

static int serve(const char *addr, const char *port, const char *ready)
{
	struct sockaddr_storage ss;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	socklen_t len;
	int one = 1, s, c, f;

	s = socket(resolve(addr, port, &ss, &len), SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len) || listen(s, 1))
		die("bind/listen");
	set_timeout(s);
	f = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (f < 0)
		die(ready);
	close(f);
	c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept");
	set_timeout(c);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	if (sum_fd(c, md))
		die("recv");
	print_sum(md);
	EVP_MD_CTX_free(md);
	return 0;
}

static int send_file(const char *addr, const char *port, const char *path, const char *src)
{
	struct sockaddr_storage ss, from;
	socklen_t len, flen;
	struct stat st;
	off_t off = 0;
	int s, f;

	s = socket(resolve(addr, port, &ss, &len), SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	resolve(src, "0", &from, &flen);
	if (bind(s, (struct sockaddr *)&from, flen))
		die("bind");
	set_timeout(s);
	if (connect(s, (struct sockaddr *)&ss, len))
		die("connect");
	f = open(path, O_RDONLY);
	if (f < 0 || fstat(f, &st))
		die(path);
	while (off < st.st_size)
		if (sendfile(s, f, &off, st.st_size - off) <= 0)
			die("sendfile");
	close(s);
	return 0;
}

static int sum_file(const char *path)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int f = open(path, O_RDONLY);

	if (f < 0)
		die(path);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	if (sum_fd(f, md))
		die(path);
	print_sum(md);
	EVP_MD_CTX_free(md);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argv[3], argv[4]);
	if (argc == 6 && !strcmp(argv[1], "send"))
		return send_file(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 3 && !strcmp(argv[1], "sum"))
		return sum_file(argv[2]);
	fprintf(stderr, "usage: tcp_xfer serve ADDR PORT READY | send ADDR PORT FILE SRC | sum FILE\n");
	return 2;
}
