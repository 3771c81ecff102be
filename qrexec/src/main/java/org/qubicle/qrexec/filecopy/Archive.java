package org.qubicle.qrexec.filecopy;

import java.nio.charset.StandardCharsets;

/**
 * Qubicle's file-copy stream (qubes.Filecopy between our own tools; not upstream's qfile
 * format). Big-endian throughout:
 * <pre>
 * "QFC1\n"                                   magic
 * entry*                                     in order, a directory before what it holds
 *   type      1 byte   'D' directory, 'F' regular file, 'L' symbolic link, 'E' end
 *   nameLen   2 bytes  then the name: UTF-8, relative, '/'-separated, no "", "." or ".." part
 *   mode      2 bytes  permission bits (07777 masked to 0777 on receipt)
 *   mtime     8 bytes  seconds since the epoch
 *   'F':  size 8 bytes, then the data
 *   'L':  targetLen 2 bytes, then the target (relative, must stay inside the copied tree)
 * 'E' with nameLen 0 and no other field ends the stream.
 * </pre>
 * The receiver answers on its stdout with one line, {@code OK\n} or {@code ERROR message\n}.
 */
public final class Archive {
    public static final byte[] MAGIC = "QFC1\n".getBytes(StandardCharsets.US_ASCII);
    public static final int DIR = 'D';
    public static final int FILE = 'F';
    public static final int LINK = 'L';
    public static final int END = 'E';
    /** Longest name or link target accepted. */
    public static final int MAX_NAME = 4096;

    private Archive() {
    }

    /**
     * Checks a relative name from a peer: non-empty, at most {@link #MAX_NAME} bytes, no NUL, no
     * leading '/', no empty, "." or ".." component, no backslash tricks needed (Linux only).
     */
    public static boolean safeName(String untrusted) {
        if (untrusted.isEmpty() || untrusted.length() > MAX_NAME || untrusted.indexOf('\0') >= 0
                || untrusted.startsWith("/")) {
            return false;
        }
        for (String part : untrusted.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
