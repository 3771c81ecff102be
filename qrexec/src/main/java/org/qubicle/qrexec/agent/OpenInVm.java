package org.qubicle.qrexec.agent;

final class OpenInVm {
    private OpenInVm() {
    }

    static int send(boolean dispvm, String[] args) {
        System.err.println("not yet");
        return 125;
    }

    static int serve(String[] args) {
        return 125;
    }
}
