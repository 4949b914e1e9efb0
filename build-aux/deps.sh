# build-aux/deps.sh — sourced by build-aux/run and build-aux/test.
#
# The packages Backup Access needs on Debian 12, and a function that installs
# only those that are missing, so that a second run does no needless work.

BA_BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libgnutls28-dev libsecret-1-dev
  desktop-file-utils appstream librsvg2-common
)

BA_TEST_PACKAGES=(
  xvfb xauth dbus dbus-daemon gnome-keyring libsecret-tools
  softhsm2 p11-kit gnutls-bin openssl python3
)

ba_missing_packages () {
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
      printf '%s\n' "$pkg"
    fi
  done
}

ba_ensure_packages () {
  local missing
  mapfile -t missing < <(ba_missing_packages "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "build-aux: these packages are missing and there is no sudo to install them: ${missing[*]}" >&2
      return 1
    fi
  fi

  echo "build-aux: installing ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ba_build () {
  local builddir=$1
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" . >&2
  fi
  ninja -C "$builddir" >&2
}
