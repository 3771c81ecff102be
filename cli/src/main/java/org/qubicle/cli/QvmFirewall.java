package org.qubicle.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code qvm-firewall}: list and change a qube's firewall rules (docs/cli.md). */
@Command(name = "qvm-firewall", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Manage a qube's firewall rules.",
        subcommands = {QvmFirewall.ListRules.class, QvmFirewall.AddRule.class,
            QvmFirewall.DelRule.class, QvmFirewall.Reset.class},
        footer = {"", "Rules can be given as positional arguments:",
            "    <action> [<dsthost> [<proto> [<dstports>|<icmptype>]]]",
            "and as keyword arguments:",
            "    action=<action> [specialtarget=dns] [dsthost=<dsthost>] [proto=<proto>]",
            "    [dstports=<dstports>] [icmptype=<icmptype>] [expire=<expire>] [comment=<text>]",
            "",
            "  action         accept or drop",
            "  dst4, dst6     synonyms for dsthost",
            "  dsthost        IP, network or hostname (e.g. 10.5.3.2, 192.168.0.0/16,",
            "                 www.example.com, fd00::/8)",
            "  dstports       port or port range (e.g. 443 or 1200-1400)",
            "  icmptype       icmp type number (e.g. 8 for echo requests)",
            "  proto          icmp, tcp or udp",
            "  specialtarget  only 'dns': the DNS servers of the qube",
            "  expire         seconds since 1/1/1970, or +seconds (e.g. +300 for 5 minutes)",
            "  comment        free text; must be last"})
public final class QvmFirewall extends QubesTool {
    @Parameters(index = "0", paramLabel = "VMNAME", completionCandidates = QubeNames.class,
            description = "The qube.")
    String vm;

    @Option(names = {"-r", "--reload"}, description = "Force a reload of the rules even when unchanged.")
    boolean reload;

    @Option(names = "--raw", description = "Print the rules as raw API strings instead of a table.")
    boolean raw;

    public static void main(String[] args) {
        ToolRunner.main(new QvmFirewall(), args);
    }

    @Override
    int run() {
        return guarded(() -> {
            List<FirewallRule> rules = rules();
            if (raw) {
                rules.forEach(r -> out().println(r.rule()));
            } else {
                table(rules);
            }
            if (reload) {
                qubes().call(vm, "admin.vm.firewall.Reload", null, null);
            }
        });
    }

    /** Runs an action; Qubes errors print {@code Error: <msg>} and give 1, as the real tool. */
    int guarded(Runnable action) {
        qubes().require(vm);
        try {
            action.run();
        } catch (QubesException e) {
            err().println("Error: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    List<FirewallRule> rules() {
        List<FirewallRule> rules = new ArrayList<>();
        for (String line : Qubes.lines(qubes().call(vm, "admin.vm.firewall.Get", null, null))) {
            try {
                rules.add(FirewallRule.parse(line));
            } catch (IllegalArgumentException e) {
                throw new QubesException("Invalid firewall rule from qubesd: " + e.getMessage());
            }
        }
        return rules;
    }

    void save(List<FirewallRule> rules) {
        StringBuilder payload = new StringBuilder();
        rules.forEach(r -> payload.append(r.rule()).append('\n'));
        qubes().call(vm, "admin.vm.firewall.Set", null, payload.toString());
    }

    private void table(List<FirewallRule> rules) {
        long now = System.currentTimeMillis() / 1000;
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NO", "ACTION", "HOST", "PROTOCOL", "PORT(S)", "SPECIAL TARGET",
                "ICMP TYPE", "EXPIRE", "COMMENT"));
        for (int i = 0; i < rules.size(); i++) {
            FirewallRule r = rules.get(i);
            rows.add(List.of(String.valueOf(i), r.action(), dash(r.dsthost()), dash(r.proto()),
                    dash(r.prettyPorts()), dash(r.specialtarget()),
                    dash(r.icmptype() == null ? null : r.icmptype().toString()),
                    dash(r.prettyExpire(now)), dash(r.comment())));
        }
        Table.print(out(), rows);
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }

