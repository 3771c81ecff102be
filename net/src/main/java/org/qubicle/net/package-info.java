/**
 * Network qubes as Linux network namespaces (DESIGN.md section 3, qubes-model.md section 10).
 *
 * <p>The public API is {@link org.qubicle.net.Network} (attach, detach, rewire,
 * applyFirewall, close), its inputs {@link org.qubicle.net.NetworkSpec},
 * {@link org.qubicle.net.GatewayMode}, {@link org.qubicle.net.Uplink},
 * {@link org.qubicle.net.NetworkConfig}, and its result {@link org.qubicle.net.Attachment}.
 *
 * <p>How the daemon uses it:
 * <ul>
 *   <li>qube start: after its netvm chain is attached, {@code attach(NetworkSpec.of(qube))}
 *       before the driver starts it; pass {@code Attachment.netnsPath()} to the driver;</li>
 *   <li>qube stop: {@code detach(name)} after the driver stopped it (a namespace still used by
 *       a process outlives its name);</li>
 *   <li>{@code netvm} set on a running qube: {@code rewire(name, netvm)};</li>
 *   <li>{@code admin.vm.firewall.Set}/{@code Reload}: {@code applyFirewall(name, rules)};</li>
 *   <li>daemon exit: {@code close()}.</li>
 * </ul>
 *
 * <p>Layout in each net qube's namespace: tables {@code ip qubes} (antispoof, dnat-dns,
 * postrouting masquerade, input, forward, custom-input, custom-forward) and
 * {@code ip qubes-firewall} (forward, qubes-forward, one {@code qbs-<ip>} chain per client,
 * prerouting, postrouting). See docs/net.md.
 */
package org.qubicle.net;
