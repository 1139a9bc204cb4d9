package dev.strata.it.ingest;

import dev.strata.replication.IngestStatus;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.Timeline;

import java.nio.file.Path;

/**
 * Strata's ingest in a process of its own, so that a test can kill it with SIGKILL:
 * {@code IngestChild create|resume DATA_DIR CONNINFO SLOT TENANT TIMELINE}. Prints {@code READY} once streaming,
 * then a {@code STATUS <last record LSN> <durable LSN>} line every 200 ms.
 */
public final class IngestChild {
    private IngestChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        StrataNode node = new StrataNode(Path.of(args[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        Timeline tl;
        if (mode.equals("create")) {
            tl = node.replication.createFromPrimary(args[4], args[5], args[2], args[3]);
        } else {
            node.replication.resumeAll();
            tl = node.tenants.tenant(args[4]).timeline(args[5]);
        }
        System.out.println("READY");
        while (true) {
            IngestStatus st = node.replication.status(args[4], args[5]);
            System.out.println("STATUS " + Lsn.format(tl.lastRecordLsn()) + " " + Lsn.format(tl.diskConsistentLsn())
                    + " " + st.state());
            Thread.sleep(200);
        }
    }
}
