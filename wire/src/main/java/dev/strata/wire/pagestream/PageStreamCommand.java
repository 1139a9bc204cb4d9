package dev.strata.wire.pagestream;

import dev.strata.wire.admin.Command;

/** {@code pagestream_v2|pagestream_v3 <tenant> <timeline>}: enters the page stream. */
public record PageStreamCommand(int version, String tenantId, String timelineId) implements Command {
}
