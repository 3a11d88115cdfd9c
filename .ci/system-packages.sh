#!/bin/sh
# The system programs the document's browser and PDF tests use (tests/test_report_browser.py):
# Debian's chromium (Playwright drives it; its own browser download is not reachable),
# poppler-utils (pdfinfo, pdftotext, pdffonts, pdftoppm) and Pango (WeasyPrint's layout).
# Installs only what is missing, with apt-get, when this user may (root, or sudo without a
# password); otherwise says so: those tests then skip with the reason. Always exits 0.
# The README's test command (and so .ci/run) starts with: sh .ci/system-packages.sh
have() { command -v "$1" >/dev/null 2>&1; }
lib() {
    { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q "$1" ||
        ls /usr/lib/*/"$1" /usr/lib64/"$1" /usr/lib/"$1" >/dev/null 2>&1
}

missing=""
have chromium || [ -x /usr/bin/chromium ] || missing="$missing chromium"
for tool in pdfinfo pdftotext pdffonts pdftoppm; do
    have "$tool" || { missing="$missing poppler-utils"; break; }
done
lib libpango-1.0.so.0 || missing="$missing libpango-1.0-0"
lib libpangoft2-1.0.so.0 || missing="$missing libpangoft2-1.0-0"
[ -z "$missing" ] && exit 0

say() { echo "system-packages:$missing: $*" >&2; }
if ! have apt-get; then
    say "no apt-get here; the browser and PDF tests will skip"
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif have sudo && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    say "apt-get needs root (or sudo without a password); the browser and PDF tests will skip"
    exit 0
fi
log="${TMPDIR:-/tmp}/advisor-system-packages.log"
say "installing with apt-get (about a minute; log in $log)"
# shellcheck disable=SC2086  # $missing is a list of package names
if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y $missing >"$log" 2>&1; then
    # Stale package lists are the usual reason: refresh them once and try again.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update >>"$log" 2>&1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y $missing >>"$log" 2>&1 ||
        { tail -n 5 "$log" >&2; say "apt-get failed; the browser and PDF tests will skip"; }
fi
exit 0
