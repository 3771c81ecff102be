package org.qubicle.policy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link PolicySource} on the real file system. */
final class FileSystemSource implements PolicySource {
    /** A policy file is a few KiB; refuse anything absurd rather than filling the heap. */
    static final long MAX_FILE_BYTES = 16L << 20;

    @Override
    public Kind kind(String path) {
        Path p = Path.of(path);
        if (Files.isRegularFile(p)) {
            return Kind.FILE;
        }
        return Files.isDirectory(p) ? Kind.DIRECTORY : Kind.OTHER;
    }

    @Override
    public List<String> list(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Override
    public String read(String path) throws IOException {
        Path p = Path.of(path);
        if (Files.size(p) > MAX_FILE_BYTES) {
            throw new IOException(path + ": file too large");
        }
        byte[] untrustedBytes = Files.readAllBytes(p);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(untrustedBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(path + ": not valid UTF-8", e);
        }
    }

    @Override
    public String resolve(String base, String included) {
        Path joined = Path.of(base).resolve(included);
        try {
            return joined.toRealPath().toString();
        } catch (IOException e) {
            // Like Python's non-strict resolve(): a missing path is still a (normalised) path.
            return joined.toAbsolutePath().normalize().toString();
        }
    }

    @Override
    public String stamp(String path) {
        Path p = Path.of(path);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            String s = a.lastModifiedTime().toInstant() + "/" + a.size() + "/" + a.fileKey();
            if (a.isDirectory()) {
                List<String> names = list(path);
                names.sort(null);
                s += "/" + names;
            }
            return s;
        } catch (IOException e) {
            return "missing";
        }
    }
}
