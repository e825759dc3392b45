# Shared by scripts/gauntlet and scripts/test: install what Gauntlet needs when it is missing.
# Sourced, not run. Debian 12 as root (or with sudo); Swift 6.2+ must already be on PATH.

gauntlet_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# apt_install PACKAGE... — installs the Debian packages that are not installed yet.
apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ -z "${GAUNTLET_APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq >&2
        export GAUNTLET_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

# pip_install MODULE=PACKAGE... — installs PyPI packages whose module cannot be imported yet.
pip_install() {
    local missing=()
    for pair in "$@"; do
        local module="${pair%%=*}" package="${pair#*=}"
        python3 -c "import $module" 2>/dev/null || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: pip installing ${missing[*]}" >&2
    python3 -m pip install -q --disable-pip-version-check "${missing[@]}" >&2
}

# The build needs libcurl (the load driver's transport) and zlib (gzip bodies).
gauntlet_build_deps() {
    apt_install libcurl4-openssl-dev zlib1g-dev pkg-config
}
