package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qubicle.api.client.AdminClient;
import org.qubicle.model.exc.QubesFeatureNotFoundError;
import org.qubicle.model.exc.QubesNoSuchPropertyError;
import org.qubicle.model.exc.QubesVMNotFoundError;

/** The project's own client (module api, package client) against the daemon. */
class AdminClientTest extends ApiTestBase {
    @Test
    void clientAndDaemonAgree() {
        AdminClient c = new AdminClient(daemon.paths().adminSocket());
        c.callText("dom0", "admin.vm.Create.StandaloneVM", null, "name=cl label=green");
        assertTrue(c.callText("dom0", "admin.vm.List", null, null).contains("cl class=StandaloneVM state=Halted"));
        c.callText("cl", "admin.vm.property.Set", "memory", "512");
        assertEquals("default=False type=int 512", c.callText("cl", "admin.vm.property.Get", "memory", null));
        assertThrows(QubesNoSuchPropertyError.class, () -> c.callText("cl", "admin.vm.property.Get", "nosuch", null));
        assertThrows(QubesFeatureNotFoundError.class, () -> c.callText("cl", "admin.vm.feature.Get", "nosuch", null));
        assertThrows(QubesVMNotFoundError.class, () -> c.callText("nosuch", "admin.vm.List", null, null));
    }
}
