package io.meridian.core.dcs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Leader;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.RouterState;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.ConfigException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON values of the cluster keys, and the decoding of one prefix range into a {@link Cluster}.
 *
 * <p>A value that does not decode is logged and treated as absent rather than failing the whole
 * read: one agent writing garbage must not blind every other agent and the router. The config key
 * goes through {@link ConfigMemory}: hand-written partial configs get defaults and checks, and an
 * undecodable one leaves the last valid configuration in place, never the defaults.
 */
final class ClusterCodec {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterCodec.class);
    private static final TypeReference<List<TimelineEvent>> HISTORY_TYPE = new TypeReference<>() {
    };
    // Records expose components, not getters; is-getters such as SwitchoverRequest.isFailover()
    // are derived values and must not be stored.
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ClusterCodec() {
    }

    static ByteSequence encode(Object value) {
        try {
            return ByteSequence.from(JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Router reports of one range response over {@code routers/}, sorted by name; undecodable ones left out. */
    static List<RouterState> routers(EtcdKeys keys, List<KeyValue> kvs) {
        List<RouterState> out = new ArrayList<>();
        for (KeyValue kv : kvs) {
            String rel = keys.relative(kv.getKey());
            if (rel == null || !rel.startsWith(EtcdKeys.ROUTERS)) {
                continue;
            }
            String name = rel.substring(EtcdKeys.ROUTERS.length());
            try {
                RouterState r = JSON.readValue(kv.getValue().getBytes(), RouterState.class);
                // The key names the router; a value without its own name still counts.
                out.add(r.router() == null || r.router().isBlank() ? r.withRouter(name) : r);
            } catch (IOException e) {
                LOG.warn("ignoring undecodable router report {}{}: {}", keys.prefix(), rel, e.getMessage());
            }
        }
        out.sort(Comparator.comparing(RouterState::router));
        return out;
    }

    static List<TimelineEvent> history(ByteSequence value) throws IOException {
        return JSON.readValue(value.getBytes(), HISTORY_TYPE);
    }

    /** Decodes every key of one range response (all at {@code revision}) into the cluster record. */
    static Cluster decode(String clusterName, EtcdKeys keys, long revision, List<KeyValue> kvs) {
        return decode(clusterName, keys, revision, kvs, new ConfigMemory());
    }

    /**
     * As {@link #decode(String, EtcdKeys, long, List)}; {@code /config} goes through {@code memory},
     * which keeps the last valid configuration when the current value does not decode.
     */
    static Cluster decode(String clusterName, EtcdKeys keys, long revision, List<KeyValue> kvs, ConfigMemory memory) {
        String systemId = null;
        String configText = null;
        long configVersion = 0;
        Leader leader = null;
        List<Member> members = new ArrayList<>();
        ClusterStatus status = null;
        SwitchoverRequest switchover = null;
        long switchoverVersion = 0;
        SyncState sync = null;
        long syncVersion = 0;
        List<TimelineEvent> history = List.of();
        for (KeyValue kv : kvs) {
            String rel = keys.relative(kv.getKey());
            if (rel == null) {
                continue;
            }
            String text = EtcdKeys.text(kv.getValue());
            try {
                if (rel.startsWith(EtcdKeys.MEMBERS)) {
                    members.add(JSON.readValue(text, Member.class));
                    continue;
                }
                if (rel.startsWith(EtcdKeys.ROUTERS)) {
                    // Not part of the cluster record: read on demand through Dcs.routers().
                    continue;
                }
                switch (rel) {
                    case EtcdKeys.LEADER -> leader = new Leader(text, kv.getModRevision(), kv.getLease());
                    case EtcdKeys.INITIALIZE -> systemId = text;
                    case EtcdKeys.CONFIG -> {
                        configVersion = kv.getModRevision();
                        configText = text;
                    }
                    case EtcdKeys.STATUS -> status = JSON.readValue(text, ClusterStatus.class);
                    case EtcdKeys.FAILOVER -> {
                        switchoverVersion = kv.getModRevision();
                        switchover = JSON.readValue(text, SwitchoverRequest.class);
                    }
                    case EtcdKeys.SYNC -> {
                        syncVersion = kv.getModRevision();
                        sync = JSON.readValue(text, SyncState.class);
                    }
                    case EtcdKeys.HISTORY -> history = history(kv.getValue());
                    default -> LOG.debug("ignoring unknown key {}{}", keys.prefix(), rel);
                }
            } catch (IOException | ConfigException | IllegalArgumentException e) {
                LOG.warn("ignoring undecodable value of {}{}: {}", keys.prefix(), rel, e.getMessage());
            }
        }
        members.sort(Comparator.comparing(Member::name));
        ConfigMemory.Decoded config = memory.decode(keys.prefix() + EtcdKeys.CONFIG, configText, configVersion);
        return new Cluster(clusterName, revision, systemId, config.config(), configVersion, leader, members, status,
                switchover, switchoverVersion, sync, syncVersion, history, config.error(), config.validVersion());
    }
}
