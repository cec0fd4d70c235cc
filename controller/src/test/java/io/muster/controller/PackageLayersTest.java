package io.muster.controller;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The controller's packages form layers: only the composition root ({@link Controller}) sees them
 * all, and no two packages need each other (docs/architecture.md, "Composition root").
 */
class PackageLayersTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.muster.controller");

    @Test
    void packages_haveNoCycles() {
        slices().matching("io.muster.controller.(*)..").should().beFreeOfCycles()
                .because("a package that needs another that needs it back is one concern split in two")
                .check(MAIN);
    }

    @Test
    void onlyTheCompositionRoot_seesTheRootPackage() {
        noClasses().that().resideOutsideOfPackage("io.muster.controller")
                .should().dependOnClassesThat().resideInAPackage("io.muster.controller")
                .because("parts get what they need passed in; the root package composes them")
                .check(MAIN);
    }

    @Test
    void cluster_dependsOnNoOtherPart() {
        noClasses().that().resideInAPackage("io.muster.controller.cluster..")
                .should().dependOnClassesThat(resideInAPackage("io.muster.controller..")
                        .and(resideOutsideOfPackage("io.muster.controller.cluster..")))
                .because("membership, ownership and the sessions map are the bottom layer every service builds on")
                .check(MAIN);
    }

    @Test
    void http_knowsNoFeature() {
        noClasses().that().resideInAPackage("io.muster.controller.http..")
                .should().dependOnClassesThat().resideInAnyPackage("io.muster.controller.api..",
                        "io.muster.controller.auth..", "io.muster.controller.cluster..", "io.muster.controller.task..",
                        "io.muster.controller.graphql..", "io.muster.controller.gateway..")
                .because("problems, routes and their rules are the transport every feature's routes use")
                .check(MAIN);
    }

    @Test
    void apiAndAuth_doNotImportEachOther() {
        noClasses().that().resideInAPackage("io.muster.controller.api..")
                .should().dependOnClassesThat().resideInAPackage("io.muster.controller.auth..")
                .check(MAIN);
        noClasses().that().resideInAPackage("io.muster.controller.auth..")
                .should().dependOnClassesThat().resideInAnyPackage("io.muster.controller.api..",
                        "io.muster.controller.cluster..")
                .because("authentication hands a Principal to the services; it needs neither the REST routes nor the cluster")
                .check(MAIN);
    }
}
