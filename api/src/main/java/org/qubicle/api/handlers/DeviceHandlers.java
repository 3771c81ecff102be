package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.OPTIONAL;
import static org.qubicle.api.ApiMethod.Dest.ADMIN_VM;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import java.util.List;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.MethodTable;

/**
 * Device classes and the read-only device listings. No device backend exists yet, so every
 * list is empty; qvm-clone needs only that these calls answer.
 */
final class DeviceHandlers {
    static final List<String> CLASSES = List.of("block", "mic", "pci", "usb");

    private DeviceHandlers() {
    }

    static void register(MethodTable.Builder b) {
        b.add("admin.deviceclass.List", NONE, Payload.NONE, ADMIN_VM, READ, call -> Replies.lines(CLASSES));
        for (String c : CLASSES) {
            for (String op : List.of("Available", "Assigned", "Attached")) {
                b.add("admin.vm.device." + c + "." + op, OPTIONAL, Payload.NONE, ANY, READ, call -> "");
            }
        }
    }
}
