#!/bin/sh
# System packages the voice extra needs: espeak-ng (the Spanish voice, and the fast test voice).
# Installs them only when missing, with apt-get (as root, or through sudo).
set -eu
command -v espeak-ng >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq espeak-ng >/dev/null
