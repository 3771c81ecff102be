package org.qubicle.model;

import java.util.Arrays;
import org.qubicle.model.exc.QubesValueError;

/** The qube classes, named as Qubes names them on the wire and in qubes.xml. */
public enum QubeClass {
    ADMIN_VM("AdminVM"),
    APP_VM("AppVM"),
    DISP_VM("DispVM"),
    STANDALONE_VM("StandaloneVM"),
    TEMPLATE_VM("TemplateVM");

    private final String wireName;

    QubeClass(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether qubes of this class are based on a template (have the {@code template} property). */
    public boolean hasTemplate() {
        return this == APP_VM || this == DISP_VM;
    }

    /** Whether this class may serve as a disposable template ({@code template_for_dispvms}). */
    public boolean canBeDispvmTemplate() {
        return this == APP_VM || this == STANDALONE_VM;
    }

    /** Qubes' {@code updateable}: a qube keeps its root changes when it has no template. */
    public boolean updateable() {
        return !hasTemplate();
    }

    /** Directory under {@code /var/lib/qubes} that holds this class's qubes. */
    public String directory() {
        return this == TEMPLATE_VM ? "vm-templates" : "appvms";
    }

    public static QubeClass fromWire(String untrustedName) {
        return Arrays.stream(values())
                .filter(c -> c.wireName.equals(untrustedName))
                .findFirst()
                .orElseThrow(() -> new QubesValueError("No such VM class: " + untrustedName));
    }
}
