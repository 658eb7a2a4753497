#!/bin/bash
# Purpose: runs footfalld under the shipped, hardened unit in a real systemd,
# to show the sandbox leaves it what it needs: a live capture (AF_PACKET with
# only CAP_NET_RAW), locked key memory, the state directory, the notify
# socket and a clean stop. systemd 252 runs as PID 1 of private pid, mount,
# network, uts, ipc and cgroup namespaces, in cgroups of its own, with /run,
# /var/lib and /etc/passwd private: the host is not touched. "mon0" is a TAP
# device given the radiotap link type (ARPHRD 803), fed the frames of a real
# capture, so the packet socket sees what a monitor-mode radio would deliver.
# Needs root. Usage: unit_sandbox_test.sh FOOTFALLD UNIT CAPTURE.pcap
set -euo pipefail

FOOTFALLD=$1 UNIT=$2 CAPTURE=$3
W=$(mktemp -d /tmp/footfall-sandbox-XXXXXX)
CG=footfall-sandbox-$$
LAUNCHER=""
passed=0 failed=0

cleanup() {
  if [ -n "$LAUNCHER" ]; then
    kill -9 "$(pgrep -P "$LAUNCHER" | head -1)" 2>/dev/null || true
    kill -9 "$LAUNCHER" 2>/dev/null || true
    sleep 0.5
  fi
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h$CG" ] && find "$h$CG" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$W"
}
trap cleanup EXIT

check() {  # check NAME COMMAND...: one assertion
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name" >&2
  fi
}

# ---- what PID 1 of the namespaces runs ---------------------------------------
cat >"$W/inject.py" <<'EOF'
import fcntl, os, struct, subprocess, sys, time
TUNSETIFF, TUNSETLINK = 0x400454CA, 0x400454CD
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"mon0", IFF_TAP | IFF_NO_PI))
fcntl.ioctl(fd, TUNSETLINK, 803)  # ARPHRD_IEEE80211_RADIOTAP: libpcap's DLT 127
subprocess.run(["ip", "link", "set", "mon0", "up"], check=True)
data = open(sys.argv[1], "rb").read()
assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, "classic pcap expected"
assert struct.unpack("<I", data[20:24])[0] == 127, "radiotap capture expected"
frames, off = [], 24
while off + 16 <= len(data):
    incl = struct.unpack("<IIII", data[off:off + 16])[2]
    frames.append(data[off + 16:off + 16 + incl])
    off += 16 + incl
while True:
    for f in frames:
        os.write(fd, f)
        time.sleep(0.005)
EOF

cat >"$W/footfall.toml" <<'EOF'
[sensor]
site = "lab"
id = "sandbox"
[capture]
source = "pcap:mon0"
[windows]
length_s = 2
[mqtt]
uri = "tcp://127.0.0.1:1883"
drain_timeout_s = 5
[metrics]
listen = "unix:/run/footfall/metrics.sock"
[state]
dir = "/var/lib/footfall"
EOF
printf 'listener 1883 127.0.0.1\nallow_anonymous true\npersistence false\n' >"$W/mosquitto.conf"

# The shipped unit, with the built binary and a config in /run/sbx; no
# ordering after network-online.target and the boot targets (this systemd
# starts nothing else). Its sandbox is left exactly as shipped.
# The binary is copied to /run/sbx: the build tree may be under /tmp or /home,
# which the unit's PrivateTmp=/ProtectHome= hide from the service.
sed -e "s|^ExecStart=/usr/sbin/footfalld --config /etc/footfall/footfall.toml$|ExecStart=/run/sbx/footfalld --config /run/sbx/footfall.toml|" \
  -e '/^Wants=network-online.target/d' -e '/^After=network-online.target/d' \
  -e 's|^\[Unit\]$|[Unit]\nDefaultDependencies=no|' "$UNIT" >"$W/footfalld.service"
grep -q "^ExecStart=/run/sbx/footfalld " "$W/footfalld.service"

cat >"$W/pid1.sh" <<EOF
#!/bin/bash
set -e
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/lib
mkdir -p /run/sbx /run/systemd/system
cp $W/footfall.toml $W/mosquitto.conf $W/inject.py /run/sbx/
cp $FOOTFALLD /run/sbx/footfalld
cp /etc/passwd /etc/group /run/sbx/
echo 'footfall:x:990:990:footfall:/var/lib/footfall:/usr/sbin/nologin' >>/run/sbx/passwd
echo 'footfall:x:990:' >>/run/sbx/group
mount --bind /run/sbx/passwd /etc/passwd
mount --bind /run/sbx/group /etc/group
ip link set lo up
cp $W/footfalld.service /run/systemd/system/
printf '[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/usr/sbin/mosquitto -c /run/sbx/mosquitto.conf\n' >/run/systemd/system/sbx-broker.service
printf '[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/usr/bin/python3 /run/sbx/inject.py $CAPTURE\n' >/run/systemd/system/sbx-mon0.service
printf '[Unit]\nDefaultDependencies=no\nWants=sbx-broker.service sbx-mon0.service footfalld.service\n' >/run/systemd/system/sbx.target
exec env container=footfall-sandbox-test /lib/systemd/systemd --system --unit=sbx.target --show-status=no
EOF
chmod +x "$W/pid1.sh"

