/**
 * Storage pools and volumes with Qubes' semantics (DESIGN.md section 4, qubes-model.md
 * section 7).
 *
 * <p>A {@link org.qubicle.storage.PoolDriver} is the SPI: it names itself as
 * {@code admin.pool.ListDrivers} prints it, says what it can do and whether it can run on
 * this host, and opens a {@link org.qubicle.storage.Pool} from a
 * {@link org.qubicle.storage.PoolConfig}. A pool hands out
 * {@link org.qubicle.storage.Volume}s for {@link org.qubicle.storage.VolumeConfig}s; a
 * volume carries the per-volume operations (start, stop, revisions, import, export ...).
 * An operation a driver lacks fails with {@code QubesNotImplementedError} or
 * {@code StoragePoolException}, never silently.
 *
 * <p>Drivers: {@code file} ({@link org.qubicle.storage.file.FilePoolDriver}, the default
 * pool under {@code /var/lib/qubes}), {@code linux-kernel}
 * ({@link org.qubicle.storage.kernel.LinuxKernelPoolDriver}) and an in-memory
 * {@code fake} ({@link org.qubicle.storage.fake.FakePoolDriver}) for unit tests.
 */
package org.qubicle.storage;
