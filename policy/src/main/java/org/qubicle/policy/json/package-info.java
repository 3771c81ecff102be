/** A minimal JSON reader and writer for the policy tools (no external library). */
package org.qubicle.policy.json;
