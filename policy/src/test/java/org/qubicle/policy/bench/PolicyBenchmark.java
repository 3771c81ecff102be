package org.qubicle.policy.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.qubicle.policy.Decision;
import org.qubicle.policy.Policy;
import org.qubicle.policy.PolicySource;
import org.qubicle.policy.Request;
import org.qubicle.policy.SystemInfo;

/**
 * Policy evaluations per second on the 500-rule policy of {@link BenchData} (one op = one request,
 * cycling through 200), and loading that policy. Run by {@code policy/bench/run.sh}; never part of
 * the tests.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms256m", "-Xmx256m", "-Xbatch"})
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 2)
public class PolicyBenchmark {
    private SystemInfo info;
    private Policy policy;
    private Request[] requests;
    private PolicySource source;
    private int next;

    @Setup
    public void setup() {
        info = BenchData.system();
        source = PolicySource.memory("/p", Map.of("50-bench.policy", BenchData.policy(info)));
        policy = Policy.load(source, List.of("/p"));
        if (policy.error().isPresent()) {
            throw new IllegalStateException(policy.error().get().toString());
        }
        requests = BenchData.requests(info).toArray(Request[]::new);
    }

    @Benchmark
    public Decision evaluate() {
        Request r = requests[next];
        next = (next + 1) % requests.length;
        return policy.evaluate(info, r);
    }

    @Benchmark
    public Policy load() {
        return Policy.load(source, List.of("/p"));
    }
}
