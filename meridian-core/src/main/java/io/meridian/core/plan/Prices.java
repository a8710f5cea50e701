package io.meridian.core.plan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What a provider charges in one place, per month. A field left out (null) falls back to the
 * table's defaults, so a region's entry only lists what differs.
 *
 * @param instances         instance type to its price per instance-month
 * @param storagePerGbMonth provisioned storage per GB-month
 * @param backupPerGbMonth  backup storage per GB-month
 * @param transferPerGb     inter-region transfer per GB sent
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Prices(
        Map<String, Double> instances,
        @JsonProperty("storage_per_gb_month") Double storagePerGbMonth,
        @JsonProperty("backup_per_gb_month") Double backupPerGbMonth,
        @JsonProperty("transfer_per_gb") Double transferPerGb) {

    /** These prices, with anything missing taken from {@code defaults}. */
    Prices over(Prices defaults) {
        Map<String, Double> merged = new java.util.TreeMap<>(defaults.instances() == null ? Map.of() : defaults.instances());
        if (instances != null) {
            merged.putAll(instances);
        }
        return new Prices(merged, storagePerGbMonth != null ? storagePerGbMonth : defaults.storagePerGbMonth(),
                backupPerGbMonth != null ? backupPerGbMonth : defaults.backupPerGbMonth(),
                transferPerGb != null ? transferPerGb : defaults.transferPerGb());
    }
}
