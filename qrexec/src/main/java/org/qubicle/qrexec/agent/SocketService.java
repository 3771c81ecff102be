package org.qubicle.qrexec.agent;

final class SocketService {
    private SocketService() {
    }

    static int main(String[] args) {
        System.err.println("not yet");
        return 125;
    }
}
