package io.vodflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.vodflow.video.Video;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The directions dependencies may take, so that a change in one feature cannot reach into another:
 * shared infrastructure at the bottom, then the video (record, repository, state machine) and the
 * transcoding engines side by side, then the features, then the reconciler (which finishes what the
 * features left when messages were lost), and the embedded local cloud on top.
 */
class ArchitectureTest {

    private static final String ROOT = "io.vodflow.";
    private static final List<String> FEATURES =
            List.of("catalog", "upload", "ingest", "status", "playback", "health", "metrics");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.vodflow");

    @Test
    void dependenciesRunOneWay() {
        ArchRule layers = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Infrastructure")
                .definedBy(packages("config", "problem", "messaging", "storage", "media", "security", "support"))
                .layer("Video")
                .definedBy(packages("video"))
                .layer("Engines")
                .definedBy(packages("transcode"))
                .layer("Features")
                .definedBy(packages(FEATURES.toArray(String[]::new)))
                .layer("Reconciler")
                .definedBy(packages("reconcile"))
                .layer("LocalCloud")
                .definedBy(packages("localcloud"))
                .whereLayer("LocalCloud")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Reconciler")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Features")
                .mayOnlyBeAccessedByLayers("Features", "Reconciler", "LocalCloud")
                .whereLayer("Engines")
                .mayOnlyBeAccessedByLayers("Features", "Reconciler", "LocalCloud")
                .whereLayer("Video")
                .mayOnlyBeAccessedByLayers("Features", "Reconciler", "LocalCloud");
        layers.check(MAIN);
    }

    @Test
    void featuresDoNotReachIntoEachOther() {
        for (String feature : FEATURES) {
            // Metrics observe the pipeline: the features that move videos record into them.
            String[] others = FEATURES.stream()
                    .filter(other -> !other.equals(feature) && !other.equals("metrics"))
                    .map(other -> ROOT + other + "..")
                    .toArray(String[]::new);
            noClasses()
                    .that()
                    .resideInAPackage(ROOT + feature + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others)
                    .check(MAIN);
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.vodflow.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void onlyTheVideoMakesItsNextVersion() {
        // Every status change is a named transition of Video: nothing else builds a video's versions.
        noClasses()
                .that()
                .doNotBelongToAnyOf(Video.class)
                .should()
                .callConstructor(
                        Video.class,
                        String.class,
                        io.vodflow.video.VideoStatus.class,
                        long.class,
                        int.class,
                        String.class,
                        Video.Source.class,
                        io.vodflow.media.RenditionLimits.class,
                        Video.Claim.class,
                        io.vodflow.media.MediaInfo.class,
                        Video.Job.class,
                        Video.Outputs.class,
                        Video.Failure.class,
                        java.time.Instant.class,
                        java.time.Instant.class)
                .check(MAIN);
    }

    private static String[] packages(String... names) {
        return java.util.Arrays.stream(names).map(name -> ROOT + name + "..").toArray(String[]::new);
    }
}
