package io.meridian.cli.plan;

/** {@code meridian plan --format}: a terminal table, JSON for scripts, Markdown for a design review. */
enum PlanFormat {
    table, json, markdown
}
