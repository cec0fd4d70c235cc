package io.muster.scheduler.selector;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The scheduler decides; it never does I/O. Its main code must not reach for network, files, SQL or cluster libraries. */
class SchedulerImportRulesTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.muster.scheduler");

    @Test
    void schedulerMainCode_usesNoIoNetworkOrClusterLibraries() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "io.vertx..", "com.hazelcast..", "io.grpc..", "java.sql..", "java.net..", "java.nio.file..")
                .orShould().dependOnClassesThat(describe("java.io.File*",
                        (JavaClass c) -> c.getPackageName().equals("java.io") && c.getSimpleName().startsWith("File")))
                .because("the scheduler reads a snapshot and returns a plan (docs/architecture.md §4)")
                .check(MAIN);
    }
}
