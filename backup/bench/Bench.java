import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.qubicle.backup.BackupEntry;
import org.qubicle.backup.BackupOptions;
import org.qubicle.backup.BackupReader;
import org.qubicle.backup.BackupSource;
import org.qubicle.backup.BackupWriter;
import org.qubicle.backup.Passphrase;
import org.qubicle.backup.ReaderOptions;
import org.qubicle.backup.RestoredFile;
import org.qubicle.backup.crypto.ScryptParams;

/**
 * Benchmark driver for backup/bench/run.sh (not part of the test run).
 *   java -cp CP Bench.java write IMAGE OUT PASSPHRASE LOGN
 *   java -cp CP Bench.java verify BACKUP PASSPHRASE
 */
public class Bench {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Passphrase pass = new Passphrase(args[args[0].equals("write") ? 3 : 2]);
        switch (args[0]) {
            case "write" -> {
                Path img = Path.of(args[1]);
                BackupEntry e = new BackupEntry("work", "vm3/", Map.of("private.img", BackupSource.image(img)));
                String xml = "<qubes><labels><label id=\"label-1\" color=\"0xcc0000\">red</label></labels>"
                        + "<properties/><domains><domain id=\"domain-0\" class=\"AdminVM\"><properties>"
                        + "<property name=\"label\">red</property></properties></domain>"
                        + "<domain id=\"domain-3\" class=\"AppVM\"><properties><property name=\"name\">work</property>"
                        + "<property name=\"label\">red</property></properties><features>"
                        + "<feature name=\"backup-content\">1</feature><feature name=\"backup-path\">vm3/</feature>"
                        + "<feature name=\"backup-size\">" + e.declaredSize() + "</feature></features></domain>"
                        + "</domains></qubes>\n";
                BackupOptions opts = BackupOptions.defaults().withScrypt(new ScryptParams(Integer.parseInt(args[4]), 8, 1));
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[2])), 1 << 20)) {
                    var r = new BackupWriter(pass, opts).write(xml.getBytes(StandardCharsets.UTF_8), List.of(e), out);
                    System.out.println("members: " + r.members().size());
                }
            }
            case "verify" -> {
                try (BackupReader r = BackupReader.open(Path.of(args[1]), pass, ReaderOptions.defaults())) {
                    for (RestoredFile f : r.verify()) {
                        System.out.println("verified " + f.path() + " " + f.size());
                    }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.printf("%s: %.1f s%n", args[0], (System.nanoTime() - t0) / 1e9);
    }
}
