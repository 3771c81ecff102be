package org.qubicle.policy.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;

import org.qubicle.policy.Policy;
import org.qubicle.policy.PolicySource;
import org.qubicle.policy.Request;
import org.qubicle.policy.SystemInfo;

/**
 * The same work as {@link PolicyBenchmark}, counted per second of this thread's CPU time rather
 * than wall time, so the figure holds on a machine busy with other jobs; the upstream script in
 * {@code run.sh} measures the same way ({@code time.thread_time()}).
 */
public final class CpuTimeBench {
    private CpuTimeBench() {
    }

    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        SystemInfo info = BenchData.system();
        PolicySource source = PolicySource.memory("/p", Map.of("50-bench.policy", BenchData.policy(info)));
        Policy policy = Policy.load(source, List.of("/p"));
        Request[] requests = BenchData.requests(info).toArray(Request[]::new);
        long sink = 0;
        for (int round = 0; round < 4; round++) {
            long n = 0;
            long start = mx.getCurrentThreadCpuTime();
            long spent;
            do {
                for (int i = 0; i < 1000; i++) {
                    sink += policy.evaluate(info, requests[(int) (n++ % requests.length)]).hashCode();
                }
                spent = mx.getCurrentThreadCpuTime() - start;
            } while (spent < 2_000_000_000L);
            if (round >= 1) {
                System.out.printf("qubicle evaluate   %12.1f ops/cpu-s%n", n * 1e9 / spent);
            }
        }
        for (int round = 0; round < 3; round++) {
            long n = 0;
            long start = mx.getCurrentThreadCpuTime();
            long spent;
            do {
                sink += Policy.load(source, List.of("/p")).rules().size();
                n++;
                spent = mx.getCurrentThreadCpuTime() - start;
            } while (spent < 2_000_000_000L);
            if (round >= 1) {
                System.out.printf("qubicle load       %12.1f ops/cpu-s%n", n * 1e9 / spent);
            }
        }
        if (sink == 42) {
            System.out.println();
        }
    }
}
