package org.qubicle.driver;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a qube sees its root filesystem ({@link QubeSpec#rootfs()}) at {@code /}.
 * A template or a standalone qube writes its own root, and those writes persist: that is
 * how a user installs software in a template for every qube based on it. An AppVM or a
 * disposable writes through an overlay whose upper layer is thrown away.
 */
public sealed interface RootView {
    /** Read-only. */
    record ReadOnly() implements RootView {
    }

    /** Writable in place: the qube's own root (a template's, a standalone's). */
    record Writable() implements RootView {
    }

    /** Writable through an overlay whose changes land in {@code upperDir}. */
    record Overlay(Path upperDir) implements RootView {
        public Overlay {
            Objects.requireNonNull(upperDir, "upperDir");
            if (!upperDir.isAbsolute()) {
                throw new IllegalArgumentException("upperDir must be absolute: " + upperDir);
            }
        }
    }

    RootView READ_ONLY = new ReadOnly();
    RootView WRITABLE = new Writable();

    /** Whether the qube may write to {@code /}. */
    default boolean writable() {
        return !(this instanceof ReadOnly);
    }

    /** The overlay's upper directory, if the root is an overlay. */
    default Optional<Path> overlayUpper() {
        return this instanceof Overlay o ? Optional.of(o.upperDir()) : Optional.empty();
    }
}
