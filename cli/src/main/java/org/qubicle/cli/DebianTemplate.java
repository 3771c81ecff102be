package org.qubicle.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds a Debian 12 root tree with mmdebstrap from the host's apt sources
 * ({@code /etc/apt/sources.list} and {@code /etc/apt/sources.list.d/*.list|*.sources}):
 * only the bookworm entries, so no mirror name is ever written into code. The tree is
 * {@code --variant=minbase} plus what a qube needs (busybox, bash, ca-certificates, procps,
 * iproute2), the user {@code user} (uid 1000), {@code /etc/qubes-rpc} and the mount points
 * the driver binds. mmdebstrap writes a tarball, cached under
 * {@code $QUBES_ROOT/var/cache/qubicle/templates}, so a second install only unpacks it.
 * Progress: numbered steps, with mmdebstrap's own progress lines in the first.
 */
final class DebianTemplate {
    private static final String SUITE = "bookworm";
    static final String PACKAGES = "busybox,bash,ca-certificates,procps,iproute2";

    private DebianTemplate() {
    }

    static Path cacheFile(Path qubesRoot) {
        return cacheFile(qubesRoot, List.of());
    }

    /** One cached image per package set: {@code debian-12.tar}, {@code debian-12+tor.tar}. */
    static Path cacheFile(Path qubesRoot, List<String> extra) {
        String name = "debian-12" + (extra.isEmpty() ? "" : "+" + String.join("+", extra)) + ".tar";
        return qubesRoot.resolve("var/cache/qubicle/templates").resolve(name);
    }

    static void build(Path qubesRoot, Path dir, PrintWriter progress) throws IOException, InterruptedException {
        build(qubesRoot, dir, progress, List.of());
    }

    /** With {@code extra} Debian packages installed too (e.g. {@code tor} for {@link TorTemplate}). */
    static void build(Path qubesRoot, Path dir, PrintWriter progress, List<String> extra)
            throws IOException, InterruptedException {
        Path cache = cacheFile(qubesRoot, extra);
        if (Files.isRegularFile(cache)) {
            step(progress, 1, "Using the cached Debian 12 image " + cache);
        } else {
            step(progress, 1, "Building Debian 12 (" + SUITE + ") with mmdebstrap from the host's apt sources"
                    + " (a few minutes)");
            String sources = hostSources();
            if (sources.isBlank()) {
                throw new IOException("no " + SUITE + " entries in the host's apt sources");
            }
            Files.createDirectories(cache.getParent());
            Path partial = cache.resolveSibling(cache.getFileName() + ".partial");
            List<String> cmd = List.of("mmdebstrap", "--variant=minbase", "--include=" + PACKAGES + (extra.isEmpty() ? "" : "," + String.join(",", extra)),
                    "--customize-hook=chroot \"$1\" useradd -m -u 1000 -U -s /bin/bash user",
                    "--customize-hook=mkdir -p \"$1/rw\" \"$1/proc\" \"$1/dev\" \"$1/tmp\" \"$1/run\" "
                            + "\"$1/home\" \"$1/etc/qubes-rpc\" \"$1/etc/qubes/rpc-config\"",
                    // With directory storage the tree stays owned by host root, which a qube's
                    // root cannot override; root's home must be enterable (exec chdirs there).
                    "--customize-hook=chmod 0755 \"$1/root\"",
                    "--format=tar", SUITE, partial.toString(), "-");
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (var in = p.getOutputStream()) {
                in.write(sources.getBytes(StandardCharsets.UTF_8));
            }
            if (p.waitFor() != 0) {
                Files.deleteIfExists(partial);
                throw new IOException("mmdebstrap failed with exit code " + p.exitValue());
            }
            Files.move(partial, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        step(progress, 2, "Unpacking the root filesystem");
        Files.createDirectories(dir);
        Process t = new ProcessBuilder("tar", "-x", "-p", "--numeric-owner", "-f", cache.toString(), "-C", dir.toString())
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (t.waitFor() != 0) {
            throw new IOException("unpacking " + cache + " failed with exit code " + t.exitValue());
        }
        step(progress, 3, "Registering the template");
    }

    private static void step(PrintWriter progress, int n, String what) {
        progress.println("[" + n + "/3] " + what);
        progress.flush();
    }

    /** The host's bookworm source entries: one-line entries and deb822 stanzas. */
    static String hostSources() throws IOException {
        List<Path> files = new ArrayList<>();
        Path main = Path.of("/etc/apt/sources.list");
        if (Files.isRegularFile(main)) {
            files.add(main);
        }
        Path d = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(d)) {
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources")).sorted().forEach(files::add);
            }
        }
        StringBuilder out = new StringBuilder();
        for (Path f : files) {
            String text = Files.readString(f);
            if (f.toString().endsWith(".sources")) {
                for (String stanza : text.split("\n\\s*\n")) {
                    if (stanza.contains("Types:") && stanza.matches("(?s).*Suites:[^\n]*" + SUITE + ".*")) {
                        out.append(stanza.strip()).append("\n\n");
                    }
                }
            } else {
                for (String line : text.split("\n")) {
                    String l = line.strip();
                    if (l.startsWith("deb ") && l.contains(" " + SUITE)) {
                        out.append(l).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }
}
