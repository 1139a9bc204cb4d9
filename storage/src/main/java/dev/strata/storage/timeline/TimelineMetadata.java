package dev.strata.storage.timeline;

import dev.strata.storage.CorruptionException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The durable state of a timeline, kept in the file {@code metadata} of its directory and replaced atomically
 * (temp file, fsync, rename, fsync of the directory) whenever it changes. Layer files not listed here are leftovers
 * of an interrupted flush, compaction or GC and are deleted when the timeline is opened.
 *
 * <p>Encoding (big-endian):
 * <pre>
 * u32  magic 0x53544D44 ("STMD")
 * u16  format version, 1
 * u16  reserved, 0
 * u32  body length n
 * n    body:
 *        u8   1 when there is an ancestor, else 0; then 16 bytes of the ancestor's id when there is one
 *        u64  ancestor LSN (0 for a root timeline)
 *        u64  start LSN
 *        u64  disk-consistent LSN: every record ending at or below it is in the listed layer files
 *        u64  prev record LSN: start LSN of the record ending at the disk-consistent LSN
 *        u64  GC cutoff LSN
 *        str  state name (a {@link TimelineState})
 *        str  broken reason, or u32 0xFFFFFFFF for none
 *        u32  number of properties, then each as str name, str value
 *        u32  number of LSN leases, then each as u64 LSN, u64 expiry (ms since the epoch)
 *        u32  number of LSN/time samples, then each as u64 time (ms since the epoch), u64 last record LSN then
 *        u32  number of layer files, then each as str file name
 * u32  CRC32C of every byte before it
 * </pre>
 * A {@code str} is a u32 byte length and that many bytes of UTF-8.
 */
