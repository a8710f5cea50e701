package io.meridian.lab.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.console.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DsnTest {

    @Test
    void readsTheLabsLibpqStringAndItsPassfile(@TempDir Path dir) throws Exception {
        Path pgpass = dir.resolve("pgpass");
        Files.writeString(pgpass, "127.0.0.1:5999:*:postgres:other\n127.0.0.1:5433:*:postgres:s3cr\\:et\n");
        Dsn d = Dsn.parse("host=127.0.0.1 port=5433 user=postgres dbname=postgres passfile=" + pgpass);
        assertThat(d.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/postgres");
        assertThat(d.properties("t").getProperty("password")).isEqualTo("s3cr:et");
        assertThat(d.properties("t").getProperty("connectTimeout")).isEqualTo("1");
        assertThat(d.toString()).doesNotContain("s3cr");
        assertThat(d.at("10.0.0.2", 6432).jdbcUrl()).isEqualTo("jdbc:postgresql://10.0.0.2:6432/postgres");
    }

    @Test
    void readsUrisAndJdbcUrls() {
        Dsn u = Dsn.parse("postgresql://app@db.example:6000/shop?passfile=/x/pgpass");
        assertThat(u.host()).isEqualTo("db.example");
        assertThat(u.port()).isEqualTo(6000);
        assertThat(u.user()).isEqualTo("app");
        assertThat(u.dbname()).isEqualTo("shop");
        assertThat(u.passfile()).isEqualTo(Path.of("/x/pgpass"));
        assertThat(Dsn.parse("jdbc:postgresql://127.0.0.1:5000/postgres").port()).isEqualTo(5000);
    }

    @Test
    void refusesAPasswordOnTheCommandLineWithoutEchoingIt() {
        assertThatThrownBy(() -> Dsn.parse("host=h password=hunter2")).isInstanceOf(CliException.class)
                .hasMessageContaining("passfile").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Dsn.parse("postgresql://u:hunter2@h/db")).isInstanceOf(CliException.class)
                .hasMessageNotContaining("hunter2");
    }
}
