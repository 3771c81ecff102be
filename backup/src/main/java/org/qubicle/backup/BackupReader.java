package org.qubicle.backup;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.qubicle.backup.compress.Compression;
import org.qubicle.backup.crypto.ScryptContainer;
import org.qubicle.backup.tar.InnerEntry;
import org.qubicle.backup.tar.InnerTarReader;
import org.qubicle.backup.tar.OuterTarReader;
import org.qubicle.backup.xml.BackupQube;
import org.qubicle.backup.xml.BackupQubesXml;
import org.qubicle.model.exc.QubesValueError;

/**
 * Reads a Qubes backup, format version 4, in one pass over a stream.
 *
 * <pre>{@code
 * try (BackupReader r = BackupReader.open(file, new Passphrase("correct horse"), ReaderOptions.defaults())) {
 *     r.qubes();                             // what the backup holds (its qubes.xml)
 *     r.verify();                            // or: r.extract(stagingDir, Set.of("work"))
 * }
 * }</pre>
 *
 * {@link #open} authenticates the header (its scrypt copy must decrypt and equal the
 * clear text) and reads qubes.xml. {@link #verify} and {@link #extract} then read the
 * rest once: every chunk is authenticated before it is used, chunk names and order are
 * checked against qubes.xml, every file is decompressed and untarred (to nowhere, for
 * verify), and decompressed sizes are held to the declared {@code backup-size}. Every
 * refusal is a {@link BackupCorruptedError}, and nothing is left in the staging directory.
 */
public final class BackupReader implements Closeable {
    /** Largest qubes.xml.000.enc accepted. */
    static final int MAX_QUBES_XML_ENC = 16 << 20;

    private final InputStream in;
    private final OuterTarReader tar;
    private final Passphrase pass;
    private final ReaderOptions opts;
    private final KdfLimiter kdf;
    private BackupHeader header;
    private List<BackupQube> qubes;
    private java.util.Map<String, String> labels;
    private boolean consumed;

    private BackupReader(InputStream in, Passphrase pass, ReaderOptions opts) {
        this.in = in;
        this.tar = new OuterTarReader(in);
        this.pass = pass;
        this.opts = opts;
        this.kdf = new KdfLimiter(opts.maxKdfMemory());
    }

