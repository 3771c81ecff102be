/** The qube seccomp filter, generated as classic BPF for bubblewrap's {@code --seccomp FD}. */
package org.qubicle.driver.seccomp;
