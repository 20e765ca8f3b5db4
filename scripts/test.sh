#!/usr/bin/env bash
# The whole test suite: every Maven module's tests (JUnit), then the C++ core on its own under CMake:
# its tests in a release build and again under AddressSanitizer + UndefinedBehaviorSanitizer with
# the leak check. Fails on the first failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/setup.sh"

echo "== Maven: build and JUnit tests of every module"
mvn -B -ntp install

echo "== CMake: C++ core tests (release)"
cmake -S cmake -B cmake/build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build cmake/build -j2 >/dev/null
ctest --test-dir cmake/build --output-on-failure

echo "== CMake: C++ core tests under ASan + UBSan + leak check"
cmake -S cmake -B cmake/build-asan -DEARSHOT_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build cmake/build-asan -j2 >/dev/null
ctest --test-dir cmake/build-asan --output-on-failure
