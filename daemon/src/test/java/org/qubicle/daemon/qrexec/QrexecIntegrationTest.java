package org.qubicle.daemon.qrexec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.qubicle.api.client.AdminClient;
import org.qubicle.daemon.Daemon;
import org.qubicle.daemon.QubesTestRoot;
import org.qubicle.driver.ExecSpec;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;
import org.qubicle.qrexec.wire.Frames;

/**
 * qube-to-qube calls with real qubes (bubblewrap, busybox template, the in-qube Java client).
 * Run as root: {@code mvn -B -pl daemon -am test -Dqubicle.integration=true -Dtest='Qrexec*'
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class QrexecIntegrationTest {
    QubesTestRoot qubes;
    Path root;
    Daemon daemon;
    AdminClient admin;

    static final String POLICY = """
            test.Echo      *  qxwork  qxvault  allow
            test.Sock      *  qxwork  qxvault  allow
            test.Link      *  qxwork  qxvault  allow
            test.Echo      *  qxwork  @dispvm  allow  target=@dispvm:qxdvm
            test.Slow      *  qxwork  qxvault  allow
            test.Missing   *  qxwork  qxvault  allow
            qubes.VMShell  *  qxwork  qxvault  allow  user=root
            qubes.VMExec   *  qxwork  qxvault  allow
            test.Ask       *  qxwork  @anyvm   ask    default_target=qxvault
            test.Echo      *  qxvault qxwork   deny
            qubes.Filecopy *  qxwork  qxvault  allow
            qubes.OpenInVM *  qxwork  qxvault  allow
            qubes.Filecopy *  qxwork  @default ask    default_target=qxvault
            """;

    @BeforeEach
    void setUp() throws Exception {
        qubes = QubesTestRoot.start("qubicle-qrexec", "qxwork", "qxvault", "qxdvm");
        root = qubes.root();
        daemon = qubes.daemon();
        admin = qubes.admin();
        Path tree = qubes.busyboxTemplate("qxmin");
        service(tree, "test.Echo", "#!/bin/sh\necho \"src=$QREXEC_REMOTE_DOMAIN arg=$1 full=$QREXEC_SERVICE_FULL_NAME"
                + " host=$(hostname) user=$(id -u) req=$QREXEC_REQUESTED_TARGET$QREXEC_REQUESTED_TARGET_KEYWORD\"\n"
                + "cat\necho to-stderr >&2\nexit 7\n");
        service(tree, "test.Slow", "#!/bin/sh\necho $$ > /tmp/slow.pid\necho started\nread line\necho \"got $line\"\n"
                + "sleep 1000\n");
        service(tree, "test.Ask", "#!/bin/sh\nhostname\n");
        // the qube's "viewer": edits the file it opens
        Files.writeString(tree.resolve("usr/bin/xdg-open"), "#!/bin/sh\necho \"edited in $(hostname)\" >> \"$1\"\n");
        Files.setPosixFilePermissions(tree.resolve("usr/bin/xdg-open"), PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String q : List.of("qxwork", "qxvault", "qxdvm")) {
            ok("admin.vm.Create.AppVM", "qxmin", "dom0", "name=" + q + " label=blue");
            ok("admin.vm.property.Set", "memory", q, "200");
        }
        ok("admin.vm.property.Set", "template_for_dispvms", "qxdvm", "True");
        Files.writeString(root.resolve("etc/qubes/policy.d/30-test.policy"), POLICY);
    }

    private static void service(Path tree, String name, String script) throws IOException {
        Path p = tree.resolve("etc/qubes-rpc").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private String ok(String method, String arg, String dest, String payload) {
        return admin.callText(dest, method, arg, payload);
    }

    @AfterEach
    void tearDown() throws IOException {
        qubes.close();
    }

    record Result(String out, String err, int code) {
    }

    /** The tools are on PATH, or in /run/qubicle/bin where the root could not take them. */
    static ExecSpec user(String... cmd) {
        List<String> c = new ArrayList<>(List.of("sh", "-c", "PATH=$PATH:/run/qubicle/bin; exec \"$@\"", "sh"));
        c.addAll(List.of(cmd));
        return new ExecSpec("user", c, java.util.Map.of());
    }

    private Result inQube(String vm, byte[] stdin, String... cmd) throws Exception {
        RunningQube rq = daemon.lifecycle().handle(vm).orElseThrow();
        try (QubeProcess p = daemon.lifecycle().driver().exec(rq, user(cmd))) {
            Thread w = Thread.ofVirtual().start(() -> {
                try (OutputStream o = p.stdin()) {
                    o.write(stdin);
                } catch (IOException e) {
                    // closed early
                }
            });
            var err = new java.util.concurrent.CompletableFuture<String>();
            Thread.ofVirtual().start(() -> {
                try {
                    err.complete(new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    err.complete(e.toString());
                }
            });
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.ISO_8859_1);
            int code = p.waitFor();
            w.join();
            return new Result(out, err.get(), code);
        }
    }

    private void start(String vm) {
        ok("admin.vm.Start", "", vm, "");
    }

    private String state(String vm) {
        String s = ok("admin.vm.CurrentState", "", vm, "");
        return s.substring(s.indexOf("power_state=") + 12).strip();
    }

    @Test
    void allowedCallRunsWithCallerIdentityAutostartsAndCarriesBinaryData() throws Exception {
        start("qxwork");
        assertEquals("Halted", state("qxvault"));
        byte[] data = new byte[300 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + i / 977);
        }
        Result r = inQube("qxwork", data, "qrexec-client-vm", "qxvault", "test.Echo+hello");
        assertEquals(7, r.code(), r.err());
        String first = "src=qxwork arg=hello full=test.Echo+hello host=qxvault user=1000 req=qxvault\n";
        assertTrue(r.out().startsWith(first), r.out().substring(0, Math.min(200, r.out().length())));
        assertArrayEquals(data, r.out().substring(first.length()).getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("to-stderr\n", r.err());
        assertEquals("Running", state("qxvault"), "the target was started for the call");

        // user=root from the policy; the command comes on stdin (qubes.VMShell)
        r = inQube("qxwork", "id -u; echo $QREXEC_REMOTE_DOMAIN\n".getBytes(), "qrexec-client-vm", "qxvault",
                "qubes.VMShell");
        assertEquals(new Result("0\nqxwork\n", "", 0), r);
        // qubes.VMExec+ARGS: arguments encoded as qubesadmin's encode_for_vmexec, run without a shell
        r = inQube("qxwork", new byte[0], "qrexec-client-vm", "qxvault",
                "qubes.VMExec+printf+-25s-7C+a-20b+--x+it-27s-3B-24HOME+-7E-0A");
        assertEquals(new Result("a b|-x|it's;$HOME|~\n|", "", 0), r);
        r = inQube("qxwork", new byte[0], "qrexec-client-vm", "qxvault", "qubes.VMExec+echo+-ZZ");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("invalid escape"), r.err());

        // the clock from dom0, default policy
        r = inQube("qxwork", new byte[0], "qrexec-client-vm", "dom0", "qubes.GetDate");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00\n"), r.out());

        // no such service in the target: 127, as upstream
        r = inQube("qxwork", new byte[0], "qrexec-client-vm", "qxvault", "test.Missing");
        assertEquals(127, r.code(), r.err());

        // with a local program: its stdout feeds the service, the service's stdout feeds it
        r = inQube("qxwork", new byte[0], "qrexec-client-vm", "qxvault", "test.Echo+x", "sh", "-c",
                "echo from-local; read a; read b; echo \"local saw: $a | $b\" >&2; exit 3");
        assertEquals(3, r.code(), "the local program's exit code");
        assertTrue(r.err().contains("local saw: src=qxwork arg=x"), r.err());
        assertTrue(r.err().contains("| from-local"), r.err());
    }

    @Test
    void inQubeToolsStartFromTheirTrainedCache() throws Exception {
        Path launcher = root.resolve("var/lib/qubes/qubicle-agent/bin/qubicle-agent");
        for (int i = 0; i < 1800 && !Files.readString(launcher).contains("AOTCache"); i++) {
            Thread.sleep(100); // trained in the background at daemon start
        }
        start("qxwork");
        // The JVM describes the cache it maps, and which of our classes it holds, then exits:
        // qrexec-client-vm its own (one call), the other tools theirs (calls and an unpack).
        for (String[] tool : List.of(new String[] {"qrexec-client-vm", "call.aot", "org.qubicle.qrexec.agent.ClientVm"},
                new String[] {"qfile-unpacker", "agent.aot", "org.qubicle.qrexec.agent.FileReceiver"})) {
            Result r = inQube("qxwork", new byte[0], "sh", "-c",
                    "JDK_JAVA_OPTIONS=-XX:+PrintSharedArchiveAndExit " + tool[0] + " --help");
            String out = r.out() + r.err();
            assertEquals(0, r.code(), out);
            assertTrue(out.contains("Static archive name: /run/qubicle/lib/" + tool[1])
                    || out.contains("Static archive name: /usr/lib/qubicle/lib/" + tool[1]), tool[0] + ": " + out);
            assertTrue(out.contains(tool[2]) || out.contains(tool[2].replace('.', '/')), tool[0] + ": " + out);
            assertTrue(out.contains("archive is valid"), out);
        }
    }

    @Test
    void deniedAndUnknownCallsAreRefused() throws Exception {
        start("qxvault");
        Result r = inQube("qxvault", new byte[0], "qrexec-client-vm", "qxwork", "test.Echo");
        assertEquals(126, r.code());
        assertTrue(r.err().contains("Request refused"), r.err());
        assertEquals("Halted", state("qxwork"), "a refused call starts nothing");
        // no rule at all, and the default policy's denies
        assertEquals(126, inQube("qxvault", new byte[0], "qrexec-client-vm", "qxwork", "qubes.VMShell").code());
        assertEquals(126, inQube("qxvault", new byte[0], "qrexec-client-vm", "qxwork", "nothing.Here").code());
        // admin calls from a qube are denied by default
        assertEquals(126, inQube("qxvault", new byte[0], "qrexec-client-vm", "dom0", "admin.vm.List").code());
        // ask with no agent: denied
        start("qxwork");
        assertEquals(126, inQube("qxwork", new byte[0], "qrexec-client-vm", "qxvault", "test.Ask").code());
        // with an agent: its pick runs
        daemon.qrexec().setAskAgent((src, svc, arg, targets, def) -> {
            assertEquals("qxwork", src);
            assertTrue(targets.contains("qxvault"), targets.toString());
            return java.util.Optional.of(def);
        });
        r = inQube("qxwork", new byte[0], "qrexec-client-vm", "qxvault", "test.Ask");
        assertEquals(new Result("qxvault\n", "", 0), r);
        daemon.qrexec().setAskAgent((src, svc, arg, targets, def) -> java.util.Optional.empty());
        assertEquals(126, inQube("qxwork", new byte[0], "qrexec-client-vm", "qxvault", "test.Ask").code());
    }

    private static byte[] call(String target, String service, byte[]... stdin) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((target + " " + service + "\n").getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] s : stdin) {
            Frames.write(b, Frames.STDIN, s, 0, s.length);
        }
        return b.toByteArray();
    }

    /** RawPeer on the host as uid {@code base+offset} of {@code vm}, on {@code vm}'s socket. */
    private String peer(String vm, int offset, byte[] input, String... args) throws Exception {
        long uid = daemon.lifecycle().handle(vm).orElseThrow().spec().baseUid() + offset;
        Path socket = root.resolve("var/run/qubes").resolve(vm).resolve("qrexec/agent.sock");
        Path classes = Path.of(RawPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-cp", classes.toString(), RawPeer.class.getName(), args[0],
                socket.toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream o = p.getOutputStream()) {
            o.write(input);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(0, p.waitFor());
        return out;
    }

    private String[] answer(String vm, byte[] input) throws Exception {
        return RawPeer.decode(peer(vm, 1000, input, "send").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void hostileCallersCannotForgeIdentityAndGarbageIsRefused() throws Exception {
        start("qxwork");
        start("qxvault");
        // qxvault may not call test.Echo on qxwork. Whatever it writes, it is qxvault.
        for (String lie : List.of("qxwork test.Echo", "qxwork test.Echo source=qxwork",
                "qxwork test.Echo\u0000qxwork", "qxwork test.Echo+x qxwork qxvault")) {
            String[] a = answer("qxvault", (lie + "\n").getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(a[2].startsWith("refused"), lie + " -> " + String.join("|", a));
        }
        // qxwork may; the service sees qxwork whatever else the header says
        String[] a = answer("qxwork", call("qxvault", "test.Echo+a source=qxvault", new byte[0]));
        assertEquals("exit 7", a[2]);
        assertTrue(a[0].startsWith("src=qxwork arg=a_source_qxvault "), a[0]);
        // garbage: no header end, binary junk, a header too long, a bad frame after the header
        assertTrue(answer("qxwork", new byte[] {1, 2, 3, (byte) 0xff, '\n'})[2].startsWith("refused"));
        assertTrue(answer("qxwork", "+svc\n".getBytes())[2].startsWith("refused"), "a leading + is refused");
        byte[] longHeader = ("qxvault test.Echo+" + "a".repeat(70000) + "\n").getBytes();
        assertTrue(answer("qxwork", longHeader)[2].startsWith("refused"));
        byte[] bad = call("qxvault", "test.Echo");
        bad = java.util.Arrays.copyOf(bad, bad.length + 5);
        bad[bad.length - 5] = 9; // unknown frame type
        a = answer("qxwork", bad);
        assertFalse(a[2].startsWith("exit"), String.join("|", a));
        // a host process outside the qube's uid range (root here) is dropped without an answer
        try (var ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(root.resolve("var/run/qubes/qxwork/qrexec/agent.sock")));
            int n;
            try {
                ch.write(java.nio.ByteBuffer.wrap(call("qxvault", "test.Echo", new byte[0])));
                n = ch.read(java.nio.ByteBuffer.allocate(16));
            } catch (IOException e) {
                n = -1; // broken pipe or reset: dropped before or after our request arrived
            }
            assertEquals(-1, n);
        }
        // qxwork's uid on qxvault's socket: dropped as well
        long workUid = daemon.lifecycle().handle("qxwork").orElseThrow().spec().baseUid() + 1000;
        long vaultBase = daemon.lifecycle().handle("qxvault").orElseThrow().spec().baseUid();
        assertTrue(workUid < vaultBase || workUid >= vaultBase + 65536);
        // a flood of silent connections: past 64 at once the daemon refuses at once, and still serves later
        String answered = peer("qxwork", 1000, new byte[0], "flood", "200");
        assertEquals(136, Integer.parseInt(answered), "every connection past the 64 slots is refused");
        Result r = inQube("qxwork", "x".getBytes(), "qrexec-client-vm", "qxvault", "test.Echo");
        assertEquals(7, r.code(), r.err());
    }

    @Test
    void callerLeavingHalfwayKillsTheService() throws Exception {
        start("qxwork");
        start("qxvault");
        peer("qxwork", 1000, call("qxvault", "test.Slow", "line\n".getBytes()), "leave");
        // the service ran (it wrote its pid), and is gone once its caller left
        Result r = null;
        for (int i = 0; i < 100; i++) {
            r = inQube("qxvault", new byte[0], "sh", "-c", "test -f /tmp/slow.pid && ! kill -0 $(cat /tmp/slow.pid)"
                    + " 2>/dev/null && ! pgrep -f 'sleep 1[0]00'");
            if (r.code() == 0) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(0, r.code(), "the service outlived its caller");
    }

    @Test
    void dispvmCallGetsAFreshDisposableThatIsDestroyedAfter() throws Exception {
        start("qxwork");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Result r = inQube("qxwork", new byte[0], "qrexec-client-vm", "@dispvm", "test.Echo");
            assertEquals(7, r.code(), r.err());
            String host = r.out().replaceAll("(?s).*host=(\\S+).*", "$1");
            assertTrue(host.startsWith("disp"), r.out());
            assertTrue(r.out().contains("req=dispvm"), r.out());
            seen.add(host);
            String list = ok("admin.vm.List", "", "dom0", "");
            assertFalse(list.contains(host + " "), "the disposable is gone: " + list);
        }
        assertFalse(seen.get(0).equals(seen.get(1)), "one disposable per call");
    }

    @Test
    void policyChangeAppliesToNewCallsWhileOneIsInFlight() throws Exception {
        start("qxwork");
        start("qxvault");
        RunningQube rq = daemon.lifecycle().handle("qxwork").orElseThrow();
        try (QubeProcess slow = daemon.lifecycle().driver().exec(rq,
                user("qrexec-client-vm", "qxvault", "test.Slow"))) {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(slow.stdout()));
            assertEquals("started", lines.readLine());
            Files.writeString(root.resolve("etc/qubes/policy.d/30-test.policy"), POLICY.replace(
                    "test.Slow      *  qxwork  qxvault  allow", "test.Slow      *  qxwork  qxvault  deny"));
            Result r = inQube("qxwork", new byte[0], "qrexec-client-vm", "qxvault", "test.Slow");
            assertEquals(126, r.code(), "the new policy applies at once");
            slow.stdin().write("hello\n".getBytes());
            slow.stdin().flush();
            assertEquals("got hello", lines.readLine(), "the call in flight goes on");
            slow.kill();
        }
    }

    @Test
    void filecopyDeliversTreesMovesAndShowsProgress() throws Exception {
        start("qxwork");
        Result r = inQube("qxwork", new byte[0], "sh", "-c", "mkdir -p docs/sub && head -c 2100000 /dev/urandom > docs/a.bin"
                + " && echo hello > docs/sub/b.txt && ln -s ../a.bin docs/sub/l && echo move-me > m.txt"
                + " && md5sum docs/a.bin docs/sub/b.txt");
        assertEquals(0, r.code(), r.err());
        String sums = r.out();
        r = inQube("qxwork", new byte[0], "qvm-copy-to-vm", "qxvault", "docs");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("(100%)"), "the sender sees progress: " + r.err());
        r = inQube("qxvault", new byte[0], "sh", "-c", "cd QubesIncoming/qxwork && md5sum docs/a.bin docs/sub/b.txt"
                + " && readlink docs/sub/l");
        assertEquals(sums + "../a.bin\n", r.out());
        r = inQube("qxwork", new byte[0], "qvm-move-to-vm", "qxvault", "--without-progress", "m.txt");
        assertEquals(new Result("", "", 0), r);
        assertEquals(1, inQube("qxwork", new byte[0], "test", "-e", "m.txt").code(), "qvm-move removes the source");
        assertEquals("move-me\n", inQube("qxvault", new byte[0], "cat", "QubesIncoming/qxwork/m.txt").out());
        // qvm-copy: no target; the policy asks, the agent picks
        daemon.qrexec().setAskAgent((src, svc, arg, targets, def) -> java.util.Optional.of("qxvault"));
        r = inQube("qxwork", new byte[0], "sh", "-c", "echo asked > q.txt && qvm-copy q.txt");
        assertEquals(0, r.code(), r.err());
        assertEquals("asked\n", inQube("qxvault", new byte[0], "cat", "QubesIncoming/qxwork/q.txt").out());
        // the same name again is refused, not overwritten
        r = inQube("qxwork", new byte[0], "sh", "-c", "echo other > q.txt && qvm-copy-to-vm qxvault q.txt");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("already exists"), r.err());
        // a 10 GB sparse file is refused by the limits, and nothing of it stays
        r = inQube("qxwork", new byte[0], "sh", "-c", "truncate -s 10G bomb && qvm-copy-to-vm qxvault bomb");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("limit") || r.err().contains("space"), r.err());
        assertEquals(1, inQube("qxvault", new byte[0], "test", "-e", "QubesIncoming/qxwork/bomb").code());
    }

    /** A qubes.Filecopy stream written by hand, for the hostile cases. */
    private static byte[] archive(Object... entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        var d = new java.io.DataOutputStream(b);
        d.write("QFC1\n".getBytes());
        for (int i = 0; i < entries.length; i += 3) {
            int type = (Character) entries[i];
            byte[] name = ((String) entries[i + 1]).getBytes(StandardCharsets.UTF_8);
            d.writeByte(type);
            d.writeShort(name.length);
            d.write(name);
            d.writeShort(0644);
            d.writeLong(0);
            Object extra = entries[i + 2];
            if (type == 'F' && extra instanceof Long size) {
                d.writeLong(size); // declared only: the data never comes
            } else if (type == 'F') {
                byte[] data = ((String) extra).getBytes();
                d.writeLong(data.length);
                d.write(data);
            } else if (type == 'L') {
                byte[] t = ((String) extra).getBytes();
                d.writeShort(t.length);
                d.write(t);
            }
        }
        d.writeByte('E');
        d.writeShort(0);
        return b.toByteArray();
    }

    private static byte[] filecopyCall(byte[] archive) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write("qxvault qubes.Filecopy\n".getBytes());
        for (int off = 0; off < archive.length; off += Frames.MAX) {
            Frames.write(b, Frames.STDIN, archive, off, Math.min(Frames.MAX, archive.length - off));
        }
        Frames.write(b, Frames.STDIN, archive, 0, 0);
        return b.toByteArray();
    }

    @Test
    void hostileArchivesToFilecopyLandNowhere() throws Exception {
        start("qxwork");
        start("qxvault");
        inQube("qxvault", new byte[0], "sh", "-c", "mkdir -p QubesIncoming/qxwork && ln -s /home/user QubesIncoming/qxwork/planted");
        List<byte[]> hostile = List.of(
                archive('F', "../escape", "x"),
                archive('F', "../../../../tmp/escape", "x"),
                archive('F', "/tmp/escape", "x"),
                archive('D', "d", null, 'L', "d/up", "../../..", 'F', "d/up/escape", "x"),
                archive('D', "e", null, 'L', "e/abs", "/home/user", 'F', "e/abs/escape", "x"),
                archive('F', "planted/escape", "x"),
                archive('C', "device", null),
                archive('F', "bomb", 10_000_000_000L));
        for (byte[] a : hostile) {
            String[] ans = answer("qxwork", filecopyCall(a));
            assertTrue(ans[0].startsWith("ERROR "), String.join("|", ans));
            assertEquals("exit 1", ans[2]);
        }
        Result r = inQube("qxvault", new byte[0], "sh", "-c", "ls -A /home/user /tmp; ls -A QubesIncoming/qxwork");
        assertFalse(r.out().contains("escape"), r.out());
        assertFalse(r.out().contains("bomb"), r.out());
        assertFalse(r.out().contains("device"), r.out());
    }

    @Test
    void openInVmAndInDisposableSendTheEditedFileBack() throws Exception {
        start("qxwork");
        ok("admin.vm.property.Set", "default_dispvm", "qxwork", "qxdvm");
        assertEquals(0, inQube("qxwork", new byte[0], "sh", "-c", "echo original > doc.txt").code());
        Result r = inQube("qxwork", new byte[0], "qvm-open-in-dvm", "doc.txt");
        assertEquals(0, r.code(), r.err());
        String doc = inQube("qxwork", new byte[0], "cat", "doc.txt").out();
        assertTrue(doc.matches("original\nedited in disp\\d+\n"), doc);
        assertFalse(ok("admin.vm.List", "", "dom0", "").contains("disp"), "the disposable is gone");
        r = inQube("qxwork", new byte[0], "qvm-open-in-vm", "qxvault", "doc.txt");
        assertEquals(0, r.code(), r.err());
        assertTrue(inQube("qxwork", new byte[0], "cat", "doc.txt").out().endsWith("edited in qxvault\n"));
        r = inQube("qxwork", new byte[0], "qvm-open-in-vm", "--view-only", "qxvault", "doc.txt");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, inQube("qxwork", new byte[0], "grep", "-c", "edited", "doc.txt").out().strip().length() == 1
                ? Integer.parseInt(inQube("qxwork", new byte[0], "grep", "-c", "edited", "doc.txt").out().strip()) : -1,
                "--view-only keeps our file");
        // a file name from the caller cannot steer the service: it is reduced to a base name
        r = inQube("qxwork", new byte[0], "sh", "-c", "echo x > ./-rf && qvm-open-in-vm qxvault ./-rf");
        assertEquals(0, r.code(), r.err());
    }

    private Result qrexecClient(String... args) throws Exception {
        Path classes = Path.of(org.qubicle.qrexec.AskAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes.toString(), "org.qubicle.qrexec.dom0.QrexecClient"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("QUBES_ROOT", root.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes()));
            } catch (IOException e) {
                err.complete(e.toString());
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(out, err.get(), p.waitFor());
    }

    /** Where the host sees {@code path} of a running qube: through its pid 1's root. */
    private Path insideQube(String vm, String path) throws IOException {
        long outer = daemon.lifecycle().handle(vm).orElseThrow().pid();
        String pid1 = Files.readString(Path.of("/proc/" + outer + "/task/" + outer + "/children")).trim().split(" ")[0];
        return Path.of("/proc/" + pid1 + "/root" + path);
    }

    /** A socket service served by the host through the qube's root: answers what it got. */
    private static Thread serveOnce(ServerSocketChannel server) {
        return Thread.ofVirtual().start(() -> {
            try (SocketChannel c = server.accept()) {
                byte[] got = Channels.newInputStream(c).readAllBytes();
                Channels.newOutputStream(c).write(("got[" + new String(got, StandardCharsets.ISO_8859_1) + "]")
                        .replace('\0', '|').getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // the test fails on the answer
            }
        });
    }

    @Test
    void socketServicesAreReachedWithoutAProcessAndStayInsideTheTarget() throws Exception {
        start("qxwork");
        start("qxvault");
        Path sock = insideQube("qxvault", "/etc/qubes-rpc/test.Sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             ServerSocketChannel host = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            // Owned by the host's root and private: nothing inside the qube may connect to it,
            // so the call can only succeed by the daemon's direct path, without an in-qube bridge.
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-------"));
            Thread t = serveOnce(server);
            Result r = inQube("qxwork", "hello".getBytes(), "qrexec-client-vm", "qxvault", "test.Sock+arg");
            assertTrue(t.join(java.time.Duration.ofSeconds(30)), "the service got no connection: " + r);
            assertEquals(new Result("got[test.Sock+arg qxwork name qxvault|hello]", "", 0), r);

            // rpc-config: no descriptor
            Path config = insideQube("qxvault", "/etc/qubes/rpc-config/test.Sock");
            Files.createDirectories(config.getParent());
            Files.writeString(config, "skip-service-descriptor = true\n");
            t = serveOnce(server);
            r = inQube("qxwork", "raw".getBytes(), "qrexec-client-vm", "qxvault", "test.Sock");
            assertTrue(t.join(java.time.Duration.ofSeconds(30)), "the service got no connection: " + r);
            assertEquals(new Result("got[raw]", "", 0), r);

            // A link the qube planted towards a host socket leads nowhere: the path is the
            // qube's own, where nothing listens (the service cannot run: 125).
            Path hostSocket = root.resolve("host.sock");
            host.bind(UnixDomainSocketAddress.of(hostSocket));
            host.configureBlocking(false);
            Files.createSymbolicLink(insideQube("qxvault", "/etc/qubes-rpc/test.Link"), hostSocket);
            r = inQube("qxwork", "x".getBytes(), "qrexec-client-vm", "qxvault", "test.Link");
            assertEquals(125, r.code(), r.err());
            assertEquals(null, host.accept(), "the host's socket was reached from a qube");
        }
    }

    @Test
    void dom0QrexecClientRunsCommandsAndServices() throws Exception {
        start("qxvault");
        Result r = qrexecClient("-d", "qxvault", "user:QUBESRPC test.Echo+z dom0");
        assertEquals(7, r.code(), r.err());
        assertTrue(r.out().startsWith("src=dom0 arg=z full=test.Echo+z host=qxvault user=1000"), r.out());
        r = qrexecClient("-d", "qxvault", "root:id -u; exit 3");
        assertEquals(new Result("0\n", "", 3), r);
        r = qrexecClient("-d", "qxvault", "user:QUBESRPC nothing.Here dom0");
        assertEquals(127, r.code(), r.err());
        assertEquals(1, qrexecClient("-d", "qxwork", "user:true").code(), "the qube must be running");
    }
}
