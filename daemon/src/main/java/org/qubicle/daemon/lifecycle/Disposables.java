package org.qubicle.daemon.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.qubicle.model.CreateRequest;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.QubesException;

/** Unnamed disposables ({@code disp<N>}): creation and the removal of their runtime files. */
final class Disposables {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Disposables() {
    }

    /**
     * Creates {@code disp<N>} from the disposable template {@code dvm}, as qubesd's
     * {@code DispVM.from_appvm}: a random free dispid below 10000, tags
     * {@code created-by-<caller>} and {@code disp-created-by-<caller>}, auto_cleanup on.
     */
    static String create(Qubes app, Qube dvm, Qube caller) {
        if (!isTemplate(dvm)) {
            throw new QubesException("Refusing to create DispVM out of this AppVM, because template_for_dispvms=False");
        }
        int id = -1;
        for (int tries = 0; tries < 1000 && id < 0; tries++) {
            int candidate = 1 + RANDOM.nextInt(9999);
            if (app.find("disp" + candidate).isEmpty()) {
                id = candidate;
            }
        }
        if (id < 0) {
            throw new QubesException("No free dispid");
        }
        String name = "disp" + id;
        Qube q = app.create(new CreateRequest(QubeClass.DISP_VM, name, dvm.label().name(), Optional.of(dvm.name()),
                Map.of(), caller.name(), Optional.of(id)));
        q.tags().add("disp-created-by-" + caller.name());
        q.set("auto_cleanup", "True");
        return name;
    }

    /** Whether disposables can be made from {@code q}: an AppVM with {@code template_for_dispvms}. */
    static boolean isTemplate(Qube q) {
        return q.klass().canBeDispvmTemplate() && q.boolProperty("template_for_dispvms");
    }

    /** Deletes a qube's runtime directory after its driver cleaned it (no links followed). */
    static void deleteRuntime(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + dir, e);
        }
    }
}
