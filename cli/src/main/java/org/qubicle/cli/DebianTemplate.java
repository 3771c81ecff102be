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
 * only the bookworm entries, so no mirror name is ever written into code. mmdebstrap's own
 * progress lines are the progress display.
 */
final class DebianTemplate {
    private static final String SUITE = "bookworm";
    private static final String PACKAGES = "busybox-static,ca-certificates,procps,iproute2,less,nano";

    private DebianTemplate() {
    }

    static void build(Path dir, PrintWriter progress) throws IOException, InterruptedException {
        build(dir, progress, List.of());
    }

    /** With {@code extra} Debian packages installed too (e.g. {@code tor} for {@link TorTemplate}). */
    static void build(Path dir, PrintWriter progress, List<String> extra) throws IOException, InterruptedException {
        String sources = hostSources();
        if (sources.isBlank()) {
            throw new IOException("no " + SUITE + " entries in the host's apt sources");
        }
        List<String> cmd = List.of("mmdebstrap", "--variant=minbase", "--include=" + PACKAGES + extra.stream().map(p -> "," + p).collect(java.util.stream.Collectors.joining()),
                "--customize-hook=chroot \"$1\" useradd -m -u 1000 -s /bin/bash user",
                "--customize-hook=mkdir -p \"$1/rw\" \"$1/proc\" \"$1/dev\" \"$1/tmp\" \"$1/run\" \"$1/home\"",
                SUITE, dir.toString(), "-");
        progress.println("Building debian-12 with mmdebstrap (this takes a few minutes)...");
        progress.flush();
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var in = p.getOutputStream()) {
            in.write(sources.getBytes(StandardCharsets.UTF_8));
        }
        if (p.waitFor() != 0) {
            throw new IOException("mmdebstrap failed with exit code " + p.exitValue());
        }
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