# Own cgroups first, so the inner systemd manages only what is under them.
cat >"$W/launch.sh" <<EOF
#!/bin/bash
set -e
# cgroup v2 alone: its root; v1 or hybrid: every mounted hierarchy.
hierarchies=(/sys/fs/cgroup/)
[ -f /sys/fs/cgroup/cgroup.procs ] || hierarchies=(/sys/fs/cgroup/*/)
for h in "\${hierarchies[@]}"; do
  [ -f "\${h}cgroup.procs" ] || continue
  mkdir -p "\${h}$CG"
  if [ -f "\${h}cpuset.cpus" ]; then
    cat "\${h}cpuset.cpus" >"\${h}$CG/cpuset.cpus"
    cat "\${h}cpuset.mems" >"\${h}$CG/cpuset.mems"
  fi
  echo \$\$ >"\${h}$CG/cgroup.procs"
done
exec unshare --pid --fork --mount --net --uts --ipc --cgroup --mount-proc $W/pid1.sh
EOF
chmod +x "$W/launch.sh"

setsid "$W/launch.sh" </dev/null >"$W/boot.log" 2>&1 &
LAUNCHER=$!
disown "$LAUNCHER"

in_ns() { timeout 20 nsenter -t "$PID1" -a "$@"; }

PID1=""
for _ in $(seq 100); do
  PID1=$(pgrep -P "$LAUNCHER" | head -1 || true)
  [ -n "$PID1" ] && [ "$(cat /proc/"$PID1"/comm 2>/dev/null)" = systemd ] && break
  sleep 0.1
done
[ -n "$PID1" ] || { cat "$W/boot.log" >&2; echo "systemd did not start" >&2; exit 1; }

# Type=notify: "active" only after READY=1.
state=""
for _ in $(seq 150); do
  state=$(in_ns systemctl show -p ActiveState --value footfalld.service 2>/dev/null || true)
  [ "$state" = active ] && break
  sleep 0.1
done
check "footfalld becomes active (READY=1 under the sandbox)" test "$state" = active

# Frames flow through the packet socket; windows reach the broker.
metrics=""
for _ in $(seq 100); do
  metrics=$(in_ns curl -s --unix-socket /run/footfall/metrics.sock http://footfalld/metrics || true)
  if grep -q '^footfall_mqtt_connected 1$' <<<"$metrics" &&
    grep -qE '^footfall_windows_published_total [1-9]' <<<"$metrics"; then break; fi
  sleep 0.2
done
check "frames captured on mon0" grep -qE '^footfall_probe_requests_total [1-9][0-9]*$' <<<"$metrics"
check "broker connected" grep -q '^footfall_mqtt_connected 1$' <<<"$metrics"
check "windows published" grep -qE '^footfall_windows_published_total [1-9]' <<<"$metrics"
# The metrics on a Unix socket need no token: only footfalld's user (and
# root) may connect to it.
sock=$(in_ns stat -c '%U %a' /run/footfall/metrics.sock || true)
check "metrics socket mode ($sock)" test "$sock" = "footfall 600"
status=""
for _ in $(seq 50); do  # STATUS= is sent once a second
  status=$(in_ns systemctl show -p StatusText --value footfalld.service || true)
  grep -q 'broker connected' <<<"$status" && break
  sleep 0.1
done
check "status line: source capturing ($status)" grep -q '^pcap:mon0 capturing, ' <<<"$status"
check "status line: broker ($status)" grep -q 'broker connected' <<<"$status"

# The process: the footfall user, CAP_NET_RAW at most, no new privileges,
# a seccomp filter; the state directory written by it.
main=$(in_ns systemctl show -p MainPID --value footfalld.service || true)
proc=$(in_ns cat /proc/"${main:-0}"/status || true)
check "runs as footfall" grep -qE '^Uid:\s+990\s+990\s+990\s+990$' <<<"$proc"
capeff=$(awk '/^CapEff:/ {print $2}' <<<"$proc")
check "CapEff ${capeff:-?} is CAP_NET_RAW or nothing" test $((16#${capeff:-ffff} & ~16#2000)) -eq 0
check "NoNewPrivs" grep -qE '^NoNewPrivs:\s+1$' <<<"$proc"
check "seccomp filter" grep -qE '^Seccomp:\s+2$' <<<"$proc"
vmlck=$(awk '/^VmLck:/ {print $2}' <<<"$proc")
check "key pages locked in memory (VmLck ${vmlck:-?} kB)" test "${vmlck:-0}" -gt 0
state_dir=$(in_ns stat -c '%U %a' /var/lib/footfall /var/lib/footfall/seq || true)
check "state directory ($state_dir)" test "$state_dir" = $'footfall 700\nfootfall 600'

# Reload and stop the systemd way.
check "systemctl reload" in_ns systemctl reload footfalld.service
sleep 0.5
check "active after reload" test "$(in_ns systemctl show -p ActiveState --value footfalld.service)" = active
check "systemctl stop" in_ns systemctl stop footfalld.service
result=$(in_ns systemctl show -p Result -p ExecMainStatus -p NRestarts footfalld.service | sort |
  tr '\n' ' ' || true)
check "clean exit, no watchdog restart ($result)" test "$result" = "ExecMainStatus=0 NRestarts=0 Result=success "

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
