package org.qubicle.storage.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.qubicle.model.exc.StoragePoolException;

/** Runs the host tools this driver relies on (e2fsprogs, util-linux, coreutils). */
final class Exec {
    private static final int MAX_OUTPUT = 64 * 1024;
    /** Root's tools live in sbin, which a non-login PATH may lack. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private Exec() {}

    /** The result of a finished command; output is stdout and stderr, capped. */
    record Result(int exit, String output) {}

    /** Finds a tool on PATH or in the sbin directories. */
    static Optional<Path> find(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(EXTRA_DIRS);
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Runs a command and returns its exit code and output. */
    static Result run(String tool, String... args) {
        Path exe = find(tool).orElseThrow(() -> new StoragePoolException(tool + " not found (install it)"));
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = readCapped(p.getInputStream());
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new StoragePoolException(tool + " failed to run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoragePoolException(tool + " interrupted");
        }
    }

    /** Runs a command that must succeed (exit code within {@code okUpTo}). */
    static String check(int okUpTo, String tool, String... args) {
        Result r = run(tool, args);
        if (r.exit() < 0 || r.exit() > okUpTo) {
            throw new StoragePoolException(tool + " " + String.join(" ", args) + " failed (" + r.exit() + "): "
                    + r.output().strip());
        }
        return r.output();
    }

    static String check(String tool, String... args) {
        return check(0, tool, args);
    }

    private static String readCapped(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        int n;
        while ((n = in.read(b)) > 0) {
            // Keep draining so the child never blocks on a full pipe, but store only the cap.
            if (buf.size() < MAX_OUTPUT) {
                buf.write(b, 0, Math.min(n, MAX_OUTPUT - buf.size()));
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
