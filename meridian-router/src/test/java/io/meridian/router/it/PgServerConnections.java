package io.meridian.router.it;

import io.meridian.testkit.PgServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** pgjdbc connections as an application would open them through the router. */
public final class PgServerConnections {

    private PgServerConnections() {
    }

    static Properties options(String options) {
        Properties p = new Properties();
        p.setProperty("options", options);
        return p;
    }

    public static Connection open(int port, Properties extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", PgServer.PASSWORD);
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        if (extra != null) {
            extra.forEach((k, v) -> {
                String key = (String) k;
                // pgjdbc sends only known properties; meridian.* goes into options the way libpq users write it.
                if (key.startsWith("meridian.")) {
                    p.setProperty("options", (p.getProperty("options", "") + " -c " + key + "=" + v).trim());
                } else {
                    p.setProperty(key, (String) v);
                }
            });
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }
}
