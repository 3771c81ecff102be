/** Test support for every module: {@link org.qubicle.driver.testing.LeakCheck}. */
package org.qubicle.driver.testing;
