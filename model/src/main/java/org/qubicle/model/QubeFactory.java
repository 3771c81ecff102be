package org.qubicle.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMAlreadyExistsError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.property.Property;

/**
 * Builds new qubes as qubesd's {@code add_new_vm} and {@code DispVM.__init__} do:
 * name and label first, the template or its class default, the lowest free qid, a fresh
 * uuid, default volumes, the {@code created-by-} tag, and for a disposable what it copies
 * from its disposable template.
 */
final class QubeFactory {
    private final Qubes app;

    QubeFactory(Qubes app) {
        this.app = app;
    }

    Qube create(CreateRequest r) {
        if (r.klass() == QubeClass.ADMIN_VM) {
            throw new QubesValueError("Cannot create another AdminVM");
        }
        String name = new QubeName(r.name()).value();
        if (app.find(name).isPresent()) {
            throw new QubesVMAlreadyExistsError("VM " + name + " already exists");
        }
        Label label = app.labels().get(r.label());
        Optional<Qube> template = resolveTemplate(r);
        Qube q = new Qube(app, r.klass(), name, app.nextQid(), UUID.randomUUID());
        q.loadProperty("label", label.name());
        template.ifPresent(t -> q.loadProperty("template", t.name()));
        r.dispid().ifPresent(d -> q.loadProperty("dispid", Integer.toString(d)));
        if (r.klass() == QubeClass.DISP_VM) {
            copyFromDispvmTemplate(q, template.orElseThrow());
        }
        template.ifPresent(t -> QubeValidators.template(q, t.name()));
        VolumeDefaults.create(q, r.pools());
        app.put(q);
        q.tags().load("created-by-" + r.caller());
        app.find(r.caller()).flatMap(c -> c.features().find("tag-created-vm-with"))
                .ifPresent(words -> List.of(words.split("\\s+")).stream().filter(w -> !w.isEmpty())
                        .forEach(w -> q.tags().load(Tags.validate(w))));
        if (!app.globals().get("check_updates_vm").text().equals("True")) {
            q.features().load("check-updates", "");
        }
        app.announce(q);
        return q;
    }

    private Optional<Qube> resolveTemplate(CreateRequest r) {
        if (!r.klass().hasTemplate()) {
            if (r.template().filter(t -> !t.isEmpty()).isPresent()) {
                throw new QubesValueError("Class " + r.klass().wireName() + " does not take a template");
            }
            return Optional.empty();
        }
        String ref = r.template().filter(t -> !t.isEmpty()).orElseGet(() -> app.globals()
                .effective(r.klass() == QubeClass.DISP_VM ? "default_dispvm" : "default_template")
                .orElseThrow(() -> new QubesException("No template given and no default set for " + r.klass().wireName())));
        return Optional.of(app.qube(ref));
    }

    /** A disposable copies its template's explicitly set cloneable properties, firewall, features and tags. */
    private static void copyFromDispvmTemplate(Qube q, Qube dvm) {
        QubeValidators.template(q, dvm.name());
        for (String p : new ArrayList<>(dvm.setProperties())) {
            Property<Qube> d = q.table().get(p);
            if (d != null && d.has(Property.Flag.CLONE) && !p.equals("label") && !p.equals("template_for_dispvms")) {
                q.loadProperty(p, dvm.values.get(p));
            }
        }
        q.loadFirewall(dvm.firewall());
        dvm.features().asMap().forEach((k, v) -> {
            if (!k.startsWith("preload-dispvm")) {
                q.features().load(k, v);
            }
        });
        dvm.tags().all().stream().filter(t -> !t.startsWith("created-by-") && !t.startsWith("disp-created-by-"))
                .forEach(q.tags()::load);
    }
}
