package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesVMError;

/**
 * The daemon's half of a start: bwrap (run through {@link Launcher#START_WRAP}) reports
 * the pid of its child in the new user namespace on its stdout ({@code --info-fd}) and
 * blocks on its stdin ({@code --userns-block-fd}). As root we write that child's
 * {@code uid_map} and {@code gid_map} as {@code 0 BASE 65536}, the qube's whole uid range,
 * and let it go on.
 */
final class UserNamespaceMap {
    static final long RANGE = 65536;
    /** bwrap's info is a small JSON object; anything longer is not bwrap talking. */
    private static final int MAX_INFO = 4096;
    private static final Pattern CHILD_PID = Pattern.compile("\"child-pid\"\\s*:\\s*(\\d{1,10})(?!\\d)");
    /** Linux's PID_MAX_LIMIT. */
    private static final long PID_MAX = 4_194_304;

    private UserNamespaceMap() {
    }

    /** Maps the user namespace of the starting {@code bwrap} and unblocks it. */
    static void apply(Process bwrap, long baseUid) throws IOException {
        long child = childPid(bwrap.getInputStream());
        String map = "0 " + baseUid + " " + RANGE + "\n";
        Path proc = Path.of("/proc", Long.toString(child));
        Files.writeString(proc.resolve("uid_map"), map);
        Files.writeString(proc.resolve("gid_map"), map);
        try (OutputStream unblock = bwrap.getOutputStream()) {
            unblock.write('1');
        }
        bwrap.getInputStream().close();
    }

    /** Reads bwrap's info up to the end of its JSON object and returns {@code child-pid}. */
    static long childPid(InputStream untrustedInfo) throws IOException {
        byte[] buf = new byte[MAX_INFO];
        int n = 0;
        while (n < buf.length) {
            int r = untrustedInfo.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
            if (indexOf(buf, n, (byte) '}') >= 0) {
                break;
            }
        }
        String info = new String(buf, 0, n, StandardCharsets.US_ASCII);
        Matcher m = CHILD_PID.matcher(info);
        if (info.indexOf('}') < 0 || !m.find()) {
            throw new QubesVMError("bwrap did not report its child (see the qube's console log)");
        }
        long pid = Long.parseLong(m.group(1));
        if (pid < 2 || pid > PID_MAX) {
            throw new QubesVMError("bwrap reported an impossible child pid " + pid);
        }
        return pid;
    }

    private static int indexOf(byte[] b, int len, byte c) {
        for (int i = 0; i < len; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
