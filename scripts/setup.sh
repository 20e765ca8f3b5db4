#!/usr/bin/env bash
# Installs or checks what Earshot needs on a Debian/Ubuntu machine: a JDK 17+, Maven, g++ and CMake
# to build, and the tools some tests use (espeak-ng speaks test clips, sox converts audio, Debian's chromium and
# chromium-driver run the browser page of `earshot serve` headless in BrowserPageTest).
# Runs apt-get when something is missing and we are root (or have sudo); otherwise says what to install.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
java_ok() {
  have java || return 1
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ -n "$v" ] && [ "$v" -ge 17 ]
}
java_ok || missing+=(openjdk-17-jdk-headless)
have mvn || missing+=(maven)
have g++ || missing+=(g++)
have cmake || missing+=(cmake)
have espeak-ng || missing+=(espeak-ng)
have sox || missing+=(sox)
# BrowserPageTest starts these two by path (nothing downloads a browser of its own); the driver must match the browser,
# so both come from Debian together.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# GCC's sanitizer runtimes, for the ASan/UBSan build of the C++ core
ls /usr/lib/x86_64-linux-gnu/libasan.so.* >/dev/null 2>&1 || ls /usr/lib/gcc/x86_64-linux-gnu/*/libasan.so >/dev/null 2>&1 \
  || missing+=(libasan8)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all prerequisites present (java, mvn, g++, cmake, espeak-ng, sox, libasan, chromium, chromedriver)"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif have sudo; then SUDO="sudo"; else
  echo "setup: missing ${missing[*]}; install them with: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: installed ${missing[*]}"
