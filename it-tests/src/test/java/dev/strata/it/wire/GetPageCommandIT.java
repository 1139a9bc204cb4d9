package dev.strata.it.wire;

import dev.strata.server.cli.GetPageCommand;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code strata getpage} fetches a page that equals the primary's file block. */
class GetPageCommandIT {
    @RegisterExtension
    static final PageServiceIT.ClusterExtension CLUSTER = new PageServiceIT.ClusterExtension();

    @Test
    void getpage_writes_the_page_and_reports_errors_with_exit_status_1() throws Exception {
        WireCluster c = CLUSTER.cluster();
        SnapshotFiles files = new SnapshotFiles(c.snapshot);
        Map.Entry<RelTag, Integer> rel = files.relations().entrySet().stream()
                .filter(e -> e.getKey().spcNode() == 1663 && e.getValue() > 2).findFirst().orElseThrow();
        Path out = Files.createTempFile("page", ".bin");
        try {
            int exit = new CommandLine(new GetPageCommand()).execute("--tenant", c.tenantId, "--timeline",
                    c.timelineId, "--rel", rel.getKey().relPath(), "--fork", "main", "--block", "2", "--lsn",
                    Lsn.format(c.lsn), "--port", Integer.toString(c.port()), "--out", out.toString());
            assertThat(exit).isZero();
            assertThat(Files.readAllBytes(out)).isEqualTo(files.page(rel.getKey(), 2));

            exit = new CommandLine(new GetPageCommand()).execute("--tenant", c.tenantId, "--timeline",
                    c.timelineId, "--rel", "1663/5/999999", "--block", "0", "--port", Integer.toString(c.port()),
                    "--out", out.toString());
            assertThat(exit).isEqualTo(1);
            exit = new CommandLine(new GetPageCommand()).execute("--tenant", c.tenantId, "--timeline",
                    c.timelineId, "--rel", "not-a-rel", "--block", "0", "--port", Integer.toString(c.port()));
            assertThat(exit).isEqualTo(2);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
