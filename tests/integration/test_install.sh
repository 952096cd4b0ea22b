#!/usr/bin/env bash
# `cmake --install` lays Dropline out as a package would (CONTRACT.md section
# 19): the binary, the man page dropline(1), the docs, the example
# environment file and the systemd unit, whose ExecStart names the installed
# binary under whatever prefix the install was given. The man page and the
# example file cover every command, option and DROPLINE_* variable the
# program has. Where man and systemd-analyze exist, the page renders and the
# unit verifies; where they do not, those parts are skipped with a message.
#
# Usage: test_install.sh BUILD_DIR SOURCE_DIR [MAN_PAGE_BUILT (1 or 0)]
set -euo pipefail

build=$1
src=$2
man_built=${3:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
need_file() {
	[ -f "$1" ] || fail "not installed: ${1#"$work"/*/}"
}

# Installs into $work/NAME with the given prefix.
install_to() {
	local name=$1 prefix=$2
	if ! DESTDIR="$work/$name" cmake --install "$build" --prefix "$prefix" >"$work/$name.log" 2>&1; then
		cat "$work/$name.log" >&2
		echo "FAIL: cmake --install --prefix $prefix" >&2
		exit 1
	fi
}

install_to root /usr
root=$work/root
bin=$root/usr/bin/dropline
doc=$root/usr/share/doc/dropline
unit=$root/usr/lib/systemd/system/dropline.service

# The binary, and that it runs.
[ -x "$bin" ] || fail "not installed: usr/bin/dropline"
version=$("$bin" --version) || fail "usr/bin/dropline --version failed"
[[ $version == "dropline "* ]] || fail "usr/bin/dropline --version printed '$version'"

# The docs, with README.md's links to docs/ intact, and the example environment.
need_file "$doc/README.md"
need_file "$doc/LICENSE"
for f in "$src"/docs/*.md; do
	need_file "$doc/docs/$(basename "$f")"
done
need_file "$doc/examples/dropline.default"

# The unit: ExecStart names the binary of this prefix; the settings asked for are there.
need_file "$unit"
if [ -f "$unit" ]; then
	grep -qx 'ExecStart=/usr/bin/dropline serve --db /var/lib/dropline/dropline.db' "$unit" ||
		fail "ExecStart of the unit: $(grep '^ExecStart=' "$unit")"
	for line in Type=simple DynamicUser=yes StateDirectory=dropline \
		EnvironmentFile=-/etc/default/dropline ProtectSystem=strict ProtectHome=yes \
		NoNewPrivileges=yes PrivateTmp=yes PrivateDevices=yes ProtectKernelTunables=yes \
		ProtectKernelModules=yes ProtectControlGroups=yes \
		'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' RestrictNamespaces=yes \
		LockPersonality=yes MemoryDenyWriteExecute=yes SystemCallFilter=@system-service \
		KillSignal=SIGTERM 'ExecReload=/bin/kill -HUP $MAINPID' TimeoutStopSec=30 Restart=on-failure LimitNOFILE=65536 \
		WantedBy=multi-user.target; do
		grep -qx "$line" "$unit" || fail "the unit lacks $line"
	done
fi

# Another prefix, another ExecStart: the unit is made at install time.
install_to opt /opt/dropline
grep -qx 'ExecStart=/opt/dropline/bin/dropline serve --db /var/lib/dropline/dropline.db' \
	"$work/opt/opt/dropline/lib/systemd/system/dropline.service" ||
	fail "with --prefix /opt/dropline the unit does not start /opt/dropline/bin/dropline"

# Every DROPLINE_* variable the program reads is in the example file and the man page.
# (The CLI names each as a string of its own: "DROPLINE_DB".)
mapfile -t variables < <(grep -ho '"DROPLINE_[A-Z_]*"' "$src"/src/cli/*.c | tr -d '"' | sort -u)
[ ${#variables[@]} -gt 0 ] || fail "found no DROPLINE_* variable in src/cli"
for v in "${variables[@]}"; do
	grep -q "^#\?$v=" "$doc/examples/dropline.default" || fail "examples/dropline.default lacks $v"
done

page=""
for candidate in "$root/usr/share/man/man1/dropline.1" "$root/usr/share/man/man1/dropline.1.gz"; do
	[ -f "$candidate" ] && page=$candidate
done
if [ "$man_built" != 1 ]; then
	echo "SKIP man page: scdoc was not found when the build was configured"
elif [ -z "$page" ]; then
	fail "not installed: usr/share/man/man1/dropline.1"
else
	text=$work/dropline.1.txt
	if [[ $page == *.gz ]]; then gzip -dc "$page" >"$text"; else cp "$page" "$text"; fi
	for v in "${variables[@]}"; do
		grep -q "$v" "$text" || fail "the man page lacks $v"
	done
	# Every command and every option that --help shows. roff writes a dash as \-.
	sed 's/\\-/-/g; s/\\//g' "$text" >"$text.plain"
	for cmd in serve demo "keys create" "keys list" "keys revoke" "catalog import" migrate backup; do
		grep -q "dropline $cmd" "$text.plain" || fail "the man page lacks 'dropline $cmd'"
	done
	mapfile -t options < <(for c in serve demo keys catalog migrate backup; do "$bin" "$c" --help; done |
		grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ ${#options[@]} -gt 0 ] || fail "found no option in --help"
	for o in "${options[@]}" --help --version; do
		grep -q -- "$o" "$text.plain" || fail "the man page lacks $o"
	done
	for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT "EXIT STATUS" SIGNALS FILES; do
		grep -q "^\.SH \"\?$section\"\?" "$text" || fail "the man page has no $section section"
	done
	if command -v man >/dev/null; then
		rendered=$(MANPAGER=cat MANWIDTH=80 man -l "$page" 2>"$work/man.err") ||
			fail "man -l: $(cat "$work/man.err")"
		grep -q "dropline - purchase-order exchange" <<<"$rendered" ||
			fail "man -l did not render the NAME line"
	else
		echo "SKIP man -l: man is not installed"
	fi
fi

# systemd-analyze verify needs ExecStart's binary to exist: a copy of the
# unit pointing at the DESTDIR one. It needs no running systemd.
if command -v systemd-analyze >/dev/null && [ -f "$unit" ]; then
	mkdir -p "$work/verify"
	sed "s|^ExecStart=/usr/bin/dropline|ExecStart=$bin|" "$unit" >"$work/verify/dropline.service"
	if ! systemd-analyze verify --man=no "$work/verify/dropline.service" >"$work/verify.log" 2>&1; then
		cat "$work/verify.log" >&2
		fail "systemd-analyze verify dropline.service"
	elif [ -s "$work/verify.log" ]; then
		# It exits 0 on some complaints: any line it writes is one.
		cat "$work/verify.log" >&2
		fail "systemd-analyze verify complained about dropline.service"
	fi
else
	echo "SKIP systemd-analyze verify: systemd-analyze is not installed"
fi

if [ "$failures" -ne 0 ]; then
	echo "install: $failures problem(s)" >&2
	exit 1
fi
echo "install: layout, man page and unit as expected"
