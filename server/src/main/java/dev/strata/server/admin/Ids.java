package dev.strata.server.admin;

import java.util.regex.Pattern;

/** Tenant and timeline ids: 32 lowercase hex digits (Neon's form). */
public final class Ids {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    private Ids() {
    }

    /**
     * Returns {@code id} when it is well formed.
     *
     * @param what "tenant" or "timeline", for the message
     * @throws IllegalArgumentException naming the id and the expected form
     */
    public static String check(String id, String what) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a " + what + " id: '" + id + "' (ids are 32 lowercase hex "
                    + "digits, e.g. 0123456789abcdef0123456789abcdef)");
        }
        return id;
    }

    /** The first 8 digits, for labels. */
    public static String shortId(String id) {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }
}
