#!/usr/bin/env python3
"""Bulk helper for daemon/bench/life.sh: raw Admin API and exec-socket calls (no JVM per call)."""
import os, socket, struct, sys, time

def call(root, method, dest, arg="", payload=b""):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(root, "var/run/qubesd.sock"))
    s.sendall(f"{method}+{arg} dom0 name {dest}\0".encode() + payload)
    s.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    if not data.startswith(b"0\0"):
        raise RuntimeError(f"{method} {dest}: {data!r}")
    return data[2:].decode()

def exec_(root, target, cmd):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(root, "var/run/qubes/qrexec.sock"))
    s.sendall(f"{target} DEFAULT - {cmd}\n".encode() + struct.pack(">BI", 0, 0))
    f = s.makefile("rb")
    while True:
        t, n = struct.unpack(">BI", f.read(5))
        body = f.read(n)
        if t == 3:
            # a disposable is removed after its exit code; the connection ends then
            if f.read(1):
                raise RuntimeError("a frame after the exit code")
            return struct.unpack(">i", body)[0]
        if t == 4:
            raise RuntimeError(body.decode())

def feature(root, vm, name):
    try:
        return call(root, "admin.vm.feature.Get", vm, name)
    except RuntimeError:
        return ""

def wait_preload(root, dvm, timeout=60):
    """Until a preload of dvm has completed (started, then paused)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for name in feature(root, dvm, "preload-dispvm").split():
            if feature(root, name, "preload-dispvm-completed") == "1" and \
                    "power_state=Paused" in call(root, "admin.vm.CurrentState", name):
                return
        time.sleep(0.01)
    raise RuntimeError(f"no preload of {dvm} completed in {timeout} s")

def meminfo():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1])

def main():
    op, root = sys.argv[1], sys.argv[2]
    if op == "startkill":
        vm, n = sys.argv[3], int(sys.argv[4])
        for _ in range(n):
            call(root, "admin.vm.Start", vm)
            call(root, "admin.vm.Kill", vm)
        return
    if op == "capacity":
        n = int(sys.argv[3])
        for i in range(n):
            call(root, "admin.vm.Create.AppVM", "dom0", "minimal", f"name=cap{i} label=green".encode())
            call(root, "admin.vm.property.Set", f"cap{i}", "memory", b"32")
            call(root, "admin.vm.property.Set", f"cap{i}", "maxmem", b"64")
        time.sleep(2)
        before = meminfo()
        running = 0
        for i in range(n):
            try:
                call(root, "admin.vm.Start", f"cap{i}")
                running += 1
            except RuntimeError as e:
                print(f"start of cap{i} failed: {e}")
                break
        time.sleep(5)
        after = meminfo()
        states = call(root, "admin.vm.List", "dom0").count("state=Running")
        cg = 0
        for i in range(running):
            cs = call(root, "admin.vm.CurrentState", f"cap{i}")
            cg += int(cs.split()[0].split("=")[1])
        print(f"capacity: {running} of {n} qubes started, {states} reported Running at once")
        if running:
            print(f"memory per idle qube: host MemAvailable drop {(before - after) / running / 1024:.2f} MiB,"
                  f" cgroup memory {cg / running / 1024:.2f} MiB (mean of {running})")
    elif op == "preloaded":
        # preload-dispvm-max=1 on the disposable template; before each request, wait until its
        # preload is ready (the steady state of requests spaced wider than a start).
        dvm, n = sys.argv[3], int(sys.argv[4])
        call(root, "admin.vm.feature.Set", dvm, "preload-dispvm-max", b"1")
        walls = []
        for _ in range(n):
            wait_preload(root, dvm)
            t = time.perf_counter()
            if exec_(root, "@dispvm", "true") != 0:
                raise RuntimeError("true failed")
            walls.append((time.perf_counter() - t) * 1000)
        call(root, "admin.vm.feature.Remove", dvm, "preload-dispvm-max")
        end = time.monotonic() + 60
        while feature(root, dvm, "preload-dispvm") and time.monotonic() < end:
            time.sleep(0.05)
        walls.sort()
        print(f"{walls[len(walls) // 2]:.1f}")
    elif op == "killall":
        for line in call(root, "admin.vm.List", "dom0").splitlines():
            name, state = line.split()[0], line.split()[2]
            if state != "state=Halted" and name != "dom0":
                try:
                    call(root, "admin.vm.Kill", name)
                except RuntimeError:
                    pass
    elif op == "churn":
        n = int(sys.argv[3])
        t0 = time.time()
        for i in range(n):
            if exec_(root, "@dispvm", "true") != 0:
                raise RuntimeError("non-zero exit")
        print(f"churn: {n} disposables created, run and destroyed in {time.time() - t0:.1f} s")

main()
