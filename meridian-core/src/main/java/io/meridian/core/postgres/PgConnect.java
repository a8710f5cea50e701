package io.meridian.core.postgres;

import io.meridian.core.config.NodeConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens pgjdbc connections; the password travels in Properties, never in the URL or a log line. */
public final class PgConnect {

    private PgConnect() {
    }

    /**
     * @param connectTimeout seconds to establish TCP and authenticate
     * @param socketTimeout  seconds any single read may block; bounds a query against a hung server
     */
    static Connection open(String host, int port, NodeConfig.Credentials who, int connectTimeout, int socketTimeout)
            throws SQLException {
        return open(host, port, who, connectTimeout, socketTimeout, null);
    }

    /**
     * A connection to another node: with {@code tls}, encrypted and the server checked as libpq's
     * sslmode says ({@code sslrootcert} the configured authority).
     */
    static Connection open(String host, int port, NodeConfig.Credentials who, int connectTimeout, int socketTimeout,
                           NodeConfig.Tls tls) throws SQLException {
        return open(host, port, "postgres", who, connectTimeout, socketTimeout, tls);
    }

    /** As above, to database {@code dbname} (a catalog lookup that only that database can answer). */
    static Connection open(String host, int port, String dbname, NodeConfig.Credentials who, int connectTimeout,
                           int socketTimeout, NodeConfig.Tls tls) throws SQLException {
        Properties p = new Properties();
        if (tls != null) {
            p.putAll(tls.libpqOptions());
        }
        p.setProperty("user", who.username());
        p.setProperty("password", who.password());
        p.setProperty("connectTimeout", Integer.toString(connectTimeout));
        // connectTimeout bounds the TCP handshake (a dead host fails fast); loginTimeout bounds the
        // whole login, SCRAM included, which a loaded machine can stretch past the handshake budget.
        p.setProperty("loginTimeout", Integer.toString(connectTimeout + socketTimeout));
        p.setProperty("socketTimeout", Integer.toString(socketTimeout));
        p.setProperty("ApplicationName", "meridian-agent");
        p.setProperty("assumeMinServerVersion", "15");
        String h = host.contains(":") ? "[" + host + "]" : host;
        String db = java.net.URLEncoder.encode(dbname, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        return DriverManager.getConnection("jdbc:postgresql://" + h + ":" + port + "/" + db, p);
    }

    /** To this node's own server, as the HA loop's observer connects (loopback for a wildcard listen address). */
    public static Connection local(NodeConfig.Postgres pg, int connectTimeout, int socketTimeout) throws SQLException {
        return open(localHost(pg.listen().host()), pg.listen().port(), pg.superuser(), connectTimeout, socketTimeout);
    }

    /** Where the agent reaches its own server: a wildcard listen address means loopback. */
    static String localHost(String listen) {
        String first = listen.split(",")[0].trim();
        return switch (first) {
            case "*", "0.0.0.0", "" -> "127.0.0.1";
            case "::" -> "::1";
            default -> first;
        };
    }
}
