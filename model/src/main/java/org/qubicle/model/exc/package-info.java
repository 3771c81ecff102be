/**
 * Errors named exactly as Qubes names them on the wire (STYLE.md section 4).
 * {@link org.qubicle.model.exc.QubesException} and its subclasses are user-facing;
 * {@link org.qubicle.model.exc.ProtocolError} and
 * {@link org.qubicle.model.exc.PermissionDenied} are distinct kinds.
 */
package org.qubicle.model.exc;