public record TimelineMetadata(String ancestorId, long ancestorLsn, long startLsn, long diskConsistentLsn,
                               long prevRecordLsn, long gcCutoffLsn, TimelineState state, String brokenReason,
                               Map<String, String> properties, Map<Long, Long> leases, List<LsnTime> lsnTimes,
                               List<String> layers) {
    static final int MAGIC = 0x53544D44;
    static final int VERSION = 1;
    private static final int NO_STRING = -1;

    /** The last record LSN a timeline had reached at a wall-clock time (for the PITR window). */
    public record LsnTime(long millis, long lsn) {
    }

    public TimelineMetadata {
        properties = Collections.unmodifiableMap(new TreeMap<>(properties));
        leases = Collections.unmodifiableMap(new TreeMap<>(leases));
        lsnTimes = List.copyOf(lsnTimes);
        layers = List.copyOf(layers);
    }

    public static TimelineMetadata initial(String ancestorId, long ancestorLsn, long startLsn, long prevRecordLsn) {
        return new TimelineMetadata(ancestorId, ancestorLsn, startLsn, startLsn, prevRecordLsn, 0,
                TimelineState.ACTIVE, null, Map.of(), Map.of(), List.of(), List.of());
    }

    public TimelineMetadata withDiskConsistent(long lsn, long prev, List<String> layerFiles) {
        return new TimelineMetadata(ancestorId, ancestorLsn, startLsn, lsn, prev, gcCutoffLsn, state, brokenReason,
                properties, leases, lsnTimes, layerFiles);
    }

    public TimelineMetadata withLayers(List<String> layerFiles) {
        return withDiskConsistent(diskConsistentLsn, prevRecordLsn, layerFiles);
    }

    public TimelineMetadata withGcCutoff(long cutoff, Map<Long, Long> liveLeases) {
        return new TimelineMetadata(ancestorId, ancestorLsn, startLsn, diskConsistentLsn, prevRecordLsn, cutoff,
                state, brokenReason, properties, liveLeases, lsnTimes, layers);
    }

    public TimelineMetadata withState(TimelineState s, String reason) {
        return new TimelineMetadata(ancestorId, ancestorLsn, startLsn, diskConsistentLsn, prevRecordLsn, gcCutoffLsn,
                s, reason, properties, leases, lsnTimes, layers);
    }

    public TimelineMetadata withProperty(String name, String value) {
        Map<String, String> p = new TreeMap<>(properties);
        if (value == null) {
            p.remove(name);
        } else {
            p.put(name, value);
        }
        return new TimelineMetadata(ancestorId, ancestorLsn, startLsn, diskConsistentLsn, prevRecordLsn, gcCutoffLsn,
                state, brokenReason, p, leases, lsnTimes, layers);
    }

    public TimelineMetadata withLeases(Map<Long, Long> l) {
        return new TimelineMetadata(ancestorId, ancestorLsn, startLsn, diskConsistentLsn, prevRecordLsn, gcCutoffLsn,
                state, brokenReason, properties, l, lsnTimes, layers);
    }

    public TimelineMetadata withLsnTimes(List<LsnTime> samples) {
        return new TimelineMetadata(ancestorId, ancestorLsn, startLsn, diskConsistentLsn, prevRecordLsn, gcCutoffLsn,
                state, brokenReason, properties, leases, samples, layers);
    }

    public byte[] encode() {
        ByteBuffer body = ByteBuffer.allocate(bodySize());
        body.put((byte) (ancestorId == null ? 0 : 1));
        if (ancestorId != null) {
            body.put(HexFormat.of().parseHex(ancestorId));
        }
        body.putLong(ancestorLsn).putLong(startLsn).putLong(diskConsistentLsn).putLong(prevRecordLsn)
                .putLong(gcCutoffLsn);
        putString(body, state.name());
        putString(body, brokenReason);
        body.putInt(properties.size());
        properties.forEach((k, v) -> {
            putString(body, k);
            putString(body, v);
        });
        body.putInt(leases.size());
        leases.forEach((lsn, until) -> body.putLong(lsn).putLong(until));
        body.putInt(lsnTimes.size());
        lsnTimes.forEach(t -> body.putLong(t.millis()).putLong(t.lsn()));
        body.putInt(layers.size());
        layers.forEach(l -> putString(body, l));
        ByteBuffer out = ByteBuffer.allocate(12 + body.capacity() + 4);
        out.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(body.capacity()).put(body.array());
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    private int bodySize() {
        int n = 1 + (ancestorId == null ? 0 : 16) + 5 * 8 + strSize(state.name()) + strSize(brokenReason) + 4 * 4;
        for (Map.Entry<String, String> e : properties.entrySet()) {
            n += strSize(e.getKey()) + strSize(e.getValue());
        }
        n += leases.size() * 16 + lsnTimes.size() * 16;
        for (String l : layers) {
            n += strSize(l);
        }
        return n;
    }

    private static int strSize(String s) {
        return 4 + (s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length);
    }

    private static void putString(ByteBuffer b, String s) {
        if (s == null) {
            b.putInt(NO_STRING);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(bytes.length).put(bytes);
    }

    /** Decodes a metadata file's bytes; {@code file} names it in errors. */
    public static TimelineMetadata decode(String file, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            if (b.getInt() != MAGIC) {
                throw new CorruptionException("metadata file " + file + ": at offset 0: bad magic");
            }
            int version = b.getShort() & 0xFFFF;
            if (version != VERSION) {
                throw new CorruptionException("metadata file " + file + ": at offset 4: format version " + version
                        + " is not supported");
            }
            b.getShort();
            int n = b.getInt();
            if (n < 0 || 12 + (long) n + 4 != bytes.length) {
                throw new CorruptionException("metadata file " + file + ": at offset 8: body length " + n
                        + " disagrees with the file size " + bytes.length);
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, 12 + n);
            int stored = ByteBuffer.wrap(bytes, 12 + n, 4).getInt();
            if (stored != (int) crc.getValue()) {
                throw new CorruptionException("metadata file " + file + ": at offset " + (12 + n)
                        + ": CRC32C mismatch (stored " + Integer.toHexString(stored) + ", computed "
                        + Long.toHexString(crc.getValue()) + ")");
            }
            return decodeBody(b);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptionException("metadata file " + file + ": at offset " + b.position()
                    + ": truncated or malformed body", e);
        }
    }

    private static TimelineMetadata decodeBody(ByteBuffer b) {
        String ancestor = null;
        if (b.get() != 0) {
            byte[] id = new byte[16];
            b.get(id);
            ancestor = HexFormat.of().formatHex(id);
        }
        long ancestorLsn = b.getLong();
        long startLsn = b.getLong();
        long disk = b.getLong();
        long prev = b.getLong();
        long cutoff = b.getLong();
        TimelineState state = TimelineState.valueOf(getString(b));
        String reason = getString(b);
        Map<String, String> props = new TreeMap<>();
        for (int i = b.getInt(); i > 0; i--) {
            props.put(getString(b), getString(b));
        }
        Map<Long, Long> leases = new TreeMap<>();
        for (int i = b.getInt(); i > 0; i--) {
            leases.put(b.getLong(), b.getLong());
        }
        List<LsnTime> times = new ArrayList<>();
        for (int i = b.getInt(); i > 0; i--) {
            times.add(new LsnTime(b.getLong(), b.getLong()));
        }
        List<String> layers = new ArrayList<>();
        for (int i = b.getInt(); i > 0; i--) {
            layers.add(getString(b));
        }
        return new TimelineMetadata(ancestor, ancestorLsn, startLsn, disk, prev, cutoff, state, reason, props,
                leases, times, layers);
    }

    private static String getString(ByteBuffer b) {
        int len = b.getInt();
        if (len == NO_STRING) {
            return null;
        }
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("string length " + len);
        }
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
