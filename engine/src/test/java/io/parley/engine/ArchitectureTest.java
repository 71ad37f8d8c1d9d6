package io.parley.engine;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine keeps the shape docs/ARCHITECTURE.md describes: no two packages depend on each other
 * (directly or around a loop), and no class grows past {@link #MAX_LINES} lines.
 */
class ArchitectureTest {

    static final int MAX_LINES = 600;

    private static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.parley.engine");

    /** Every package is its own slice, the root package and each sub-package alike. */
    private static final SliceAssignment BY_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            return SliceIdentifier.of(c.getPackageName());
        }

        @Override
        public String getDescription() {
            return "every package of the engine";
        }
    };

    /** Every source file of the engine, main and test, is at most {@link #MAX_LINES} lines. */
    @Test
    void noClassGrowsPastTheLimit() throws IOException {
        List<String> tooLong = new ArrayList<>();
        for (Path root : List.of(Path.of("src", "main", "java"), Path.of("src", "test", "java"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    long lines = Files.readAllLines(f).size();
                    if (lines > MAX_LINES) {
                        tooLong.add(f + ": " + lines + " lines");
                    }
                }
            }
        }
        assertThat(tooLong).as("classes over %d lines (split them by state or by feature)", MAX_LINES).isEmpty();
    }

    @Test
    void noPackageDependsOnItselfThroughAnother() {
        slices().assignedFrom(BY_PACKAGE).should().beFreeOfCycles().check(ENGINE);
    }
}
