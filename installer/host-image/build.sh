#!/usr/bin/env bash
# Builds the container image that plays a target server in the installer's tests and the bench's
# `install` scenario: Debian 12 with systemd as PID 1, OpenSSH's sshd and Debian's
# openjdk-17-jre-headless (the JRE the agent package depends on). No image registry is reachable,
# so the root filesystem comes from Debian's packages through debootstrap and is imported into
# Podman. The tag is a hash of this script: an unchanged script reuses the image it built before.
#
#   installer/src/test/host-image/build.sh     prints the image reference (builds it when missing)
set -euo pipefail

script="$(readlink -f "${BASH_SOURCE[0]}")"
tag="$(sha256sum "$script" | cut -c1-12)"
image="localhost/muster-test-host:$tag"

if podman image exists "$image"; then echo "$image"; exit 0; fi

command -v debootstrap >/dev/null 2>&1 || { apt-get update >&2 && apt-get install -y debootstrap >&2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/muster-host-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "building $image (debootstrap, a few minutes, once)" >&2
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,openssh-server,openjdk-17-jre-headless,sudo,procps,iproute2 \
  bookworm "$rootfs" http://deb.debian.org/debian >&2

# Host keys are made when a container boots, so every container has its own (the tests check
# host-key verification against them). sshd takes keys only: no passwords.
rm -f "$rootfs"/etc/ssh/ssh_host_*
mkdir -p "$rootfs/etc/systemd/system/ssh.service.d" "$rootfs/root/.ssh"
chmod 700 "$rootfs/root/.ssh"
cat >"$rootfs/etc/systemd/system/ssh.service.d/host-keys.conf" <<'UNIT'
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
UNIT
cat >"$rootfs/etc/ssh/sshd_config.d/muster-test.conf" <<'CONF'
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
CONF
# Units a container cannot or need not run.
for unit in systemd-udevd.service systemd-udev-trigger.service systemd-modules-load.service \
            sys-kernel-config.mount sys-kernel-debug.mount getty@tty1.service \
            systemd-remount-fs.service apt-daily.timer apt-daily-upgrade.timer; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
ln -sf /lib/systemd/system/ssh.service "$rootfs/etc/systemd/system/multi-user.target.wants/ssh.service"
echo 'muster-test-host' >"$rootfs/etc/hostname"
: >"$rootfs/etc/machine-id"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

tar -C "$rootfs" -c . | podman import \
  --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' - "$image" >&2
echo "$image"
