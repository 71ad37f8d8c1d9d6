package io.parley.bench.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal benchmark in miniature on the embedded store: both hot writes measured, every write acknowledged. */
class JournalBenchTest {

    @Test
    void measuresBothHotWritesOnH2() throws Exception {
        List<JournalBench.Row> rows = JournalBench.run(List.of("h2"), 20, 300, 16);
        assertThat(rows).extracting(JournalBench.Row::event).containsExactly("offline message stored", "roster item changed");
        for (JournalBench.Row r : rows) {
            assertThat(r.writes()).isEqualTo(300);
            assertThat(r.perSecond()).isPositive();
            assertThat(r.p99()).isGreaterThanOrEqualTo(r.p50());
            assertThat(r.max()).isGreaterThanOrEqualTo(r.p99());
        }
        assertThat(JournalBench.table(rows)).contains("| h2 | offline message stored | 300 |");
    }
}
