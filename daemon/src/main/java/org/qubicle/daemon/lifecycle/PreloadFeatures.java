package org.qubicle.daemon.lifecycle;

import java.util.List;
import java.util.Optional;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;

/**
 * The features behind preloaded disposables ({@link Preloads}), read and written as
 * upstream names them: on a disposable template (or dom0) {@code preload-dispvm-max} and
 * {@code preload-dispvm-delay}, which the user sets, on dom0 {@code preload-dispvm-threshold},
 * and {@code preload-dispvm}, the list
 * the daemon keeps; on a preload {@code preload-dispvm-in-progress} and
 * {@code preload-dispvm-completed}.
 */
final class PreloadFeatures {
    static final String MAX = "preload-dispvm-max";
    static final String LIST = Qube.PRELOAD_LIST;
    static final String IN_PROGRESS = "preload-dispvm-in-progress";
    static final String COMPLETED = "preload-dispvm-completed";
    static final String DELAY = "preload-dispvm-delay";
    /** dom0's only: MiB of host memory that preloading leaves free. */
    static final String THRESHOLD = "preload-dispvm-threshold";
    /** Upstream's default wait before a used preload is replaced, so the refill does not slow its use. */
    private static final double DEFAULT_DELAY_SECONDS = 3;

    private PreloadFeatures() {
    }

    /** Seconds to wait before replacing a used preload: the template's feature, dom0's, or 3. */
    static double delay(Qubes app, Qube dvm) {
        Optional<String> v = dvm.features().find(DELAY).or(() -> app.adminVm().features().find(DELAY));
        return v.flatMap(PreloadFeatures::parseDelay).orElse(DEFAULT_DELAY_SECONDS);
    }

    static Optional<Double> parseDelay(String v) {
        try {
            double d = Double.parseDouble(v);
            return Double.isFinite(d) && v.matches("-?[0-9]+(\\.[0-9]+)?") ? Optional.of(d) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The count asked for: dom0's feature for the global default_dispvm, else the template's own. */
    static int max(Qubes app, Qube dvm) {
        Optional<String> global = app.adminVm().features().find(MAX);
        boolean isDefault = app.adminVm().get("default_dispvm").text().equals(dvm.name());
        String v = isDefault && global.isPresent() ? global.get() : dvm.features().find(MAX).orElse("0");
        try {
            return v.isEmpty() ? 0 : Math.min(Integer.parseInt(v), 9999);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** dom0's {@code preload-dispvm-threshold} in MiB; 0 when unset or empty. */
    static long threshold(Qubes app) {
        String v = app.adminVm().features().find(THRESHOLD).orElse("");
        return v.matches("[0-9]{1,9}") ? Long.parseLong(v) : 0;
    }

    static List<String> list(Qube dvm) {
        return dvm.preloadNames();
    }

    static void setList(Qube dvm, List<String> names) {
        if (names.isEmpty()) {
            if (dvm.features().find(LIST).isPresent()) {
                dvm.features().remove(LIST);
            }
        } else {
            dvm.features().set(LIST, String.join(" ", names));
        }
    }
}
