package org.qubicle.model.exc;

/** A template-based qube without a template. */
public class QubesNoTemplateError extends QubesVMError {
    public QubesNoTemplateError(String message) {
        super(message);
    }
}
