package org.qubicle.model.exc;

/** A storage pool refused the operation. */
public class StoragePoolException extends QubesException {
    public StoragePoolException(String message) {
        super(message);
    }
}
