package org.qubicle.model;

import java.nio.file.Path;
import java.util.Set;

/** A small system like Qubes' installer makes, for tests. */
final class ModelFixture {
    private ModelFixture() {
    }

    static Qubes defaultSystem() {
        Qubes app = Qubes.fresh(Path.of("/tmp/qubicle-model-test"), new HostInfo(16384, 4, "bwrap", Set.of("bwrap")));
        app.create(CreateRequest.of(QubeClass.TEMPLATE_VM, "debian-12", "black", null));
        app.globals().set("default_template", "debian-12");
        Qube net = app.create(CreateRequest.of(QubeClass.APP_VM, "sys-net", "red", null));
        net.set("provides_network", "True");
        net.set("netvm", "");
        Qube fw = app.create(CreateRequest.of(QubeClass.APP_VM, "sys-firewall", "green", null));
        fw.set("provides_network", "True");
        fw.set("netvm", "sys-net");
        app.globals().set("default_netvm", "sys-firewall");
        Qube dvm = app.create(CreateRequest.of(QubeClass.APP_VM, "default-dvm", "red", null));
        dvm.set("template_for_dispvms", "True");
        app.globals().set("default_dispvm", "default-dvm");
        app.create(CreateRequest.of(QubeClass.APP_VM, "work", "blue", null));
        return app;
    }
}
