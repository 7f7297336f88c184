#!/bin/sh
# The memorial frame's kiosk in the desktop session (labwc on Raspberry Pi OS bookworm).
# install.sh --frame copies this to /opt/companion/frame-kiosk.sh and starts it from
# ~/.config/labwc/autostart. It shows the frame's page (served by companion-frame.service on
# 127.0.0.1) full screen, and powers the screen off at night when [frame] night_mode = "off":
# the page's own view says when it is night (and keeps the screen on during a conversation).
COMPANION=/opt/companion/venv/bin/companion
CONFIG=/etc/companion/companion.toml
PORT="${COMPANION_FRAME_PORT:-8787}"

if command -v wlopm >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
    (
        screen=on
        while sleep 30; do
            night="$(curl -fsS --noproxy '*' "http://127.0.0.1:$PORT/view" 2>/dev/null | tr -d ' ' | sed -n 's/.*"night":"\([a-z]*\)".*/\1/p')"
            if [ "$night" = off ] && [ "$screen" = on ]; then
                wlopm --off '*' && screen=off
            elif [ -n "$night" ] && [ "$night" != off ] && [ "$screen" = off ]; then
                wlopm --on '*' && screen=on
            fi
        done
    ) &
fi
exec "$COMPANION" --config "$CONFIG" frame kiosk
