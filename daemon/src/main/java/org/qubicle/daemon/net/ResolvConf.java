package org.qubicle.daemon.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.logging.Logger;
import org.qubicle.driver.QubeSpec;

/**
 * A networked qube's {@code /etc/resolv.conf}: the virtual resolvers 10.139.1.1 and
 * 10.139.1.2 (its {@code dns} property), which its netvm redirects. In Qubes the agent
 * writes them at every boot into the qube's copy-on-write root; here the root is the
 * template's tree bound read-only (or an overlay), so the daemon writes the file there before
 * the qube starts, while nothing of the qube runs. The content is the same for every
 * networked qube, so a template shared by many qubes holds it once.
 */
final class ResolvConf {
    private static final Logger LOG = Logger.getLogger(ResolvConf.class.getName());

    private ResolvConf() {
    }

    static String content(List<String> dns) {
        StringBuilder s = new StringBuilder("# Qubicle: the netvm redirects these to its resolvers\n");
        dns.forEach(d -> s.append("nameserver ").append(d).append('\n'));
        return s.toString();
    }

    /**
     * Makes {@code etc/resolv.conf} of the qube's root (its overlay's upper directory when it
     * has one) name {@code dns}. A symlink there is replaced, never followed; an {@code etc}
     * that is not a plain directory is left alone (logged), as it may point out of the root.
     *
     * <p>Where the daemon cannot write there (an upper layer on an idmapped pool image, which
     * host root may not write through), the file goes into the qube's runtime directory and
     * is bound read-only over {@code /etc/resolv.conf} instead.
     *
     * @return the spec to start: unchanged, or with that bind added
     */
    static QubeSpec apply(QubeSpec spec, List<String> dns) {
        if (install(spec, dns)) {
            return spec;
        }
        try {
            Path file = spec.runtimeDir().resolve("resolv.conf");
            Files.createDirectories(spec.runtimeDir());
            Path tmp = file.resolveSibling("resolv.conf.tmp");
            Files.writeString(tmp, content(dns), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return spec.withBinds(List.of(new QubeSpec.Bind(file, "/etc/resolv.conf", true)));
        } catch (IOException e) {
            LOG.warning("cannot give " + spec.name() + " its resolv.conf: " + e.getMessage());
            return spec;
        }
    }

    /** Writes into the root itself; false where that cannot be done. */
    static boolean install(QubeSpec spec, List<String> dns) {
        Path root = spec.upperDir().orElse(spec.rootfs());
        Path etc = root.resolve("etc");
        String want = content(dns);
        try {
            if (spec.upperDir().isPresent() && !Files.exists(etc, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(etc, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                Files.setOwner(etc, Files.getOwner(root, LinkOption.NOFOLLOW_LINKS));
            }
            if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)) {
                LOG.warning("no plain /etc in the root of " + spec.name() + ": resolv.conf not written");
                return true;
            }
            Path file = etc.resolve("resolv.conf");
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    && Files.size(file) < 4096 && Files.readString(file).equals(want)) {
                return true;
            }
            Path tmp = etc.resolve(".resolv.conf.qubicle." + ProcessHandle.current().pid() + "." + Thread.currentThread().threadId());
            Files.deleteIfExists(tmp);
            Files.writeString(tmp, want, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setOwner(tmp, Files.getOwner(etc, LinkOption.NOFOLLOW_LINKS));
            // rename(2) replaces a symlink itself, not what it points to.
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.fine("cannot write resolv.conf into the root of " + spec.name() + ": " + e);
            return false;
        }
    }
}
