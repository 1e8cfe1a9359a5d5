package org.pricingengine.job;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rooms of the job and which way their doors open (ARCHITECTURE.md draws the same picture). A new
 * dependency against these arrows, or any package cycle, fails the build with the offending classes named.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.pricingengine.job", "org.pricingengine.features");
    }

    @Test
    void jobPackagesDependOneWay() {
        ArchRule layers = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("job")
                .definedBy("org.pricingengine.job")
                .layer("io")
                .definedBy("org.pricingengine.job.io..")
                .layer("feedback")
                .definedBy("org.pricingengine.job.feedback..")
                .layer("policy")
                .definedBy("org.pricingengine.job.policy..")
                .layer("scoring")
                .definedBy("org.pricingengine.job.scoring..")
                .layer("config")
                .definedBy("org.pricingengine.job.config..")
                .layer("features")
                .definedBy("org.pricingengine.features..")
                .whereLayer("job")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("io")
                .mayOnlyBeAccessedByLayers("job")
                .whereLayer("feedback")
                .mayOnlyBeAccessedByLayers("job", "io")
                .whereLayer("policy")
                .mayOnlyBeAccessedByLayers("job", "io", "feedback")
                .whereLayer("scoring")
                .mayOnlyBeAccessedByLayers("job", "io", "policy")
                .whereLayer("config")
                .mayOnlyBeAccessedByLayers("job", "io", "policy", "scoring")
                .whereLayer("features")
                .mayOnlyBeAccessedByLayers("job", "io", "feedback", "policy", "scoring");
        layers.check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.pricingengine.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void jobCodeHoldsNoToolsNorDesktopCode() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.pricingengine.tools..", "java.awt..", "javax.swing..", "javax.imageio..")
                .because("the job jar runs inside the cluster: tools, charts and reports live in deploy/tools")
                .check(classes);
    }

    @Test
    void featureCodeKnowsNothingOfTheJob() {
        noClasses()
                .that()
                .resideInAPackage("org.pricingengine.features..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.pricingengine.job..")
                .because("feature code is shared with offline training-example extraction")
                .check(classes);
    }
}
