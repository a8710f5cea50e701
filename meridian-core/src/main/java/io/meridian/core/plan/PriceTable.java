package io.meridian.core.plan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The prices a plan's monthly cost comes from, read from YAML ({@code prices.yml} beside this class
 * is the default: the seed chapter's AWS figures), and how big one node is.
 *
 * @param provider who the prices are from, printed with the cost
 * @param currency currency of every price
 * @param node     one node's instance type, storage and backup size
 * @param prices   the prices everywhere
 * @param regions  per-region prices that replace {@code prices} key by key (may be empty)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record PriceTable(String provider, String currency, Node node, Prices prices, Map<String, Prices> regions) {

    /** @param storageGb provisioned storage per node; @param backupGb backup kept per node */
    public record Node(String instance, @JsonProperty("storage_gb") double storageGb,
                       @JsonProperty("backup_gb") double backupGb) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public PriceTable {
        regions = regions == null ? Map.of() : Map.copyOf(regions);
    }

    public static PriceTable defaults() {
        try (InputStream in = PriceTable.class.getResourceAsStream("prices.yml")) {
            return parse(in.readAllBytes(), "the default price table");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PriceTable load(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the price table: " + e.getMessage(), e);
        }
    }

    static PriceTable parse(byte[] yaml, String source) {
        PriceTable t;
        try {
            t = YAML.readValue(yaml, PriceTable.class);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new IllegalArgumentException(source + ": key " + (path.isEmpty() ? "(top)" : path) + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not YAML: " + e.getMessage(), e);
        }
        t.check(source);
        return t;
    }

    private void check(String source) {
        if (node == null || node.instance() == null) {
            throw new IllegalArgumentException(source + ": key node.instance: expected an instance type, e.g. db.r6g.2xlarge");
        }
        if (prices == null || prices.storagePerGbMonth() == null || prices.backupPerGbMonth() == null
                || prices.transferPerGb() == null) {
            throw new IllegalArgumentException(source + ": key prices: expected storage_per_gb_month, backup_per_gb_month "
                    + "and transfer_per_gb");
        }
        for (String region : regions.keySet()) {
            instancePrice(region, source);
        }
        instancePrice(null, source);
    }

    /** The prices that apply in {@code region} (null: the defaults). */
    public Prices in(String region) {
        Prices r = region == null ? null : regions.get(region);
        return r == null ? prices.over(new Prices(Map.of(), null, null, null)) : r.over(prices);
    }

    /** One node-month in {@code region}: instance, storage and backup. */
    public double nodeMonthly(String region) {
        Prices p = in(region);
        return instancePrice(region, "price table") + node.storageGb() * p.storagePerGbMonth()
                + node.backupGb() * p.backupPerGbMonth();
    }

    private double instancePrice(String region, String source) {
        Double price = in(region).instances().get(node.instance());
        if (price == null) {
            throw new IllegalArgumentException(source + ": key " + (region == null ? "prices" : "regions." + region)
                    + ".instances: no price for node.instance " + node.instance());
        }
        return price;
    }
}
