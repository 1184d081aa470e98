# SPDX-License-Identifier: GPL-2.0
#
# veil: IPsec ESP/AH and a TLS record layer in a kernel module, with tools.
#
#   make                 module (for the kernel picked below) and tools
#   make KVER=<release>  module for that kernel (/lib/modules/<release>/build)
#   make KDIR=<dir>      module against that kernel build directory
#   make W=1             extra kernel warnings (make check insists on none)
#   make install         tools to $(DESTDIR)$(PREFIX)/sbin, module to
#                        $(DESTDIR)/lib/modules/$(KVER)/updates/
#   make check           install what is missing, build for both Debian 12
#                        kernels, test everything in VMs (see Documentation/testing.rst)
#   make check-debug     the same suite on a debug kernel (KASAN, UBSAN, lockdep,
#                        kmemleak), built once from linux-source-6.12 and cached
#   make fuzz            run each userspace parser's libFuzzer target (IKEv2, IKEv1,
#                        veil-iked.conf, the veil CLI) for FUZZ_SECONDS (60) each
#   make demo            boot a VM, load veil, show what it offers
#   make bench           boot a VM, time 100,000 SAs in veil and in XFRM
#   make uapi            regenerate kmod/uapi/linux/veil.h from the netlink spec

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system
BUILD ?= build

VERSION := $(shell sed -n 's/^\#define VEIL_MOD_VERSION "\(.*\)"/\1/p' kmod/version.h)

# The kernel is picked only when a target needs it, so `make tools` works
# on a machine without any kernel headers.
KSEL = $(eval KSEL := $$(shell scripts/pick-kernel.sh "$(KVER)" "$(KDIR)"))$(KSEL)
SEL_KVER = $(word 1,$(KSEL))
SEL_KDIR = $(word 2,$(KSEL))
MODDIR = $(abspath $(BUILD))/$(SEL_KVER)

.PHONY: all modules tools install install-module install-tools uapi check \
	check-debug fuzz demo bench clean

all: modules tools

# Kbuild writes objects beside the sources and 6.1 has no MO=, so each
# kernel gets its own copy of the module sources under build/<release>/.
# cp -p keeps timestamps, so unchanged files are not rebuilt.
modules:
	@test -n "$(SEL_KVER)" || exit 1
	@mkdir -p $(MODDIR)
	@cp -pR Kbuild kmod $(MODDIR)/
	$(MAKE) -C $(SEL_KDIR) M=$(MODDIR) modules
	@echo "veil: built $(MODDIR)/veil.ko"

tools:
	$(MAKE) -C tools VERSION=$(VERSION)

install: install-tools install-module

install-tools: tools
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR)
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 Documentation/man/veil.8 Documentation/man/veil-tls.8 \
		Documentation/man/veil-iked.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 Documentation/man/veil-iked.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' tools/iked/veil-iked.service.in \
		> $(DESTDIR)$(UNITDIR)/veil-iked.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/veil-iked.service

install-module: modules
	install -d $(DESTDIR)/lib/modules/$(SEL_KVER)/updates
	install -m 0644 $(MODDIR)/veil.ko $(DESTDIR)/lib/modules/$(SEL_KVER)/updates/
	@if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(SEL_KVER)"; depmod -a $(SEL_KVER); fi

uapi:
	scripts/uapi.sh generate

check:
	scripts/check.sh

check-debug:
	scripts/check-debug.sh

# Host-only, with clang's libFuzzer; see Documentation/hardening.rst.
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -C tools fuzz VERSION=$(VERSION) FUZZ_SECONDS=$(FUZZ_SECONDS)

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh $(KVER)

clean:
	rm -rf $(BUILD)
	$(MAKE) -C tools clean
