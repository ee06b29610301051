#!/bin/sh
# Install the Debian packages that the browser tests and the PDFs need, if
# missing: Chromium (driven by Playwright with executable_path; a test tool's
# own browser download does not work on the city's closed network) and
# Korean fonts for WeasyPrint and screenshots; poppler-utils (pdftotext,
# pdffonts, pdfimages) with which the tests read the PDFs back; faketime, with
# which the suite is run under a faked clock (docs/testing.md); nginx and
# openssl, with which tests/test_nginx.py runs docs/deployment.md's nginx
# block in front of a live test server; libical's GObject binding
# (gir1.2-ical-3.0, python3-gi), with which tests/scheduling/test_feed_libical.py
# checks every calendar feed the way libical-based calendar apps read it;
# Java, which runs the Nu HTML Checker (npm vnu-jar) in tests/test_html_valid.py.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing="$missing fonts-noto-cjk"
command -v pdftotext >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v faketime >/dev/null 2>&1 || missing="$missing faketime"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
/usr/bin/python3 -c 'import gi; gi.require_version("ICalGLib", "3.0")' >/dev/null 2>&1 || missing="$missing gir1.2-ical-3.0 python3-gi"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "Missing Debian packages:$missing. Install them with: sudo apt-get install$missing" >&2
    echo "(browser and PDF tests will be skipped until then; under CI they fail)" >&2
    exit 0
fi
echo "Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
