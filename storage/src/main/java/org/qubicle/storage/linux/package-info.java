/**
 * The Linux calls storage needs, made directly through the foreign function API instead
 * of by spawning mount(8), losetup(8), dumpe2fs(8) or cp(1): {@link org.qubicle.storage.linux.Mount}
 * (mount, umount2, syncfs, idmapped binds), {@link org.qubicle.storage.linux.Loop} (loop
 * devices through /dev/loop-control and the loop ioctls), {@link org.qubicle.storage.linux.MountTable}
 * (mountinfo), {@link org.qubicle.storage.linux.Ext4Superblock} (a file system's size),
 * {@link org.qubicle.storage.linux.SparseCopy} (reflink or extent-wise copies) and
 * {@link org.qubicle.storage.linux.Stat} (allocated bytes). Failures are
 * {@link org.qubicle.storage.linux.SyscallException}s, a Qubes {@code StoragePoolException}
 * carrying errno and strerror's text. The daemon runs as root; these calls need it.
 */
package org.qubicle.storage.linux;
