package dev.strata.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The API's JSON: one shared mapper, pretty-printed output (people read it with curl), strict input. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** A 200/201 response with {@code value} serialized. */
    public static ApiResponse response(int status, Object value) {
        try {
            return ApiResponse.of(status, ApiResponse.JSON, MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * The request body as a JSON object; an empty body is an empty object.
     *
     * @throws ApiException 400 naming the parse error when the body is not a JSON object
     */
    public static ObjectNode body(ApiRequest request, String example) {
        if (request.body().length == 0) {
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(request.body());
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON (" + e.getOriginalMessage() + "); send e.g. "
                    + example);
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("cannot read the body: " + e.getMessage());
        }
        if (node == null || node.isNull()) {
            return MAPPER.createObjectNode();
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object, e.g. " + example);
        }
        return (ObjectNode) node;
    }

    /** A string field of a body, or null; a 400 when it is there but not a string. */
    public static String text(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest("field '" + field + "' must be a string, got " + n);
        }
        return n.asText();
    }
}
