package org.qubicle.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/** Shared helpers: where the conformance files are, hashing, running tools. */
final class TestFiles {
    private TestFiles() {}

    static Path conformance(String name) {
        String checkout = System.getProperty("qubicle.checkout");
        if (checkout != null) {
            Path p = Path.of(checkout).resolve("../shared/conformance/backup").resolve(name).normalize();
            if (Files.exists(p)) {
                return p;
            }
        }
        return Path.of("/work/shared/conformance/backup").resolve(name);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Runs a command, returns stdout; fails on a non-zero exit with stderr in the message. */
    static byte[] run(Path dir, String stdin, List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Path err = Files.createTempFile("cmd", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        try (var os = p.getOutputStream()) {
            if (stdin != null) {
                os.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        int rc = p.waitFor();
        String errText = Files.readString(err);
        Files.delete(err);
        if (rc != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + rc + ": " + errText);
        }
        return out;
    }

    /** Reads a regular file out of an ext4 image without mounting it. */
    static byte[] debugfsCat(Path image, String path) throws Exception {
        return run(image.getParent(), null, List.of("debugfs", "-R", "cat " + path, image.toString()));
    }

    static boolean hasTool(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}
