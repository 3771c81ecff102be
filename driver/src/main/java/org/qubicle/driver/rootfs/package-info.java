/** Root filesystem builders: a minimal busybox rootfs for tests and the {@code minimal} template. */
package org.qubicle.driver.rootfs;
