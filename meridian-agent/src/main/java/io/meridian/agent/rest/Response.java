package io.meridian.agent.rest;

import com.fasterxml.jackson.core.JsonProcessingException;

/** An HTTP answer: status, content type and body bytes. */
public record Response(int status, String contentType, byte[] body) {

    public static Response json(int status, Object value) {
        try {
            return new Response(status, "application/json", RestApi.JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode response: " + e.getMessage(), e);
        }
    }

    public static Response empty(int status) {
        return new Response(status, "text/plain", new byte[0]);
    }
}
