#!/usr/bin/env bash
# Installs the headless browser the web page test drives: Debian's Chromium and its matching
# ChromeDriver. `./mvnw verify` runs this before the tests; it does nothing when both are there. The
# test points Selenium at /usr/bin/chromium and /usr/bin/chromedriver, so Selenium Manager never
# downloads a browser of its own. Fonts are listed because server images often have none and
# recommends are skipped: without them the page renders as empty boxes in screenshots.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi

refuse() {
  echo "The web page test needs Chromium and ChromeDriver at /usr/bin/chromium and /usr/bin/chromedriver." >&2
  echo "$1" >&2
  exit 1
}

command -v apt-get > /dev/null ||
  refuse "Install your system's chromium and chromedriver packages, or skip the tests with -DskipTests."
if [ "$(id -u)" -eq 0 ]; then
  as_root() { "$@"; }
elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
  as_root() { sudo -n "$@"; }
else
  refuse "Run once: sudo scripts/install-browser.sh"
fi

echo "Installing Debian's chromium and chromium-driver for the web page test..."
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  chromium chromium-driver fonts-liberation > /dev/null
/usr/bin/chromium --version
