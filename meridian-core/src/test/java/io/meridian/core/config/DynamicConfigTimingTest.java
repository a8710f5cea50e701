package io.meridian.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ttl >= loop_wait + 2 × retry_timeout} on every path that changes the cluster's timings:
 * a whole document ({@code PUT /config}, {@code edit-config} in an editor or {@code --replace}, a
 * node file's {@code bootstrap.dcs}, {@code /config} as read from etcd) goes through
 * {@link DynamicConfigParser#parse(String, String)}; a partial change ({@code PATCH /config},
 * {@code edit-config -s}/{@code --apply}) through {@link DynamicConfigParser#merge}, which checks the
 * result, not just the keys it changes.
 */
class DynamicConfigTimingTest {

    private static final String RULE = "ttl: expected loop_wait + 2 * retry_timeout <= ttl, got ";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // name | path | base (merge only; '-' = defaults) | change | expected: ok, or the error after "<source>: "
        "defaults                                   | parse | -                                      | {}                                                | ok",
        "the issue's change, whole                   | parse | -                                      | {ttl: 30, loop_wait: 5, retry_timeout: 10}         | ok",
        "the issue's change, as a patch              | merge | -                                      | {ttl: 30, loop_wait: 5, retry_timeout: 10}         | ok",
        "exactly at the bound                        | parse | -                                      | {ttl: 25, loop_wait: 5, retry_timeout: 10}         | ok",
        "just over the bound                         | parse | -                                      | {ttl: 24.9, loop_wait: 5, retry_timeout: 10}       | " + RULE + "5 + 2 * 10 > 24.9",
        "ttl alone lowered under the others          | merge | {ttl: 30, loop_wait: 5, retry_timeout: 10} | {ttl: 20}                                      | " + RULE + "5 + 2 * 10 > 20",
        "loop_wait alone raised over ttl             | merge | -                                      | {loop_wait: 3}                                    | " + RULE + "3 + 2 * 2 > 6",
        "retry_timeout alone raised over ttl         | merge | -                                      | {retry_timeout: 3}                                | " + RULE + "1 + 2 * 3 > 6",
        "ttl raised alone                            | merge | -                                      | {ttl: 30}                                         | ok",
        "ttl removed falls back to 6 s under the rest | merge | {ttl: 30, loop_wait: 5, retry_timeout: 10} | {ttl: null}                                   | " + RULE + "5 + 2 * 10 > 6",
        "retry_timeout raised with ttl in one patch  | merge | -                                      | {ttl: 12, retry_timeout: 5}                        | ok",
        "whole document missing ttl uses 6 s         | parse | -                                      | {loop_wait: 2, retry_timeout: 3}                   | " + RULE + "2 + 2 * 3 > 6",
        "a lowered loop_wait is always safe           | merge | {ttl: 30, loop_wait: 5, retry_timeout: 10} | {loop_wait: 1}                                | ok",
    })
    void theTimingRuleHoldsOnEveryChange(String name, String path, String base, String change, String expected) {
        String source = path.equals("merge") ? "PATCH /config" : "PUT /config";
        DynamicConfig before = base.equals("-") ? DynamicConfig.DEFAULTS : DynamicConfigParser.parse("base", base);
        if (expected.equals("ok")) {
            DynamicConfig after = path.equals("merge") ? DynamicConfigParser.merge(source, before, change)
                    : DynamicConfigParser.parse(source, change);
            assertThat(after.loopWait() + 2 * after.retryTimeout()).isLessThanOrEqualTo(after.ttl());
        } else {
            assertThatThrownBy(() -> {
                if (path.equals("merge")) {
                    DynamicConfigParser.merge(source, before, change);
                } else {
                    DynamicConfigParser.parse(source, change);
                }
            }).isInstanceOf(ConfigException.class).hasMessage(source + ": " + expected);
        }
    }
}
