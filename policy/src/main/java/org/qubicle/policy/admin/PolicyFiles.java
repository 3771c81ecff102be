package org.qubicle.policy.admin;

import static org.qubicle.policy.admin.PolicyAdminException.Kind.PolicyAdminFileNotFoundException;
import static org.qubicle.policy.admin.PolicyAdminException.Kind.PolicyAdminInvalidFileNameException;
import static org.qubicle.policy.admin.PolicyAdminException.Kind.PolicyAdminInvalidFilePathException;
import static org.qubicle.policy.admin.PolicyAdminException.Kind.PolicyAdminProtocolException;
import static org.qubicle.policy.admin.PolicyAdminException.Kind.PolicyAdminSyntaxException;
import static org.qubicle.policy.admin.PolicyAdminException.Kind.PolicyAdminTokenException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.qubicle.policy.Policy;
import org.qubicle.policy.PolicySource;

/**
 * The Policy Admin API's file side (upstream {@code qrexec.policy.admin}): list, get, replace and
 * remove files of {@code policy.d} ({@code NAME.policy}) and {@code policy.d/include}
 * ({@code NAME}).
 *
 * <ul>
 *   <li>Names: {@code [A-Za-z0-9_-]+}, so no {@code /}, no {@code ..}, no dot; the resolved
 *       path must lie directly in the directory (a symlink out is refused).</li>
 *   <li>Tokens: {@link #get} answers {@code sha256:<hex>} of the content, then a newline, then
 *       the content. {@link #replace} takes that token as the first payload line and
 *       {@link #remove} as the whole payload; {@code any} skips the check, {@code new} requires
 *       that the file does not exist. A stale token is refused, so two editors cannot overwrite
 *       each other.</li>
 *   <li>Validation: the whole {@code policy.d} is loaded with the change applied in memory; a
 *       change that makes it invalid (syntax, an include it breaks) is refused with the parser's
 *       file:line message and nothing is written.</li>
 *   <li>Writes are atomic: {@code !NAME} beside the file, fsync, mode 0664, rename, fsync of the
 *       directory. {@code onChange} runs after every write (the daemon reloads its policy).</li>
 * </ul>
 * Calls are serialised on this object, as upstream locks the directory.
 */
public final class PolicyFiles {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    /** Upstream's {@code RPCNAME_ALLOWED_CHARSET}: what a qrexec argument may hold. */
    private static final Pattern ARG = Pattern.compile("[A-Za-z0-9+._-]*");
    /** The Admin API caps a request at 64 KiB, so a file never gets larger through it. */
    static final int MAX_FILE_BYTES = 1 << 20;
    private static final String RENAME_PREFIX = "!";

    private final Path policyDir;
    private final Path includeDir;
    private final String compatDir;
    private final Runnable onChange;

    /**
     * @param policyDir {@code $QUBES_ROOT/etc/qubes/policy.d}; it must exist
     * @param compatDir what {@code !compat-4.0} reads while validating
     * @param onChange run after each successful write
     */
    public PolicyFiles(Path policyDir, Path compatDir, Runnable onChange) {
        try {
            this.policyDir = policyDir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("policy directory " + policyDir, e);
        }
        this.includeDir = this.policyDir.resolve("include");
        this.compatDir = compatDir.toAbsolutePath().normalize().toString();
        this.onChange = Objects.requireNonNull(onChange);
    }

    public Path policyDir() {
        return policyDir;
    }

