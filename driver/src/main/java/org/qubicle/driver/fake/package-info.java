/** A fake isolation driver for unit tests in other modules: no isolation, no root needed. */
package org.qubicle.driver.fake;
