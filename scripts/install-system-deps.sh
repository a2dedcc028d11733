#!/usr/bin/env bash
# The Debian packages the tests use, installed when they are missing and this runs as root:
#   chromium          pages that need JavaScript (tests/js), the crawl report read back in a browser
#   redis-server      distributed crawling (tests/distributed)
#   fonts-dejavu-core Arabic glyphs for the report test (fontconfig for fc-list)
# `make test` and `.ci/run` both call it. Not as root, it only names what is missing: those tests are
# then skipped (tests/conftest.py says so in one line).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
if ! command -v fc-list >/dev/null 2>&1; then
  need+=(fontconfig fonts-dejavu-core)
elif ! fc-list :lang=ar 2>/dev/null | grep -q .; then
  need+=(fonts-dejavu-core)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: not installed: ${need[*]} (not root); their tests will be skipped." \
       "Install them with: sudo scripts/install-system-deps.sh" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-system-deps: installing ${need[*]}" >&2
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
