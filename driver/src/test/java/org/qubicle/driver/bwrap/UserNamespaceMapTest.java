package org.qubicle.driver.bwrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.qubicle.model.exc.QubesVMError;

/** bwrap's {@code --info-fd} output, as {@link UserNamespaceMap} reads it. */
class UserNamespaceMapTest {
    private static long pid(String info) throws Exception {
        return UserNamespaceMap.childPid(new ByteArrayInputStream(info.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void readsTheChildPidOfBwrapsInfo() throws Exception {
        assertEquals(28775, pid("{\n    \"child-pid\": 28775,\n    \"ipc-namespace\": 4026532179\n}"));
        // Only the first object counts: what follows is not read.
        assertEquals(42, pid("{\"child-pid\": 42}{\"child-pid\": 7}"));
    }

    @Test
    void refusesAnythingElse() {
        assertThrows(QubesVMError.class, () -> pid(""), "bwrap died before talking");
        assertThrows(QubesVMError.class, () -> pid("{\"child-pid\": 42"), "no end of the object");
        assertThrows(QubesVMError.class, () -> pid("{\"pid\": 42}"));
        assertThrows(QubesVMError.class, () -> pid("{\"child-pid\": 1}"), "pid 1 is never bwrap's child");
        assertThrows(QubesVMError.class, () -> pid("{\"child-pid\": 99999999999}"));
        assertThrows(QubesVMError.class, () -> pid(" ".repeat(5000) + "{\"child-pid\": 42}"), "capped at 4 KiB");
    }
}
