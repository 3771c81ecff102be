/**
 * The isolation driver SPI: how the daemon starts, stops, pauses and kills a qube and
 * runs processes in it, whatever the isolation mechanism.
 *
 * <p>The daemon holds an {@link org.qubicle.driver.IsolationDriver}, chosen by
 * {@link org.qubicle.driver.DriverSelector} from the drivers that {@code probe()} usable
 * on this host. It describes each qube with a {@link org.qubicle.driver.QubeSpec} and gets
 * back a {@link org.qubicle.driver.RunningQube} handle. Drivers:
 * {@code bwrap} (Linux namespaces through bubblewrap, the default) and
 * {@link org.qubicle.driver.fake.FakeDriver} for unit tests.
 */
package org.qubicle.driver;
