package io.meridian.cli.adopt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node file of a standalone cluster made leader of a new Meridian cluster: its addresses from
 * the running server, its pg_hba.conf rules carried over (Meridian's defaults would replace rules
 * its clients rely on), new passwords for the superuser, the replication role and the REST API.
 */
final class StandaloneNodeFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** Environment variables holding the roles' current passwords, when they have ones to keep. */
    static final String SUPERUSER_PASSWORD = "MERIDIAN_SUPERUSER_PASSWORD";
    static final String REPLICATION_PASSWORD = "MERIDIAN_REPLICATION_PASSWORD";

    private StandaloneNodeFile() {
    }

    static Map<String, Object> tree(String cluster, String name, String region, List<String> etcd, Path dataDir,
                                    Path binDir, String listen, String connectAddress, List<String> hba, String restapi) {
        Map<String, Object> pg = new LinkedHashMap<>();
        pg.put("bin_dir", binDir.toString());
        pg.put("data_dir", dataDir.toString());
        pg.put("listen", listen);
        if (connectAddress != null) {
            pg.put("connect_address", connectAddress);
        }
        pg.put("superuser", credentials("postgres", SUPERUSER_PASSWORD));
        pg.put("replication", credentials("replicator", REPLICATION_PASSWORD));
        pg.put("pg_hba", hba);
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("listen", restapi);
        rest.put("username", "admin");
        rest.put("password", Secrets.generate());
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("cluster", cluster);
        node.put("name", name);
        node.put("region", region);
        node.put("etcd", Map.of("endpoints", etcd));
        node.put("postgresql", pg);
        node.put("restapi", rest);
        return node;
    }

    static String yaml(Map<String, Object> tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> credentials(String user, String passwordVariable) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("username", user);
        c.put("password", Secrets.fromEnvOrNew(passwordVariable));
        return c;
    }
}
