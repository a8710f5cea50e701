package io.meridian.core.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One topology's monthly bill, by line, as the seed lists it.
 *
 * @param transferGb inter-region transfer, GB (1024³ bytes) per month
 */
public record MonthlyCost(
        int nodes,
        @JsonProperty("instances_eur") double instances,
        @JsonProperty("storage_eur") double storage,
        @JsonProperty("backup_eur") double backup,
        @JsonProperty("transfer_gb_per_month") double transferGb,
        @JsonProperty("transfer_eur") double transfer) {

    /**
     * @param regions   the node's regions, the writer's first; nodes are billed at their region's prices
     * @param transferGb GB per month leaving the first region (NaN when unknown)
     */
    public static MonthlyCost of(PriceTable table, java.util.List<String> regions, double transferGb) {
        double instances = 0;
        double storage = 0;
        double backup = 0;
        for (String region : regions) {
            Prices p = table.in(region);
            double nodeTotal = table.nodeMonthly(region);
            double s = table.node().storageGb() * p.storagePerGbMonth();
            double b = table.node().backupGb() * p.backupPerGbMonth();
            storage += s;
            backup += b;
            instances += nodeTotal - s - b;
        }
        double transfer = transferGb == 0 ? 0 : transferGb * table.in(regions.get(0)).transferPerGb();
        return new MonthlyCost(regions.size(), instances, storage, backup, transferGb, transfer);
    }

    @JsonProperty("monthly_cost_eur")
    public double total() {
        return instances + storage + backup + transfer;
    }
}
