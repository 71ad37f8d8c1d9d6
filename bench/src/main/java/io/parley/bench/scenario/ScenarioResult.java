package io.parley.bench.scenario;

import io.parley.bench.load.Metrics;
import java.util.List;
import java.util.Map;

/**
 * What one scenario measured on one target: its parameters, the headline numbers, one row per
 * load step, and the per-second timeline.
 */
public record ScenarioResult(String scenario, String target, Map<String, Object> params, Map<String, Object> summary,
                             List<Map<String, Object>> steps, List<Metrics.Sample> timeline) {
}
