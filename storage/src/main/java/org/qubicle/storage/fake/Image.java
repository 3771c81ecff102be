package org.qubicle.storage.fake;

import java.util.Arrays;

/**
 * An immutable in-memory disk image: {@code data} then zeros up to {@code size}, so a
 * 10 GiB fake volume costs nothing. Identity stands for an inode (the outdated check).
 */
record Image(byte[] data, long size) {
    Image {
        if (data.length > size) {
            throw new IllegalArgumentException("data longer than size");
        }
    }

    static Image empty(long size) {
        return new Image(new byte[0], size);
    }

    Image copy() {
        return new Image(data.clone(), size);
    }

    Image withSize(long newSize) {
        return new Image(data.length > newSize ? Arrays.copyOf(data, (int) newSize) : data.clone(), newSize);
    }

    Image write(long offset, byte[] bytes) {
        long end = offset + bytes.length;
        if (end > size) {
            throw new IllegalArgumentException("write past the end of the image");
        }
        byte[] d = Arrays.copyOf(data, (int) Math.max(data.length, end));
        System.arraycopy(bytes, 0, d, (int) offset, bytes.length);
        return new Image(d, size);
    }

    byte[] read(long offset, int length) {
        byte[] out = new byte[length];
        if (offset < data.length) {
            System.arraycopy(data, (int) offset, out, 0, (int) Math.min(length, data.length - offset));
        }
        return out;
    }
}
