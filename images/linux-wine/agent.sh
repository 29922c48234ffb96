#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the guest, chrooted into the host's root (read-only over 9p): starts the agent on
# the virtio port. $1 = mode (wine | qemu-ga), $2 = the port's device node. Settings come from
# /tmp/run/guest.env, written by harness/vm.py; logs go to /tmp/run/logs (back to the host).
set -u
mode=$1
port=$2
log() { echo "qga-guest: $*" > /dev/console; }

# shellcheck source=/dev/null  # written per run by harness/vm.py
. /tmp/run/guest.env
logs=/tmp/run/logs
mkdir -p "$logs"

if [ "$mode" = qemu-ga ]; then
    # Reference agent (Debian's Linux qemu-ga), for harness self-tests.
    mkdir -p /tmp/qga-state
    /usr/sbin/qemu-ga -m virtio-serial -p "$port" -t /tmp/qga-state -f /tmp/qga.pid \
        > "$logs/agent.log" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > /tmp/agent.pid
    log "agent pid $pid"
    wait "$pid"
    log "agent exited rc=$?"
    exit 0
fi

# A writable overlay (tmpfs upper) over the Wine prefix prepared on the host.
mkdir -p /tmp/ov/up /tmp/ov/w /tmp/wp
uid=$(stat -c %u "$QGA_PREFIX")
gid=$(stat -c %g "$QGA_PREFIX")
chown "$uid:$gid" /tmp/ov/up
mount -t overlay overlay -o "lowerdir=$QGA_PREFIX,upperdir=/tmp/ov/up,workdir=/tmp/ov/w" /tmp/wp \
    || { log "FATAL: overlay mount"; exit 1; }
# \\.\Global\org.qemu.guest_agent.0 resolves through dosdevices/global (reference/vm-notes.md).
mkdir -p /tmp/wp/dosdevices/global
ln -sf "$port" /tmp/wp/dosdevices/global/org.qemu.guest_agent.0
chown -h "$uid:$gid" /tmp/wp/dosdevices/global /tmp/wp/dosdevices/global/org.qemu.guest_agent.0

# Wine refuses a prefix owned by someone else: run as the prefix's owner (root in CI).
run_as=""
if [ "$uid" != 0 ]; then
    chown "$uid:$gid" "$port"
    chmod 1777 /tmp
    run_as="setpriv --reuid=$uid --regid=$gid --clear-groups"
fi

cd /tmp/wp/drive_c || exit 1
# Extra environment for the agent (e.g. the fake VSS coordinator's scenario and trace paths).
# shellcheck source=/dev/null  # written per run by harness/vm.py
[ -f /tmp/run/agent.env ] && . /tmp/run/agent.env
# Never pipe Wine's output: wineserver inherits it (reference/wine-notes.md).
# shellcheck disable=SC2086  # run_as and QGA_AGENT_ARGS are lists of words by design
env HOME=/tmp WINEPREFIX=/tmp/wp WINEDEBUG="$QGA_WINEDEBUG" WINEDLLOVERRIDES="$QGA_DLLOVERRIDES" \
    $run_as "$QGA_WINE" "$QGA_AGENT" $QGA_AGENT_ARGS > "$logs/agent.log" 2>&1 < /dev/null &
pid=$!
echo "$pid" > /tmp/agent.pid
log "agent pid $pid"
wait "$pid"
rc=$?
log "agent exited rc=$rc"
# No wineserver -k: init powers the guest off next (and the power-button path may already be).
exit 0
