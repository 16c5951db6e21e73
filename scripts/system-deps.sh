#!/bin/sh
# System packages the tests and the voice extra need, installed only when missing (apt-get, as
# root or through sudo): espeak-ng (the Spanish voice and the fast test voice); wamerican and
# wspanish (the word lists the safety net's sound-alike table is checked against); chromium (the
# browser the console's Playwright tests drive: /usr/bin/chromium, never a downloaded one).
set -eu
missing=""
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
[ -f /usr/share/dict/american-english ] || missing="$missing wamerican"
[ -f /usr/share/dict/spanish ] || missing="$missing wspanish"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
