package org.qubicle.model;

import java.util.regex.Pattern;
import org.qubicle.model.exc.QubesInvalidLabelValueError;
import org.qubicle.model.exc.QubesValueError;

/**
 * A trust label: a colour that marks every window and icon of a qube.
 *
 * @param index 1 to 8 for the built-in labels, higher for custom ones
 * @param name  {@code [A-Za-z0-9_.-]+}
 * @param color {@code 0xRRGGBB}
 */
public record Label(int index, String name, String color) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern COLOR = Pattern.compile("0x[0-9a-fA-F]{6}");

    public Label {
        if (index < 1) {
            throw new QubesValueError("Label index must be positive");
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new QubesValueError("Invalid label name: " + name);
        }
        if (color == null || !COLOR.matcher(color).matches()) {
            throw new QubesInvalidLabelValueError("Invalid color value");
        }
    }

    /** Qubes' XML id, {@code label-N}. */
    public String xmlId() {
        return "label-" + index;
    }

    public boolean isBuiltIn() {
        return index <= Labels.MAX_DEFAULT_LABEL;
    }
}
