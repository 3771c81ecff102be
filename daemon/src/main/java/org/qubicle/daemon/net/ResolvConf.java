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
     */
    static void install(QubeSpec spec, List<String> dns) {
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
                return;
            }
            Path file = etc.resolve("resolv.conf");
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    && Files.size(file) < 4096 && Files.readString(file).equals(want)) {
                return;
            }
            Path tmp = etc.resolve(".resolv.conf.qubicle." + ProcessHandle.current().pid() + "." + Thread.currentThread().threadId());
            Files.deleteIfExists(tmp);
            Files.writeString(tmp, want, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setOwner(tmp, Files.getOwner(etc, LinkOption.NOFOLLOW_LINKS));
            // rename(2) replaces a symlink itself, not what it points to.
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warning("cannot write resolv.conf for " + spec.name() + ": " + e.getMessage());
        }
    }
}
