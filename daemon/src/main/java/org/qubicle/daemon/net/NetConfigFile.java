package org.qubicle.daemon.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qubicle.net.NetworkConfig;

/**
 * The instance's network settings, {@code /etc/qubes/qubicle-net.conf} under the root: lines
 * {@code key = value}, {@code #} comments. One key so far:
 * <ul>
 *   <li>{@code host-uplink = allowed}: a net qube may have feature {@code net.uplink=host},
 *       a link to the host's real network. Without this line it is refused; tests never
 *       write it.</li>
 * </ul>
 */
public final class NetConfigFile {
    public static final String NAME = "qubicle-net.conf";

    private NetConfigFile() {
    }

    /** The library's settings for the instance at {@code root}, with {@code etcQubes/qubicle-net.conf} applied. */
    public static NetworkConfig read(Path root, Path etcQubes) {
        NetworkConfig c = NetworkConfig.forRoot(root);
        Path f = etcQubes.resolve(NAME);
        if (!Files.isRegularFile(f)) {
            return c;
        }
        try {
            for (String line : Files.readAllLines(f).stream().limit(1000).toList()) {
                String l = line.strip();
                if (l.startsWith("#") || !l.contains("=")) {
                    continue;
                }
                String key = l.substring(0, l.indexOf('=')).strip();
                String value = l.substring(l.indexOf('=') + 1).strip();
                if (key.equals("host-uplink")) {
                    c = c.withHostUplinkAllowed(value.equals("allowed"));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading " + f, e);
        }
        return c;
    }
}
