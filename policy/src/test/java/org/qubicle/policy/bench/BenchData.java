package org.qubicle.policy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.qubicle.policy.QubeInfo;
import org.qubicle.policy.Request;
import org.qubicle.policy.SystemInfo;
import org.qubicle.policy.json.Json;

/**
 * The benchmark's input, generated deterministically: a 500-rule policy, a 30-qube system and
 * 200 requests. {@code main DIR} writes them as {@code DIR/policy.d/50-bench.policy},
 * {@code DIR/system.json} and {@code DIR/requests.json}, so the upstream parser can be timed on
 * exactly the same input.
 */
public final class BenchData {
    static final int RULES = 500;
    static final int QUBES = 30;
    static final int REQUESTS = 200;
    static final int SERVICES = 25;

    private BenchData() {
    }

    static SystemInfo system() {
        Random r = new Random(7);
        List<QubeInfo> qubes = new ArrayList<>();
        qubes.add(new QubeInfo("dom0", List.of(), "AdminVM", false, "dvm-0", "adminvm-black", "black", null,
                null, null, "Running", SystemInfo.DOM0_UUID, false));
        for (int i = 1; i < QUBES; i++) {
            boolean dvm = i % 7 == 0;
            String name = dvm ? "dvm-" + i : "vm-" + i;
            List<String> tags = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                if (r.nextInt(3) == 0) {
                    tags.add("tag" + t);
                }
            }
            qubes.add(new QubeInfo(name, tags, i % 5 == 0 ? "TemplateVM" : "AppVM", dvm, "dvm-7", "appvm-red", "red",
                    "dom0", null, null, r.nextBoolean() ? "Running" : "Halted",
                    new UUID(r.nextLong(), r.nextLong()).toString(), i == 13));
        }
        return new SystemInfo(qubes);
    }

    static List<String> names(SystemInfo info) {
        return info.qubes().stream().map(QubeInfo::name).toList();
    }

    static String policy(SystemInfo info) {
        Random r = new Random(11);
        List<String> names = names(info);
        StringBuilder b = new StringBuilder("# generated benchmark policy\n");
        String[] sources = {"@anyvm", "@tag:tag1", "@type:AppVM", "*", null};
        String[] targets = {"@anyvm", "@default", "@dispvm", "@tag:tag2", "@adminvm", "@dispvm:dvm-7", null};
        for (int i = 0; i < RULES - 1; i++) {
            String svc = "svc" + (i % SERVICES);
            String arg = switch (r.nextInt(3)) {
                case 0 -> "*";
                case 1 -> "+a";
                default -> "+b";
            };
            String src = sources[r.nextInt(sources.length)];
            src = src == null ? names.get(1 + r.nextInt(names.size() - 1)) : src;
            String tgt = targets[r.nextInt(targets.length)];
            tgt = tgt == null ? names.get(r.nextInt(names.size())) : tgt;
            String action = switch (r.nextInt(3)) {
                case 0 -> "deny";
                case 1 -> "ask";
                default -> "allow";
            };
            String opts = "";
            if (action.equals("allow") && (tgt.equals("@default") || r.nextInt(4) == 0)) {
                opts = " target=" + names.get(1 + r.nextInt(names.size() - 1));
            } else if (action.equals("ask") && r.nextBoolean()) {
                opts = " default_target=" + names.get(1 + r.nextInt(names.size() - 1));
            }
            b.append(svc).append(' ').append(arg).append(' ').append(src).append(' ').append(tgt).append(' ')
                    .append(action).append(opts).append('\n');
        }
        b.append("* * @anyvm @anyvm deny\n");
        return b.toString();
    }

    static List<Request> requests(SystemInfo info) {
        Random r = new Random(13);
        List<String> names = names(info);
        String[] keywords = {"@default", "@dispvm", "@adminvm", "", "ghost"};
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String svc = "svc" + r.nextInt(SERVICES + 2);
            String arg = r.nextBoolean() ? "+a" : "+";
            String src = names.get(1 + r.nextInt(names.size() - 1));
            String tgt = r.nextInt(3) == 0 ? keywords[r.nextInt(keywords.length)] : names.get(r.nextInt(names.size()));
            out.add(new Request(svc, arg, src, tgt));
        }
        return out;
    }

    /** Writes the data set under {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir.resolve("policy.d"));
        SystemInfo info = system();
        Files.writeString(dir.resolve("policy.d/50-bench.policy"), policy(info));
        Files.writeString(dir.resolve("system.json"), Json.write(info.toJson()));
        List<Object> reqs = new ArrayList<>();
        for (Request q : requests(info)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", q.service());
            m.put("argument", q.argument());
            m.put("source", q.source());
            m.put("target", q.target());
            reqs.add(m);
        }
        Files.writeString(dir.resolve("requests.json"), Json.write(reqs));
    }
}
