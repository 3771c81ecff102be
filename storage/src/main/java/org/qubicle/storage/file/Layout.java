package org.qubicle.storage.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.qubicle.storage.VolumeId;

/**
 * Where one volume's files are, named as file-reflink names them (qubes-model.md 7.3):
 * {@code <vol>.img} committed, {@code <vol>-dirty.img} running, {@code <vol>-import.img}
 * import staging, {@code <vol>.img.<N>@<ISO-time>Z} revisions. Runtime mount points live
 * under the pool's run directory.
 */
final class Layout {
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final Pattern REVISION =
            Pattern.compile("([0-9]{1,9})@([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})Z");

    final Path base;
    final Path clean;
    final Path dirty;
    final Path importing;
    final Path precache;
    final Path mountPoint;
    final Path upperMount;

    /** A revision on disk: its id and its file. */
    record Revision(String id, Path path) {}

    Layout(Path dirPath, Path runRoot, VolumeId vid) {
        this.base = dirPath.resolve(vid.value());
        this.clean = sibling(".img");
        this.dirty = sibling("-dirty.img");
        this.importing = sibling("-import.img");
        this.precache = sibling("-precache.img");
        this.mountPoint = runRoot.resolve("vol").resolve(vid.value());
        this.upperMount = runRoot.resolve("upper").resolve(vid.value());
    }

    private Path sibling(String suffix) {
        return base.resolveSibling(base.getFileName() + suffix);
    }

    Path dir() {
        return base.getParent();
    }

    Path revisionPath(int n, Instant time) {
        return clean.resolveSibling(clean.getFileName() + "." + n + "@" + ISO.format(time) + "Z");
    }

    /** The revisions on disk, oldest (lowest number) first. */
    List<Revision> revisions() {
        String prefix = clean.getFileName() + ".";
        List<Revision> out = new ArrayList<>();
        if (!Files.isDirectory(dir())) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir())) {
            s.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix)) {
                    Matcher m = REVISION.matcher(name.substring(prefix.length()));
                    if (m.matches()) {
                        out.add(new Revision(m.group(1), p));
                    }
                }
            });
        } catch (IOException e) {
            throw FileOps.fail("list " + dir(), e);
        }
        out.sort(Comparator.comparingInt(r -> Integer.parseInt(r.id())));
        return out;
    }

    int nextRevision() {
        List<Revision> r = revisions();
        return r.isEmpty() ? 1 : Integer.parseInt(r.getLast().id()) + 1;
    }

    /** Leftovers of an interrupted copy ({@code *.img*~*}) and of an import. */
    List<Path> incomplete() {
        List<Path> out = new ArrayList<>();
        out.add(importing);
        if (!Files.isDirectory(dir())) {
            return out;
        }
        String stem = base.getFileName().toString();
        try (Stream<Path> s = Files.list(dir())) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(stem) && n.contains(".img") && n.contains("~");
            }).forEach(out::add);
        } catch (IOException e) {
            throw FileOps.fail("list " + dir(), e);
        }
        return out;
    }
}
