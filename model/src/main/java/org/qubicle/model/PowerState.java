package org.qubicle.model;

/** Qubes' power states, as {@code admin.vm.List} and {@code admin.vm.CurrentState} report them. */
public enum PowerState {
    Transient, Running, Halted, Paused, Suspended, Halting, Dying, Crashed, NA;

    /** A qube that is anything but halted counts as started, as in Qubes' {@code is_running()}. */
    public boolean isStarted() {
        return this != Halted && this != NA && this != Crashed;
    }
}
