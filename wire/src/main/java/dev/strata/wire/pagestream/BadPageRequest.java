package dev.strata.wire.pagestream;

/**
 * A CopyData frame in the page stream that is not a valid request. Carries whatever header fields could be read,
 * so that a v3 error response can still echo them.
 */
public final class BadPageRequest extends Exception {
    private final long reqId;
    private final long requestLsn;
    private final long notModifiedSince;

    public BadPageRequest(String message, long reqId, long requestLsn, long notModifiedSince) {
        super(message);
        this.reqId = reqId;
        this.requestLsn = requestLsn;
        this.notModifiedSince = notModifiedSince;
    }

    public long reqId() {
        return reqId;
    }

    public long requestLsn() {
        return requestLsn;
    }

    public long notModifiedSince() {
        return notModifiedSince;
    }
}
