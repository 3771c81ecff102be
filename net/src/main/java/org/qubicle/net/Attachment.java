package org.qubicle.net;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A qube attached to the network: the isolation driver joins {@code netnsPath} when it
 * starts the qube's processes ({@code QubeSpec.netns}), so they see only {@code lo} and
 * {@code eth0} with the addresses below.
 *
 * @param qube      the qube's name
 * @param netns     the namespace's name, as {@code ip netns} lists it
 * @param netnsPath its bind-mounted file, {@code /run/netns/<netns>}
 * @param ip        the qube's address on {@code eth0} (/32)
 * @param gateway   its on-link default gateway (its netvm's address); empty without netvm
 * @param dns       the virtual resolvers to write into its resolv.conf (10.139.1.1 and .2)
 */
public record Attachment(String qube, String netns, Path netnsPath, Inet4Address ip, Optional<Inet4Address> gateway,
        List<Inet4Address> dns) {
}
