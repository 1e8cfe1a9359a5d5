package org.pricingengine.tools.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.job.config.PricingConfig;

/** The deployment record's parallelism: taken from the job options, kept across rollouts, given to the job. */
class DeploymentTest {
    private static final List<String> JOB_OPTIONS = List.of("--kafka.bootstrap-servers", "127.0.0.1:26092");

    @Test
    void theParallelismOfTheJobOptionsIsKeptApartAndGivenBackToTheJob() {
        List<String> submitted = List.of(
                "--kafka.bootstrap-servers", "127.0.0.1:26092", "--job.parallelism", "3", "--model.version", "v9");
        assertEquals(3, Deployment.parallelismIn(submitted));
        List<String> kept = Deployment.withoutModelOptions(submitted);
        assertEquals(JOB_OPTIONS, kept, "the tool owns the model and the parallelism");

        Deployment d = new Deployment("job-1", "v1", null, 0, kept, null, 1L, 3, 0L);
        PricingConfig jobConfig = PricingConfig.fromArgs(d.programArgs().toArray(String[]::new));
        assertEquals(3, jobConfig.get(PricingConfig.PARALLELISM));
        assertEquals("v1", jobConfig.get(PricingConfig.MODEL_VERSION));
        assertEquals("v1 at parallelism 3", d.describe());

        Deployment rolledOut = d.withModels("v2", null, 0);
        assertEquals(3, rolledOut.parallelism(), "a model rollout keeps the parallelism");
        assertEquals("v2 at parallelism 3", rolledOut.describe());

        Deployment rescaled = d.withParallelism(4).startingFrom("file:/savepoints/sp-1");
        assertEquals(4, rescaled.parallelism());
        assertEquals("v1", rescaled.modelVersion());
        assertEquals(kept, rescaled.jobArgs());
        assertEquals("file:/savepoints/sp-1", rescaled.restoredFrom());
        assertNull(rescaled.jobId(), "not submitted yet");
    }

    @Test
    void everyModelChangeTakesANewerServingRevisionWhichTheJobIsSubmittedWith() {
        Deployment d = new Deployment("job-1", "v1", null, 0, JOB_OPTIONS, null, 1L, 2, 0L);
        assertFalse(d.programArgs().contains("--model.serving-revision"), "no revision: the restored state wins");
        Deployment canary = d.withModels("v1", "v2", 0.2);
        Deployment promoted = canary.withModels("v2", null, 0);
        assertTrue(canary.servingRevision() > 0 && promoted.servingRevision() > canary.servingRevision());
        assertEquals(canary.servingRevision(), canary.withParallelism(4).servingRevision(), "a rescale keeps it");
        PricingConfig jobConfig = PricingConfig.fromArgs(promoted.programArgs().toArray(String[]::new));
        assertEquals(promoted.servingRevision(), jobConfig.get(PricingConfig.MODEL_SERVING_REVISION));
        assertEquals(
                JOB_OPTIONS, Deployment.withoutModelOptions(promoted.programArgs()), "the tool owns the revision too");
        // The control record it stands for.
        assertEquals(canary.servingRevision(), canary.serving("test").revision());
        assertEquals(List.of("v1", "v2"), canary.serving("test").versions());
        assertEquals(List.of(), canary.serving("test").problemsAsRecord());
        Deployment swapped = canary.servingSince("job-1", 42L);
        assertEquals("job-1", swapped.jobId());
        assertEquals(42L, swapped.submittedAtMs());
        assertEquals(canary.servingRevision(), swapped.servingRevision());
    }

    @Test
    void withoutAParallelismTheClusterDefaultStays() {
        assertEquals(0, Deployment.parallelismIn(JOB_OPTIONS));
        Deployment d = new Deployment("job-1", "v1", null, 0, JOB_OPTIONS, null, 1L, 0, 0L);
        assertFalse(d.programArgs().contains("--job.parallelism"));
        assertEquals("v1", d.describe());
    }

    @Test
    void theParallelismSurvivesTheFileAndAnOlderFileReadsAsClusterDefault(@TempDir Path dir) throws Exception {
        new Deployment("job-1", "v1", "v2", 0.1, JOB_OPTIONS, "file:/sp", 5L, 4, 0L).save(dir);
        Deployment loaded = Deployment.load(dir);
        assertEquals(4, loaded.parallelism());
        assertEquals(0.1, loaded.canaryShare());
        assertTrue(Files.readString(dir.resolve(Deployment.FILE)).contains("\"parallelism\" : 4"));

        Files.writeString(dir.resolve(Deployment.FILE), """
                {"job_id":"job-0","model_version":"v1","canary_model_version":null,"canary_share":0.0,
                 "job_args":["--kafka.bootstrap-servers","127.0.0.1:26092"],"restored_from":null,"submitted_at_ms":1}
                """);
        Deployment older = Deployment.load(dir);
        assertEquals(0, older.parallelism());
        assertEquals(
                List.of("--kafka.bootstrap-servers", "127.0.0.1:26092", "--model.version", "v1"), older.programArgs());
    }

    @Test
    void aParallelismThatIsNoWholePositiveNumberIsRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> Deployment.parallelismIn(List.of("--job.parallelism", "four")));
        assertThrows(
                IllegalArgumentException.class, () -> Deployment.parallelismIn(List.of("--job.parallelism", "-2")));
        Deployment d = new Deployment("job-1", "v1", null, 0, JOB_OPTIONS, null, 1L, 2, 0L);
        assertThrows(IllegalArgumentException.class, () -> d.withParallelism(0));
    }

    @Test
    void rescaleNeedsAPositiveParallelismAndARecordedDeployment(@TempDir Path dir) {
        IllegalStateException nothingRecorded =
                assertThrows(IllegalStateException.class, () -> tool(dir, "--parallelism", "4")
                        .run("rescale"));
        assertTrue(nothingRecorded.getMessage().contains("submit the job first"), nothingRecorded.getMessage());

        new Deployment("job-1", "v1", null, 0, JOB_OPTIONS, null, 1L, 2, 0L).save(dir);
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> tool(dir).run("rescale"));
        assertEquals("rescale needs --parallelism P", missing.getMessage());
        IllegalArgumentException zero =
                assertThrows(IllegalArgumentException.class, () -> tool(dir, "--parallelism", "0")
                        .run("rescale"));
        assertEquals("--parallelism must be at least 1, got 0", zero.getMessage());
        IllegalArgumentException notANumber =
                assertThrows(IllegalArgumentException.class, () -> tool(dir, "--parallelism", "many")
                        .run("submit"));
        assertTrue(notANumber.getMessage().contains("parallelism"), notANumber.getMessage());
    }

    private static RolloutTool tool(Path stateDir, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                // a port in this project's test range that nothing listens on: these calls must fail before
                // they reach the cluster
                "--rest", "http://127.0.0.1:26999", "--state-dir", stateDir.toString()));
        args.addAll(List.of(extra));
        return new RolloutTool(RolloutTool.OPTIONS.parse(args.toArray(String[]::new)));
    }
}
