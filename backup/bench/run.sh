#!/usr/bin/env bash
# Backup benchmark: our writer and verify-only against Qubes' own pipeline
# (tar --sparse | gzip, split into 100 MiB chunks, scrypt enc each in sequence)
# on the same qube-like 2 GiB private.img, same scrypt parameters, same run.
# Needs: Java 25, maven, tar, gzip, scrypt, e2fsprogs, python3, GNU time.
# Usage: backup/bench/run.sh [WORKDIR]   (default /tmp/qubicle-backup-bench; ~6 GB free)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${1:-/tmp/qubicle-backup-bench}
logn=${LOGN:-18}
pass='bench passphrase'
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mkdir -p "$work"
cd "$root"
mvn -q -B -pl backup -am install -DskipTests
mvn -q -B -pl backup dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="$(cat "$work/cp.txt"):$root/backup/target/classes"
# The JVM options bin/qubicle-launcher gives qubesd (which writes backups) and
# qvm-backup-restore (which verifies them), with the bench's heap cap.
jopts=(-XX:+UseSerialGC -XX:+UseTransparentHugePages -Xlog:disable -Xlog:all=warning,pagesize=off:stderr -Xmx1500m)
# qubesd's C2 thresholds (ten times the default) for the writer, as the launcher sets them.
wopts=(-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 -XX:Tier4CompileThreshold=60000
    -XX:Tier4BackEdgeThreshold=400000)
T() { /usr/bin/time -f "%e s wall, %U s user, %S s sys, peak RSS %M KiB" "$@"; }

img=$work/private.img
if [ ! -f "$img" ]; then
    echo "== building a 2 GiB ext4 private.img with ~1.5 GiB of mixed data"
    tree=$work/rw
    rm -rf "$tree"; mkdir -p "$tree/home/user/random" "$tree/home/user/text" "$tree/config" "$tree/usrlocal"
    echo '#!/bin/sh' > "$tree/config/rc.local"
    # ~750 MiB of random data (as media, archives, encrypted files are), 24 files
    for i in $(seq 1 24); do head -c 32M /dev/urandom > "$tree/home/user/random/blob$i.bin"; done
    # ~750 MiB of text: pseudo-words from a 5000-word vocabulary (gzip ratio close to prose)
    python3 - "$tree/home/user/text" <<'PY'
import random, sys, os
rnd = random.Random(1)
letters = "etaoinshrdlcumwfgypbvkjxqz"
vocab = ["".join(rnd.choices(letters, weights=range(26, 0, -1), k=rnd.randint(2, 10))) for _ in range(5000)]
block = []
size = 0
while size < 16 << 20:
    line = " ".join(rnd.choices(vocab, k=rnd.randint(5, 15))) + ".\n"
    block.append(line); size += len(line)
text = "".join(block).encode()
for i in range(47):
    with open(os.path.join(sys.argv[1], f"doc{i}.txt"), "wb") as f:
        f.write(text[i * 4096:] + text[:i * 4096])
PY
    mke2fs -q -t ext4 -d "$tree" "$img" 2G
    rm -rf "$tree"
fi
echo "image: $(du -h --apparent-size "$img" | cut -f1) apparent, $(du -h "$img" | cut -f1) allocated"
sync

echo "== ours: write (logN $logn, gzip, $(nproc) cores)"
rm -f "$work/ours.backup"
T "$JAVA_HOME/bin/java" "${jopts[@]}" "${wopts[@]}" -cp "$cp" backup/bench/Bench.java write "$img" "$work/ours.backup" "$pass" "$logn"
echo "size: $(stat -c %s "$work/ours.backup") bytes"

echo "== ours: verify-only (decrypt, authenticate, decompress and walk every file)"
T "$JAVA_HOME/bin/java" "${jopts[@]}" -cp "$cp" backup/bench/Bench.java verify "$work/ours.backup" "$pass"

echo "== baseline: Qubes' pipeline in sequence: tar --sparse | gzip | split 100M, scrypt enc each chunk"
b=$work/baseline; rm -rf "$b"; mkdir -p "$b/vm3"
ln -s "$img" "$b/private.img"
baseline_write() {
    cd "$b"
    printf 'version=4\nencrypted=True\ncompressed=True\ncompression-filter=gzip\nhmac-algorithm=scrypt\nbackup-id=20260101T000000-1\n' > backup-header
    echo "backup-header!$pass" | scrypt enc -P --logN "$logn" -r 8 -p 1 backup-header backup-header.hmac
    tar -cO --posix backup-header backup-header.hmac > baseline.backup
    tar -cO --sparse --dereference --xform=s:^private.img:vm3/\\0: private.img | gzip | split -b 100M -d -a 3 - vm3/private.img.
    for c in vm3/private.img.[0-9][0-9][0-9]; do
        echo "20260101T000000-1!$c!$pass" | scrypt enc -P --logN "$logn" -r 8 -p 1 "$c" "$c.enc"
        rm "$c"
        tar -cO --posix "$c.enc" >> baseline.backup
    done
}
export -f baseline_write; export b pass logn
T bash -c baseline_write
echo "size: $(stat -c %s "$b/baseline.backup") bytes"

echo "== baseline: verify-only as qvm-backup-restore --verify-only does (tar -i -x, scrypt dec -f each chunk,"
echo "   the decrypted chunks through gzip -d into tar -t, as its ExtractWorker does with verify_only)"
baseline_verify() {
    set -eo pipefail
    v=$b/verify; rm -rf "$v"; mkdir -p "$v"; cd "$v"
    tar -i -xf "$b/baseline.backup"
    echo "backup-header!$pass" | scrypt dec -f -P backup-header.hmac backup-header.verified
    cmp backup-header backup-header.verified
    for c in $(ls vm3/*.enc | sort -V); do
        echo "20260101T000000-1!${c%.enc}!$pass" | scrypt dec -f -P "$c" "${c%.enc}"
        cat "${c%.enc}"
        rm "$c" "${c%.enc}"
    done | gzip -d | tar -tv -f - >/dev/null
}
export -f baseline_verify
T bash -c baseline_verify
rm -rf "$b/verify"
