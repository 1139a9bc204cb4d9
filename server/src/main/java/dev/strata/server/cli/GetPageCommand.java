package dev.strata.server.cli;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.wire.client.PageStreamClient;
import dev.strata.wire.client.PgWireClient;
import dev.strata.wire.client.PgWireException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code strata getpage}: fetches one 8 KB page from a running Strata through the page service (pagestream v3, as
 * a compute node does) and writes it to stdout or {@code --out}. Exit status: 0 with the page written; 1 when the
 * server answered with an error (tag 103 or ErrorResponse, printed to stderr); 2 for a usage or connection error.
 *
 * <pre>
 * strata getpage --tenant T --timeline TL --rel 1663/5/16384 --fork main --block 0 [--lsn X/Y|latest]
 *                [--host 127.0.0.1] [--port 6400] [--out page.bin]
 * </pre>
 * A password or JWT for the pg port comes from the {@code PGPASSWORD} environment variable.
 */
@Command(name = "getpage", mixinStandardHelpOptions = true,
        description = "Fetches one page from a running Strata through the page service.")
public final class GetPageCommand implements Callable<Integer> {
    @Option(names = "--tenant", required = true, paramLabel = "ID", description = "Tenant id (32 hex digits).")
    String tenant;

    @Option(names = "--timeline", required = true, paramLabel = "ID", description = "Timeline id (32 hex digits).")
    String timeline;

    @Option(names = "--rel", required = true, paramLabel = "SPC/DB/REL",
            description = "The relation: tablespace, database and relfilenode OIDs, e.g. 1663/5/16384.")
    String rel;

    @Option(names = "--fork", defaultValue = "main", paramLabel = "FORK",
            description = "main, fsm, vm or init (or 0..3). Default: main.")
    String fork;

    @Option(names = "--block", required = true, paramLabel = "N", description = "Block number.")
    long block;

    @Option(names = "--lsn", defaultValue = "latest", paramLabel = "X/Y|latest",
            description = "Read the page as of this LSN (waits for it when not yet ingested). Default: latest.")
    String lsn;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Strata's pg host. Default: 127.0.0.1.")
    String host;

    @Option(names = "--port", defaultValue = "6400", description = "Strata's pg port. Default: 6400.")
    int port;

    @Option(names = "--user", defaultValue = "strata", description = "User name for the pg port. Default: strata.")
    String user;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the page here instead of stdout.")
    Path out;

    /** Parses an LSN or {@code latest}. */
    static final class LsnOrLatest implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return value.equalsIgnoreCase("latest") ? Lsn.MAX : Lsn.parse(value);
        }
    }

    @Override
    public Integer call() {
        RelTag tag;
        long requestLsn;
        try {
            tag = RelTag.parse(rel, RelTag.parseFork(fork));
            requestLsn = new LsnOrLatest().convert(lsn);
            if (block < 0 || block > 0xFFFF_FFFEL) {
                throw new IllegalArgumentException("block " + block + " is not a block number (0..4294967294)");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("strata getpage: " + e.getMessage());
            return 2;
        }
        String password = System.getenv("PGPASSWORD");
        try (PgWireClient conn = PgWireClient.connect(host, port, user, password, Map.of("application_name",
                "strata getpage"))) {
            PageStreamClient ps = conn.pageStream(3, tenant.toLowerCase(), timeline.toLowerCase());
            long notModifiedSince = requestLsn == Lsn.MAX ? 0 : requestLsn;
            ps.getPage(1, requestLsn, notModifiedSince, tag, (int) block);
            ps.flush();
            PageStreamClient.Response r = ps.read();
            if (r.isError()) {
                System.err.println("strata getpage: " + r.error());
                return 1;
            }
            write(r.data());
            ps.end();
            return 0;
        } catch (PgWireException e) {
            System.err.println("strata getpage: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("strata getpage: cannot talk to Strata at " + host + ":" + port + ": " + e);
            return 2;
        }
    }

    private void write(byte[] page) throws IOException {
        if (out != null) {
            Files.write(out, page);
            return;
        }
        OutputStream stdout = System.out;
        stdout.write(page);
        stdout.flush();
    }
}
