#!/usr/bin/env bash
# Installs the headless browser the web page test drives: Debian's Chromium and its matching
# ChromeDriver. The test points Selenium at /usr/bin/chromium and /usr/bin/chromedriver, so Selenium
# Manager never downloads a browser of its own. Fonts are listed because server images often have
# none and recommends are skipped: without them the page renders as empty boxes in screenshots.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  chromium chromium-driver fonts-liberation > /dev/null
/usr/bin/chromium --version
