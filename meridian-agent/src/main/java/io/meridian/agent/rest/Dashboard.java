package io.meridian.agent.rest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Serves the live dashboard's static files from the classpath ({@code /dashboard/...}). */
final class Dashboard {

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "json", "application/json");

    private Dashboard() {
    }

    static Response serve(String path) throws IOException {
        String file = path.equals("/dashboard") || path.equals("/dashboard/") ? "index.html" : path.substring("/dashboard/".length());
        if (!file.matches("[A-Za-z0-9_.-]+") || file.contains("..")) {
            return Response.json(404, Map.of("error", "no such file"));
        }
        try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + file)) {
            if (in == null) {
                return Response.json(404, Map.of("error", "no such file: " + file));
            }
            String ext = file.substring(file.lastIndexOf('.') + 1);
            return new Response(200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
        }
    }
}
