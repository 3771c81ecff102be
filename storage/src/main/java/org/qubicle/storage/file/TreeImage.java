package org.qubicle.storage.file;

import java.nio.file.Files;
import java.nio.file.Path;
import org.qubicle.model.exc.QubesValueError;

/**
 * Builds a raw ext4 image from a directory tree ({@code mkfs.ext4 -d}), keeping owners,
 * modes and special files. For template builders: mmdebstrap writes a tree, and
 * {@code Volume.importData} takes the image as a template's root. Needs no root.
 *
 * <p>Example: {@code TreeImage.build(Path.of("/tmp/debian-12"), img, 10L << 30);} then
 * {@code root.importData(Files.newInputStream(img), Files.size(img))}.
 */
public final class TreeImage {
    private TreeImage() {}

    /** Writes a sparse image of {@code size} bytes at {@code image} holding {@code tree}. */
    public static void build(Path tree, Path image, long size) {
        if (!Files.isDirectory(tree)) {
            throw new QubesValueError("Not a directory: " + tree);
        }
        if (size <= 0) {
            throw new QubesValueError("Image size must be positive");
        }
        FileOps.createSparse(image, size);
        Exec.check("mkfs.ext4", "-F", "-q", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard",
                "-d", tree.toString(), image.toString());
    }
}
