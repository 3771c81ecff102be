/**
 * The policy command-line tools: {@code qrexec-policy-eval}, {@code qubes-policy-lint} and
 * {@code qrexec-policy-graph}, started through {@code bin/qubicle-launcher}.
 */
package org.qubicle.policy.tools;
