/**
 * qrexec between qubes: the wire between a qube and the daemon ({@link org.qubicle.qrexec.wire}),
 * the in-qube tools ({@link org.qubicle.qrexec.agent}: {@code qrexec-client-vm}, {@code qvm-copy},
 * the service handlers), the dom0 {@code qrexec-client} ({@link org.qubicle.qrexec.dom0}) and the
 * {@link org.qubicle.qrexec.AskAgent} hook. This module has no dependencies: its jar runs inside
 * qubes from a read-only runtime. See docs/qrexec.md.
 */
package org.qubicle.qrexec;
