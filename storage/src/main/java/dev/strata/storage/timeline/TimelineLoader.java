package dev.strata.storage.timeline;

import dev.strata.storage.CorruptionException;
import dev.strata.storage.StorageException;
import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.layer.DeltaLayer;
import dev.strata.storage.layer.ImageLayer;
import dev.strata.storage.layer.LayerName;
import dev.strata.storage.layer.PersistentLayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Creates timeline directories and opens them again. A timeline directory holds the {@code metadata} file, the
 * layer files it lists, and while running the scratch files ({@code ephemeral-N}) of in-memory layers. Opening
 * deletes everything else: scratch files (their contents lie above the disk-consistent LSN and are re-ingested),
 * temporary files of interrupted writes, and layer files an interrupted flush, compaction or GC left unlisted. What
 * remains is exactly the state at the disk-consistent LSN.
 */
public final class TimelineLoader {
    public static final String METADATA_FILE = "metadata";
    static final String EPHEMERAL_PREFIX = "ephemeral-";
    private static final Logger log = LoggerFactory.getLogger(TimelineLoader.class);

    private TimelineLoader() {
    }

    /**
     * Creates the directory of a new timeline with its first metadata. The directory is built under a temporary name
     * and renamed into place, so a crash never leaves a timeline without metadata.
     */
    public static LocalTimeline create(EngineContext ctx, String tenantId, String timelineId, Path dir,
                                       TimelineMetadata meta, LocalTimeline ancestor, TimelineFamily family) {
        DurableFiles files = ctx.files();
        Path temp = dir.resolveSibling(dir.getFileName() + DurableFiles.TEMP_SUFFIX);
        if (Files.exists(dir)) {
            throw new StorageException("timeline directory " + dir + " already exists");
        }
        deleteTree(temp);
        files.createDirectory(temp, "timeline");
        files.replaceAtomically(temp.resolve(METADATA_FILE), meta.encode(), "metadata");
        files.rename(temp, dir, "timeline");
        return new LocalTimeline(ctx, tenantId, timelineId, dir, meta, ancestor, family, List.of(), null);
    }

    /** Reads the metadata of a timeline directory (to learn its ancestor before opening it). */
    public static TimelineMetadata readMetadata(Path dir) {
        Path file = dir.resolve(METADATA_FILE);
        try {
            return TimelineMetadata.decode(file.toString(), Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new CorruptionException("timeline directory " + dir + " has no metadata file");
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens an existing timeline directory, removing leftovers of interrupted work. */
    public static LocalTimeline open(EngineContext ctx, String tenantId, String timelineId, Path dir,
                                     TimelineMetadata meta, LocalTimeline ancestor, TimelineFamily family) {
        removeUnlisted(ctx, dir, meta);
        List<PersistentLayer> layers = new ArrayList<>();
        String unreadable = null;
        for (String name : meta.layers()) {
            LayerName ln = LayerName.parse(name);
            try {
                if (ln == null) {
                    throw new CorruptionException("metadata lists '" + name + "', which is not a layer file name");
                }
                layers.add(ln.image() ? ImageLayer.open(dir, ln, ctx.layerFiles()) : DeltaLayer.open(dir, ln, ctx.layerFiles()));
            } catch (StorageException e) {
                log.error("timeline {}: layer {} cannot be opened", timelineId, name, e);
                unreadable = "layer file " + dir.resolve(name) + " cannot be opened: " + e.getMessage();
            }
        }
        LocalTimeline tl = new LocalTimeline(ctx, tenantId, timelineId, dir, meta, ancestor, family, layers,
                unreadable);
        if (unreadable != null && meta.state() != TimelineState.BROKEN) {
            tl.markBroken(unreadable);
        }
        return tl;
    }

    private static void removeUnlisted(EngineContext ctx, Path dir, TimelineMetadata meta) {
        Set<String> keep = new HashSet<>(meta.layers());
        keep.add(METADATA_FILE);
        boolean removed = false;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!keep.contains(p.getFileName().toString())) {
                    log.info("removing leftover {}", p);
                    deleteTree(p);
                    removed = true;
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list timeline directory " + dir + ": " + e.getMessage(), e);
        }
        if (removed) {
            ctx.files().fsyncDirectory(dir, "timeline");
        }
    }

    /** Deletes a file or a directory tree if it exists. */
    public static void deleteTree(Path p) {
        try {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    for (Path c : (Iterable<Path>) s::iterator) {
                        deleteTree(c);
                    }
                }
            }
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new StorageException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }
}
