/**
 * Test helpers that other modules' tests share: a tiny DNS responder for test-made "world"
 * namespaces. Never used by the daemon itself.
 */
package org.qubicle.net.testing;
