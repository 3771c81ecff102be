package org.qubicle.api;

/**
 * Admin API methods that Qubicle adds to Qubes' own (docs/api.md). Qubes' qubesd drops the
 * connection on a method it does not know, so a client that uses one falls back to Qubes'
 * methods when it meets such a daemon.
 */
public final class Extensions {
    /**
     * Every qube's {@code admin.vm.property.GetAll} in one call, optionally only the
     * properties named in the argument {@code PROP+PROP+...}: for {@code qvm-ls}.
     */
    public static final String GET_ALL_OF_ALL = "admin.vm.property.GetAllOfAll";

    private Extensions() {
    }
}
