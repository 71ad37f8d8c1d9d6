package io.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SupportTableTest {

    /** Regenerate with: java -cp ... io.parley.engine.SupportTable > docs/SUPPORT.md */
    @Test
    void docsSupportIsCurrent() throws Exception {
        Path file = Path.of("..", "docs", "SUPPORT.md");
        assertThat(Files.readString(file)).isEqualTo(SupportTable.markdown());
    }
}
