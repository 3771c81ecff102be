/**
 * The bubblewrap isolation driver: {@link org.qubicle.driver.bwrap.BwrapDriver} and its
 * package-private parts (launch commands, bwrap arguments, cgroups v1/v2, runtime files).
 * See docs/driver.md.
 */
package org.qubicle.driver.bwrap;