    /** {@code policy.List} / {@code policy.include.List}: names, sorted, one per line. */
    public synchronized String list(boolean include) {
        Path dir = include ? includeDir : policyDir;
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String name = p.getFileName().toString();
                    if (!Files.isRegularFile(p)) {
                        continue;
                    }
                    if (!include && name.endsWith(".policy")) {
                        names.add(name.substring(0, name.length() - ".policy".length()));
                    } else if (include) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        names.sort(null);
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(n).append('\n');
        }
        return sb.toString();
    }

    /** {@code policy.Get}: the token line, then the content. */
    public synchronized byte[] get(boolean include, String untrustedName) {
        Path path = path(include, untrustedName);
        if (!Files.isRegularFile(path)) {
            throw new PolicyAdminException(PolicyAdminFileNotFoundException, "Not found: " + path);
        }
        byte[] data = read(path);
        byte[] token = (token(data) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(token, token.length + data.length);
        System.arraycopy(data, 0, out, token.length, data.length);
        return out;
    }

    /** {@code policy.Replace}: payload is the token line, then the new content. */
    public synchronized void replace(boolean include, String untrustedName, byte[] untrustedPayload) {
        Path path = path(include, untrustedName);
        int nl = indexOf(untrustedPayload, (byte) '\n');
        if (nl < 0) {
            throw new PolicyAdminException(PolicyAdminProtocolException, "Payload needs to include first line with token");
        }
        checkToken(Arrays.copyOf(untrustedPayload, nl), path);
        byte[] data = Arrays.copyOfRange(untrustedPayload, nl + 1, untrustedPayload.length);
        validate(path, utf8(data));
        write(path, data);
        onChange.run();
    }

    /** {@code policy.Remove}: payload is the token. */
    public synchronized void remove(boolean include, String untrustedName, byte[] untrustedPayload) {
        Path path = path(include, untrustedName);
        checkToken(untrustedPayload, path);
        if (!Files.isRegularFile(path)) {
            throw new PolicyAdminException(PolicyAdminFileNotFoundException, "Not found: " + path);
        }
        validate(path, null);
        try {
            Files.delete(path);
            fsyncDir(path.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        onChange.run();
    }

    /** {@code sha256:<hex>} of {@code data}. */
    public static String token(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path path(boolean include, String untrustedName) {
        if (!ARG.matcher(untrustedName).matches()) {
            throw new PolicyAdminException(PolicyAdminProtocolException, "Invalid argument: \"" + untrustedName
                    + "\"\nValid characters are letters, numbers, dot, plus, hyphen and underline");
        }
        if (!NAME.matcher(untrustedName).matches()) {
            throw new PolicyAdminException(PolicyAdminInvalidFileNameException, "Invalid policy file name: "
                    + untrustedName + "\nNames must contain only alphanumeric characters, underscore and hyphen.");
        }
        Path dir = include ? includeDir : policyDir;
        Path path = dir.resolve(untrustedName + (include ? "" : ".policy"));
        Path real = path;
        try {
            // As upstream's resolve(): a symlink that leads out of the directory is refused.
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                real = path.toRealPath();
            }
        } catch (IOException e) {
            real = path;
        }
        if (!dir.equals(real.getParent())) {
            throw new PolicyAdminException(PolicyAdminInvalidFilePathException, "Expecting a path inside " + dir);
        }
        return real;
    }

    private static void checkToken(byte[] untrustedToken, Path path) {
        String token = new String(untrustedToken, StandardCharsets.ISO_8859_1);
        if (token.equals("any")) {
            return;
        }
        if (token.equals("new")) {
            if (Files.exists(path)) {
                throw new PolicyAdminException(PolicyAdminTokenException, "File exists but token is 'new'");
            }
            return;
        }
        if (!token.startsWith("sha256:")) {
            throw new PolicyAdminException(PolicyAdminProtocolException, "Unrecognized token");
        }
        if (!Files.exists(path)) {
            throw new PolicyAdminException(PolicyAdminTokenException, "File doesn't exist, but token isn't 'new'");
        }
        if (!token(read(path)).equals(token)) {
            throw new PolicyAdminException(PolicyAdminTokenException, "Token mismatch");
        }
    }

    /** Loads {@code policy.d} with the change applied, as upstream's ValidateParser. */
    private void validate(Path path, String content) {
        Map<String, String> change = new java.util.HashMap<>();
        change.put(path.toString(), content);
        Policy p = Policy.load(PolicySource.overlay(PolicySource.fileSystem(), change),
                List.of(policyDir.toString()), compatDir);
        p.error().ifPresent(e -> {
            throw new PolicyAdminException(PolicyAdminSyntaxException, "Policy change validation failed: " + e);
        });
    }

    private static String utf8(byte[] data) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyAdminException(PolicyAdminSyntaxException,
                    "Policy change validation failed: the content is not UTF-8");
        }
    }

    private static byte[] read(Path path) {
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new PolicyAdminException(PolicyAdminProtocolException, "File too large: " + path);
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path path, byte[] data) {
        Path dir = path.getParent();
        // A leading dot keeps the half-written file out of the loader's sight (it skips dot files).
        Path temp = dir.resolve("." + RENAME_PREFIX + path.getFileName());
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-rw-r--"));
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDir(dir);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the first error is the one to report
            }
            throw new UncheckedIOException(e);
        }
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
