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

    /** A plain-text answer, as Patroni writes its operation results ({@code Restart scheduled}). */
    public static Response text(int status, String message) {
        return new Response(status, "text/plain; charset=utf-8", message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static Response empty(int status) {
        return new Response(status, "text/plain", new byte[0]);
    }
}