    /** Parses rule words as qubesadmin's RuleAction: bare words fill the assumed order. */
    static FirewallRule parseRule(List<String> words, long nowSeconds) {
        List<String> assumed = new ArrayList<>(List.of("action", "dsthost", "proto", "dstports", "icmptype"));
        List<String> allowed = List.of("action", "dsthost", "proto", "dstports", "icmptype",
                "specialtarget", "comment", "expire");
        Map<String, String> kwargs = new LinkedHashMap<>();
        for (String opt : words) {
            if (opt.isEmpty() || opt.endsWith("=")) {
                throw new UsageError("invalid rule description: " + opt);
            }
            String[] el = opt.split("=", -1);
            String key;
            String value;
            if (el.length == 2) {
                key = el[0];
                value = el[1];
            } else if (el.length == 1) {
                if (assumed.isEmpty()) {
                    throw new UsageError("Invalid rule element: " + opt);
                }
                key = assumed.getFirst();
                value = opt;
            } else {
                throw new UsageError("invalid rule description: " + opt);
            }
            if (key.equals("dst4") || key.equals("dst6")) {
                key = "dsthost";
            }
            if (!allowed.contains(key)) {
                throw new UsageError("Invalid rule element: " + opt);
            }
            if (key.equals("expire") && value.startsWith("+")) {
                try {
                    value = String.valueOf(nowSeconds + Long.parseLong(value.substring(1)));
                } catch (NumberFormatException e) {
                    throw new UsageError("invalid expire: " + value);
                }
            }
            kwargs.put(key, value);
            assumed.remove(key);
            if (key.equals("proto") && (value.equals("tcp") || value.equals("udp"))) {
                assumed.remove("icmptype");
            } else if (key.equals("proto") && value.equals("icmp")) {
                assumed.remove("dstports");
            }
        }
        try {
            return FirewallRule.of(kwargs);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List rules (the default).")
    static final class ListRules implements Callable<Integer> {
        @ParentCommand
        QvmFirewall parent;

        @Override
        public Integer call() {
            return parent.run();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a rule.")
    static final class AddRule implements Callable<Integer> {
        @ParentCommand
        QvmFirewall parent;

        @Option(names = "--before", paramLabel = "N",
                description = "Add the rule before rule number N instead of at the end.")
        Integer before;

        @Parameters(arity = "1..*", paramLabel = "match", description = "Rule description.")
        List<String> rule = new ArrayList<>();

        @Override
        public Integer call() {
            FirewallRule r = parseRule(rule, System.currentTimeMillis() / 1000);
            return parent.guarded(() -> {
                List<FirewallRule> rules = parent.rules();
                if (before != null) {
                    int at = before < 0 ? Math.max(0, rules.size() + before) : Math.min(before, rules.size());
                    rules.add(at, r);
                } else {
                    rules.add(r);
                }
                parent.save(rules);
            });
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true, description = "Remove a rule.")
    static final class DelRule implements Callable<Integer> {
        @ParentCommand
        QvmFirewall parent;

        @Option(names = "--rule-no", paramLabel = "N", description = "Number of the rule to remove.")
        Integer ruleNo;

        @Parameters(arity = "0..*", paramLabel = "match", description = "Rule to remove.")
        List<String> rule = new ArrayList<>();

        @Override
        public Integer call() {
            if (ruleNo == null && rule.isEmpty()) {
                throw new UsageError("either --rule-no or a rule is required");
            }
            FirewallRule r = rule.isEmpty() ? null : parseRule(rule, System.currentTimeMillis() / 1000);
            return parent.guarded(() -> {
                List<FirewallRule> rules = parent.rules();
                if (ruleNo != null) {
                    if (ruleNo < 0 || ruleNo >= rules.size()) {
                        throw new QubesException("No rule number " + ruleNo);
                    }
                    rules.remove((int) ruleNo);
                } else if (!rules.remove(r)) {
                    throw new QubesException("No such rule: " + r.rule());
                }
                parent.save(rules);
            });
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Remove all rules and reset to the default (accept all connections).")
    static final class Reset implements Callable<Integer> {
        @ParentCommand
        QvmFirewall parent;

        @Override
        public Integer call() {
            return parent.guarded(() -> parent.save(List.of(FirewallRule.parse("action=accept"))));
        }
    }
}
