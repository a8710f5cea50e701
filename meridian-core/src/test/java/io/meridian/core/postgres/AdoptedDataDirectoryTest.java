package io.meridian.core.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a Debian postgresql.conf and pg_hba.conf become the adopted data directory's. */
class AdoptedDataDirectoryTest {

    @TempDir
    Path conf;

    @Test
    void leavesOutTheSettingsNamingEtcPaths() {
        assertThat(AdoptedDataDirectory.dataDirLine("data_directory = '/var/lib/postgresql/15/main'\t# use data in another directory", conf))
                .startsWith("#data_directory").endsWith("# left out by meridian adopt");
        assertThat(AdoptedDataDirectory.dataDirLine("hba_file = '/etc/postgresql/15/main/pg_hba.conf'", conf)).startsWith("#");
        assertThat(AdoptedDataDirectory.dataDirLine("external_pid_file = '/var/run/postgresql/15-main.pid'", conf)).startsWith("#");
        assertThat(AdoptedDataDirectory.dataDirLine("shared_buffers = 128MB\t\t\t# min 128kB", conf))
                .isEqualTo("shared_buffers = 128MB\t\t\t# min 128kB");
    }

    @Test
    void makesIncludesAbsoluteAndInlinesIncludeDir() throws IOException {
        assertThat(AdoptedDataDirectory.dataDirLine("include_if_exists = 'extra.conf'", conf))
                .isEqualTo("include_if_exists = '" + conf.resolve("extra.conf") + "'");
        Files.createDirectories(conf.resolve("conf.d"));
        Files.writeString(conf.resolve("conf.d/10-memory.conf"), "work_mem = '16MB'\n");
        Files.writeString(conf.resolve("conf.d/notes.txt"), "not a setting\n");
        String inlined = AdoptedDataDirectory.dataDirLine("include_dir = 'conf.d'\t\t\t# include files ending in '.conf' from", conf);
        assertThat(inlined).startsWith("#include_dir").contains("work_mem = '16MB'").doesNotContain("not a setting");
    }

    @Test
    void carriesHbaRulesWithoutComments() throws IOException {
        Path hba = conf.resolve("pg_hba.conf");
        Files.writeString(hba, """
                # TYPE  DATABASE        USER            ADDRESS                 METHOD

                local   all             postgres                                peer
                host    all             all             127.0.0.1/32            scram-sha-256 # loopback
                """);
        assertThat(AdoptedDataDirectory.hbaRules(hba))
                .containsExactly("local all postgres peer", "host all all 127.0.0.1/32 scram-sha-256");
    }
}
