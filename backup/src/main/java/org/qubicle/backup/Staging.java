package org.qubicle.backup;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.stream.Stream;
import org.qubicle.model.exc.QubesValueError;

/**
 * All-or-nothing extraction: files go to a private temporary directory inside the
 * staging directory and are moved into place only when the whole restore succeeded;
 * on any failure the temporary directory is removed, so nothing is left behind.
 */
final class Staging implements AutoCloseable {
    private final Path staging;
    private final Path tmp;
    private boolean committed;

    Staging(Path staging, Collection<String> topLevelNames) throws IOException {
        Files.createDirectories(staging);
        this.staging = staging.toRealPath();
        for (String top : topLevelNames) {
            if (Files.exists(this.staging.resolve(top), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new QubesValueError("restore target already exists: " + this.staging.resolve(top));
            }
        }
        this.tmp = Files.createTempDirectory(this.staging, ".qubicle-restore-");
    }

    Path root() {
        return tmp;
    }

    void commit() throws IOException {
        try (Stream<Path> children = Files.list(tmp)) {
            for (Path c : children.toList()) {
                Files.move(c, staging.resolve(c.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.delete(tmp);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed && Files.exists(tmp)) {
            deleteTree(tmp);
        }
    }

    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