    /** Opens a backup file. */
    public static BackupReader open(Path file, Passphrase pass, ReaderOptions opts) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20);
        try {
            return open(in, pass, opts);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Reads and authenticates the header and qubes.xml from the start of a stream. */
    public static BackupReader open(InputStream in, Passphrase pass, ReaderOptions opts) throws IOException {
        BackupReader r = new BackupReader(in, pass, opts);
        r.readHead();
        return r;
    }

    public BackupHeader header() {
        return header;
    }

    /** Every domain of the backup's qubes.xml, backed up or not. */
    public List<BackupQube> qubes() {
        return qubes;
    }

    /** The labels of the backup's qubes.xml: name to colour ({@code 0xcc0000}). */
    public java.util.Map<String, String> labels() {
        return labels;
    }

    /** The qubes whose files are in the backup. */
    public List<BackupQube> backedUpQubes() {
        return qubes.stream().filter(BackupQube::backupContent).toList();
    }

    /** Authenticates, decompresses and parses everything; writes nothing. */
    public List<RestoredFile> verify() throws IOException {
        return body(backedUpQubes(), null);
    }

    /**
     * Restores the named qubes (all backed-up qubes when {@code qubeNames} is empty) into
     * {@code staging}: {@code staging/vm3/private.img}, {@code staging/vm3/firewall.xml}, ...
     */
    public List<RestoredFile> extract(Path staging, Collection<String> qubeNames) throws IOException {
        List<BackupQube> selected;
        if (qubeNames.isEmpty()) {
            selected = backedUpQubes();
        } else {
            Set<String> names = new LinkedHashSet<>(qubeNames);
            selected = backedUpQubes().stream().filter(q -> names.contains(q.name())).toList();
            names.removeAll(selected.stream().map(BackupQube::name).toList());
            if (!names.isEmpty()) {
                throw new QubesValueError("not in the backup: " + String.join(", ", names));
            }
        }
        Set<String> tops = new LinkedHashSet<>();
        for (BackupQube q : selected) {
            tops.add(q.backupPath().substring(0, q.backupPath().indexOf('/')));
        }
        try (Staging s = new Staging(staging, tops)) {
            List<RestoredFile> files = body(selected, s.root());
            s.commit();
            return files;
        }
    }

    private List<RestoredFile> body(List<BackupQube> selected, Path root) throws IOException {
        if (consumed) {
            throw new IllegalStateException("a BackupReader reads its stream once");
        }
        consumed = true;
        Compression compression = Compression.forHeader(header.compressed(), header.compressionFilter());
        return new BodyReader(tar, pass, header.backupId(), opts, kdf, compression, backedUpQubes(), selected, root)
                .run();
    }

    private void readHead() throws IOException {
        OuterTarReader.Member m = tar.next();
        if (m == null || !m.name().equals("backup-header")) {
            throw new BackupCorruptedError("not a Qubes backup: backup-header must come first"
                    + (m == null ? " (empty archive)" : ", found " + m.name()));
        }
        if (m.size() > BackupHeader.MAX_SIZE) {
            throw new BackupCorruptedError("backup header too large (" + m.size() + " bytes, at most "
                    + BackupHeader.MAX_SIZE + ")");
        }
        byte[] clear = new byte[(int) m.size()];
        tar.readData(clear, 0);
        m = tar.next();
        if (m == null || !m.name().equals("backup-header.hmac")) {
            throw new BackupCorruptedError("backup-header.hmac missing after backup-header");
        }
        if (m.size() > BackupHeader.MAX_SIZE) {
            throw new BackupCorruptedError("backup-header.hmac too large (" + m.size() + " bytes)");
        }
        byte[] sealed = new byte[(int) m.size()];
        tar.readData(sealed, 0);
        byte[] verified;
        try {
            verified = kdf.decrypt(pass.headerKey(), sealed, "backup-header.hmac");
        } catch (BackupCorruptedError e) {
            throw new BackupCorruptedError("Corrupted backup header (hmac verification failed). Is the password"
                    + " correct? (" + e.getMessage() + ")", e);
        }
        if (!Arrays.equals(verified, clear)) {
            throw new BackupCorruptedError("Corrupted backup header (hmac verification failed):"
                    + " backup-header differs from its authenticated copy");
        }
        header = BackupHeader.parse(verified);

        m = tar.next();
        if (m == null || !m.name().equals("qubes.xml.000.enc")) {
            throw new BackupCorruptedError("qubes.xml.000.enc missing after the backup header");
        }
        if (m.size() > MAX_QUBES_XML_ENC) {
            throw new BackupCorruptedError("qubes.xml.000.enc too large (" + m.size() + " bytes)");
        }
        byte[] xmlEnc = new byte[(int) m.size()];
        tar.readData(xmlEnc, 0);
        byte[] xmlTar = kdf.decrypt(pass.chunkKey(header.backupId(), "qubes.xml.000"), xmlEnc, "qubes.xml.000.enc");
        byte[] xml = readQubesXml(xmlTar);
        qubes = BackupQubesXml.parse(xml);
        labels = BackupQubesXml.labels(xml);
    }

    private byte[] readQubesXml(byte[] tarBytes) throws IOException {
        Compression c = Compression.forHeader(header.compressed(), header.compressionFilter());
        SizeBudget cap = new SizeBudget("qubes.xml", BackupQubesXml.MAX_SIZE, false);
        InnerTarReader t = new InnerTarReader(cap.wrap(c.decompress(new java.io.ByteArrayInputStream(tarBytes))),
                "archive qubes.xml");
        InnerEntry e = t.next();
        if (e == null || !e.name().equals("qubes.xml") || e.kind() != InnerEntry.Kind.FILE
                || e.realSize() > BackupQubesXml.MAX_SIZE) {
            throw new BackupCorruptedError("archive qubes.xml: expected one file qubes.xml");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.copyData((offset, b, off, len) -> out.write(b, off, len));
        if (t.next() != null) {
            throw new BackupCorruptedError("archive qubes.xml: unexpected second member");
        }
        t.expectOnlyPadding();
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Runs scrypt decryptions within a memory budget shared by all threads. */
    static final class KdfLimiter {
        private final long max;
        private final java.util.concurrent.Semaphore mib;

        KdfLimiter(long maxBytes) {
            this.max = maxBytes;
            this.mib = new java.util.concurrent.Semaphore((int) Math.min(Integer.MAX_VALUE, maxBytes >> 20));
        }

        int open(byte[] key, byte[] buf, int len, String what) {
            long need = ScryptContainer.params(buf, len, what).memoryBytes();
            if (need > max) {
                return ScryptContainer.open(key, buf, len, max, what); // refuses with the figures
            }
            int permits = (int) Math.max(1, (need + (1 << 20) - 1) >> 20);
            mib.acquireUninterruptibly(permits);
            try {
                return ScryptContainer.open(key, buf, len, max, what);
            } finally {
                mib.release(permits);
            }
        }

        byte[] decrypt(byte[] key, byte[] container, String what) {
            byte[] buf = container.clone();
            int n = open(key, buf, buf.length, what);
            return Arrays.copyOfRange(buf, ScryptContainer.HEADER, ScryptContainer.HEADER + n);
        }
    }
}
