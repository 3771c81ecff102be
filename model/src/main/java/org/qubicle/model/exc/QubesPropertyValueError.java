package org.qubicle.model.exc;

/** A property value that its setter refuses. */
public class QubesPropertyValueError extends QubesValueError {
    public QubesPropertyValueError(String message) {
        super(message);
    }
}
