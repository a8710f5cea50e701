package io.meridian.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Reading {@code /config} as stored (newer keys set aside) and refusing unknown keys in a write. */
class DynamicConfigStoredTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void unknownKeysAreSetAsideVerbatimAndTheRestChecked() {
        DynamicConfigParser.Stored s = DynamicConfigParser.parseStored("/config",
                "{\"ttl\": 10, \"future_setting\": {\"x\": [1, 2]}, \"future_flag\": true}");
        assertThat(s.config().ttl()).isEqualTo(10);
        assertThat(s.newerKeys()).containsOnlyKeys("future_setting", "future_flag");
        assertThat(s.newerKeys().get("future_setting").toString()).isEqualTo("{\"x\":[1,2]}");
    }

    @Test
    void aRoundTripThroughThisVersionKeepsThem() throws Exception {
        String stored = "{\"ttl\": 10, \"future_setting\": {\"x\": [1, 2]}}";
        DynamicConfigParser.Stored s = DynamicConfigParser.parseStored("/config", stored);
        DynamicConfig changed = DynamicConfigParser.merge("PATCH /config", s.config(), "{\"lag_tolerance\": 5}");
        ObjectNode written = JSON.valueToTree(changed);
        s.newerKeys().forEach(written::set); // what EtcdDcs.setConfig writes
        DynamicConfigParser.Stored again = DynamicConfigParser.parseStored("/config", written.toString());
        assertThat(again.config().lagTolerance()).isEqualTo(5);
        assertThat(again.config().ttl()).isEqualTo(10);
        assertThat(again.newerKeys()).isEqualTo(s.newerKeys());
    }

    @Test
    void anInvalidKnownValueIsStillAnError() {
        assertThatThrownBy(() -> DynamicConfigParser.parseStored("/config", "{\"ttl\": \"x\", \"future\": 1}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> DynamicConfigParser.parseStored("/config", "[1]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("expected a JSON object");
    }

    @Test
    void aWriteWithAKeyThisVersionDoesNotKnowIsRefused() {
        assertThatThrownBy(() -> DynamicConfigParser.merge("PATCH /config", DynamicConfig.DEFAULTS, "{\"future_flag\": true}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PATCH /config").hasMessageContaining("future_flag")
                .hasMessageContaining("this Meridian version does not know it");
        assertThatThrownBy(() -> DynamicConfigParser.parse("PUT /config", "{\"future_flag\": true}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("future_flag");
    }
}
