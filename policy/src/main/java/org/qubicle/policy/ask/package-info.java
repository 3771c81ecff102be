/**
 * Asking the user about {@code ask} rules: the {@link org.qubicle.policy.ask.AskAgent} seam the
 * daemon's qrexec call path uses, the question ({@link org.qubicle.policy.ask.AskRequest}), and
 * the socket protocol to the terminal prompt {@code qrexec-policy-agent}
 * ({@link org.qubicle.policy.ask.AskProtocol}). A web prompt can implement the same interface.
 */
package org.qubicle.policy.ask;
